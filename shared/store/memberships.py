"""Membership items, shared by every service that reads or writes them.

Reads that feed authorization are consistent reads of the base table. The club item keeps
`admin_count`, the number of active admins, updated in the same transaction as any
membership change that moves it, so "a club never loses its last admin" holds under any
concurrency (the decrement is conditional on more than one admin remaining).
"""

from typing import Any

from shared.authz import MembershipView
from shared.domain.enums import ClubRole, MembershipStatus
from shared.domain.membership import Membership
from shared.store import keys
from shared.store.schema import GSI1
from shared.store.table import Item

ADMIN_COUNT = "admin_count"
_FIELDS = frozenset(Membership.model_fields)


def membership_view(item: Item | None) -> MembershipView | None:
    if item is None:
        return None
    return MembershipView(
        club_id=item["club_id"],
        user_id=item["user_id"],
        club_role=ClubRole(item["club_role"]),
        status=MembershipStatus(item["status"]),
    )


def to_membership(item: Item) -> Membership:
    return Membership.model_validate({k: v for k, v in item.items() if k in _FIELDS})


def membership_item(membership: Membership) -> dict[str, Any]:
    return {
        **keys.membership_key(membership.club_id, membership.user_id),
        GSI1.partition_key: keys.user_memberships_pk(membership.user_id),
        GSI1.sort_key: keys.user_memberships_sk(membership.club_id),
        "entity": "membership",
        **membership.model_dump(mode="json"),
    }


def admin_count_change(club_id: str, delta: int) -> dict[str, Any]:
    """The club-side half of a transaction that adds or removes an active admin."""
    update: dict[str, Any] = {
        "Key": keys.club_key(club_id),
        "UpdateExpression": "ADD #admins :delta",
        "ConditionExpression": "attribute_exists(PK)",
        "ExpressionAttributeNames": {"#admins": ADMIN_COUNT},
        "ExpressionAttributeValues": {":delta": delta},
    }
    if delta < 0:
        update["ConditionExpression"] += " AND #admins > :one"
        update["ExpressionAttributeValues"][":one"] = 1
    return {"Update": update}


def active_membership_check(club_id: str, user_id: str) -> dict[str, Any]:
    """A transaction action that holds only while the user is an active member."""
    return {
        "ConditionCheck": {
            "Key": keys.membership_key(club_id, user_id),
            "ConditionExpression": "#status = :active",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":active": MembershipStatus.ACTIVE.value},
        }
    }


__all__ = [
    "ADMIN_COUNT",
    "active_membership_check",
    "admin_count_change",
    "membership_item",
    "membership_view",
    "to_membership",
]
