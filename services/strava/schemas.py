"""Request and response models of the Strava API and of Strava's push events."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt

from shared.domain.model import Model

# Strava's ids fit in 53 bits (JSON numbers every client reads exactly).
MAX_ID = 2**53 - 1


class ConnectAnswer(Model):
    # Send the rider's browser here; Strava sends it back to the callback.
    authorize_url: str
    # The link must be followed before then (Unix seconds).
    state_expires_at: int


class StravaStatus(Model):
    connected: bool
    athlete_id: int | None = None
    scopes: list[str] = Field(default_factory=list)
    connected_at: datetime | None = None


class StravaPush(Model):
    """An event of Strava's push subscription (webhook). Strava does not sign them: the
    platform only takes them as hints and reads the activity with the athlete's own
    token."""

    model_config = ConfigDict(extra="ignore")

    object_type: Literal["activity", "athlete"]
    aspect_type: Literal["create", "update", "delete"]
    object_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
    owner_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
    subscription_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
    # Unix seconds (at most 2106: anything later is not a real event).
    event_time: Annotated[StrictInt, Field(ge=0, le=2**32)]
    updates: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=20)


class Challenge(Model):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    challenge: str = Field(alias="hub.challenge")
