"""Pre-token-generation trigger: the ID token carries `user_id` and `system_role`, with
the role item (read consistently; absent for riders) as the authority for the role. Where
the stage requires it (`SITE_ADMIN_MFA=required`), a SiteAdmin without an authenticator
app enrolled gets a rider's token: Cognito asks a user with TOTP on for a code at every
password sign-in, and this runs again at every token refresh, so a SiteAdmin token proves a
second factor."""

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters.identity import IdentityDirectory
from shared.aws_clients import aws_client
from shared.domain.enums import SystemRole
from shared.observability import instrumented, logger
from shared.settings import TokenSettings
from shared.store.table import Table, app_table
from shared.store.users import read_system_role


def _second_factor(event: dict[str, Any], directory: IdentityDirectory) -> bool:
    try:
        return directory.uses_totp(event["userName"])
    except (ClientError, BotoCoreError):
        logger.exception("MFA settings unreadable: the SiteAdmin role is withheld")
        return False  # closed: without proof, no SiteAdmin


def claims_for(
    event: dict[str, Any], table: Table, directory: IdentityDirectory | None = None
) -> dict[str, str]:
    user_id = event["request"]["userAttributes"]["sub"]
    role = read_system_role(table, user_id)
    unproven = (
        role is SystemRole.SITE_ADMIN
        and directory is not None
        and not _second_factor(event, directory)
    )
    if unproven:
        logger.warning("SiteAdmin without MFA: signed in as a rider", extra={"user_id": user_id})
        role = SystemRole.USER
    return {"user_id": user_id, "system_role": str(role)}


@cache
def _directory(user_pool_id: str) -> IdentityDirectory:
    return IdentityDirectory(partial(aws_client, "cognito-idp"), user_pool_id)


def _add_claims(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    required = TokenSettings.from_environment().site_admin_mfa_required
    directory = _directory(event["userPoolId"]) if required else None
    event.setdefault("response", {})["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": claims_for(event, app_table(), directory)
    }
    return event


handler = instrumented(_add_claims)
