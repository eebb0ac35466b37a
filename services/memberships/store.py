"""Membership persistence: conditional writes, and transactions with the club's admin count."""

from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.errors import Conflict
from shared.domain.membership import Membership
from shared.store import keys
from shared.store.clubs import to_club
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.deletion import account_deleted, account_open
from shared.store.memberships import (
    admin_count_change,
    membership_item,
    membership_view,
    to_membership,
)
from shared.store.schema import GSI1, PK, SK
from shared.store.table import Table, TransactionCancelled

_TABLE_PAGE_KEYS = (PK, SK)
_USER_PAGE_KEYS = (PK, SK, GSI1.partition_key, GSI1.sort_key)


def _lost_race() -> Conflict:
    return Conflict(
        "The membership was changed by someone else; read it again.", code="version_conflict"
    )


def _last_admin() -> Conflict:
    return Conflict("A club must keep at least one active admin.", code="last_admin")


class MembershipStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def read(
        self, club_id: str, subject_id: str, caller_id: str
    ) -> tuple[Club | None, Membership | None, MembershipView | None]:
        """Club, the subject's membership and the caller's, in one consistent round trip."""
        wanted = [keys.club_key(club_id), keys.membership_key(club_id, subject_id)]
        if caller_id != subject_id:
            wanted.append(keys.membership_key(club_id, caller_id))
        items = self.table.batch_get(wanted)
        club = next((i for i in items if i.get("entity") == "club"), None)
        by_user = {i["user_id"]: i for i in items if i.get("entity") == "membership"}
        subject = by_user.get(subject_id)
        return (
            to_club(club) if club else None,
            to_membership(subject) if subject else None,
            membership_view(by_user.get(caller_id)),
        )

    def put(self, membership: Membership, expected_version: int | None) -> None:
        """Create (`expected_version` None) or reuse the item of a past membership, while
        the member's account is open."""
        put: dict[str, Any] = {"Item": membership_item(membership)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": expected_version}
        try:
            self.table.transact_write([{"Put": put}, account_open(membership.user_id)])
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise account_deleted() from None
            raise Conflict(
                "A membership of this club changed meanwhile; read it again.",
                code="membership_exists",
            ) from None

    def replace(self, before: Membership, after: Membership) -> None:
        """Write `after` if the item is still `before`; move the admin count with it."""
        put = {
            "Put": {
                "Item": membership_item(after),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": before.version},
            }
        }
        delta = int(after.is_active_admin) - int(before.is_active_admin)
        try:
            if delta:
                self.table.transact_write([put, admin_count_change(after.club_id, delta)])
            else:
                self.table.transact_write([put])
        except TransactionCancelled as cancelled:
            if delta < 0 and cancelled.failed_condition(1):
                raise _last_admin() from None
            raise _lost_race() from None

    def list_club(
        self, club_id: str, *, status: str | None, role: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Membership], str | None]:
        partition = f"{keys.CLUB_PREFIX}{club_id}"
        filters, values = [], {":pk": partition, ":member": keys.MEMBER_PREFIX}
        names: dict[str, str] = {}
        if status:
            filters.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = status
        if role:
            filters.append("club_role = :role")
            values[":role"] = role
        items, last = self.table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :member)",
            values=values,
            limit=limit,
            start_key=decode_cursor(cursor, key_names=_TABLE_PAGE_KEYS, fixed={PK: partition}),
            filter_expression=" AND ".join(filters) or None,
            names=names or None,
        )
        return [to_membership(i) for i in items], encode_cursor(last)

    def list_user(
        self, user_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Membership], str | None]:
        """The user's memberships across clubs (GSI1; eventually consistent, not authz)."""
        partition = f"{keys.USER_PREFIX}{user_id}"
        items, last = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk",
            values={":pk": partition},
            limit=limit,
            start_key=decode_cursor(
                cursor, key_names=_USER_PAGE_KEYS, fixed={GSI1.partition_key: partition}
            ),
        )
        return [to_membership(i) for i in items], encode_cursor(last)
