"""`ops/preflight.py` against moto (SSM, Secrets Manager, SNS, Backup) and botocore's
Stubber where moto has no such call (Lambda's GetAccountSettings, SES v2's GetAccount,
Backup's DescribeRegionSettings): a stage
ready to deploy passes, and each thing that would fail a deploy, or leave a watched stage
silent, is a FAIL naming what to do."""

import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ops.preflight import BOOTSTRAP_PARAMETER, Finding, report, run
from stacks.config import load_stage

pytestmark = pytest.mark.unit

STRAVA: dict[str, Any] = {
    "client_id": "1234",
    "client_secret": "s" * 40,
    "verify_token": "v" * 20,
    "subscription_id": 9,
    "callback_secret": "c" * 43,
}


@pytest.fixture
def clients() -> Iterator[dict[str, Any]]:
    with mock_aws():
        names = ("ssm", "lambda", "sesv2", "secretsmanager", "sns", "backup")
        made = {name: boto3.client(name, region_name="ap-southeast-2") for name in names}
        made["backup_copy"] = boto3.client("backup", region_name="ap-southeast-4")
        yield made


def copy_vault(clients: dict[str, Any], stage: str) -> None:
    """The operator's one-time step: the vault in the second region."""
    clients["backup_copy"].create_backup_vault(
        BackupVaultName=f"sydney-cycling-{stage}-backups-copy"
    )


def ready(clients: dict[str, Any], stage: str) -> None:
    """A stage after its first deploy, with what operators fill filled."""
    clients["ssm"].put_parameter(
        Name=BOOTSTRAP_PARAMETER, Value="29", Type="String", Overwrite=True
    )
    secrets = clients["secretsmanager"]
    secrets.create_secret(
        Name=f"sydney-cycling-{stage}/strava-app", SecretString=json.dumps(STRAVA)
    )
    secrets.create_secret(
        Name=f"sydney-cycling-{stage}/push-credentials",
        SecretString=json.dumps({"fcm": {"server_key": "k"}}),
    )
    topic = clients["sns"].create_topic(Name="ops")["TopicArn"]
    clients["ssm"].put_parameter(
        Name=f"/sydney-cycling/{stage}/ops/topic-arn", Value=topic, Type="String"
    )
    # moto confirms an e-mail subscription at once, as a clicked confirmation would.
    clients["sns"].subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    copy_vault(clients, stage)


def findings(
    clients: dict[str, Any],
    stage: str,
    *,
    quota: int = 1000,
    verified: bool | None = True,
    production: bool = True,
    dynamodb_backups: bool = True,
    **overrides: Any,
) -> dict[str, Finding]:
    config = load_stage(stage, {"alarm_email": "ops@example.com", **overrides})
    with ExitStack() as stack:
        lambda_ = stack.enter_context(Stubber(clients["lambda"]))
        lambda_.add_response(
            "get_account_settings",
            {"AccountLimit": {"ConcurrentExecutions": quota}, "AccountUsage": {}},
        )
        ses = stack.enter_context(Stubber(clients["sesv2"]))
        if verified is None:
            ses.add_client_error("get_email_identity", "NotFoundException", http_status_code=404)
        else:
            ses.add_response(
                "get_email_identity",
                {"IdentityType": "DOMAIN", "VerifiedForSendingStatus": verified},
                {"EmailIdentity": config.email_domain},
            )
        ses.add_response("get_account", {"ProductionAccessEnabled": production})
        backup = stack.enter_context(Stubber(clients["backup"]))
        backup.add_response(
            "describe_region_settings",
            {"ResourceTypeManagementPreference": {"DynamoDB": dynamodb_backups}},
        )
        found = run(clients, config)
    return {f.check: f for f in found}


def failures(found: dict[str, Finding]) -> list[str]:
    return [name for name, f in found.items() if not f.ok and f.blocking]


def test_a_stage_ready_to_deploy_passes(clients: dict[str, Any]) -> None:
    ready(clients, "prod")
    found = findings(clients, "prod", cognito_ses=True)
    assert [f.check for f in found.values() if not f.ok] == []
    assert "ok    CDK bootstrap" in report(list(found.values()))
    assert STRAVA["client_secret"] not in report(list(found.values()))  # no secret printed


def test_an_account_never_bootstrapped_fails(clients: dict[str, Any]) -> None:
    found = findings(clients, "dev")
    assert "CDK bootstrap" in failures(found)
    assert "npx cdk bootstrap" in found["CDK bootstrap"].detail


def test_an_old_bootstrap_fails(clients: dict[str, Any]) -> None:
    clients["ssm"].put_parameter(Name=BOOTSTRAP_PARAMETER, Value="5", Type="String")
    assert "CDK bootstrap" in failures(findings(clients, "dev"))


def test_a_quota_too_small_for_the_reservations_fails(clients: dict[str, Any]) -> None:
    ready(clients, "prod")
    # prod reserves 50 per trigger and 10 for the publisher; a new account's quota is 10.
    found = findings(clients, "prod", quota=10, account_concurrency=1000)
    assert "Lambda concurrency" in failures(found)
    assert "-c account_concurrency=10" in found["Lambda concurrency setting"].detail


def test_an_unverified_domain_fails_only_when_cognito_sends_through_it(
    clients: dict[str, Any],
) -> None:
    ready(clients, "staging")
    assert "SES sender domain" in failures(
        findings(clients, "staging", verified=False, cognito_ses=True)
    )
    plain = findings(clients, "staging", verified=False)
    assert failures(plain) == [] and plain["SES sender domain"].verdict == "warn"


def test_prod_in_the_ses_sandbox_fails_and_dev_is_warned(clients: dict[str, Any]) -> None:
    ready(clients, "prod")
    assert failures(findings(clients, "prod", production=False)) == ["SES production access"]
    ready(clients, "dev")
    assert findings(clients, "dev", production=False)["SES production access"].verdict == "warn"


def test_an_unconfirmed_alarm_subscription_fails_a_watched_stage(clients: dict[str, Any]) -> None:
    ready(clients, "prod")
    topic = clients["ssm"].get_parameter(Name="/sydney-cycling/prod/ops/topic-arn")
    arn = topic["Parameter"]["Value"]
    for subscription in clients["sns"].list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
        clients["sns"].unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    found = findings(clients, "prod")
    assert failures(found) == ["Alarm subscription"]
    assert "confirm the e-mail" in found["Alarm subscription"].detail


def test_before_the_first_deploy_only_the_account_can_fail(clients: dict[str, Any]) -> None:
    clients["ssm"].put_parameter(Name=BOOTSTRAP_PARAMETER, Value="29", Type="String")
    copy_vault(clients, "prod")
    found = findings(clients, "prod", verified=None)
    assert failures(found) == []
    warned = {name for name, f in found.items() if f.verdict == "warn"}
    assert warned == {
        "SES sender domain",
        "Strava app secret",
        "Push credentials secret",
        "Alarm subscription",
    }


def test_a_strava_secret_still_holding_its_generated_value_is_flagged(
    clients: dict[str, Any],
) -> None:
    ready(clients, "dev")
    clients["secretsmanager"].put_secret_value(
        SecretId="sydney-cycling-dev/strava-app", SecretString="Zx8-generated-by-cdk"
    )
    found = findings(clients, "dev")
    assert found["Strava app secret"].verdict == "warn"
    assert "missing client_id" in found["Strava app secret"].detail


def test_backups_that_could_not_be_copied_fail(clients: dict[str, Any]) -> None:
    ready(clients, "prod")
    clients["backup_copy"].delete_backup_vault(BackupVaultName="sydney-cycling-prod-backups-copy")
    found = findings(clients, "prod", dynamodb_backups=False)
    assert failures(found) == ["Backup copy vault", "Backup of DynamoDB"]
    assert "--region ap-southeast-4" in found["Backup copy vault"].detail
    assert "DynamoDB=true" in found["Backup of DynamoDB"].detail


def test_dev_has_no_backups_to_check(clients: dict[str, Any]) -> None:
    ready(clients, "dev")
    assert not any(name.startswith("Backup") for name in findings(clients, "dev"))
