"""The Membership entity and its rules (`docs/model.md`, `docs/domain.md`): one per (club, user)."""

from datetime import datetime

from shared.domain.enums import ClubRole, MembershipStatus
from shared.domain.model import Model

ID_SEPARATOR = "_"


def membership_id(club_id: str, user_id: str) -> str:
    """Ids name the club and the user, so a membership is found with one consistent
    GetItem (no lookup index, which would be eventually consistent)."""
    return f"{club_id}{ID_SEPARATOR}{user_id}"


def split_membership_id(value: str) -> tuple[str, str]:
    club_id, _, user_id = value.partition(ID_SEPARATOR)
    return club_id, user_id


class Membership(Model):
    """One per (club, user): the rider's role in the club and where their membership
    stands (an application, active, suspended, ended)."""

    membership_id: str
    club_id: str
    user_id: str
    club_role: ClubRole = ClubRole.MEMBER
    status: MembershipStatus
    display_name: str | None = None
    application_message: str | None = None
    requested_at: datetime | None = None
    joined_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    updated_at: datetime
    updated_by: str
    version: int = 1

    @property
    def is_active_admin(self) -> bool:
        return self.status is MembershipStatus.ACTIVE and self.club_role is ClubRole.ADMIN


# Status changes a club admin may make with PUT /memberships/{id}.
MANAGER_TRANSITIONS: frozenset[tuple[MembershipStatus, MembershipStatus]] = frozenset(
    {
        (MembershipStatus.PENDING, MembershipStatus.ACTIVE),  # approve
        (MembershipStatus.PENDING, MembershipStatus.REJECTED),  # reject
        (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED),  # suspend
        (MembershipStatus.SUSPENDED, MembershipStatus.ACTIVE),  # reinstate
    }
)
# States from which a user may join again on their own (the item is reused).
REJOINABLE = frozenset({MembershipStatus.LEFT, MembershipStatus.REJECTED})
# States that make a second join a conflict.
CURRENT = frozenset({MembershipStatus.PENDING, MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED})
