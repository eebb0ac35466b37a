"""The fan-out consumer: each club event on the bus becomes one delivery message per
active webhook of the club that asked for its type, on the delivery queue. Deliveries then
retry independently: a slow endpoint never holds back another club's, or another
webhook's, delivery of the same event."""

import json
from collections.abc import Mapping
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.work_queue import WorkQueue
from shared.events import DomainEvent
from shared.flags import Flag, enabled
from shared.observability import instrumented, logger
from shared.store.client import aws_client
from shared.store.table import app_table
from webhooks.settings import get_webhook_settings
from webhooks.store import WebhookStore

processor = BatchProcessor(event_type=EventType.SQS)


def delivery_message(webhook_id: str, event: DomainEvent) -> dict[str, Any]:
    return {"webhook_id": webhook_id, "event": event.model_dump(mode="json")}


def fan_out(event: DomainEvent, store: WebhookStore, queue: WorkQueue) -> int:
    """Returns how many deliveries the event caused."""
    club_id = event.data.get("club_id")
    if not isinstance(club_id, str) or not enabled(Flag.CLUB_WEBHOOKS, club_id):
        return 0
    wanted = [w for w in store.club_webhooks(club_id) if w.wants(event.event_type)]
    queue.send([delivery_message(w.webhook_id, event) for w in wanted])
    return len(wanted)


@cache
def get_store() -> WebhookStore:
    return WebhookStore(app_table())


@cache
def get_queue() -> WorkQueue:
    return WorkQueue(partial(aws_client, "sqs"), get_webhook_settings().delivery_queue_url)


def _record_handler(record: SQSRecord) -> None:
    event = DomainEvent.from_eventbridge(json.loads(record.body))
    count = fan_out(event, get_store(), get_queue())
    logger.info("event fanned out", extra={"event_type": event.event_type, "deliveries": count})


def _consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=dict(event), record_handler=_record_handler, processor=processor, context=context
    )


handler = instrumented(_consume)
