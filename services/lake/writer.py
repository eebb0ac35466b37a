"""The lake's consumer: a batch of domain events (up to 1,000, gathered for up to five
minutes by the queue's batching window) becomes one Parquet object per partition (event
type and UTC day) under `lake/events/` of the assets bucket.

Object names derive from the event ids they hold, so a redelivered batch overwrites what it
wrote before; a batch SQS splits differently on redelivery may repeat a row in a new object,
which is why the named queries count distinct event ids (`docs/event-lake.md`). A partition
whose object cannot be written fails its records only (partial batch response).
"""

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lake.parquet import parquet_bytes
from shared.aws_clients import aws_client
from shared.events import DomainEvent
from shared.lake import lake_row, object_key, partition_of
from shared.observability import count_unhandled_error, instrumented, logger, metrics
from shared.settings import LakeSettings


def _name(events: list[DomainEvent]) -> str:
    ids = "\n".join(sorted(e.event_id for e in events))
    return hashlib.sha256(ids.encode()).hexdigest()[:32]


def write_partitions(s3: Any, bucket: str, events: list[tuple[str, DomainEvent]]) -> list[str]:
    """Each partition's events as one object; the message ids of those not written."""
    partitions: dict[tuple[str, str], list[tuple[str, DomainEvent]]] = defaultdict(list)
    for message_id, event in events:
        partitions[partition_of(event)].append((message_id, event))
    failed: list[str] = []
    for (event_type, day), members in sorted(partitions.items()):
        batch = [event for _, event in members]
        try:
            s3.put_object(
                Bucket=bucket,
                Key=object_key(event_type, day, _name(batch)),
                Body=parquet_bytes([lake_row(e) for e in batch]),
                ContentType="application/vnd.apache.parquet",
            )
        except Exception:
            logger.exception("a lake partition was not written", extra={"partition": day})
            count_unhandled_error()
            failed.extend(message_id for message_id, _ in members)
    return failed


def _write(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    events: list[tuple[str, DomainEvent]] = []
    unreadable: list[str] = []
    for raw in event.get("Records", []):
        record = SQSRecord(raw)
        try:
            events.append((record.message_id, DomainEvent.from_eventbridge(record.body)))
        except ValueError:
            logger.exception("a record is not a domain event")
            count_unhandled_error()
            unreadable.append(record.message_id)
    failed: list[str] = []
    if events:  # an empty batch (the pre-traffic hook's) writes nothing
        bucket = LakeSettings.from_environment().assets_bucket_name
        failed = write_partitions(aws_client("s3"), bucket, events)
    metrics.add_metric(name="LakeEventsWritten", unit="Count", value=len(events) - len(failed))
    return {"batchItemFailures": [{"itemIdentifier": i} for i in [*unreadable, *failed]]}


handler = instrumented(_write)
