"""Club items as every service reads them (the clubs service alone writes them), and the
entries that find a club in discovery."""

from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club, search_words
from shared.domain.geo import cells
from shared.store import keys
from shared.store.memberships import membership_view
from shared.store.schema import PK, SK
from shared.store.table import Item, Table

_FIELDS = frozenset(Club.model_fields)


def discovery_items(club: Club) -> dict[tuple[str, str], dict[str, Any]]:
    """The entries that find the club: one per level in the cell of its home (with what
    discovery filters on, so only clubs that pass are read), one per word of its name.
    Written in the club's own transactions, so they are exact."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    if club.home is not None:
        for level, cell in cells(club.home.lat, club.home.lon).items():
            key = keys.club_place_key(level, cell, club.club_id)
            items[(key[PK], key[SK])] = {
                **key,
                "entity": "club_place",
                "club_id": club.club_id,
                "lat": club.home.lat,
                "lon": club.home.lon,
                "status": club.status.value,
                "disciplines": [d.value for d in club.disciplines],
            }
    for word in search_words(club.name):
        key = keys.club_word_key(word, club.club_id)
        items[(key[PK], key[SK])] = {**key, "entity": "club_word", "club_id": club.club_id}
    return items


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


def club_active_check(club_id: str) -> dict[str, Any]:
    """A transaction's check that the club exists and is active (not archived)."""
    return {
        "ConditionCheck": {
            "Key": keys.club_key(club_id),
            "ConditionExpression": "attribute_exists(PK) AND #status = :active",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":active": "active"},
        }
    }
