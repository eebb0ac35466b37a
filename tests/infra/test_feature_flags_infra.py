"""Feature flags on the prod synth: AppConfig holds the committed document, rolls it out
gradually and rolls back on the platform health alarm; exactly the functions that read
flags may, and only this stage's flags."""

import hashlib
import json
from typing import Any

import pytest

from shared.flags import DOCUMENT
from stacks.consumers import integration_alarm_names
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

FLAG_READERS = {
    ("Api", "MediaService"),
    ("Api", "UsersService"),
    ("Integration", "NotificationsConsumer"),
    ("Integration", "StravaSyncConsumer"),
    ("Integration", "ClubWebhooksConsumer"),
}


def _one(synth: Synth, stage: str, stack: str, kind: str) -> dict[str, Any]:
    (resource,) = synth.resources(stage, stack, kind).values()
    return resource["Properties"]


def test_appconfig_deploys_the_committed_document_gradually_watched_by_the_health_alarm(
    synth: Synth,
) -> None:
    version = _one(synth, "prod", "Data", "AWS::AppConfig::HostedConfigurationVersion")
    assert json.loads(version["Content"]) == json.loads(DOCUMENT.read_text())
    assert version["ContentType"] == "application/json"
    strategy = _one(synth, "prod", "Data", "AWS::AppConfig::DeploymentStrategy")
    assert strategy["GrowthFactor"] == 20 and strategy["DeploymentDurationInMinutes"] == 10
    assert strategy["FinalBakeTimeInMinutes"] == 10
    environment = _one(synth, "prod", "Data", "AWS::AppConfig::Environment")
    (monitor,) = environment["Monitors"]
    assert "sydney-cycling-prod-platform-health" in json.dumps(monitor["AlarmArn"])
    # Deployed by the observability stack, after the alarm that watches the rollout.
    assert not synth.resources("prod", "Data", "AWS::AppConfig::Deployment")
    (deployment,) = synth.resources("prod", "Observability", "AWS::AppConfig::Deployment").values()
    digest = hashlib.sha256(DOCUMENT.read_bytes()).hexdigest()[:16]
    assert deployment["Properties"]["Description"] == f"feature-flags.json sha256:{digest}"
    composites = synth.resources("prod", "Observability", "AWS::CloudWatch::CompositeAlarm")
    health = next(
        name
        for name, alarm in composites.items()
        if alarm["Properties"]["AlarmName"] == "sydney-cycling-prod-platform-health"
    )
    assert health in deployment["DependsOn"]
    dev = _one(synth, "dev", "Data", "AWS::AppConfig::DeploymentStrategy")
    assert dev["GrowthFactor"] == 100 and dev["DeploymentDurationInMinutes"] == 0
    names = {
        p["Properties"]["Name"]
        for p in synth.resources("prod", "Data", "AWS::SSM::Parameter").values()
    }
    assert {
        f"/sydney-cycling/prod/feature-flags/{p}-id"
        for p in ("application", "environment", "profile", "version", "strategy")
    } <= names


def _rule_text(rule: Any) -> str:
    """A composite alarm's rule as CloudFormation will make it (12-digit account)."""
    if isinstance(rule, str):
        return rule
    if "Fn::Join" in rule:
        return "".join(_rule_text(part) for part in rule["Fn::Join"][1])
    if "Ref" in rule:
        return {"AWS::AccountId": "123456789012", "AWS::Partition": "aws"}.get(rule["Ref"], "x")
    # A GetAtt of an alarm's Arn: as long as the longest real one.
    return "arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:" + "x" * 90


def test_the_platform_health_alarm_is_any_of_the_stages_alarms(synth: Synth) -> None:
    composites = {
        c["Properties"]["AlarmName"]: c["Properties"]
        for c in synth.resources(
            "prod", "Observability", "AWS::CloudWatch::CompositeAlarm"
        ).values()
    }
    health = composites.pop("sydney-cycling-prod-platform-health")
    assert health["AlarmActions"]
    assert json.dumps(health["AlarmRule"]).count("ALARM(") == len(composites) > 1
    watched = sum(json.dumps(c["AlarmRule"]).count("ALARM(") for c in composites.values())
    alarms = {
        name: alarm
        for name, alarm in synth.resources(
            "prod", "Observability", "AWS::CloudWatch::Alarm"
        ).items()
        # The business KPIs' alarms notify on their own, outside the health alarm.
        if "-kpi-" not in str(alarm["Properties"].get("AlarmName"))
    }
    elsewhere = integration_alarm_names("sydney-cycling-prod")
    assert watched == len(alarms) + len(elsewhere) and len(alarms) > 10
    # CloudWatch refuses a rule longer than 10,240 characters.
    for part in [health, *composites.values()]:
        assert len(_rule_text(part["AlarmRule"])) < 10_240


def test_exactly_the_flag_readers_may_read_this_stages_flags(synth: Synth) -> None:
    readers = set()
    for stack in ("Api", "Integration"):
        policies = synth.resources("prod", stack, "AWS::IAM::Policy")
        for name, policy in policies.items():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if "appconfig:GetLatestConfiguration" in actions:
                    resource = json.dumps(statement["Resource"])
                    assert "/sydney-cycling/prod/feature-flags/profile-id" in json.dumps(
                        synth.template_json("prod", stack)["Parameters"]
                    )
                    assert "configuration/" in resource and "*" not in resource
                    readers.add((stack, name))
        functions = synth.resources("prod", stack, "AWS::Lambda::Function")
        for function in functions.values():
            variables = function["Properties"].get("Environment", {}).get("Variables", {})
            if "FEATURE_FLAGS_APPLICATION" in variables:
                assert variables["FEATURE_FLAGS_ENVIRONMENT"] == "prod"
                assert variables["FEATURE_FLAGS_PROFILE"] == "feature-flags"
    assert len(readers) == len(FLAG_READERS)
    for stack, prefix in FLAG_READERS:
        assert any(s == stack and name.startswith(prefix) for s, name in readers), prefix
