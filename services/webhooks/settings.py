"""The club webhooks context's settings, from the environment the stacks (or the local
platform) set, parsed once."""

import os
from functools import cache

from pydantic import ConfigDict, Field

from shared.adapters.egress import EgressPolicy
from shared.domain.model import Model


class WebhookSettings(Model):
    model_config = ConfigDict(frozen=True)

    # The KMS key that seals signing secrets.
    secrets_key_id: str = ""
    # The queue the fan-out sends one message per (event, webhook) to.
    delivery_queue_url: str = ""
    # Attempts of one delivery: the first and its retries, `retry_base_seconds` times
    # four to the power of the retries so far, capped at `retry_cap_seconds`.
    max_attempts: int = Field(default=8, ge=1, le=20)
    retry_base_seconds: int = Field(default=60, ge=1)
    retry_cap_seconds: int = Field(default=6 * 3600, ge=1, le=12 * 3600)
    # Failed attempts in a row (across deliveries) after which a webhook is disabled.
    failure_limit: int = Field(default=15, ge=1)
    egress: EgressPolicy = EgressPolicy()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@cache
def get_webhook_settings() -> WebhookSettings:
    env = os.environ
    return WebhookSettings(
        secrets_key_id=env.get("SECRETS_KEY_ID", ""),
        delivery_queue_url=env.get("WEBHOOK_DELIVERY_QUEUE_URL", ""),
        max_attempts=int(env.get("WEBHOOK_MAX_ATTEMPTS") or 8),
        retry_base_seconds=int(env.get("WEBHOOK_RETRY_BASE_SECONDS") or 60),
        retry_cap_seconds=int(env.get("WEBHOOK_RETRY_CAP_SECONDS") or 6 * 3600),
        failure_limit=int(env.get("WEBHOOK_FAILURE_LIMIT") or 15),
        # Set by the local platform only (its receiver is http on 127.0.0.1).
        egress=EgressPolicy(allow_local=_flag("WEBHOOK_ALLOW_LOCAL_TARGETS")),
    )
