"""An API canary release on the synth: with `-c api_canary=<live>:<percent>` the stage
stays on the live deployment and its code (`-c live_versions`), and the new deployment is
its canary, on the new code through the `canary` aliases; without it, nothing of the kind
is in the template."""

from typing import Any

import pytest
from aws_cdk import App

from stacks.app_builder import build_platform, cdk_json_context
from stacks.config import load_stage
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _stage(template: dict[str, Any]) -> dict[str, Any]:
    (stage,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"]
    return dict(stage["Properties"])


def test_a_canary_release_keeps_the_stage_on_the_live_deployment(synth: Synth) -> None:
    assert "CanarySetting" not in _stage(synth.template_json("prod", "Api"))

    app = App(context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    config = load_stage(
        "prod",
        {"alarm_email": "ops@example.com", "api_canary": "live42:10", "live_versions": "clubs=7"},
    )
    stacks = build_platform(app, config)
    template = app.synth().get_stack_by_name(stacks.api.stack_name).template
    stage = _stage(template)
    assert stage["DeploymentId"] == "live42"
    canary = stage["CanarySetting"]
    assert canary["PercentTraffic"] == 10.0 and canary["UseStageCache"] is False
    # The canary's share runs the new code; the stage's stays where `live` is.
    assert canary["StageVariableOverrides"] == {"lambdaAlias": "canary"}
    assert stage["Variables"] == {"lambdaAlias": "live"}
    aliases = {
        name: r["Properties"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Alias"
    }
    clubs = {p["Name"]: p["FunctionVersion"] for n, p in aliases.items() if "Clubs" in n}
    assert clubs["live"] == "7"  # pinned: CodeDeploy has nothing to shift, nothing to undo
    assert "Fn::GetAtt" in clubs["canary"]  # the version this deploy publishes
    rides = {p["Name"]: p["FunctionVersion"] for n, p in aliases.items() if "Rides" in n}
    assert rides["live"] == rides["canary"]  # not pinned: a function new to the stage
    (deployment,) = [
        name
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::ApiGateway::Deployment"
    ]
    assert canary["DeploymentId"] == {"Ref": deployment}


def test_a_malformed_canary_is_refused_at_synth() -> None:
    with pytest.raises(ValueError, match="api_canary"):
        load_stage("prod", {"api_canary": "live42"})
    with pytest.raises(ValueError, match="live_versions is"):
        load_stage("prod", {"api_canary": "live42:10", "live_versions": "clubs:7"})
    with pytest.raises(ValueError, match="during an API canary only"):
        load_stage("prod", {"live_versions": "clubs=7"})


def test_the_dashboard_shows_the_stage_and_its_canary_side_by_side(synth: Synth) -> None:
    dashboards = synth.resources("prod", "Observability", "AWS::CloudWatch::Dashboard")
    # The body is JSON text joined with tokens; its plain parts hold the expressions.
    body = "".join(
        part
        for dashboard in dashboards.values()
        for part in dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
        if isinstance(part, str)
    )
    for metric in ("Count", "5XXError"):
        expected = (
            "SEARCH('{AWS/ApiGateway,ApiName,Stage} "
            f'ApiName=\\"sydney-cycling-prod-api\\" MetricName=\\"{metric}\\"'
        )
        assert expected in body, metric
    # The canary's alarm, by the fixed name ops/api_canary.py gives it during a release.
    assert ":alarm:sydney-cycling-prod-api-canary-5xx" in body
    assert '"type":"alarm"' in body and "API canary 5XX rate" in body


def test_the_ops_topic_is_found_through_a_parameter(synth: Synth) -> None:
    parameters = synth.resources("prod", "Observability", "AWS::SSM::Parameter")
    (topic,) = [
        p["Properties"]
        for p in parameters.values()
        if p["Properties"]["Name"] == "/sydney-cycling/prod/ops/topic-arn"
    ]
    topics = synth.resources("prod", "Observability", "AWS::SNS::Topic")
    assert topic["Value"] == {"Ref": next(iter(topics))}
