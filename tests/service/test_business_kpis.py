"""Business KPIs (`shared/kpis.py`): each KPI event is counted once by the Counts consumer,
whatever SQS redelivers, as the metric and dimensions the business dashboard and alarms
read; attendance is counted where it is marked, with its source."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from clubs import counts
from shared.events import DomainEvent
from shared.kpis import EVENT_KPIS, KPI_SERVICE, Kpi
from shared.store import keys
from shared.store.table import Table
from stacks.consumers import COUNTS
from tests.service.conftest import LambdaContextStub, emitted_metrics, sqs_batch

pytestmark = pytest.mark.service

CLUB_ID = "c0ffee00-0000-4000-8000-000000000001"


def event(event_type: str, event_id: str) -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        event_type=event_type,
        context="tests",
        occurred_at=datetime(2026, 12, 1, tzinfo=UTC),
        data={"club_id": CLUB_ID},
    )


@pytest.fixture
def club(table: Table) -> None:
    """The club the events name (the ones that move its counters need it)."""
    table.put({**keys.club_key(CLUB_ID), "entity": "club", "member_count": 0, "ride_count": 0})


@pytest.mark.parametrize("event_type", sorted(EVENT_KPIS))
def test_each_kpi_event_is_counted_once(
    table: Table,
    club: None,
    event_type: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once per event id, with the counters' own marker (one write per event), as its KPI."""
    monkeypatch.setattr(counts, "app_table", lambda: table)
    consume: Callable[..., Any] = counts.handler
    capsys.readouterr()

    consume(sqs_batch(event(event_type, "evt-1")), LambdaContextStub())
    consume(sqs_batch(event(event_type, "evt-1")), LambdaContextStub())  # redelivered
    consume(sqs_batch(event(event_type, "evt-2")), LambdaContextStub())  # another

    kpi = EVENT_KPIS[event_type]
    counted = [
        (name, {k: v for k, v in dimensions.items() if k != "service"})
        for name, dimensions in emitted_metrics(capsys.readouterr().out)
        if name == kpi.metric
    ]
    assert counted == [(kpi.metric, kpi.dimensions)] * 2


def test_events_that_are_no_kpi_and_move_no_counter_are_not_marked(table: Table) -> None:
    assert counts.apply_event(table, event("club_updated", "evt-u")) is False
    assert table.get(keys.applied_event_key("evt-u")) is None


def test_the_counts_queue_hears_every_kpi_event() -> None:
    assert set(EVENT_KPIS) <= set(COUNTS.event_types)


def test_a_redelivered_batch_counts_each_event_once_as_the_dashboard_reads_it(
    table: Table, club: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", KPI_SERVICE)
    monkeypatch.setattr(counts, "app_table", lambda: table)
    waitlisted = event("participation_waitlisted", "evt-w")
    registered = event("user_registered", "evt-r")

    consume: Callable[..., Any] = counts.handler
    consume(sqs_batch(waitlisted, registered), LambdaContextStub())
    consume(sqs_batch(waitlisted, registered), LambdaContextStub())  # SQS again

    kpis = [
        (name, dimensions)
        for name, dimensions in emitted_metrics(capsys.readouterr().out)
        if name in {kpi.metric for kpi in EVENT_KPIS.values()}
    ]
    assert sorted(kpis, key=str) == sorted(
        [
            ("RideJoins", {"place": "waitlist", "service": KPI_SERVICE}),
            ("SignUps", {"service": KPI_SERVICE}),
        ],
        key=str,
    )
    assert EVENT_KPIS["participation_waitlisted"] == Kpi("RideJoins", {"place": "waitlist"})
