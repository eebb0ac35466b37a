"""Rides are filed for discovery by the event path.

A consumer of `ride_created`, `ride_updated` and `ride_cancelled` reads the ride as it is
now (and its club, whose disciplines a search narrows by) and replaces the ride's entries
(`services/rides/discovery_store.py`) by what they should be: one per grid level in the
cell of its meeting point, under its start, while it is scheduled; none once cancelled
or completed. `club_updated` with new disciplines re-files the club's upcoming rides.

The ride's record of its entries keeps the ride's and the club's versions they were made
from; a filing from an older read than the record's is refused, so events arriving late,
twice or out of order leave the newest filing in place.
"""

from functools import cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from rides.discovery_store import DiscoveryStore, FiledMeanwhile, ride_entries
from shared.batch import batch_handler, domain_event
from shared.domain.clock import utc_now
from shared.domain.ride import utc_text
from shared.events import DomainEvent
from shared.observability import metrics
from shared.store.table import app_table

RIDE_EVENTS = ("ride_created", "ride_updated", "ride_cancelled")


def file_ride(ride_id: str, store: DiscoveryStore) -> bool:
    """File the ride's entries as the ride is now; whether anything was written."""
    ride, club, record = store.filing_state(ride_id)
    if ride is None:
        return False
    entries = ride_entries(ride, club)
    club_version = club.version if club else 0
    if record is not None and (record["ride_version"], record["club_version"]) >= (
        ride.version,
        club_version,
    ):
        return False  # filed from this read, or a newer one, already
    try:
        store.file(ride, club, entries, record)
    except FiledMeanwhile:
        return False
    return True


def react(event: DomainEvent, store: DiscoveryStore) -> int:
    """How many rides the event had filed again."""
    if event.event_type in RIDE_EVENTS:
        return int(file_ride(str(event.data["ride_id"]), store))
    if event.event_type == "club_updated" and "disciplines" in event.data.get("changed", []):
        club_id = str(event.data["club_id"])
        upcoming = store.upcoming_ride_ids(club_id, utc_text(utc_now()))
        return sum(file_ride(ride_id, store) for ride_id in upcoming)
    return 0


@cache
def get_store() -> DiscoveryStore:
    return DiscoveryStore(app_table())


def _record_handler(record: SQSRecord) -> None:
    filed = react(domain_event(record), get_store())
    if filed:
        metrics.add_metric(name="RidesFiledForDiscovery", unit="Count", value=filed)


handler = batch_handler(_record_handler)
