"""The pipeline's access as code (stacks/deploy_access_stack.py), synthesized with cdk-nag:
only this repository's jobs in the stage's GitHub environment assume the role; it deploys
through CDK's bootstrap roles and holds no CloudFormation, IAM or data rights of its own;
the ops commands' actions are on the stage's named resources."""

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from cfnlint.api import lint

from stacks.app_builder import add_security_checks, cdk_json_context
from stacks.config import load_stage
from stacks.deploy_access_stack import DeployAccessStack

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

REPOSITORY = "sydney-cycling/backend"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("deploy-access")
    app = App(outdir=str(outdir), context=cdk_json_context())
    DeployAccessStack(
        app,
        "Access",
        config=load_stage("prod", {"alarm_email": "o@example.com"}),
        repository=REPOSITORY,
    )
    add_security_checks(app)
    app.synth()  # raises on any unacknowledged cdk-nag finding
    document: dict[str, Any] = json.loads((Path(outdir) / "Access.template.json").read_text())
    return document


def _role(template: dict[str, Any]) -> dict[str, Any]:
    (role,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"
               and "github-deploy" in json.dumps(r)]  # fmt: skip
    return role


def _allowed(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_only_this_repositorys_jobs_in_the_stages_environment_assume_it(
    template: dict[str, Any],
) -> None:
    (trust,) = _role(template)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:prod",
    }


def test_it_deploys_through_cdks_roles_and_holds_no_broad_rights(template: dict[str, Any]) -> None:
    statements = _allowed(template)
    actions = [action for s in statements for action in _actions(s)]
    assert "sts:AssumeRole" in actions
    forbidden = ("cloudformation:", "iam:", "dynamodb:", "s3:", "kms:", "lambda:Update")
    assert [a for a in actions if a.startswith(forbidden) or a.endswith(":*") or a == "*"] == []
    (assume,) = [s for s in statements if _actions(s) == ["sts:AssumeRole"]]
    assert "role/cdk-hnb659fds-*" in json.dumps(assume["Resource"])
    # Wildcard resources only for the actions AWS authorizes on no resource.
    unscoped = {a for s in statements if s["Resource"] == "*" for a in _actions(s)}
    assert unscoped == {
        "lambda:GetAccountSettings",
        "ses:GetAccount",
        "cloudwatch:GetMetricData",
        "cognito-idp:ListUserPools",
        "backup:DescribeRegionSettings",
    }
    (alarm,) = [s for s in statements if "cloudwatch:PutMetricAlarm" in _actions(s)]
    assert "alarm:sydney-cycling-prod-api-canary-5xx" in json.dumps(alarm["Resource"])


def test_cfn_lint_finds_no_errors(template: dict[str, Any]) -> None:
    matches = lint(json.dumps(template), regions=["ap-southeast-2"])
    assert [str(m) for m in matches if m.rule.id.startswith("E")] == []
