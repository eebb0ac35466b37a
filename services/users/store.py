"""Profiles in the table: reads, conditional edits with the SiteAdmin count, and the
user's memberships. Cognito and S3 are adapters (`shared.adapters`), not this store."""

from shared.domain.enums import SystemRole
from shared.domain.errors import Conflict
from shared.domain.media import Upload
from shared.domain.membership import Membership
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.memberships import to_membership
from shared.store.schema import GSI1
from shared.store.table import Table, TransactionCancelled
from shared.store.updates import versioned_update
from shared.store.uploads import announce_upload, read_upload
from shared.store.users import (
    create_profile,
    profile_item,
    read_profile,
    site_admin_count_change,
    system_role_change,
)

_PROFILE_FIELDS = (
    "display_name",
    "given_name",
    "family_name",
    "bio",
    "suburb",
    "strava_athlete_id",
    "emergency_contact",
    "avatar_key",
    "system_role",
    "updated_at",
)
_MEMBERSHIPS_SHOWN = 100


def _is_site_admin(profile: UserProfile) -> int:
    return int(profile.system_role is SystemRole.SITE_ADMIN)


class ProfileStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, user_id: str) -> UserProfile | None:
        return read_profile(self.table, user_id)

    def announce_upload(self, upload: Upload) -> None:
        announce_upload(self.table, upload)

    def upload(self, upload_id: str) -> Upload | None:
        return read_upload(self.table, upload_id)

    def create(self, profile: UserProfile) -> bool:
        return create_profile(self.table, profile)

    def update(self, before: UserProfile, after: UserProfile) -> None:
        """Write `after` if the profile is still `before`; a SystemRole change moves the
        SiteAdmin count in the same transaction."""
        item = profile_item(after)
        actions = [
            versioned_update(
                keys.user_key(after.user_id),
                {f: item.get(f) for f in _PROFILE_FIELDS},
                before.version,
            )
        ]
        delta = _is_site_admin(after) - _is_site_admin(before)
        if delta:
            actions.append(site_admin_count_change(delta))
            actions.append(system_role_change(after.user_id, after.system_role))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if delta < 0 and cancelled.failed_condition(1):
                raise Conflict(
                    "The platform must keep at least one SiteAdmin.", code="last_site_admin"
                ) from None
            raise Conflict(
                "The profile was changed by someone else; read it again.", code="version_conflict"
            ) from None

    def memberships(self, user_id: str) -> tuple[list[Membership], bool]:
        """The user's memberships across clubs (GSI1), and whether there were more."""
        items, last = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk",
            values={":pk": keys.user_memberships_pk(user_id)},
            limit=_MEMBERSHIPS_SHOWN,
        )
        return [to_membership(i) for i in items], last is not None
