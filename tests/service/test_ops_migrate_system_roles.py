"""The one-off move of SiteAdmins to role items, against moto."""

from datetime import UTC, datetime

import pytest

from ops.migrate_system_roles import migrate
from shared.domain.enums import SystemRole
from shared.domain.user import new_profile
from shared.store import keys
from shared.store.table import Table
from shared.store.users import create_profile, read_system_role

pytestmark = pytest.mark.service

ADMIN = "aaaaaaaa-0000-4000-8000-00000000000a"
RIDER = "bbbbbbbb-0000-4000-8000-00000000000b"


def test_a_profile_marked_siteadmin_gets_its_role_item_once_and_only_with_apply(
    table: Table,
) -> None:
    now = datetime.now(UTC)
    create_profile(table, new_profile(ADMIN, "a@example.com", now))
    create_profile(table, new_profile(RIDER, "r@example.com", now))
    table.update(keys.user_key(ADMIN), "SET system_role = :a", values={":a": "SiteAdmin"})

    assert migrate(table, apply=False) == [(ADMIN, "would get its role item")]
    assert read_system_role(table, ADMIN) is SystemRole.USER  # fail closed until applied
    assert migrate(table, apply=True) == [(ADMIN, "role item written")]
    assert read_system_role(table, ADMIN) is SystemRole.SITE_ADMIN
    assert read_system_role(table, RIDER) is SystemRole.USER
    assert migrate(table, apply=True) == [(ADMIN, "has its role item")]
