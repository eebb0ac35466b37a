"""Uploads (announced, then validated or refused), and the club and ride items a published
upload is attached to (versioned updates: counters kept by others are left alone)."""

from datetime import datetime
from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.errors import Conflict
from shared.domain.media import Published, Upload, UploadStatus
from shared.domain.ride import Ride
from shared.store import keys
from shared.store.clubs import read_club_and_membership
from shared.store.rides import read_ride_and_membership, to_ride
from shared.store.table import ConditionFailed, Table, TransactionCancelled
from shared.store.updates import versioned_update
from shared.store.uploads import announce_upload, read_upload


def _lost_race(what: str) -> Conflict:
    return Conflict(f"The {what} changed meanwhile; read it again.", code="version_conflict")


class MediaStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def club_and_caller(
        self, club_id: str, caller_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, caller_id)

    def ride_and_caller(
        self, ride_id: str, caller_id: str
    ) -> tuple[Ride | None, MembershipView | None]:
        return read_ride_and_membership(self.table, ride_id, caller_id)

    def ride(self, ride_id: str) -> Ride | None:
        item = self.table.get(keys.ride_key(ride_id))
        return to_ride(item) if item else None

    def avatar_key(self, user_id: str) -> str | None:
        """Where the user's avatar sizes are; None without one (or with one uploaded before
        avatars were checked and resized, which is not served)."""
        item = self.table.get(keys.user_key(user_id)) or {}
        avatar_key = str(item.get("avatar_key") or "")
        return avatar_key if avatar_key.endswith("/") else None

    # Uploads.

    def announce(self, upload: Upload) -> None:
        announce_upload(self.table, upload)

    def upload(self, upload_id: str) -> Upload | None:
        return read_upload(self.table, upload_id)

    def settle(
        self,
        upload: Upload,
        status: UploadStatus,
        *,
        reason_code: str | None = None,
        reason: str | None = None,
        published: Published | None = None,
    ) -> bool:
        """Record what validation decided, once (False: it was settled already)."""
        route = published.route if published else None
        fields: dict[str, Any] = {
            "status": status.value,
            "reason_code": reason_code,
            "reason": reason,
            "outputs": published.outputs if published else [],
            "size_bytes": published.size_bytes if published else None,
            "route": route.model_dump(mode="json") if route else None,
        }
        try:
            self.table.transact_write(
                [
                    versioned_update(
                        keys.upload_key(upload.upload_id),
                        fields,
                        upload.version,
                        condition="#s = :pending",
                        names={"#s": "status"},
                        values={":pending": UploadStatus.PENDING.value},
                    )
                ]
            )
        except TransactionCancelled:
            return False
        return True

    # What a published upload is attached to.

    def set_club_logo(self, club: Club, logo_key: str, by: str, now: datetime) -> None:
        update = versioned_update(
            keys.club_key(club.club_id),
            {"logo_key": logo_key, "updated_at": now.isoformat(), "updated_by": by},
            club.version,
        )
        try:
            self.table.transact_write([update])
        except TransactionCancelled:
            raise _lost_race("club") from None

    def update_ride(self, ride: Ride, fields: dict[str, Any], by: str, now: datetime) -> None:
        update = versioned_update(
            keys.ride_key(ride.ride_id),
            {**fields, "updated_at": now.isoformat(), "updated_by": by},
            ride.version,
        )
        try:
            self.table.transact_write([update])
        except (TransactionCancelled, ConditionFailed):
            raise _lost_race("ride") from None
