"""Club persistence in the single table.

A club is two items written together: the club itself and a name reservation whose key is
the case-folded name, so uniqueness is enforced by a conditional put inside the same
transaction, never by a read-then-write.
"""

from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club, club_name_key
from shared.domain.errors import Conflict, Unprocessable
from shared.domain.membership import Membership
from shared.store import keys
from shared.store.clubs import discovery_items, to_club
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.memberships import ADMIN_COUNT, membership_item, membership_view
from shared.store.schema import GSI1, PK, SK
from shared.store.table import Table, TransactionCancelled
from shared.store.updates import versioned_update

_PAGE_KEYS = (PK, SK, GSI1.partition_key, GSI1.sort_key)
# What an edit may change: everything but identity, provenance and the derived counters
# (which belong to the event consumers), plus the directory index that follows the name.
_FIXED = frozenset({"club_id", "logo_key", "member_count", "ride_count", "version"})
_EDITABLE = (
    *(f for f in Club.model_fields if f not in _FIXED and not f.startswith("created_")),
    GSI1.partition_key,
    GSI1.sort_key,
)


def _club_item(club: Club) -> dict[str, Any]:
    name_key = club_name_key(club.name)
    return {
        **keys.club_key(club.club_id),
        GSI1.partition_key: keys.club_directory_pk(club.status),
        GSI1.sort_key: keys.club_directory_sk(name_key, club.club_id),
        "entity": "club",
        **club.model_dump(mode="json"),
    }


def _discovery_changes(before: Club | None, after: Club) -> list[dict[str, Any]]:
    """Puts of the entries `after` has (new or changed) and Deletes of those it lost."""
    old = discovery_items(before) if before else {}
    new = discovery_items(after)
    puts = [{"Put": {"Item": item}} for k, item in new.items() if old.get(k) != item]
    deletes = [{"Delete": {"Key": {PK: pk, SK: sk}}} for pk, sk in old.keys() - new.keys()]
    return puts + deletes


def _name_lock(name: str, club_id: str) -> dict[str, Any]:
    return {
        "Put": {
            "Item": {
                **keys.club_name_key(club_name_key(name)),
                "entity": "club_name",
                "club_id": club_id,
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _update_action(before: Club, after: Club) -> dict[str, Any]:
    """SET the editable fields only: the derived counters belong to the event consumers."""
    item = _club_item(after)
    return versioned_update(
        keys.club_key(after.club_id), {f: item.get(f) for f in _EDITABLE}, before.version
    )


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A club named '{name}' already exists.", code="club_name_taken")


class ClubStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, club: Club, admin: Membership) -> None:
        """Write the club, its name reservation and its first admin atomically, while the
        admin's profile exists (a club never starts with a nobody as its only admin)."""
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": {**_club_item(club), ADMIN_COUNT: 1},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _name_lock(club.name, club.club_id),
            {"Put": {"Item": membership_item(admin)}},
            {
                "ConditionCheck": {
                    "Key": keys.user_key(admin.user_id),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            *_discovery_changes(None, club),
        ]
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise _name_taken(club.name) from None
            if cancelled.failed_condition(3):
                raise Unprocessable(
                    f"No user '{admin.user_id}' to be the club's first admin.",
                    code="initial_admin_not_found",
                ) from None
            raise Conflict("The club already exists.", code="club_exists") from None

    def get(self, club_id: str) -> Club | None:
        item = self.table.get(keys.club_key(club_id))
        return to_club(item) if item else None

    def get_with_membership(
        self, club_id: str, user_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        """The club and the caller's membership of it, in one consistent round trip."""
        items = self.table.batch_get(
            [keys.club_key(club_id), keys.membership_key(club_id, user_id)]
        )
        club = next((to_club(i) for i in items if i.get("entity") == "club"), None)
        membership = next(
            (membership_view(i) for i in items if i.get("entity") == "membership"), None
        )
        return club, membership

    def update(self, before: Club, after: Club) -> None:
        """Replace `before` by `after` if nobody changed the club since `before` was read."""
        actions: list[dict[str, Any]] = [_update_action(before, after)]
        renamed = club_name_key(before.name) != club_name_key(after.name)
        if renamed:
            actions.append(_name_lock(after.name, after.club_id))
            actions.append(
                {
                    "Delete": {
                        "Key": keys.club_name_key(club_name_key(before.name)),
                        "ConditionExpression": "club_id = :club",
                        "ExpressionAttributeValues": {":club": before.club_id},
                    }
                }
            )
        actions += _discovery_changes(before, after)
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if renamed and cancelled.failed_condition(1):
                raise _name_taken(after.name) from None
            raise Conflict(
                "The club was changed by someone else; read it again.", code="version_conflict"
            ) from None

    def list_page(
        self, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Club], str | None]:
        partition = keys.club_directory_pk(status)
        start = decode_cursor(cursor, key_names=_PAGE_KEYS, fixed={GSI1.partition_key: partition})
        items, last_key = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk",
            values={":pk": partition},
            limit=limit,
            start_key=start,
        )
        return [to_club(i) for i in items], encode_cursor(last_key)

    # Discovery.

    def places(self, level: str, cell: str) -> list[dict[str, Any]]:
        """The entries of the clubs whose home lies in one cell (every page)."""
        found: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            page, start = self.table.query_page(
                index=None,
                key_condition="PK = :pk",
                values={":pk": keys.club_places_pk(level, cell)},
                limit=1000,
                start_key=start,
            )
            found += page
            if not start:
                return found

    def named(self, word: str, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
        """Ids of clubs with a name word beginning with `word` (one page of entries)."""
        partition = keys.club_words_pk(word)
        items, last = self.table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :word)",
            values={":pk": partition, ":word": word},
            limit=limit,
            start_key=decode_cursor(cursor, key_names=(PK, SK), fixed={PK: partition}),
        )
        return list(dict.fromkeys(str(i["club_id"]) for i in items)), encode_cursor(last)

    def clubs(self, club_ids: list[str]) -> dict[str, Club]:
        found: dict[str, Club] = {}
        for offset in range(0, len(club_ids), 100):
            wanted = [keys.club_key(c) for c in club_ids[offset : offset + 100]]
            for item in self.table.batch_get(wanted):
                club = to_club(item)
                found[club.club_id] = club
        return found
