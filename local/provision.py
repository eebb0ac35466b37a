"""Creates in moto the resources the stacks define, from the same definitions."""

from dataclasses import dataclass
from typing import Any

from shared.names import resource_prefix
from shared.store.schema import (
    GLOBAL_INDEXES,
    PK,
    SK,
    TTL_ATTRIBUTE,
    attribute_definitions,
    table_name,
)

REGION = "ap-southeast-2"
LOCAL_STAGE = "local"
# moto accepts any credentials; these make sure nothing ever reaches real AWS.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
SYSTEM_ROLE_ATTRIBUTE = "system_role"


@dataclass(frozen=True)
class LocalResources:
    table_name: str
    user_pool_id: str
    client_id: str
    bucket_name: str
    event_bus_name: str


def create_table(dynamodb: Any, name: str, *, stream: bool = False) -> None:
    """The application table. The deployed one has a stream (read by the event
    publisher); locally nothing reads it and moto would keep every record, so it is off
    unless asked for."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attribute_definitions(),
        KeySchema=[
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in GLOBAL_INDEXES
        ],
        StreamSpecification=(
            {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            if stream
            else {"StreamEnabled": False}
        ),
    )
    dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def create_user_pool(cognito: Any, stage: str) -> tuple[str, str]:
    """A pool shaped like the identity stack's; returns (pool id, public client id)."""
    pool = cognito.create_user_pool(
        PoolName=resource_prefix(stage),
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
        Schema=[
            {
                "Name": SYSTEM_ROLE_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
            }
        ],
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web",
        GenerateSecret=False,
        # The deployed client allows SRP and refresh only; locally password auth is also
        # allowed so that scripts and tests can sign in without an SRP implementation.
        ExplicitAuthFlows=[
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
        ReadAttributes=["email", "given_name", "family_name", f"custom:{SYSTEM_ROLE_ATTRIBUTE}"],
        WriteAttributes=["email", "given_name", "family_name"],
    )["UserPoolClient"]
    return pool["Id"], client["ClientId"]


def provision(session: Any, stage: str = LOCAL_STAGE) -> LocalResources:
    """Create table, user pool and client, bucket and bus; `session` is a boto3 Session
    (or anything with `client(name)`) pointed at moto."""
    name = table_name(stage)
    create_table(session.client("dynamodb"), name)
    pool_id, client_id = create_user_pool(session.client("cognito-idp"), stage)
    bucket = f"{resource_prefix(stage)}-assets"
    session.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    bus = resource_prefix(stage)
    session.client("events").create_event_bus(Name=bus)
    return LocalResources(name, pool_id, client_id, bucket, bus)
