"""Writes the domain-event contract from the catalog: `docs/events.md` and one JSON Schema
per event in `docs/events/` (`make events`).

    python -m tools.event_docs docs
"""

import json
import sys
from pathlib import Path
from typing import Any

from shared.event_catalog import CATALOG, EventType
from shared.events import SCHEMA_VERSION, SOURCE_PREFIX, DomainEvent

INTRO = """# Domain events

Generated from `shared/event_catalog.py` by `make events`; do not edit by hand.

Every event is published to the stage's bus (`sydney-cycling-{{stage}}`) with source
`{prefix}.<context>` and detail-type the event's name. The detail is the envelope below;
`data` follows the event's schema in [`docs/events/`](events/). Events come from the table's
change stream (a committed change is the event, so an event is published if and only if
the change was committed), except `ride_reminder_due`, which a ride's one-time schedule
fires. Delivery is at least once: `event_id` is stable across redeliveries, so consumers
deduplicate on it. Schema version: {version}.

Envelope (`detail`): `event_id`, `event_type`, `context`, `occurred_at` (ISO 8601),
`actor` (the user whose request made the change, when there is one), `version`, `data`.

| Event (detail-type) | Source | Emitted when | Data fields |
| --- | --- | --- | --- |
"""


def event_schema(event: EventType) -> dict[str, Any]:
    """The JSON Schema of the whole envelope, with `data` of this event's model."""
    envelope = DomainEvent.model_json_schema()
    data = event.data.model_json_schema()
    envelope["title"] = event.name
    envelope["description"] = f"{event.context}: emitted when {event.emitted_when}."
    envelope["properties"]["event_type"] = {"const": event.name, "title": "Event Type"}
    envelope["properties"]["context"] = {"const": event.context, "title": "Context"}
    envelope["properties"]["data"] = {"$ref": f"#/$defs/{data['title']}"}
    envelope["$defs"] = {**data.pop("$defs", {}), data["title"]: data}
    envelope["required"] = sorted({*envelope.get("required", []), "data"})
    return envelope


def _fields(event: EventType) -> str:
    model = event.data.model_fields
    return ", ".join(
        f"`{name}`" + ("" if field.is_required() else "?") for name, field in model.items()
    )


def render_markdown() -> str:
    rows = [
        f"| `{e.name}` | `{SOURCE_PREFIX}.{e.context}` | {e.emitted_when} | {_fields(e)} |"
        for e in CATALOG.values()
    ]
    intro = INTRO.format(prefix=SOURCE_PREFIX, version=SCHEMA_VERSION)
    return intro + "\n".join(rows) + "\n"


def render_schemas() -> dict[str, str]:
    """File name -> content, one per event."""
    return {
        f"{name}.schema.json": json.dumps(event_schema(event), indent=2, sort_keys=True) + "\n"
        for name, event in CATALOG.items()
    }


def write(docs: Path) -> None:
    (docs / "events.md").write_text(render_markdown())
    folder = docs / "events"
    folder.mkdir(exist_ok=True)
    wanted = render_schemas()
    for stale in {p.name for p in folder.glob("*.schema.json")} - set(wanted):
        (folder / stale).unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text)


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
    print("wrote docs/events.md and docs/events/")
