"""Keeps the derived counters (a club's member_count and ride_count) from domain events,
and counts the events that are business KPIs (`shared/kpis.py`).

SQS delivers at least once, so each event is applied exactly once by writing a marker item
for its id in the same transaction as the counter update; a redelivery finds the marker
and changes nothing. A KPI is counted once by the same marker (put alone for an event
that moves no counter): one write per event either way.
"""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.batch import batch_handler, domain_event
from shared.events import DomainEvent
from shared.kpis import EVENT_KPIS
from shared.observability import count, logger, metrics
from shared.store import keys
from shared.store.table import Table, TransactionCancelled, app_table

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


def _marker(event: DomainEvent) -> dict[str, object]:
    """The event's idempotency record: put once, with the counter move if there is one."""
    return {
        "Put": {
            "Item": {
                **keys.applied_event_key(event.event_id),
                "entity": "applied_event",
                "expires_at": int(event.occurred_at.timestamp()) + MARKER_TTL_SECONDS,
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _counter_move(event: DomainEvent) -> dict[str, object] | None:
    """The update of the club's counter `event` moves, if it moves one."""
    change = counter_delta(event)
    club_id = event.data.get("club_id")
    if change is None or not isinstance(club_id, str):
        return None
    counter, delta = change
    return {
        "Update": {
            "Key": keys.club_key(club_id),
            "UpdateExpression": "ADD #counter :delta",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#counter": counter},
            "ExpressionAttributeValues": {":delta": delta},
        }
    }


def apply_event(table: Table, event: DomainEvent) -> bool:
    """Apply `event` once: its marker and its counter move (if any) in one transaction.
    False when it moves no counter and is no KPI, was already applied, or names a club that
    does not exist."""
    move = _counter_move(event)
    if move is None and event.event_type not in EVENT_KPIS:
        return False
    try:
        table.transact_write([_marker(event), *([move] if move else [])])
    except TransactionCancelled as cancelled:
        if cancelled.failed_condition(0):
            return False  # a redelivery: already applied
        if cancelled.failed_condition(1):
            logger.warning(
                "counter event for an unknown club", extra={"club_id": event.data.get("club_id")}
            )
            return False
        raise
    return True


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    if not apply_event(app_table(), event):
        return
    if _counter_move(event) is not None:
        metrics.add_metric(name="CounterUpdated", unit="Count", value=1)
    kpi = EVENT_KPIS.get(event.event_type)
    if kpi is not None:
        count(kpi.metric, **kpi.dimensions)


handler = batch_handler(_record_handler)
