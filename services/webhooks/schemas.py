"""Request and response models of the club webhooks API."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared.domain.model import Model
from shared.domain.numbers import Version
from shared.domain.webhook import Delivery, WebhookEventType, WebhookStatus


class WebhookRegistration(Model):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=9, max_length=2048)]
    event_types: Annotated[list[WebhookEventType], Field(min_length=1, max_length=32)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class WebhookChange(Model):
    """Turn a disabled webhook back on (after fixing the endpoint), against the version
    last read."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    status: Literal["active"]


class SecretRotation(Model):
    """A new signing secret for the webhook, against the version last read."""

    model_config = ConfigDict(extra="forbid")

    version: Version


class WebhookOut(Model):
    webhook_id: str
    club_id: str
    url: str
    event_types: list[str]
    description: str
    status: WebhookStatus
    consecutive_failures: int
    disabled_reason: str | None = None
    created_at: datetime
    version: int


class WebhookCreated(WebhookOut):
    # Shown once: the receiver checks every delivery's signature with it.
    secret: str


class WebhookList(Model):
    items: list[WebhookOut]


class DeliveryPage(Model):
    items: list[Delivery]
    next_cursor: str | None = None
