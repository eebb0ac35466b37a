"""The fan-out consumer: each club event on the bus becomes one delivery message per
active webhook of the club that asked for its type, on the delivery queue. Deliveries then
retry independently: a slow endpoint never holds back another club's, or another
webhook's, delivery of the same event."""

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.adapters.work_queue import WorkQueue
from shared.aws_clients import aws_client
from shared.batch import batch_handler, domain_event
from shared.events import DomainEvent
from shared.flags import Flag, enabled
from shared.observability import logger
from shared.settings import WebhookFanoutSettings
from shared.store.table import app_table
from webhooks.store import WebhookStore


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
    return WorkQueue(
        partial(aws_client, "sqs"),
        WebhookFanoutSettings.from_environment().webhook_delivery_queue_url,
    )


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    count = fan_out(event, get_store(), get_queue())
    logger.info("event fanned out", extra={"event_type": event.event_type, "deliveries": count})


handler = batch_handler(_record_handler)
