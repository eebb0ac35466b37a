"""The delivery worker: one message is one event for one webhook. It sends the signed
event, logs the attempt, and on failure postpones the message by an exponential backoff
(the queue brings it back; no function waits), until it is delivered, the attempts run
out, or the webhook is disabled after a run of failures (its club's admins are told, by
the `club_webhook_disabled` event the change publishes)."""

import json
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.webhook_endpoint import Outcome, PinnedTransport, WebhookEndpoint
from shared.adapters.work_queue import WorkQueue
from shared.aws_clients import aws_client
from shared.batch import batch_handler
from shared.domain.clock import utc_now
from shared.domain.webhook import Delivery, DeliveryStatus, Webhook, WebhookStatus
from shared.events import DomainEvent
from shared.observability import count, logger
from shared.settings import WebhookDeliverySettings
from shared.store.table import app_table
from webhooks.logic import secret_context
from webhooks.store import WebhookStore

# Postponed messages are expected (a failing endpoint), not a failure of this function: reported per
# record, never as a failed invocation (whose Errors metric rolls deployments back).


class RetryScheduled(Exception):
    """The delivery failed and its message was postponed; reported as a batch failure so
    the queue keeps it."""


def webhook_envelope(event: DomainEvent, attempt: int) -> dict[str, Any]:
    """What a club's endpoint receives: the event id (to deduplicate), type, time and
    data, and which attempt this is."""
    return {
        "id": event.event_id,
        "type": event.event_type,
        "time": event.occurred_at.isoformat(),
        "club_id": event.data.get("club_id"),
        "data": event.data,
        "attempt": attempt,
    }


def backoff_seconds(attempt: int, settings: WebhookDeliverySettings) -> int:
    """Before attempt `attempt + 1`: base * 4^(attempt - 1), capped, with 10% jitter."""
    delay = min(
        settings.webhook_retry_base_seconds * 4 ** (attempt - 1), settings.webhook_retry_cap_seconds
    )
    return max(1, round(delay * random.uniform(0.9, 1.1)))


@dataclass
class Worker:
    store: WebhookStore
    endpoint: WebhookEndpoint
    sealer: SecretSealer
    settings: WebhookDeliverySettings

    def deliver(self, webhook_id: str, event: DomainEvent, attempt: int) -> int | None:
        """Attempt number `attempt`; returns seconds until the next one, or None when the
        delivery is settled (delivered, given up, or nothing to deliver to)."""
        club_id = str(event.data.get("club_id"))
        webhook = self.store.webhook(club_id, webhook_id)
        if webhook is None:
            return None  # removed since: its log went with it
        now = utc_now()
        if webhook.status is not WebhookStatus.ACTIVE:
            self._log(webhook, event, attempt - 1, now, Outcome(False, error="webhook disabled"))
            return None
        secret = self.sealer.open(webhook.sealed_secret, secret_context(webhook))
        outcome = self.endpoint.deliver(
            webhook.url, secret, webhook_envelope(event, attempt), int(now.timestamp())
        )
        count("WebhookDelivered" if outcome.delivered else "WebhookAttemptFailed")
        if outcome.delivered:
            self._log(webhook, event, attempt, now, outcome)
            self.store.note_success(webhook)
            return None
        reason = outcome.error or "failed"
        disabled = self.store.note_failure(
            webhook, self.settings.webhook_failure_limit, reason, now
        )
        final = disabled or not outcome.retryable or attempt >= self.settings.webhook_max_attempts
        self._log(webhook, event, attempt, now, outcome, final=final)
        if disabled:
            count("WebhookDisabled")
            logger.warning("webhook disabled", extra={"webhook_id": webhook.webhook_id})
        return None if final else backoff_seconds(attempt, self.settings)

    def _log(
        self,
        webhook: Webhook,
        event: DomainEvent,
        attempts: int,
        now: datetime,
        outcome: Outcome,
        *,
        final: bool = True,
    ) -> None:
        if outcome.delivered:
            status = DeliveryStatus.DELIVERED
        else:
            status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        delivery = Delivery(
            webhook_id=webhook.webhook_id,
            event_id=event.event_id,
            event_type=event.event_type,
            status=status,
            attempts=max(attempts, 0),
            last_attempt_at=now,
            last_status_code=outcome.status_code,
            last_error=outcome.error,
            response_excerpt=outcome.excerpt,
        )
        self.store.log_delivery(delivery, event.occurred_at.isoformat(), now)


@cache
def get_worker() -> Worker:
    settings = WebhookDeliverySettings.from_environment()
    return Worker(
        store=WebhookStore(app_table()),
        endpoint=WebhookEndpoint(PinnedTransport, settings.egress, settings.egress.resolver),
        sealer=SecretSealer(partial(aws_client, "kms"), settings.secrets_key_id),
        settings=settings,
    )


@cache
def get_queue() -> WorkQueue:
    return WorkQueue(
        partial(aws_client, "sqs"),
        WebhookDeliverySettings.from_environment().webhook_delivery_queue_url,
    )


def _record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    event = DomainEvent.model_validate(message["event"])
    attempt = int(record.attributes.approximate_receive_count or 1)
    retry_in = get_worker().deliver(str(message["webhook_id"]), event, attempt)
    if retry_in is not None:
        get_queue().postpone(record.receipt_handle, retry_in)
        raise RetryScheduled(f"attempt {attempt} failed; next in {retry_in} s")


handler = batch_handler(_record_handler, settles_failures=True, expected=(RetryScheduled,))
