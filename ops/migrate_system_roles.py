"""Give every SiteAdmin of a stage its role item, once, when a stage moves to role items.

Until this release the pre-token trigger read the role from the profile; it now reads the
role item (`ROLE#{user_id}`, `shared/store/keys.py`), which only the users API and the
operators may write. A SiteAdmin made before has no role item, so their tokens say rider
(fail closed) until this runs:

    python -m ops.migrate_system_roles --stage prod            # what it would do
    python -m ops.migrate_system_roles --stage prod --apply    # AWS credentials

It reads the profiles with a Scan (an operator's one-off, never a request path), writes a
role item for each profile marked SiteAdmin that has none (conditionally: running it
twice changes nothing) and leaves the SiteAdmin count as it is (it already counts them).
"""

import sys
from collections.abc import Iterator
from typing import Any

from ops.table_one_off import run
from shared.domain.enums import SystemRole
from shared.store import keys
from shared.store.table import ConditionFailed, Table, deserialize


def site_admin_profiles(table: Table) -> Iterator[str]:
    pages = table.client.get_paginator("scan").paginate(
        TableName=table.name,
        FilterExpression="entity = :user AND system_role = :admin",
        ExpressionAttributeValues={
            ":user": {"S": "user"},
            ":admin": {"S": SystemRole.SITE_ADMIN.value},
        },
        ProjectionExpression="user_id",
        ConsistentRead=True,
    )
    for page in pages:
        for item in page.get("Items", []):
            yield str(deserialize(item)["user_id"])


def migrate(table: Table, *, apply: bool) -> list[tuple[str, str]]:
    """(user id, what happened) for each SiteAdmin profile."""
    outcomes: list[tuple[str, str]] = []
    for user_id in site_admin_profiles(table):
        if table.get(keys.system_role_key(user_id)) is not None:
            outcomes.append((user_id, "has its role item"))
            continue
        if not apply:
            outcomes.append((user_id, "would get its role item"))
            continue
        item: dict[str, Any] = {
            **keys.system_role_key(user_id),
            "entity": "system_role",
            "user_id": user_id,
            "system_role": SystemRole.SITE_ADMIN.value,
        }
        try:
            table.put(item, condition="attribute_not_exists(PK)")
            outcomes.append((user_id, "role item written"))
        except ConditionFailed:
            outcomes.append((user_id, "has its role item"))
    return outcomes


def main(argv: list[str]) -> int:
    return run(argv, "python -m ops.migrate_system_roles", __doc__, migrate, "SiteAdmin profile(s)")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
