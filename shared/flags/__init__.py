"""Feature flags: the document `feature-flags.json` beside this file is the versioned source;
the stacks deploy it to AWS AppConfig (gradual rollout, alarm rollback), functions read it
with Powertools `FeatureFlags` (cached), and the local platform reads the file itself, with
a developer's overrides, on every evaluation (flip without restarting). See
`docs/feature-flags.md`."""

import hashlib
import json
import os
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.feature_flags import AppConfigStore, FeatureFlags
from aws_lambda_powertools.utilities.feature_flags.base import StoreProvider
from aws_lambda_powertools.utilities.feature_flags.exceptions import ConfigurationStoreError

from shared.domain.errors import FeatureOff
from shared.observability import logger

DOCUMENT = Path(__file__).resolve().parent / "feature-flags.json"
# How long a function reuses what AppConfig said before asking again.
CACHE_SECONDS = 60


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


class FileStore(StoreProvider):
    """The flags document from a file, with a developer's overrides (flag -> value) on top;
    read again whenever either file changes."""

    def __init__(self, document: Path, overrides: Path | None = None) -> None:
        super().__init__()
        self.document = document
        self.overrides = overrides
        self._seen: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._config: dict[str, Any] = {}

    def _stamp(self) -> tuple[tuple[int, int], tuple[int, int]]:
        def version(path: Path | None) -> tuple[int, int]:
            if path is None or not path.exists():
                return (0, 0)
            stat = path.stat()
            return stat.st_mtime_ns, stat.st_size

        return version(self.document), version(self.overrides)

    @property
    def get_raw_configuration(self) -> dict[str, Any]:
        stamp = self._stamp()
        if stamp != self._seen:
            try:
                config = json.loads(self.document.read_text())
                if self.overrides and self.overrides.exists():
                    for name, value in json.loads(self.overrides.read_text()).items():
                        spec = {k: v for k, v in config.get(name, {}).items() if k != "rules"}
                        config[name] = {**spec, "default": value}  # rules no longer apply
            except (OSError, ValueError) as error:
                raise ConfigurationStoreError(f"flags file unreadable: {error}") from error
            self._config, self._seen = config, stamp
        return self._config

    def get_configuration(self) -> dict[str, Any]:
        return self.get_raw_configuration


def _store() -> StoreProvider:
    env = os.environ
    if env.get("FEATURE_FLAGS_APPLICATION"):
        return AppConfigStore(
            environment=env["FEATURE_FLAGS_ENVIRONMENT"],
            application=env["FEATURE_FLAGS_APPLICATION"],
            name=env["FEATURE_FLAGS_PROFILE"],
            max_age=CACHE_SECONDS,
        )
    overrides = env.get("FEATURE_FLAGS_OVERRIDES")
    return FileStore(
        Path(env.get("FEATURE_FLAGS_FILE") or DOCUMENT), Path(overrides) if overrides else None
    )


@cache
def feature_flags() -> FeatureFlags:
    return FeatureFlags(store=_store(), logger=logger)


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
