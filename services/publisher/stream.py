"""Publishes the domain events of the table's change stream to the event bus.

Records are processed one by one with partial batch failures, so a poison record is retried
and bisected by the event source mapping without blocking the records after it.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    EventType,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from publisher.translate import events_from_change
from shared.aws_clients import aws_client
from shared.batch import batch_handler
from shared.observability import logger, metrics
from shared.settings import PublisherSettings
from shared.store.table import deserialize


class PublishFailed(Exception):
    """EventBridge refused an entry; the record is retried."""


def publish_record(record: DynamoDBRecord, client: Any = None, bus_name: str | None = None) -> int:
    raw = record.raw_event["dynamodb"]
    old = deserialize(raw["OldImage"]) if raw.get("OldImage") else None
    new = deserialize(raw["NewImage"]) if raw.get("NewImage") else None
    event_id = f"{record.event_id}"
    events = events_from_change(str(record.raw_event["eventName"]), old, new, event_id)
    if not events:
        return 0
    bus = bus_name or PublisherSettings.from_environment().event_bus_name
    if not bus:
        raise PublishFailed("EVENT_BUS_NAME is not configured")
    answer = (client or aws_client("events")).put_events(Entries=[e.to_entry(bus) for e in events])
    if answer.get("FailedEntryCount"):
        raise PublishFailed(f"{answer['FailedEntryCount']} event(s) were not accepted")
    for event in events:
        metrics.add_metric(name="DomainEventPublished", unit="Count", value=1)
        logger.info("published", extra={"event_type": event.event_type, "event_id": event.event_id})
    return len(events)


def _record_handler(record: DynamoDBRecord) -> None:
    publish_record(record)


handler = batch_handler(_record_handler, event_type=EventType.DynamoDBStreams)
