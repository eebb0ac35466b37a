"""Make a user the first SiteAdmin of a stage: nobody can grant the first one through the
API, since granting needs a SiteAdmin.

    python -m ops.bootstrap_site_admin someone@example.com --stage prod   # AWS credentials
    python -m ops.bootstrap_site_admin admin@example.com --local          # the local platform

The user must exist in the stage's user pool (signed up, or invited). Their profile is
created if the sign-up trigger has not, made SiteAdmin and counted, and Cognito's
attribute mirrors it. The user's next ID token carries the role.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

import local  # noqa: F401 - puts services/ on the import path
from local.state import STATE_FILE
from shared.domain.user import new_profile
from shared.store.schema import table_name
from shared.store.table import Table, TransactionCancelled
from shared.store.users import create_profile, read_profile
from users.store import grant_site_admin


def bootstrap(cognito: Any, table: Table, user_pool_id: str, email: str) -> str:
    """Returns what happened, for the operator."""
    user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    sub = attributes["sub"]
    if read_profile(table, sub) is None:
        create_profile(table, new_profile(sub, attributes.get("email"), datetime.now(UTC)))
    try:
        grant_site_admin(table, sub)
        outcome = f"{email} ({sub}) is now a SiteAdmin."
    except TransactionCancelled:
        outcome = f"{email} ({sub}) was already a SiteAdmin."
    cognito.admin_update_user_attributes(
        UserPoolId=user_pool_id,
        Username=email,
        UserAttributes=[{"Name": "custom:system_role", "Value": "SiteAdmin"}],
    )
    return outcome


def _pool_id(cognito: Any, name: str) -> str:
    for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return str(pool["Id"])
    raise SystemExit(f"No user pool named {name}: is the stage deployed in this region?")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bootstrap_site_admin", description=__doc__)
    parser.add_argument("email")
    parser.add_argument("--stage", choices=["dev", "staging", "prod"], default="dev")
    parser.add_argument("--region", default="ap-southeast-2")
    parser.add_argument("--local", action="store_true", help="the running local platform")
    parser.add_argument("--state", type=Path, default=STATE_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.local:
        from local.state import read_state

        state = read_state(args.state)
        session = boto3.Session(
            region_name=state["region"], aws_access_key_id="local", aws_secret_access_key="local"
        )
        cognito = session.client("cognito-idp", endpoint_url=state["moto_url"])
        dynamodb = session.client("dynamodb", endpoint_url=state["moto_url"])
        pool_id, table = state["resources"]["user_pool_id"], state["resources"]["table_name"]
    else:
        session = boto3.Session(region_name=args.region)
        cognito, dynamodb = session.client("cognito-idp"), session.client("dynamodb")
        pool_id, table = _pool_id(cognito, f"sydney-cycling-{args.stage}"), table_name(args.stage)
    print(bootstrap(cognito, Table(dynamodb, table), pool_id, args.email))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
