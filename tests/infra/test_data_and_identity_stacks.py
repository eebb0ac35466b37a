"""Data and identity stacks: the properties that protect riders' data."""

import pytest
from aws_cdk.assertions import Match

from shared.store.schema import GLOBAL_INDEXES, table_name
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_table_schema_matches_the_shared_definition(synth: Synth) -> None:
    indexes = [
        {
            "IndexName": index.name,
            "KeySchema": [
                {"AttributeName": index.partition_key, "KeyType": "HASH"},
                {"AttributeName": index.sort_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index in GLOBAL_INDEXES
    ]
    synth.template("dev", "Data").has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": table_name("dev"),
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": indexes,
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    )


@pytest.mark.parametrize(("stage", "protected"), [("dev", False), ("prod", True)])
def test_data_is_retained_and_protected_outside_dev(
    synth: Synth, stage: str, protected: bool
) -> None:
    (table,) = synth.resources(stage, "Data", "AWS::DynamoDB::Table").values()
    assert table["Properties"]["DeletionProtectionEnabled"] is protected
    assert table["DeletionPolicy"] == ("RetainExceptOnCreate" if protected else "Delete")

    (pool,) = synth.resources(stage, "Identity", "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["DeletionProtection"] == ("ACTIVE" if protected else "INACTIVE")
    assert pool["DeletionPolicy"] == ("RetainExceptOnCreate" if protected else "Delete")


def test_assets_bucket_is_private_encrypted_versioned_and_tls_only(synth: Synth) -> None:
    template = synth.template("prod", "Data")
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": Match.any_value(),
            "VersioningConfiguration": {"Status": "Enabled"},
            "LoggingConfiguration": Match.any_value(),
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [Match.object_like({"NoncurrentVersionExpiration": {"NoncurrentDays": 30}})]
                )
            },
        },
    )
    policies = synth.resources("prod", "Data", "AWS::S3::BucketPolicy").values()
    denials = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert len(denials) == 2  # both buckets refuse plain HTTP
    assert all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denials)
    for policy in policies:
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] != "*"


def test_system_role_attribute_is_readable_but_not_client_writable(synth: Synth) -> None:
    template = synth.template("prod", "Identity")
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "Schema": Match.array_with(
                [Match.object_like({"Name": "system_role", "Mutable": True})]
            ),
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
            "AccountRecoverySetting": {
                "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
            },
            "Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": 12})},
        },
    )
    (client,) = synth.resources("prod", "Identity", "AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    assert "custom:system_role" in props["ReadAttributes"]
    assert not any("system_role" in a for a in props["WriteAttributes"])
    assert props["GenerateSecret"] is False
    assert "ALLOW_USER_PASSWORD_AUTH" not in props["ExplicitAuthFlows"]  # no password in clear


def test_prod_pool_has_threat_protection(synth: Synth) -> None:
    synth.template("prod", "Identity").has_resource_properties(
        "AWS::Cognito::UserPool",
        {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}},
    )
