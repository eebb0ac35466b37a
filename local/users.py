"""Users of the local pool: creating them (with their profile) and signing them in."""

from typing import Any

from local.provision import SYSTEM_ROLE_ATTRIBUTE
from shared.domain.clock import utc_now
from shared.domain.enums import SystemRole
from shared.domain.user import new_profile
from shared.store.table import Table
from shared.store.users import create_profile, grant_site_admin


def create_user(
    cognito: Any,
    pool_id: str,
    email: str,
    password: str,
    system_role: SystemRole,
    table: Table,
    given_name: str | None = None,
    family_name: str | None = None,
) -> str:
    """A confirmed user with a permanent password and a profile; returns their `sub`.
    A SiteAdmin is made the way the bootstrap command makes one."""
    names = [
        {"Name": attribute, "Value": value}
        for attribute, value in (("given_name", given_name), ("family_name", family_name))
        if value
    ]
    answer = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": f"custom:{SYSTEM_ROLE_ATTRIBUTE}", "Value": system_role},
            *names,
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=password, Permanent=True
    )
    sub = str({a["Name"]: a["Value"] for a in answer["User"]["Attributes"]}["sub"])
    profile = new_profile(sub, email, utc_now(), given_name=given_name, family_name=family_name)
    create_profile(table, profile)
    if system_role == SystemRole.SITE_ADMIN:
        grant_site_admin(table, sub)
    return sub


def id_token(cognito: Any, client_id: str, email: str, password: str) -> str:
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])
