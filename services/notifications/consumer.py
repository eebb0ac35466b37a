"""The notifications consumer: SQS batches of domain events (and SES bounce and complaint
events) from the bus, one record at a time with partial batch failures.

A record that fails (a throttled provider, a refused message) is retried by the queue and
parked in the dead-letter queue after the last attempt; what was already delivered for it
is not delivered again (`dispatch`)."""

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

from notifications.dispatch import Dispatcher, UnsubscribeLinks
from notifications.reactions import react, suppress_after_ses_event
from notifications.settings import get_notification_settings
from notifications.store import NotificationStore
from notifications.tokens import make_token
from shared.adapters.configuration import parameter_value, secret_value
from shared.adapters.email import EmailSender
from shared.adapters.push import PushGateway
from shared.adapters.reminders import ReminderScheduler
from shared.domain.notifications import Category, Channel
from shared.events import DomainEvent
from shared.observability import count, instrumented, logger
from shared.store.client import aws_client
from shared.store.table import app_table

processor = BatchProcessor(event_type=EventType.SQS)
_METRICS = {
    "sent": "NotificationSent",
    "suppressed": "NotificationSuppressed",
    "opted_out": "NotificationOptedOut",
    "failed": "NotificationFailed",
    "pruned": "PushDevicePruned",
}


def record_outcome(outcome: str, category: Category, channel: Channel) -> None:
    count(_METRICS[outcome], category=category.value, channel=channel.value)


def unsubscribe_url(user_id: str, category: Category) -> str:
    settings = get_notification_settings()
    base = parameter_value(settings.api_url_parameter).rstrip("/")
    token = make_token(secret_value(settings.signing_secret_name), user_id, category)
    return f"{base}/notifications/unsubscribe?token={token}"


@cache
def get_store() -> NotificationStore:
    return NotificationStore(app_table())


@cache
def get_dispatcher() -> Dispatcher:
    settings = get_notification_settings()
    email = (
        EmailSender(
            partial(aws_client, "sesv2"),
            settings.email_sender,
            configuration_set=settings.email_configuration_set,
        )
        if settings.email_sender
        else None
    )
    return Dispatcher(
        store=get_store(),
        email=email,
        push=PushGateway(partial(aws_client, "sns"), settings.push_applications),
        links=UnsubscribeLinks(unsubscribe_url),
        record=record_outcome,
        delivery_record_days=settings.delivery_record_days,
    )


@cache
def get_scheduler() -> ReminderScheduler | None:
    settings = get_notification_settings()
    if not settings.reminder_group:
        return None
    return ReminderScheduler(
        partial(aws_client, "scheduler"),
        group=settings.reminder_group,
        queue_arn=settings.reminder_queue_arn,
        role_arn=settings.reminder_role_arn,
    )


def handle_envelope(envelope: Mapping[str, Any]) -> None:
    """One EventBridge envelope: an SES event, or one of ours."""
    if envelope.get("source") == "aws.ses":
        suppress_after_ses_event(dict(envelope.get("detail") or {}), get_store())
        return
    event = DomainEvent.model_validate(envelope["detail"])
    settings = get_notification_settings()
    count = react(
        event, get_store(), get_dispatcher(), get_scheduler(), settings.reminder_lead_hours
    )
    logger.info("event handled", extra={"event_type": event.event_type, "notices": count})


def _record_handler(record: SQSRecord) -> None:
    handle_envelope(json.loads(record.body))


def _consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=dict(event), record_handler=_record_handler, processor=processor, context=context
    )


handler = instrumented(_consume)
