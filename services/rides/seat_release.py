"""Places follow membership: when a membership stops being active (the member left, was
removed or suspended), their places on the club's upcoming rides are given up, and each
freed seat goes to the oldest waitlisted rider.

This runs as a consumer of `membership_ended` and `membership_suspended`, not inside the
membership's own transaction: a member may hold places on many rides, each in its own
partition (a transaction takes at most 100 items, and the leave request would wait on all
of them). Each ride is released in one transaction with its counters, exactly as a
withdrawal is (decided again from a fresh read when the ride moved meanwhile), and a
redelivered event finds nothing left to release. Past rides and attendance are kept. A
member who is the last leader of a scheduled ride keeps that place: the ride must keep a
leader, and its club admins reassign it.
"""

from functools import cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from rides.participation_logic import MAX_ATTEMPTS, vacate
from rides.store import RideMoved, RideStore
from shared.batch import batch_handler, domain_event
from shared.domain.clock import utc_now
from shared.domain.enums import ParticipationStatus, RideStatus
from shared.event_catalog import MembershipChanged
from shared.events import DomainEvent
from shared.observability import logger, metrics
from shared.store.table import app_table

# The member left: their places are withdrawn; an admin ended it: they were removed.
_STATUS_AFTER = {"left": ParticipationStatus.WITHDRAWN}
_RELEASING = frozenset({"membership_ended", "membership_suspended"})


def release_places(event: DomainEvent, store: RideStore) -> int:
    """Give up the member's upcoming places; returns how many were released."""
    if event.event_type not in _RELEASING:
        return 0
    data = MembershipChanged.model_validate(event.data)
    status = _STATUS_AFTER.get(data.status, ParticipationStatus.REMOVED)
    by = event.actor or data.user_id
    released = 0
    for ride_id in store.upcoming_places(data.club_id, data.user_id, utc_now()):
        released += _release_one(ride_id, data.user_id, status, by, store)
    return released


def _release_one(
    ride_id: str, user_id: str, status: ParticipationStatus, by: str, store: RideStore
) -> int:
    for _ in range(MAX_ATTEMPTS):
        ride, party = store.read_ride_and_participants(ride_id)
        target = next((p for p in party if p.user_id == user_id), None)
        if ride is None or target is None or not target.takes_part:
            return 0  # released already (a redelivery), or gone
        if ride.status is not RideStatus.SCHEDULED or ride.start_at <= utc_now():
            return 0  # past rides keep their riders and attendance
        if target.is_leading and ride.leader_count <= 1:
            logger.warning("last leader keeps their place", extra={"ride_id": ride_id})
            return 0
        try:
            vacate(ride, party, target, by, status, store)
            return 1
        except RideMoved:
            continue
    raise RideMoved  # still contended: the queue retries the event


@cache
def get_store() -> RideStore:
    return RideStore(app_table())


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    released = release_places(event, get_store())
    if released:
        metrics.add_metric(name="PlacesReleased", unit="Count", value=released)


handler = batch_handler(_record_handler)
