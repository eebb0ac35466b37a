"""A ride's new start re-files its riders' places in their schedules.

A participation that takes part is filed in its rider's schedule (GSI1) under the ride's
start (`shared/store/rides.py::participation_item`). Every participation write carries the
start it read, on condition that the ride still starts then; an edit that moves the start
leaves the places written before it under the old time, and this consumer of
`ride_updated` files them under the new one. It reads the ride as it is now, so events
that arrive late or twice change nothing more; a place that changed meanwhile was written
with the new start already, and a start moved again meanwhile sends the event back to
the queue (its own `ride_updated` follows).
"""

from functools import cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from rides.schedule_store import ScheduleStore
from shared.batch import batch_handler, domain_event
from shared.domain.ride import utc_text
from shared.event_catalog import RideChanged
from shared.events import DomainEvent
from shared.observability import metrics
from shared.store import keys
from shared.store.table import app_table


def refile_places(event: DomainEvent, store: ScheduleStore) -> int:
    """File the ride's places under its current start; returns how many moved."""
    data = RideChanged.model_validate(event.data)
    if "start_at" not in data.changed:
        return 0
    ride, entries = store.schedule_entries(data.ride_id)
    if ride is None:
        return 0
    wanted = keys.ride_start_sk(utc_text(ride.start_at), ride.ride_id)
    misfiled = [participation for participation, filed in entries if filed != wanted]
    if misfiled:
        store.refile(ride, misfiled)
    return len(misfiled)


@cache
def get_store() -> ScheduleStore:
    return ScheduleStore(app_table())


def _record_handler(record: SQSRecord) -> None:
    moved = refile_places(domain_event(record), get_store())
    if moved:
        metrics.add_metric(name="SchedulePlacesRefiled", unit="Count", value=moved)


handler = batch_handler(_record_handler)
