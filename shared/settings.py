"""What each Lambda reads from its environment, each kind declared once as a typed model.

A field's environment variable is its name in capitals, so a name is written once: here.
The stacks and the local platform do not write variable names either: they hold a stage's
values by field name, and each function gets the variables of the settings models its
declaration lists (`EnvironmentSettings.variables`), no more. A field without a default is
required: a function that reads settings its declaration does not list fails on its first
use, in `make run` as in AWS, instead of acting on an empty name.
"""

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import BeforeValidator, ConfigDict, Field

from shared.domain.model import Model

if TYPE_CHECKING:
    from shared.adapters.egress import EgressPolicy


# Strava's API; the local platform points the setting at its fake.
STRAVA_BASE_URL = "https://www.strava.com"


def _json_object(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


# A mapping carried in one variable as a JSON object.
JsonMapping = Annotated[dict[str, str], BeforeValidator(_json_object)]


class EnvironmentSettings(Model):
    model_config = ConfigDict(
        frozen=True, alias_generator=str.upper, populate_by_name=True, extra="ignore"
    )

    @classmethod
    def from_environment(cls) -> Self:
        """Parsed once per distinct environment: the local platform runs several functions
        in one process, each under its own variables (`local/workers.py`)."""
        key = (cls, tuple(os.environ.get(name.upper()) for name in cls.model_fields))
        cached = _PARSED.get(key)
        if cached is None:
            cached = _PARSED[key] = cls.model_validate(dict(os.environ))
        assert isinstance(cached, cls)
        return cached

    @classmethod
    def variables(cls, values: Mapping[str, object]) -> dict[str, str]:
        """The environment of a function reading these settings, from a stage's values by
        field name; a required field the stage has no value for is refused here (at synth,
        or when the local platform starts), not on a request."""
        missing = [
            name
            for name, field in cls.model_fields.items()
            if field.is_required() and name not in values
        ]
        if missing:
            raise KeyError(f"{cls.__name__} needs {', '.join(missing)}: the stage has no value")
        return {
            name.upper(): _variable(values[name]) for name in cls.model_fields if name in values
        }


def _variable(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Mapping):
        return json.dumps(dict(value), sort_keys=True)
    return str(value)


_PARSED: dict[tuple[Any, ...], EnvironmentSettings] = {}


class Settings(EnvironmentSettings):
    """What every function reads: its stage and the table."""

    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)


def get_settings() -> Settings:
    return Settings.from_environment()


# the stream publisher
class PublisherSettings(EnvironmentSettings):
    event_bus_name: str = Field(min_length=1)


# lake
class LakeSettings(EnvironmentSettings):
    """The event lake's writer: the assets bucket, whose `lake/` folder holds the lake."""

    assets_bucket_name: str = Field(min_length=1)


# users
class UsersSettings(EnvironmentSettings):
    user_pool_id: str = Field(min_length=1)
    assets_bucket_name: str = Field(min_length=1)


# rides
class RidesSettings(EnvironmentSettings):
    # SSM parameter holding the API's base URL.
    api_url_parameter: str = ""


# media
class MediaSettings(EnvironmentSettings):
    """The processor and the route publisher: the assets bucket."""

    assets_bucket_name: str = Field(min_length=1)


class MediaApiSettings(MediaSettings):
    """The media API also links public assets under the CDN."""

    # SSM parameter holding the CloudFront domain of public assets; empty locally, where
    # presigned GETs from moto's S3 stand in for CloudFront.
    cdn_domain_parameter: str


# notifications
class NotificationSettings(EnvironmentSettings):
    """The API: devices' push endpoints, and the key that checks unsubscribe links."""

    # platform (apns | fcm) -> SNS platform application ARN
    push_applications: JsonMapping
    signing_secret_name: str = Field(min_length=1)


class NotificationDeliverySettings(NotificationSettings):
    """The consumer also sends mail, links to the API, and schedules reminders."""

    email_sender: str = Field(min_length=1)
    email_configuration_set: str | None = None
    api_url_parameter: str = Field(min_length=1)
    reminder_group: str = Field(min_length=1)
    reminder_queue_arn: str = Field(min_length=1)
    reminder_role_arn: str = Field(min_length=1)
    # Where Scheduler puts a reminder it could not deliver (the consumer's dead letters).
    reminder_dead_letter_arn: str = Field(min_length=1)
    reminder_lead_hours: int = Field(default=24, ge=1, le=168)
    delivery_record_days: int = Field(default=14, ge=1)


# strava
class StravaSettings(EnvironmentSettings):
    """What the API and the sync consumer both read."""

    # Secrets Manager: the app's {client_id, client_secret, subscription_id, callback_secret}.
    strava_app_secret_name: str = Field(min_length=1)
    # The KMS key that seals riders' tokens.
    secrets_key_id: str = Field(min_length=1)
    strava_base_url: str = STRAVA_BASE_URL


class StravaLinkSettings(StravaSettings):
    """The API links and unlinks riders and takes Strava's push events onto the bus."""

    # Secrets Manager: the key that signs OAuth `state` values (generated by the stack).
    strava_state_key_name: str = Field(min_length=1)
    # SSM parameter holding the API's base URL (the OAuth redirect URI is under it).
    api_url_parameter: str = Field(min_length=1)
    # Where the rider's browser goes after the callback (`?strava=connected|error`).
    strava_app_redirect_url: str = "https://sydneycycling.example/settings/strava"
    event_bus_name: str = Field(min_length=1)
    state_ttl_seconds: int = Field(default=600, ge=60, le=3600)


class StravaSyncSettings(StravaSettings):
    """The sync consumer matches activities to rides, within Strava's rate limits."""

    # Its own queue: a rate-limited message is postponed on it.
    strava_sync_queue_url: str = Field(min_length=1)
    # An activity matches a ride it started from `before` minutes before the ride's start
    # to `after` minutes after it.
    match_before_minutes: int = 30
    match_after_minutes: int = 60
    # The same change to the same object is taken once in this window (Strava redelivers
    # an unanswered event up to three times within about a minute).
    event_window_seconds: int = 600
    # Strava reads one athlete's events may spend per 15-minute window: a rider records a
    # handful of activities a day, and the app's budget (100 reads per window) is shared.
    reads_per_athlete_window: int = 10


# webhooks
class WebhookSettings(EnvironmentSettings):
    """The API seals signing secrets and checks targets."""

    # The KMS key that seals signing secrets.
    secrets_key_id: str = Field(min_length=1)
    # Set by the local platform only (its receiver is http on 127.0.0.1).
    webhook_allow_local_targets: bool = False

    @property
    def egress(self) -> "EgressPolicy":
        # Imported here: every function imports this module at init, few reach the egress.
        from shared.adapters.egress import EgressPolicy

        return EgressPolicy(allow_local=self.webhook_allow_local_targets)


class WebhookFanoutSettings(EnvironmentSettings):
    """The fan-out sends one message per (event, webhook) to the delivery queue."""

    webhook_delivery_queue_url: str = Field(min_length=1)


class WebhookDeliverySettings(WebhookSettings, WebhookFanoutSettings):
    """The worker posts, retries on its own queue, and opens signing secrets."""

    # Attempts of one delivery: the first and its retries, `retry_base_seconds` times
    # four to the power of the retries so far, capped at `retry_cap_seconds`.
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_retry_base_seconds: int = Field(default=60, ge=1)
    webhook_retry_cap_seconds: int = Field(default=6 * 3600, ge=1, le=12 * 3600)
    # Failed attempts in a row (across deliveries) after which a webhook is disabled.
    webhook_failure_limit: int = Field(default=15, ge=1)


# identity
class TokenSettings(EnvironmentSettings):
    """The pre-token trigger: whether a SiteAdmin's role needs MFA (prod-like stages)."""

    site_admin_mfa_required: bool = False
