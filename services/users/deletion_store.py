"""The table's side of deleting an account: the request, and each step of the saga.

Every write is idempotent: items already gone stay gone, a membership already ended is
passed over, and the tombstone replaces the profile whatever it held.
"""

import hashlib
from contextlib import suppress
from typing import Any

from shared.domain.clock import utc_now
from shared.domain.deletion import AccountDeletion, DeletionStatus
from shared.domain.enums import MembershipStatus
from shared.domain.errors import Conflict
from shared.domain.membership import Membership
from shared.domain.notifications import Device
from shared.domain.ride import Participation
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.deletion import deletion_item, read_deletion
from shared.store.memberships import (
    ADMIN_COUNT,
    admin_count_change,
    membership_item,
    to_membership,
)
from shared.store.rides import participation_item, to_participation, to_ride
from shared.store.schema import GSI1, GSI2
from shared.store.series import regular_removal
from shared.store.table import ConditionFailed, Table, TransactionCancelled
from shared.store.updates import put_if_version
from shared.store.users import FORMER_USER, read_profile

# Memberships that still make someone part of a club (ended ones are history).
_CURRENT = frozenset(
    {MembershipStatus.ACTIVE, MembershipStatus.PENDING, MembershipStatus.SUSPENDED}
)


class LastAdmin(Exception):
    """Ending the membership would leave its club without an admin."""


def email_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class DeletionStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def profile(self, user_id: str) -> UserProfile | None:
        return read_profile(self.table, user_id)

    def deletion(self, user_id: str) -> AccountDeletion | None:
        return read_deletion(self.table, user_id)

    def memberships(self, user_id: str) -> list[Membership]:
        """Every membership of the user, as it is now (the index names them; each is then
        read consistently)."""
        named = self.table.query_all(
            GSI1.name,
            f"{GSI1.partition_key} = :pk",
            {":pk": keys.user_memberships_pk(user_id)},
        )
        wanted = [keys.membership_key(i["club_id"], user_id) for i in named]
        found = []
        for start in range(0, len(wanted), 100):
            found += [to_membership(i) for i in self.table.batch_get(wanted[start : start + 100])]
        return found

    def admin_counts(self, club_ids: list[str]) -> dict[str, tuple[str, int]]:
        """Each club's name and number of active admins, consistently."""
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(club_ids), 100):
            wanted = [keys.club_key(c) for c in club_ids[start : start + 100]]
            for item in self.table.batch_get(wanted):
                found[item["club_id"]] = (item["name"], int(item.get(ADMIN_COUNT) or 0))
        return found

    def request(self, deletion: AccountDeletion) -> bool:
        """Record the request once; False when it was recorded already."""
        try:
            self.table.put(deletion_item(deletion), condition="attribute_not_exists(PK)")
        except ConditionFailed:
            return False
        return True

    # The saga's steps.

    def end_membership(self, membership: Membership) -> None:
        """Ended as when the member leaves (the seats consumer hears it), with what the
        club need not keep (their name on it, their application) removed."""
        if membership.status not in _CURRENT:
            return
        left = membership.model_copy(
            update={
                "status": MembershipStatus.LEFT,
                "display_name": None,
                "application_message": None,
                "updated_at": utc_now(),
                "updated_by": membership.user_id,
                "version": membership.version + 1,
            }
        )
        actions = [put_if_version(membership_item(left), membership.version)]
        if membership.is_active_admin:
            actions.append(admin_count_change(membership.club_id, -1))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise LastAdmin(membership.club_id) from None
            raise Conflict("The membership changed meanwhile.", code="version_conflict") from None

    def devices(self, user_id: str) -> list[Device]:
        items = self.table.query_all(
            None,
            "PK = :pk AND begins_with(SK, :device)",
            {":pk": keys.user_key(user_id)["PK"], ":device": keys.DEVICE_PREFIX},
        )
        return [
            Device.model_validate({k: v for k, v in i.items() if k in Device.model_fields})
            for i in items
        ]

    def forget_device(self, device: Device) -> None:
        """The device, and its phone's owner record while it still names this device."""
        self.table.delete(keys.device_key(device.user_id, device.device_id))
        if device.token_ref:
            # The phone may belong to another account now: then its record stays.
            with suppress(ConditionFailed):
                self.table.delete(
                    keys.push_token_key(device.token_ref),
                    condition="attribute_not_exists(PK) OR user_id = :user",
                    values={":user": device.user_id},
                )

    def forget_user_items(self, user_id: str, *sort_keys: str) -> None:
        for sort_key in sort_keys:
            self.table.delete({"PK": keys.user_key(user_id)["PK"], "SK": sort_key})

    def forget_calendar_feed(self, user_id: str) -> None:
        item = self.table.get(keys.user_calendar_feed_key(user_id))
        if item and item.get("token_hash"):
            self.table.delete(keys.calendar_feed_key(item["token_hash"]))
        self.table.delete(keys.user_calendar_feed_key(user_id))

    def regular_series(self, user_id: str) -> list[str]:
        return [
            i["series_id"]
            for i in self.table.query_all(
                GSI1.name,
                f"{GSI1.partition_key} = :pk",
                {":pk": keys.user_regulars_pk(user_id)},
            )
        ]

    def forget_regular(self, series_id: str, user_id: str) -> None:
        with suppress(TransactionCancelled):  # gone already
            self.table.transact_write(regular_removal(series_id, user_id))

    def forget_exports(self, user_id: str) -> None:
        for item in self.table.query_all(
            None,
            "PK = :pk AND begins_with(SK, :export)",
            {":pk": keys.user_key(user_id)["PK"], ":export": keys.EXPORT_PREFIX},
        ):
            self.table.delete({"PK": item["PK"], "SK": item["SK"]})

    def forget_deliveries(self, user_id: str) -> None:
        """The records of the notifications that went to the person (named by GSI1)."""
        for item in self.table.query_all(
            GSI1.name, f"{GSI1.partition_key} = :pk", {":pk": keys.user_deliveries_pk(user_id)}
        ):
            self.table.delete({"PK": item["PK"], "SK": item["SK"]})

    def forget_idempotency_records(self, user_id: str) -> None:
        """The answers remembered for the person's retries (their own partition)."""
        for item in self.table.query_all(None, "PK = :pk", {":pk": keys.idempotency_pk(user_id)}):
            self.table.delete({"PK": item["PK"], "SK": item["SK"]})

    def forget_upload(self, upload_id: str) -> None:
        self.table.delete(keys.upload_key(upload_id))

    def places(self, user_id: str, club_ids: list[str]) -> list[tuple[Participation, Any]]:
        """The user's places on every ride of the clubs they belonged to, with each ride's
        start: the clubs' rides (GSI2), then the user's participation in each."""
        ride_ids: list[str] = []
        for club_id in club_ids:
            ride_ids += [
                i["ride_id"]
                for i in self.table.query_all(
                    GSI2.name,
                    f"{GSI2.partition_key} = :pk",
                    {":pk": keys.club_rides_pk(club_id)},
                )
            ]
        found = []
        for start in range(0, len(ride_ids), 50):
            chunk = ride_ids[start : start + 50]
            wanted = [keys.participation_key(r, user_id) for r in chunk]
            wanted += [keys.ride_key(r) for r in chunk]
            items = self.table.batch_get(wanted)
            starts = {i["ride_id"]: to_ride(i).start_at for i in items if i.get("entity") == "ride"}
            found += [
                (to_participation(i), starts.get(i["ride_id"]))
                for i in items
                if i.get("entity") == "participation"
            ]
        return found

    def unname_place(self, place: Participation, ride_start: Any) -> None:
        """The place stays (the ride's history and attendance); the name on it goes."""
        if place.display_name is None:
            return
        unnamed = place.model_copy(update={"display_name": None, "version": place.version + 1})
        try:
            self.table.transact_write(
                [put_if_version(participation_item(unnamed, ride_start), place.version)]
            )
        except TransactionCancelled:
            raise Conflict("The place changed meanwhile.", code="version_conflict") from None

    def tombstone(self, user_id: str, suppressed_email: str | None) -> None:
        """The profile reduced to its id and "deleted" (it reads as "Former member"); a
        suppressed address kept only as its hash, so mail is never sent to it again."""
        if suppressed_email:
            self.table.put(
                {**keys.suppressed_email_key(email_hash(suppressed_email)), "entity": "suppression"}
            )
        self.table.put(
            {
                **keys.user_key(user_id),
                "entity": FORMER_USER,
                "user_id": user_id,
                "deleted": True,
                "deleted_at": utc_now().isoformat(),
            }
        )

    def finish(self, deletion: AccountDeletion) -> None:
        """The deletion done: a versioned change, so the stream publishes `user_deleted`."""
        moment = utc_now()
        done = deletion.model_copy(
            update={
                "status": DeletionStatus.DONE,
                "finished_at": moment,
                "updated_at": moment,
                "version": deletion.version + 1,
            }
        )
        with suppress(TransactionCancelled):  # finished by a redelivery already
            self.table.transact_write([put_if_version(deletion_item(done), deletion.version)])
