"""Keeps the derived counters (a club's member_count and ride_count) from domain events,
and counts the events that are business KPIs (`shared/kpis.py`).

SQS delivers at least once, so each event is applied exactly once by writing a marker item
for its id in the same transaction as the counter update; a redelivery finds the marker
and changes nothing. A KPI is counted once the same way, with a marker of its own.
"""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.batch import batch_handler, domain_event
from shared.events import DomainEvent
from shared.kpis import EVENT_KPIS, Kpi
from shared.observability import count, logger, metrics
from shared.store import keys
from shared.store.table import ConditionFailed, Table, TransactionCancelled, app_table

MARKER_TTL_SECONDS = 14 * 24 * 3600  # longer than the queue's retention


def counter_delta(event: DomainEvent) -> tuple[str, int] | None:
    """Which counter an event moves, and by how much (None: it moves none)."""
    data = event.data
    if event.context == "memberships" and "status" in data:
        delta = int(data["status"] == "active") - int(data.get("previous_status") == "active")
        return ("member_count", delta) if delta else None
    if event.event_type == "ride_created":
        return "ride_count", 1
    if event.event_type == "ride_cancelled":
        return "ride_count", -1
    return None


def apply_event(table: Table, event: DomainEvent) -> bool:
    """Apply `event` once; False when it moves no counter or was already applied."""
    change = counter_delta(event)
    club_id = event.data.get("club_id")
    if change is None or not isinstance(club_id, str):
        return False
    counter, delta = change
    expires = int(event.occurred_at.timestamp()) + MARKER_TTL_SECONDS
    try:
        table.transact_write(
            [
                {
                    "Put": {
                        "Item": {
                            **keys.applied_event_key(event.event_id),
                            "entity": "applied_event",
                            "expires_at": expires,
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "Key": keys.club_key(club_id),
                        "UpdateExpression": "ADD #counter :delta",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeNames": {"#counter": counter},
                        "ExpressionAttributeValues": {":delta": delta},
                    }
                },
            ]
        )
    except TransactionCancelled as cancelled:
        if cancelled.failed_condition(0):
            return False  # a redelivery: already applied
        if cancelled.failed_condition(1):
            logger.warning("counter event for an unknown club", extra={"club_id": club_id})
            return False
        raise
    return True


def count_once(table: Table, event: DomainEvent) -> Kpi | None:
    """The event's KPI the first time the event is seen; None for a redelivery or an event
    that is no KPI."""
    kpi = EVENT_KPIS.get(event.event_type)
    if kpi is None:
        return None
    try:
        table.put(
            {
                **keys.counted_event_key(event.event_id),
                "entity": "counted_event",
                "expires_at": int(event.occurred_at.timestamp()) + MARKER_TTL_SECONDS,
            },
            condition="attribute_not_exists(PK)",
        )
    except ConditionFailed:
        return None
    return kpi


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    table = app_table()
    if apply_event(table, event):
        metrics.add_metric(name="CounterUpdated", unit="Count", value=1)
    kpi = count_once(table, event)
    if kpi is not None:
        count(kpi.metric, **kpi.dimensions)


handler = batch_handler(_record_handler)
