"""SnapStart, offered per stage: off by default; with `-c snap_start=true` every service
function's published versions (what `live` points at) are snapshotted."""

import pytest
from aws_cdk import App

from stacks.app_builder import build_platform, cdk_json_context
from stacks.config import load_stage
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_snapstart_is_off_unless_the_stage_asks(synth: Synth) -> None:
    for stack in ("Api", "Integration", "Identity"):
        for function in synth.resources("prod", stack, "AWS::Lambda::Function").values():
            assert "SnapStart" not in function["Properties"]

    app = App(context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    config = load_stage("staging", {"alarm_email": "ops@example.com", "snap_start": "true"})
    stacks = build_platform(app, config)
    assembly = app.synth()
    for name in (stacks.api.stack_name, stacks.integration.stack_name, stacks.identity.stack_name):
        template = assembly.get_stack_by_name(name).template
        services = [
            r["Properties"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::Lambda::Function"
            and r["Properties"].get("Layers")
            and r["Properties"]["Handler"] != "deployment.smoke.handler"
        ]
        assert services
        for properties in services:
            assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
