"""Club webhooks: a club's HTTPS endpoint that hears the club's domain events, and the log
of what was delivered to it (`docs/webhooks.md`)."""

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from shared.domain.model import Model


class WebhookEventType(StrEnum):
    """The club's events a webhook may ask for: everything that happens inside a club.
    Their data names ids, roles, statuses and ride details, which a club admin already
    sees (events never carry e-mail addresses or tokens)."""

    CLUB_UPDATED = "club_updated"
    MEMBERSHIP_REQUESTED = "membership_requested"
    USER_JOINED_CLUB = "user_joined_club"
    MEMBERSHIP_APPROVED = "membership_approved"
    MEMBERSHIP_REJECTED = "membership_rejected"
    MEMBERSHIP_SUSPENDED = "membership_suspended"
    MEMBERSHIP_REINSTATED = "membership_reinstated"
    MEMBERSHIP_ENDED = "membership_ended"
    MEMBERSHIP_ROLE_CHANGED = "membership_role_changed"
    RIDE_CREATED = "ride_created"
    RIDE_UPDATED = "ride_updated"
    RIDE_CANCELLED = "ride_cancelled"
    RIDE_SERIES_CREATED = "ride_series_created"
    RIDE_SERIES_UPDATED = "ride_series_updated"
    PARTICIPATION_JOINED = "participation_joined"
    PARTICIPATION_WAITLISTED = "participation_waitlisted"
    PARTICIPATION_PROMOTED = "participation_promoted"
    PARTICIPATION_WITHDRAWN = "participation_withdrawn"
    RIDE_LEADER_ASSIGNED = "ride_leader_assigned"


WEBHOOK_EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in WebhookEventType)
# A club may register this many endpoints.
WEBHOOKS_PER_CLUB = 10


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    # After a run of failed deliveries; the club's admins are told.
    DISABLED = "disabled"


class Webhook(Model):
    model_config = ConfigDict(frozen=True)

    webhook_id: str
    club_id: str
    url: str
    event_types: list[str]
    description: str = ""
    status: WebhookStatus = WebhookStatus.ACTIVE
    # Failed attempts since the last success; at the limit the webhook is disabled.
    consecutive_failures: int = 0
    disabled_reason: str | None = None
    # The signing secret, sealed with the stage's KMS key (never stored in clear).
    sealed_secret: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int = 1

    def wants(self, event_type: str) -> bool:
        return self.status is WebhookStatus.ACTIVE and event_type in self.event_types


class DeliveryStatus(StrEnum):
    # Failed so far; another attempt is scheduled.
    RETRYING = "retrying"
    DELIVERED = "delivered"
    # Every attempt failed, or the webhook was disabled before it went out.
    FAILED = "failed"


class Delivery(Model):
    """One event's delivery to one webhook, across its attempts."""

    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_attempt_at: datetime
    # The endpoint's HTTP status, or None when no answer came (refused, timed out).
    last_status_code: int | None = None
    last_error: str | None = None
    # The start of the endpoint's answer, for debugging; never more than this.
    response_excerpt: str = ""
