"""A rider's link to Strava, and what a matched Strava activity adds to a participation
(`docs/strava.md`)."""

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from shared.domain.model import Model

# What the platform asks Strava for, and the one it cannot do without.
REQUIRED_SCOPE = "activity:read"


class StravaLink(Model):
    model_config = ConfigDict(frozen=True)

    user_id: str
    athlete_id: int
    scopes: list[str]
    connected_at: datetime
    # Access and refresh tokens, sealed with the stage's KMS key for this user only.
    sealed_tokens: str
    # When the access token expires (Unix seconds); refreshed a little before.
    token_expires_at: int
    updated_at: datetime
    version: int = 1


class AttendanceSource(StrEnum):
    """Who marked attendance: a ride manager (final), or a matched Strava activity."""

    LEADER = "leader"
    STRAVA = "strava"


class ActivitySummary(Model):
    """A Strava activity matched to a ride, as ride leaders see it on the participation."""

    model_config = ConfigDict(frozen=True)

    activity_id: int
    start_at: datetime
    distance_km: float
    moving_time_s: int
    elevation_gain_m: float
    url: str
