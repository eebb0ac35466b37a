"""Cognito as production needs it: no OAuth left at CDK's defaults, and its mail through
SES from the stage's verified domain when asked (`-c cognito_ses=true`)."""

import json

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from stacks.app_builder import cdk_json_context
from stacks.config import load_stage
from stacks.identity_stack import IdentityStack
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_the_app_client_has_no_oauth_flows(synth: Synth) -> None:
    for stage in ("dev", "prod"):
        (client,) = synth.resources(stage, "Identity", "AWS::Cognito::UserPoolClient").values()
        properties = client["Properties"]
        assert properties["AllowedOAuthFlowsUserPoolClient"] is False
        for absent in ("AllowedOAuthFlows", "CallbackURLs", "AllowedOAuthScopes"):
            assert absent not in properties
        # SRP for the apps; admin password auth needs AWS credentials (the smoke user's).
        assert sorted(properties["ExplicitAuthFlows"]) == [
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
        ]


def test_cognito_mail_goes_through_ses_once_the_stage_asks(synth: Synth) -> None:
    (pool,) = synth.resources("prod", "Identity", "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"

    app = App(context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    config = load_stage("prod", {"cognito_ses": "true"})
    identity = IdentityStack(app, "Identity", config=config)
    (ses_pool,) = Template.from_stack(identity).find_resources("AWS::Cognito::UserPool").values()
    email = ses_pool["Properties"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == "Sydney Cycling <notifications@sydneycycling.example>"
    assert "identity/sydneycycling.example" in json.dumps(email["SourceArn"])


def test_siteadmin_tokens_need_mfa_outside_dev(synth: Synth) -> None:
    functions = synth.resources("prod", "Identity", "AWS::Lambda::Function")
    (trigger,) = [f for n, f in functions.items() if n.startswith("PreTokenGeneration")]
    assert trigger["Properties"]["Environment"]["Variables"]["SITE_ADMIN_MFA_REQUIRED"] == "1"
    policies = synth.resources("prod", "Identity", "AWS::IAM::Policy")
    (mfa,) = [p for n, p in policies.items() if n.startswith("PreTokenGenerationReadsMfa")]
    (statement,) = mfa["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "cognito-idp:AdminGetUser"
    assert "UserPool" in json.dumps(statement["Resource"]) and "*" not in json.dumps(
        statement["Resource"]
    )
    dev = synth.resources("dev", "Identity", "AWS::Lambda::Function")
    (dev_trigger,) = [f for n, f in dev.items() if n.startswith("PreTokenGeneration")]
    assert "SITE_ADMIN_MFA_REQUIRED" not in dev_trigger["Properties"]["Environment"]["Variables"]
