"""Security gates: cdk-nag, cfn-guard, cfn-lint, least privilege across every template."""

import contextlib
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnWaitConditionHandle, Stack
from aws_cdk import aws_sqs as sqs
from cfnlint.api import lint

from stacks.app_builder import (
    add_security_checks,
    build_platform,
    cdk_json_context,
    unacknowledged_findings,
)
from stacks.config import load_stage
from stacks.constructs.queues import secure_queue
from stacks.guard import RULE_FAMILIES, control_tower_rules
from stacks.nag import acknowledge, acknowledge_guard
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
    """Prod's five templates, and each of dev's that has a resource type prod's same stack
    lacks (none today: dev is the same constructs with smaller values and fewer parts).
    cfn-lint takes ~6 s a template, the suite's time is shared."""
    templates = dict(synth.all_templates())
    linted = []
    for name, template in templates.items():
        if "-dev-" in name:
            kinds = {r["Type"] for r in template["Resources"].values()}
            prod = templates[name.replace("-dev-", "-prod-")]["Resources"].values()
            if kinds <= {r["Type"] for r in prod}:
                continue
        linted.append(name)
        path = synth.outdir / f"{name}.template.json"
        matches = lint(path.read_text(), regions=[load_stage("prod").region])
        errors = [m for m in matches if m.rule.id.startswith("E")]
        assert not errors, f"{name}: {[str(e) for e in errors]}"
    assert len([n for n in linted if "-prod-" in n]) == 5


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


@pytest.mark.parametrize("acknowledged", [False, True], ids=["unacknowledged", "acknowledged"])
def test_cfn_guard_fails_synthesis_on_an_unacknowledged_finding(
    tmp_path: Path, acknowledged: bool
) -> None:
    """app.py's second gate (`stacks/guard.py`): a Control Tower rule's finding stops the
    synth unless acknowledged with a reason. A queue without a dead-letter queue, which
    cdk-nag accepts (its own finding acknowledged here), is one."""
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Guarded")
    queue = secure_queue(stack, "WithoutDeadLetters")
    acknowledge(queue, "AwsSolutions-SQS3", "The guard's finding is the one under test here.")
    if acknowledged:
        acknowledge_guard(queue, "sqs_dlq_check", "Acknowledged to show the gate then passes.")
    add_security_checks(app, guard=True)

    if acknowledged:
        app.synth()
        return
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "sqs_dlq_check" in report and "Guarded/WithoutDeadLetters" in report


def test_a_finding_in_one_template_of_several_fails_the_apps_synth(tmp_path: Path) -> None:
    """app.py reads the report's findings itself (`unacknowledged_findings`) and exits on
    any: run by the CLI, CDK fails a synth only through the exit code of its own Node
    process, which the Python app's ignores (a prod synth with two unacknowledged guard
    findings exited 0), and the guard plugin's verdict is not trusted (it concluded
    "success" over those two)."""
    app = App(outdir=str(tmp_path))
    first = Stack(app, "First")
    queue = secure_queue(first, "WithoutDeadLetters")
    acknowledge(queue, "AwsSolutions-SQS3", "The guard's finding is the one under test here.")
    second = Stack(app, "Second")
    second.add_dependency(first)  # judged last
    CfnWaitConditionHandle(second, "NothingToJudge")
    add_security_checks(app, guard=True)
    with contextlib.suppress(RuntimeError):  # CDK's own verdict, when it reaches one
        app.synth()

    assert unacknowledged_findings(str(tmp_path)) == [
        "cdk-validator-cfnguard sqs_dlq_check: First/WithoutDeadLetters/Resource"
    ]


def _judged_type(rule_text: str) -> str:
    """The resource type a Control Tower rule judges: the first it declares (the type its
    `Resources.*[ Type == ... ]` selection reads; later ones are types it follows)."""
    found = re.search(r"[\"'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)[\"']", rule_text)
    assert found, rule_text[:200]
    return found[1]


def test_no_control_tower_rule_left_out_could_judge_a_resource_of_ours(synth: Synth) -> None:
    """The guard runs only the rule folders of services the templates use (for time): no
    rule left out judges a resource type the templates have."""
    ours = {
        resource["Type"]
        for _, template in synth.all_templates()
        for resource in template["Resources"].values()
    }
    rules = control_tower_rules()
    judged = {name: (family, _judged_type(text)) for name, (family, text) in rules.items()}
    left_out = {
        name: kind for name, (family, kind) in judged.items() if family not in RULE_FAMILIES
    }
    assert len(rules) > 200 and 0 < len(left_out) < len(rules)
    assert not {name: kind for name, kind in left_out.items() if kind in ours}
    kept = {kind for family, kind in judged.values() if family in RULE_FAMILIES}
    assert {"AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::S3::Bucket"} <= kept
