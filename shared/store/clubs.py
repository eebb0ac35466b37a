"""Club items as every service reads them (the clubs service alone writes them)."""

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.store import keys
from shared.store.memberships import membership_view
from shared.store.table import Item, Table

_FIELDS = frozenset(Club.model_fields)


def to_club(item: Item) -> Club:
    """The Club in an item; key and index attributes are left out."""
    return Club.model_validate({k: v for k, v in item.items() if k in _FIELDS})


def read_club_and_membership(
    table: Table, club_id: str, user_id: str
) -> tuple[Club | None, MembershipView | None]:
    """The club and the user's membership of it, in one consistent round trip."""
    items = table.batch_get([keys.club_key(club_id), keys.membership_key(club_id, user_id)])
    club = next((to_club(i) for i in items if i.get("entity") == "club"), None)
    membership = next((membership_view(i) for i in items if i.get("entity") == "membership"), None)
    return club, membership
