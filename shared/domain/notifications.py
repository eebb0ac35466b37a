"""Notification preferences (`docs/notifications.md`): per category and channel.

Defaults: everything a rider is part of reaches them by e-mail and push; announcements of
new rides are opt-in (a club may publish many), so they are off until chosen.
"""

from enum import StrEnum

from pydantic import ConfigDict

from shared.domain.model import Model


class Category(StrEnum):
    """What a notification is about."""

    MEMBERSHIP = "membership"
    NEW_RIDES = "new_rides"
    RIDE_CHANGES = "ride_changes"
    REMINDERS = "reminders"
    WAITLIST = "waitlist"
    # A ride series joined you, its regular, to its new ride.
    REGULAR_RIDES = "regular_rides"
    # What you asked of your account (your data export is ready).
    ACCOUNT = "account"
    # What a club's admins must act on about the club itself (a failing webhook).
    CLUB_ADMIN = "club_admin"


class Channel(StrEnum):
    EMAIL = "email"
    PUSH = "push"


class PushPlatform(StrEnum):
    """Apple Push Notification service, or Firebase Cloud Messaging."""

    APNS = "apns"
    FCM = "fcm"


class ChannelChoice(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: bool = True
    push: bool = True

    def allows(self, channel: Channel) -> bool:
        return self.email if channel is Channel.EMAIL else self.push


OPT_IN = ChannelChoice(email=False, push=False)


class Preferences(Model):
    """A user's choice for every category; `version` for optimistic updates."""

    membership: ChannelChoice = ChannelChoice()
    new_rides: ChannelChoice = OPT_IN
    ride_changes: ChannelChoice = ChannelChoice()
    reminders: ChannelChoice = ChannelChoice()
    waitlist: ChannelChoice = ChannelChoice()
    regular_rides: ChannelChoice = ChannelChoice()
    account: ChannelChoice = ChannelChoice()
    club_admin: ChannelChoice = ChannelChoice(email=True, push=False)
    version: int = 0

    def allows(self, category: Category, channel: Channel) -> bool:
        choice: ChannelChoice = getattr(self, category.value)
        return choice.allows(channel)


class Device(Model):
    """A phone registered for push: an SNS platform endpoint (the token itself is kept
    by SNS, not here)."""

    device_id: str
    user_id: str
    platform: PushPlatform
    endpoint_arn: str
    created_at: str
    # A hash of (platform, token): which owner item this device holds ("" before it existed).
    token_ref: str = ""
