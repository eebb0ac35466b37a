"""The notifications context's settings, from the environment the stacks (or the local
platform) set, parsed once."""

import json
import os
from functools import cache

from pydantic import ConfigDict, Field

from shared.domain.model import Model


class NotificationSettings(Model):
    model_config = ConfigDict(frozen=True)

    email_sender: str = ""
    email_configuration_set: str | None = None
    # platform (apns | fcm) -> SNS platform application ARN
    push_applications: dict[str, str] = Field(default_factory=dict)
    reminder_group: str = ""
    reminder_queue_arn: str = ""
    reminder_role_arn: str = ""
    reminder_lead_hours: int = Field(default=24, ge=1, le=168)
    signing_secret_name: str = ""
    api_url_parameter: str = ""
    delivery_record_days: int = Field(default=14, ge=1)


@cache
def get_notification_settings() -> NotificationSettings:
    env = os.environ
    return NotificationSettings(
        email_sender=env.get("EMAIL_SENDER", ""),
        email_configuration_set=env.get("EMAIL_CONFIGURATION_SET") or None,
        push_applications=json.loads(env.get("PUSH_APPLICATIONS") or "{}"),
        reminder_group=env.get("REMINDER_GROUP", ""),
        reminder_queue_arn=env.get("REMINDER_QUEUE_ARN", ""),
        reminder_role_arn=env.get("REMINDER_ROLE_ARN", ""),
        reminder_lead_hours=int(env.get("REMINDER_LEAD_HOURS") or 24),
        signing_secret_name=env.get("SIGNING_SECRET_NAME", ""),
        api_url_parameter=env.get("API_URL_PARAMETER", ""),
    )
