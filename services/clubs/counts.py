"""Keeps the derived counters (a club's member_count and ride_count) from domain events.

SQS delivers at least once, so each event is applied exactly once by writing a marker item
for its id in the same transaction as the counter update; a redelivery finds the marker
and changes nothing.
"""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.batch import batch_handler, domain_event
from shared.events import DomainEvent
from shared.observability import logger, metrics
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


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    if apply_event(app_table(), event):
        metrics.add_metric(name="CounterUpdated", unit="Count", value=1)


handler = batch_handler(_record_handler)
