"""Pre-token-generation trigger: the ID token carries `user_id` and `system_role`, with
the profile (read consistently) as the authority for the role."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.domain.enums import SystemRole
from shared.observability import instrumented
from shared.store.table import Table, app_table
from shared.store.users import read_profile


def claims_for(event: dict[str, Any], table: Table) -> dict[str, str]:
    user_id = event["request"]["userAttributes"]["sub"]
    profile = read_profile(table, user_id)
    # No profile yet (an invited user's first sign-in): the least privilege.
    role = profile.system_role if profile else SystemRole.USER
    return {"user_id": user_id, "system_role": str(role)}


def _add_claims(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event.setdefault("response", {})["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": claims_for(event, app_table())
    }
    return event


handler = instrumented(_add_claims)
