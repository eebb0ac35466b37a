"""Reading a membership for authorization decisions (always a consistent read)."""

from shared.authz import MembershipView
from shared.domain.enums import ClubRole, MembershipStatus
from shared.store.keys import membership_key
from shared.store.table import Item


def membership_view(item: Item | None) -> MembershipView | None:
    if item is None:
        return None
    return MembershipView(
        club_id=item["club_id"],
        user_id=item["user_id"],
        club_role=ClubRole(item["club_role"]),
        status=MembershipStatus(item["status"]),
    )


__all__ = ["membership_key", "membership_view"]
