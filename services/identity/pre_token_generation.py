"""Pre-token-generation trigger: the ID token carries `user_id` and `system_role`, with
the profile (read consistently) as the authority for the role."""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import get_settings
from shared.domain.enums import SystemRole
from shared.observability import logger, tracer
from shared.store.client import dynamodb_client
from shared.store.table import Table
from shared.store.users import read_profile


@cache
def _table() -> Table:
    return Table(dynamodb_client(), get_settings().table_name)


def claims_for(event: dict[str, Any], table: Table) -> dict[str, str]:
    user_id = event["request"]["userAttributes"]["sub"]
    profile = read_profile(table, user_id)
    # No profile yet (an invited user's first sign-in): the least privilege.
    role = profile.system_role if profile else SystemRole.USER
    return {"user_id": user_id, "system_role": str(role)}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event.setdefault("response", {})["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": claims_for(event, _table())
    }
    return event
