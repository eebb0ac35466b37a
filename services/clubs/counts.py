"""Keeps what domain events add up to: a club's counters (member_count, ride_count), its
statistics by day (`shared/domain/club_stats.py`), and the business KPIs (`shared/kpis.py`).

SQS delivers at least once, so each event is applied exactly once by writing a marker item
for its id in the same transaction as its counter and statistics moves; a redelivery
finds the marker and changes nothing. A KPI is counted once by the same marker (put alone
for an event that moves nothing else): one transaction per event either way.
"""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.batch import batch_handler, domain_event
from shared.domain.club_stats import RideFigures, stats_moves
from shared.events import DomainEvent
from shared.kpis import EVENT_KPIS
from shared.observability import count, logger, metrics
from shared.store import keys
from shared.store.club_stats import tallies_update
from shared.store.table import Table, TransactionCancelled, app_table


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
                "expires_at": int(event.occurred_at.timestamp()) + keys.APPLIED_EVENT_KEPT_SECONDS,
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


def _ride_figures(table: Table, event: DomainEvent) -> RideFigures | None:
    """What an attendance event counts towards: its ride's day, pace and distance (one
    read; other events carry what they move)."""
    if event.event_type != "attendance_marked":
        return None
    ride = table.get(keys.ride_key(str(event.data["ride_id"])), consistent=False)
    if ride is None:
        return None
    return RideFigures.of(ride)


def _stats_moves(table: Table, event: DomainEvent) -> list[dict[str, object]]:
    """The updates of the club's daily tallies `event` moves, one per day."""
    club_id = event.data.get("club_id")
    if not isinstance(club_id, str):
        return []
    moves = stats_moves(
        event.event_type, event.occurred_at, event.data, _ride_figures(table, event)
    )
    return [tallies_update(club_id, day.isoformat(), tallies) for day, tallies in moves.items()]


def apply_event(table: Table, event: DomainEvent) -> bool:
    """Apply `event` once: its marker, its counter move and its statistics moves (if any) in
    one transaction. False when it moves nothing and is no KPI, was already applied, or
    names a club that does not exist."""
    move = _counter_move(event)
    stats = _stats_moves(table, event)
    if move is None and not stats and event.event_type not in EVENT_KPIS:
        return False
    try:
        table.transact_write([_marker(event), *([move] if move else []), *stats])
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
