"""The committed event contract (`docs/events.md`, `docs/events/*.schema.json`) is the
one the catalog generates, and events as published validate against it."""

import json

import pytest
from jsonschema import Draft202012Validator

from shared.event_catalog import CATALOG, RideChanged
from shared.events import DomainEvent
from stacks.paths import REPO_ROOT
from tools.event_docs import event_schema, render_markdown, render_schemas

pytestmark = pytest.mark.unit
DOCS = REPO_ROOT / "docs"


def test_committed_event_docs_are_up_to_date() -> None:
    assert (DOCS / "events.md").read_text() == render_markdown(), "run `make events`"
    committed = {p.name: p.read_text() for p in (DOCS / "events").glob("*.schema.json")}
    assert committed == render_schemas(), "docs/events/ is stale: run `make events`"


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_each_schema_is_a_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(event_schema(CATALOG[name]))


def test_a_published_event_validates_and_a_wrong_one_does_not() -> None:
    data = RideChanged(
        ride_id="r",
        club_id="c",
        title="Bay Run",
        start_at="2026-12-01T06:00:00+11:00",  # type: ignore[arg-type]
        status="scheduled",
        visibility="public",
        meeting_point="Centennial Park",
    )
    event = DomainEvent(
        event_id="e:ride_created",
        event_type="ride_created",
        context="rides",
        occurred_at="2026-11-28T00:00:00Z",  # type: ignore[arg-type]
        data=data.model_dump(mode="json"),
    )
    validator = Draft202012Validator(event_schema(CATALOG["ride_created"]))
    detail = json.loads(event.model_dump_json())

    assert list(validator.iter_errors(detail)) == []
    assert list(validator.iter_errors({**detail, "data": {"ride_id": "r"}}))
    assert list(validator.iter_errors({**detail, "event_type": "ride_cancelled"}))
