"""Strava: its secrets (no value in the template), the key that seals riders' tokens, what
the API function and the sync consumer may do, and that the sync runs in the egress VPC."""

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _statements(synth: Synth, stage: str, stack: str, prefix: str) -> list[dict[str, Any]]:
    return synth.granted(stage, stack, prefix)


def _by_action(statements: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            found.setdefault(action, []).append(statement)
    return found


def test_the_sealing_key_is_only_the_accounts_and_rotates(synth: Synth) -> None:
    (key,) = synth.resources("prod", "Data", "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    allowed, denied = key["Properties"]["KeyPolicy"]["Statement"]
    # Only the account's IAM decides who uses it: no service or cross-account principal.
    principal = json.dumps(allowed["Principal"])
    assert allowed["Effect"] == "Allow"
    assert list(allowed["Principal"]) == ["AWS"] and principal.endswith(':root"]]}}')
    assert "AWS::AccountId" in principal
    # And no one may hand its use on through a grant, except AWS services (CT.KMS.PR.3).
    assert denied["Effect"] == "Deny" and denied["Action"] == "kms:CreateGrant"
    assert denied["Principal"] == {"AWS": "*"}
    assert denied["Condition"] == {
        "BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
    }
    synth.template("prod", "Data").has_resource_properties(
        "AWS::KMS::Alias", {"AliasName": "alias/sydney-cycling-prod-integration-secrets"}
    )


def test_the_api_function_reads_its_secrets_and_puts_events_on_the_stage_bus_only(
    synth: Synth,
) -> None:
    grants = _by_action(_statements(synth, "prod", "Api", "StravaService"))
    secrets = json.dumps([s["Resource"] for s in grants["secretsmanager:GetSecretValue"]])
    assert "sydney-cycling-prod/strava-app" in secrets
    assert "sydney-cycling-prod/strava-state-key" in secrets
    assert "push-credentials" not in secrets and "notifications-signing" not in secrets
    (put,) = grants["events:PutEvents"]
    assert "event-bus/sydney-cycling-prod" in json.dumps(put["Resource"])
    assert set(grants) >= {"kms:Encrypt", "kms:Decrypt", "ssm:GetParameter"}
    assert not any(action.startswith(("sqs:", "s3:", "sns:")) for action in grants)


def test_the_sync_consumer_runs_in_the_vpc_and_postpones_its_own_messages(synth: Synth) -> None:
    functions = synth.resources("prod", "Integration", "AWS::Lambda::Function")
    (sync,) = [f for name, f in functions.items() if name.startswith("StravaSyncConsumer")]
    assert "VpcConfig" in sync["Properties"]
    variables = sync["Properties"]["Environment"]["Variables"]
    assert variables["STRAVA_APP_SECRET_NAME"] == "sydney-cycling-prod/strava-app"
    assert "StravaSyncQueue" in json.dumps(variables["STRAVA_SYNC_QUEUE_URL"])
    grants = _by_action(_statements(synth, "prod", "Integration", "StravaSyncConsumer"))
    (postpone,) = grants["sqs:ChangeMessageVisibility"]
    assert "StravaSyncQueue" in json.dumps(postpone["Resource"])
    assert "dynamodb:UpdateItem" not in grants and "kms:ReEncrypt*" not in grants
    rules = synth.resources("prod", "Integration", "AWS::Events::Rule").values()
    # Strava's pushes, and accounts being deleted (unlinked at Strava: decision 37).
    assert any(
        r["Properties"]["EventPattern"].get("detail-type")
        == ["strava_webhook_received", "user_deletion_requested"]
        for r in rules
    )


def test_the_callback_and_push_endpoints_are_public_and_the_rest_guarded(synth: Synth) -> None:
    methods = synth.resources("prod", "Api", "AWS::ApiGateway::Method").values()
    strava = [m for m in methods if "strava" in json.dumps(m["Properties"].get("ResourceId"))]
    public = sorted(
        m["Properties"]["HttpMethod"]
        for m in strava
        if m["Properties"]["AuthorizationType"] == "NONE"
    )
    assert public.count("OPTIONS") >= 1
    assert [m for m in public if m != "OPTIONS"] == ["GET", "GET", "POST"]
