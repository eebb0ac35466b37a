"""Security gates: cdk-nag, cfn-lint, least privilege across every template."""

from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk import aws_sqs as sqs
from cfnlint.api import lint

from stacks.app_builder import add_security_checks, build_platform, cdk_json_context
from stacks.config import load_stage
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

# The only actions granted on "*": they have no resource-level permissions in IAM.
_STAR_ALLOWED = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}


def test_all_five_stacks_of_each_stage_synthesize(synth: Synth) -> None:
    names = {name for name, _ in synth.all_templates()}
    for stage in ("dev", "prod"):
        for stack in ("Identity", "Data", "Integration", "Api", "Observability"):
            assert f"SydneyCycling-{stage}-{stack}" in names


def test_cfn_lint_finds_no_errors(synth: Synth) -> None:
    for name, _ in synth.all_templates():
        path = synth.outdir / f"{name}.template.json"
        matches = lint(path.read_text(), regions=[load_stage("prod").region])
        errors = [m for m in matches if m.rule.id.startswith("E")]
        assert not errors, f"{name}: {[str(e) for e in errors]}"


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def test_no_policy_grants_wildcard_actions_or_resources(synth: Synth) -> None:
    for name, template in synth.all_templates():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] not in {"AWS::IAM::Policy", "AWS::IAM::Role"}:
                continue
            props = resource["Properties"]
            documents = [props.get("PolicyDocument", {})] + [
                p["PolicyDocument"] for p in props.get("Policies", [])
            ]
            for statement in (s for d in documents for s in _statements(d)):
                if statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                assert not any(a == "*" or a.endswith(":*") for a in actions), (name, logical_id)
                if statement.get("Resource") == "*":
                    assert set(actions) <= _STAR_ALLOWED, (name, logical_id, actions)


def test_cdk_nag_fails_synthesis_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    """The gate is live: an insecure resource added to a stack stops the synth."""
    app = App(outdir=str(tmp_path), context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    stacks = build_platform(app, load_stage("dev"))
    sqs.Queue(
        stacks.data, "Insecure", encryption=sqs.QueueEncryption.UNENCRYPTED, enforce_ssl=False
    )
    add_security_checks(app)

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "SydneyCycling-dev-Data/Insecure" in report
    assert "AwsSolutions-SQS" in report
