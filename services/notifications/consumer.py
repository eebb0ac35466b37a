"""The notifications consumer: SQS batches of domain events (and SES bounce and complaint
events) from the bus, one record at a time with partial batch failures.

A record that fails (a throttled provider, a refused message) is retried by the queue and
parked in the dead-letter queue after the last attempt; what was already delivered for it
is not delivered again (`dispatch`)."""

import json
from collections.abc import Mapping
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from notifications.dispatch import Dispatcher, UnsubscribeLinks
from notifications.reactions import react, suppress_after_ses_event
from notifications.store import NotificationStore
from notifications.tokens import make_token
from shared.adapters.configuration import parameter_value, secret_value
from shared.adapters.email import EmailSender
from shared.adapters.push import PushGateway
from shared.adapters.reminders import ReminderScheduler
from shared.aws_clients import aws_client
from shared.batch import batch_handler
from shared.domain.notifications import Category, Channel
from shared.events import DomainEvent
from shared.observability import count, logger
from shared.settings import NotificationDeliverySettings
from shared.store.table import app_table

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
    settings = NotificationDeliverySettings.from_environment()
    base = parameter_value(settings.api_url_parameter).rstrip("/")
    token = make_token(secret_value(settings.signing_secret_name), user_id, category)
    return f"{base}/notifications/unsubscribe?token={token}"


@cache
def get_store() -> NotificationStore:
    return NotificationStore(app_table())


@cache
def get_dispatcher() -> Dispatcher:
    settings = NotificationDeliverySettings.from_environment()
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
    settings = NotificationDeliverySettings.from_environment()
    if not settings.reminder_group:
        return None
    return ReminderScheduler(
        partial(aws_client, "scheduler"),
        group=settings.reminder_group,
        queue_arn=settings.reminder_queue_arn,
        role_arn=settings.reminder_role_arn,
        dead_letter_arn=settings.reminder_dead_letter_arn,
    )


def handle_envelope(envelope: Mapping[str, Any]) -> None:
    """One EventBridge envelope: an SES event, or one of ours."""
    if envelope.get("source") == "aws.ses":
        suppress_after_ses_event(dict(envelope.get("detail") or {}), get_store())
        return
    event = DomainEvent.from_eventbridge(dict(envelope))
    settings = NotificationDeliverySettings.from_environment()
    count = react(
        event, get_store(), get_dispatcher(), get_scheduler(), settings.reminder_lead_hours
    )
    logger.info("event handled", extra={"event_type": event.event_type, "notices": count})


def _record_handler(record: SQSRecord) -> None:
    handle_envelope(json.loads(record.body))


handler = batch_handler(_record_handler)
