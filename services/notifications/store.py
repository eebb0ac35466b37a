"""What notifications read and write in the table: preferences, devices, who is in a club
or on a ride, the recipients' profiles, delivery records and e-mail suppression."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain.club import Club
from shared.domain.enums import ClubRole, MembershipStatus
from shared.domain.errors import Conflict
from shared.domain.notifications import Device, Preferences
from shared.domain.ride import Participation, Ride
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.clubs import to_club
from shared.store.deletion import account_deleted, account_open
from shared.store.rides import to_participation, to_ride
from shared.store.schema import GSI1
from shared.store.series import read_regulars
from shared.store.table import ConditionFailed, Item, Table, TransactionCancelled
from shared.store.users import to_profile

_BATCH = 50  # users per BatchGetItem: a profile and a preferences item each (100 keys)
MAX_DEVICES = 10


@dataclass(frozen=True)
class Recipient:
    """A user as a notification needs them: where to reach them and what they allow."""

    user_id: str
    email: str | None
    display_name: str | None
    email_suppressed: bool
    preferences: Preferences


def _preferences(item: Item | None) -> Preferences:
    if item is None:
        return Preferences()
    return Preferences.model_validate(
        {k: v for k, v in item.items() if k in Preferences.model_fields}
    )


def _device_item(device: Device) -> dict[str, Any]:
    return {
        **keys.device_key(device.user_id, device.device_id),
        "entity": "device",
        **device.model_dump(),
    }


def _count(user_id: str, delta: int, *, seen: int = 0) -> dict[str, Any]:
    """The user's device count moved by `delta`; an increment must stay within the limit.
    A count not yet kept (devices from before it existed) starts from the `seen` devices
    a consistent read found."""
    update: dict[str, Any] = {
        "Key": keys.device_count_key(user_id),
        "UpdateExpression": "SET device_count = if_not_exists(device_count, :seen) + :delta",
        "ExpressionAttributeValues": {":seen": seen, ":delta": delta},
    }
    if delta > 0:
        update["ConditionExpression"] = (
            "(attribute_not_exists(device_count) AND :seen < :max) OR device_count < :max"
        )
        update["ExpressionAttributeValues"][":max"] = MAX_DEVICES
    return {"Update": update}


def _held_by(previous: Device | None) -> dict[str, Any]:
    """The condition that the token's owner item is still what was read."""
    if previous is None:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    return {
        "ConditionExpression": "user_id = :owner AND device_id = :device",
        "ExpressionAttributeValues": {":owner": previous.user_id, ":device": previous.device_id},
    }


def _forget(device: Device, *, seen: int) -> list[dict[str, Any]]:
    """The device's item and its place in its user's count (the token's owner item is
    replaced or removed by the caller's other actions)."""
    actions: list[dict[str, Any]] = [
        {
            "Delete": {
                "Key": keys.device_key(device.user_id, device.device_id),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        _count(device.user_id, -1, seen=seen),
    ]
    return actions


class NotificationStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # Preferences and devices (the API)

    def preferences(self, user_id: str) -> Preferences:
        return _preferences(self.table.get(keys.preferences_key(user_id)))

    def save_preferences(self, user_id: str, before: Preferences, after: Preferences) -> None:
        """Write `after` if nobody changed the preferences since `before` was read."""
        item = {**keys.preferences_key(user_id), "entity": "preferences", **after.model_dump()}
        put: dict[str, Any] = {"Item": item}
        if before.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": before.version}
        try:
            self.table.transact_write([{"Put": put}, account_open(user_id)])
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise account_deleted() from None
            raise Conflict(
                "The preferences were changed meanwhile; read them again.", code="version_conflict"
            ) from None

    def devices(self, user_id: str) -> list[Device]:
        items, _ = self.table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :device)",
            values={":pk": keys.user_key(user_id)["PK"], ":device": keys.DEVICE_PREFIX},
            limit=MAX_DEVICES + 1,
            consistent=True,
        )
        return [
            Device.model_validate({k: v for k, v in i.items() if k in Device.model_fields})
            for i in items
        ]

    def token_owner(self, token_ref: str) -> Device | None:
        """The device that holds a push token now, whoever's account it is in."""
        item = self.table.get(keys.push_token_key(token_ref))
        if item is None:
            return None
        return Device.model_validate({k: v for k, v in item.items() if k in Device.model_fields})

    def add_device(self, device: Device, seen: int, previous: Device | None) -> bool:
        """Record the device, count it against the limit and make its account the token's
        owner, all at once; `previous` (the token's owner read before) loses it. False when
        the device was registered already (a concurrent request did it)."""
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": _device_item(device),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _count(device.user_id, 1, seen=seen),
            {
                "Put": {
                    "Item": {
                        **keys.push_token_key(device.token_ref),
                        "entity": "push_token",
                        **device.model_dump(),
                    },
                    **_held_by(previous),
                }
            },
        ]
        if previous is not None and previous.user_id != device.user_id:
            # The previous account's count is kept already (it registered through this).
            actions += _forget(previous, seen=1)
        actions.append(account_open(device.user_id))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(len(actions) - 1):
                raise account_deleted() from None
            if cancelled.failed_condition(0):
                return False
            if cancelled.failed_condition(1):
                raise Conflict(
                    f"At most {MAX_DEVICES} devices; remove one first.", code="too_many_devices"
                ) from None
            raise Conflict(
                "This phone was registered meanwhile; try again.", code="device_conflict"
            ) from None
        return True

    def release_token(self, device: Device) -> bool:
        """Give up the device's hold on its phone's token; False when another account (or
        another device id) holds it now, or nothing does."""
        if not device.token_ref:
            return True  # registered before tokens had owners: it was its own
        try:
            self.table.delete(
                keys.push_token_key(device.token_ref),
                condition="user_id = :owner AND device_id = :device",
                values={":owner": device.user_id, ":device": device.device_id},
            )
        except ConditionFailed:
            return False
        return True

    def delete_device(self, device: Device, seen: int) -> None:
        """Forget the device (`seen`: the user's devices a consistent read found, this one
        included); gone already is fine."""
        with suppress(TransactionCancelled):
            self.table.transact_write(_forget(device, seen=seen))

    # What events are about

    def club(self, club_id: str) -> Club | None:
        item = self.table.get(keys.club_key(club_id))
        return to_club(item) if item else None

    def application_message(self, club_id: str, user_id: str) -> str | None:
        item = self.table.get(keys.membership_key(club_id, user_id))
        return item.get("application_message") if item else None

    def ride_and_participants(self, ride_id: str) -> tuple[Ride | None, list[Participation]]:
        items = list(self._query_all(keys.ride_key(ride_id)["PK"], None))
        ride = next((to_ride(i) for i in items if i.get("entity") == "ride"), None)
        return ride, [to_participation(i) for i in items if i.get("entity") == "participation"]

    def regulars(self, series_id: str) -> list[str]:
        """User ids of a ride series' regulars."""
        return [r.user_id for r in read_regulars(self.table, series_id)]

    def active_members(self, club_id: str, *, role: ClubRole | None = None) -> list[str]:
        """User ids of the club's active members (of one role, if given)."""
        return [
            item["user_id"]
            for item in self._query_all(keys.club_partition(club_id), keys.MEMBER_PREFIX)
            if item.get("status") == MembershipStatus.ACTIVE
            and (role is None or item.get("club_role") == role)
        ]

    def _query_all(self, partition: str, prefix: str | None) -> list[Item]:
        condition, values = "PK = :pk", {":pk": partition}
        if prefix:
            condition += " AND begins_with(SK, :prefix)"
            values[":prefix"] = prefix
        return self.table.query_all(None, condition, values)

    # Recipients and deliveries

    def recipients(self, user_ids: list[str]) -> list[Recipient]:
        """Profiles and preferences of the users, in one BatchGetItem per 50 users."""
        found: list[Recipient] = []
        unique = list(dict.fromkeys(user_ids))
        for start in range(0, len(unique), _BATCH):
            chunk = unique[start : start + _BATCH]
            wanted = [k for u in chunk for k in (keys.user_key(u), keys.preferences_key(u))]
            items = self.table.batch_get(wanted)
            profiles = {i["user_id"]: to_profile(i) for i in items if i.get("entity") == "user"}
            prefs = {i["PK"]: i for i in items if i.get("entity") == "preferences"}
            for user_id in chunk:
                profile: UserProfile | None = profiles.get(user_id)
                if profile is None:
                    continue
                found.append(
                    Recipient(
                        user_id=user_id,
                        email=profile.email,
                        display_name=profile.display_name,
                        email_suppressed=profile.email_suppressed,
                        preferences=_preferences(prefs.get(keys.user_key(user_id)["PK"])),
                    )
                )
        return found

    def claim_delivery(self, event_id: str, user_id: str, channel: str, expires: datetime) -> bool:
        """Record that this event goes to this user on this channel; False if it already
        went (a redelivered event)."""
        item = {
            **keys.delivery_key(event_id, user_id, channel),
            "entity": "delivery",
            GSI1.partition_key: keys.user_deliveries_pk(user_id),
            GSI1.sort_key: f"{event_id}#{channel}",
            "expires_at": int(expires.timestamp()),
        }
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except ConditionFailed:
            return False
        return True

    def release_delivery(self, event_id: str, user_id: str, channel: str) -> None:
        """The send failed: the record goes, so a redelivery tries again."""
        self.table.delete(keys.delivery_key(event_id, user_id, channel))

    def suppress_email(self, user_id: str) -> bool:
        """Stop e-mail to the user's address; False if there is no such profile."""
        try:
            self.table.update(
                keys.user_key(user_id),
                "SET email_suppressed = :yes",
                condition="attribute_exists(PK)",
                values={":yes": True},
            )
        except ConditionFailed:
            return False
        return True
