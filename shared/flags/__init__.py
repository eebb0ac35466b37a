"""Feature flags: the document `feature-flags.json` beside this file is the versioned source;
the stacks deploy it to AWS AppConfig (gradual rollout, alarm rollback), functions read it
with Powertools `FeatureFlags` (cached), and the local platform reads the file itself, with
a developer's overrides, on every evaluation (flip without restarting). See
`docs/feature-flags.md`."""

import hashlib
import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.domain.errors import FeatureOff

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.feature_flags import FeatureFlags

DOCUMENT = Path(__file__).resolve().parent / "feature-flags.json"


class Flag(StrEnum):
    # The club_admin notification category (a club's webhook disabled, …).
    CLUB_ADMIN_NOTIFICATIONS = "club_admin_notifications"
    # Strava push events turned into attendance.
    STRAVA_SYNC = "strava_sync"
    # Club events delivered to clubs' webhooks.
    CLUB_WEBHOOKS = "club_webhooks"
    # New uploads (logos, routes, attachments, avatars); reading published ones is not
    # affected.
    MEDIA_UPLOADS = "media_uploads"
    # Hours before a ride its reminder is sent, for some clubs (a number rolled out per
    # club; 0: the stage's setting).
    REMINDER_LEAD_HOURS = "reminder_lead_hours"


@cache
def feature_flags() -> "FeatureFlags":
    from shared.flags.stores import build_flags  # on first use: see stores.py

    return build_flags(DOCUMENT)


def _defaults() -> dict[str, Any]:
    """What each flag is when its store cannot be read: the document's defaults (shipped
    with the code), so an AppConfig outage changes nothing."""
    document: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return {name: spec["default"] for name, spec in document.items()}


DEFAULTS = _defaults()


def club_bucket(club_id: str) -> int:
    """A club's stable place in 0..99, for rollouts to a percentage of clubs."""
    return int.from_bytes(hashlib.sha256(club_id.encode()).digest()[:4], "big") % 100


def flag_value(flag: Flag, club_id: str | None = None) -> Any:
    context = {"club_id": club_id, "club_bucket": club_bucket(club_id)} if club_id else {}
    return feature_flags().evaluate(name=flag.value, context=context, default=DEFAULTS[flag])


def enabled(flag: Flag, club_id: str | None = None) -> bool:
    return flag_value(flag, club_id) is True


def require_enabled(flag: Flag, what: str, club_id: str | None = None) -> None:
    """`FeatureOff` (503 with Retry-After) unless the flag is on."""
    if not enabled(flag, club_id):
        raise FeatureOff(f"{what} is turned off for now; try again later.")
