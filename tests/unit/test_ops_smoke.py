"""The pipeline's smoke user signs in with Cognito's admin password flow, against the
stage's pool and app client found by their names (moto's Cognito)."""

import boto3
import jwt
from moto import mock_aws

from ops.smoke import id_token


@mock_aws
def test_the_smoke_user_gets_an_id_token_from_the_stages_pool() -> None:
    cognito = boto3.client("cognito-idp", region_name="ap-southeast-2")
    cognito.create_user_pool(PoolName="sydney-cycling-staging")  # another stage's
    pool = cognito.create_user_pool(PoolName="sydney-cycling-dev")["UserPool"]["Id"]
    cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="sydney-cycling-dev-web",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    cognito.admin_create_user(UserPoolId=pool, Username="smoke@example.com")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="smoke@example.com", Password="Sm0ke!Test-pass", Permanent=True
    )

    token = id_token(cognito, "dev", "smoke@example.com", "Sm0ke!Test-pass")

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["iss"].endswith(pool)
