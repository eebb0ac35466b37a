"""Make a user the first SiteAdmin of a stage: nobody can grant the first one through the
API, since granting needs a SiteAdmin.

    python -m ops.bootstrap_site_admin someone@example.com --stage prod   # AWS credentials

(`make bootstrap-admin EMAIL=... STAGE=local` does the same to the running local platform,
through `local.bootstrap_admin`.) The user must exist in the stage's user pool (signed up,
or invited). Their profile is created if the sign-up trigger has not, made SiteAdmin and
counted, and Cognito's attribute mirrors it. The user's next ID token carries the role.
"""

import argparse
import sys
from typing import Any

import boto3

from ops.stage_table import add_table_argument, stage_table_name
from shared.adapters.identity import IdentityDirectory
from shared.domain.clock import utc_now
from shared.domain.enums import SystemRole
from shared.domain.user import new_profile
from shared.names import resource_prefix
from shared.store.table import Table, TransactionCancelled
from shared.store.users import create_profile, grant_site_admin, read_profile


def bootstrap(directory: IdentityDirectory, table: Table, email: str) -> str:
    """Returns what happened, for the operator."""
    attributes = directory.user_attributes(email)
    sub = attributes["sub"]
    if read_profile(table, sub) is None:
        create_profile(table, new_profile(sub, attributes.get("email"), utc_now()))
    try:
        grant_site_admin(table, sub)
        outcome = f"{email} ({sub}) is now a SiteAdmin."
    except TransactionCancelled:
        outcome = f"{email} ({sub}) was already a SiteAdmin."
    directory.set_system_role(email, SystemRole.SITE_ADMIN, sign_out=False)
    return outcome


def user_pool_id(cognito: Any, name: str) -> str:
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
    add_table_argument(parser)
    args = parser.parse_args(argv)

    session = boto3.Session(region_name=args.region)
    cognito, dynamodb = session.client("cognito-idp"), session.client("dynamodb")
    directory = IdentityDirectory(cognito, user_pool_id(cognito, resource_prefix(args.stage)))
    print(
        bootstrap(directory, Table(dynamodb, stage_table_name(args.stage, args.table)), args.email)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
