"""User profiles in the single table, shared by the users service and the Cognito triggers."""

from typing import Any

from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.table import ConditionFailed, Item, Table

_FIELDS = frozenset(UserProfile.model_fields)


def profile_item(profile: UserProfile) -> dict[str, Any]:
    return {**keys.user_key(profile.user_id), "entity": "user", **profile.model_dump(mode="json")}


def to_profile(item: Item) -> UserProfile:
    return UserProfile.model_validate({k: v for k, v in item.items() if k in _FIELDS})


def read_profile(table: Table, user_id: str) -> UserProfile | None:
    item = table.get(keys.user_key(user_id))
    return to_profile(item) if item else None


def create_profile(table: Table, profile: UserProfile) -> bool:
    """Create the profile unless it exists (True when created). Never overwrites: a
    retried trigger, or a client racing the trigger, leaves the first profile in place."""
    try:
        table.put(profile_item(profile), condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False
    return True
