"""The ride series consumer: its queue hears the series' events, new rides (for their
regulars) and the hourly job's message (EventBridge Scheduler, `SERIES_JOB`), which makes
every active series' occurrences due within the horizon."""

import json
from functools import cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from rides import series_occurrences
from rides.series_store import SeriesStore
from rides.store import RideStore
from shared.batch import batch_handler
from shared.event_catalog import RideChanged, RideSeriesChanged
from shared.events import DomainEvent
from shared.names import SERIES_JOB
from shared.observability import metrics
from shared.store.table import app_table


@cache
def get_stores() -> tuple[SeriesStore, RideStore]:
    table = app_table()
    return SeriesStore(table), RideStore(table)


def handle_event(event: DomainEvent, series: SeriesStore, rides: RideStore) -> None:
    if event.event_type == "ride_created":
        ride = RideChanged.model_validate(event.data)
        if ride.series_id:
            joined = series_occurrences.join_regulars(ride.ride_id, series, rides)
            metrics.add_metric(name="RegularsJoined", unit="Count", value=joined)
        return
    changed = RideSeriesChanged.model_validate(event.data)
    followed = series_occurrences.follow_series(changed.series_id, series, rides)
    made = series_occurrences.make_due(changed.series_id, series)
    metrics.add_metric(name="SeriesRidesChanged", unit="Count", value=followed)
    metrics.add_metric(name="SeriesRidesMade", unit="Count", value=made)


def _record_handler(record: SQSRecord) -> None:
    series, rides = get_stores()
    body = json.loads(record.body)
    if body.get("job") == SERIES_JOB:
        made = series_occurrences.make_all_due(series)
        metrics.add_metric(name="SeriesRidesMade", unit="Count", value=made)
        return
    handle_event(DomainEvent.from_eventbridge(body), series, rides)


handler = batch_handler(_record_handler)
