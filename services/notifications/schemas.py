"""Request and response models of the notifications API."""

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from shared.domain.model import Model
from shared.domain.notifications import Category, ChannelChoice, Preferences, PushPlatform
from shared.domain.numbers import JSON_INTEGER

DEVICE_ID_PATTERN = r"^[0-9a-f]{32}$"


class ChannelChoiceChange(Model):
    model_config = ConfigDict(extra="forbid")

    email: StrictBool | None = None
    push: StrictBool | None = None


class PreferencesChange(Model):
    """The categories to change (channels left out keep their value), against the
    `version` last read (0 for a user who never saved any)."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[StrictInt, Field(ge=0, le=1_000_000_000), JSON_INTEGER]
    membership: ChannelChoiceChange | None = None
    new_rides: ChannelChoiceChange | None = None
    ride_changes: ChannelChoiceChange | None = None
    reminders: ChannelChoiceChange | None = None
    waitlist: ChannelChoiceChange | None = None
    regular_rides: ChannelChoiceChange | None = None
    account: ChannelChoiceChange | None = None
    club_admin: ChannelChoiceChange | None = None

    def applied_to(self, current: Preferences) -> Preferences:
        changes: dict[str, ChannelChoice] = {}
        for category in Category:
            change: ChannelChoiceChange | None = getattr(self, category.value)
            if change is not None:
                before: ChannelChoice = getattr(current, category.value)
                sent = change.model_dump(exclude_none=True)
                changes[category.value] = before.model_copy(update=sent)
        return current.model_copy(update={**changes, "version": current.version + 1})


DeviceToken = Annotated[
    str, StringConstraints(min_length=32, max_length=4096, pattern=r"^[A-Za-z0-9:_.\-]+$")
]


class DeviceRegistration(Model):
    model_config = ConfigDict(extra="forbid")

    platform: PushPlatform
    token: DeviceToken


class DeviceOut(Model):
    device_id: str
    platform: PushPlatform
    created_at: datetime


class DeviceList(Model):
    items: list[DeviceOut]


class Unsubscribed(Model):
    category: Category
    email: bool = False
