"""The smoke suite (`tests/e2e/test_smoke_over_http.py`) against a deployed stage, as the
stage's smoke user (a rider; its e-mail and password in SMOKE_USER_EMAIL and
SMOKE_USER_PASSWORD):

    .venv/bin/python -m ops.smoke --stage dev      # AWS credentials for the stage

The API's URL comes from the SSM parameter the api stack publishes; the ID token from
Cognito's admin password sign-in (it needs AWS credentials, which the apps never have).
"""

import argparse
import os
import subprocess
import sys
from typing import Any

import boto3

from shared.names import api_url_parameter, resource_prefix

SUITE = "tests/e2e/test_smoke_over_http.py"


def id_token(cognito: Any, stage: str, email: str, password: str) -> str:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    (pool,) = [p["Id"] for p in pools if p["Name"] == resource_prefix(stage)]
    clients = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    (client,) = [
        c["ClientId"] for c in clients if c["ClientName"] == f"{resource_prefix(stage)}-web"
    ]
    answer = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.smoke", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    ssm = boto3.client("ssm", region_name=args.region)
    url = ssm.get_parameter(Name=api_url_parameter(args.stage))["Parameter"]["Value"]
    environment = {**os.environ, "SMOKE_API_URL": url}
    email, password = os.environ.get("SMOKE_USER_EMAIL"), os.environ.get("SMOKE_USER_PASSWORD")
    if email and password:
        cognito = boto3.client("cognito-idp", region_name=args.region)
        environment["SMOKE_ID_TOKEN"] = id_token(cognito, args.stage, email, password)
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:randomly", SUITE]
    return subprocess.run(command, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
