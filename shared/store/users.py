"""User profiles, SiteAdmin role items and the platform's SiteAdmin count, shared by the
users service, the Cognito triggers and the operations tools.

The role in tokens is read from the role item (`keys.system_role_key`), not the profile:
the profile keeps a copy for display, written in the same transaction."""

from typing import Any

from shared.domain.enums import SystemRole
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.table import ConditionFailed, Item, Table

_FIELDS = frozenset(UserProfile.model_fields)
SITE_ADMIN_COUNT = "admins"


def profile_item(profile: UserProfile) -> dict[str, Any]:
    return {**keys.user_key(profile.user_id), "entity": "user", **profile.model_dump(mode="json")}


def to_profile(item: Item) -> UserProfile:
    return UserProfile.model_validate({k: v for k, v in item.items() if k in _FIELDS})


def read_system_role(table: Table, user_id: str) -> SystemRole:
    """The role tokens carry, from its own item (strongly consistent)."""
    item = table.get(keys.system_role_key(user_id))
    return SystemRole(item["system_role"]) if item else SystemRole.USER


def system_role_change(user_id: str, role: SystemRole) -> dict[str, Any]:
    """The role item's half of a transaction that makes (a put) or unmakes (a delete) a
    SiteAdmin; each expects the other state, so a repeated grant is refused."""
    key = keys.system_role_key(user_id)
    if role is SystemRole.SITE_ADMIN:
        item = {**key, "entity": "system_role", "user_id": user_id, "system_role": role.value}
        return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
    return {"Delete": {"Key": key, "ConditionExpression": "attribute_exists(PK)"}}


# A deleted account's profile item: its id, and when (`docs/privacy.md`).
FORMER_USER = "former_user"


def read_profile(table: Table, user_id: str) -> UserProfile | None:
    """The profile; None when there is none, or only a deleted account's tombstone."""
    item = table.get(keys.user_key(user_id))
    return to_profile(item) if item and item.get("entity") == "user" else None


def create_profile(table: Table, profile: UserProfile) -> bool:
    """Create the profile unless it exists (True when created). Never overwrites: a
    retried trigger, or a client racing the trigger, leaves the first profile in place."""
    try:
        table.put(profile_item(profile), condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False
    return True


def site_admin_count_change(delta: int) -> dict[str, Any]:
    """The count's half of a transaction that makes or unmakes a SiteAdmin; a decrement
    needs another SiteAdmin to remain, so the platform never loses its last one."""
    update: dict[str, Any] = {
        "Key": keys.SITE_ADMINS_KEY,
        "UpdateExpression": "ADD #admins :delta",
        "ExpressionAttributeNames": {"#admins": SITE_ADMIN_COUNT},
        "ExpressionAttributeValues": {":delta": delta},
    }
    if delta < 0:
        update["ConditionExpression"] = "#admins > :one"
        update["ExpressionAttributeValues"][":one"] = 1
    return {"Update": update}


def grant_site_admin(table: Table, user_id: str) -> None:
    """Make an existing profile SiteAdmin and count it: how the first SiteAdmin of a stage
    is made (nobody holds the role to grant it through the API). Raises
    TransactionCancelled if the profile is missing or already SiteAdmin."""
    table.transact_write(
        [
            {
                "Update": {
                    "Key": keys.user_key(user_id),
                    "UpdateExpression": "SET system_role = :admin, version = version + :one",
                    "ConditionExpression": "attribute_exists(PK) AND system_role <> :admin",
                    "ExpressionAttributeValues": {
                        ":admin": SystemRole.SITE_ADMIN.value,
                        ":one": 1,
                    },
                }
            },
            site_admin_count_change(1),
            system_role_change(user_id, SystemRole.SITE_ADMIN),
        ]
    )
