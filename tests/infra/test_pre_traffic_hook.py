"""Blue-green that sees a broken version before users do: every alias CodeDeploy shifts has
a pre-traffic hook, the stack's one, which may read that group's deployments and try that
function's versions, nothing else."""

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


@pytest.mark.parametrize("stack", ["Identity", "Api", "Integration"])
def test_every_shifted_alias_is_tried_by_the_stacks_hook_first(synth: Synth, stack: str) -> None:
    template = synth.template_json("prod", stack)["Resources"]
    every_alias = [r for r in template.values() if r["Type"] == "AWS::Lambda::Alias"]
    aliases = [r for r in every_alias if r["Properties"]["Name"] == "live"]
    # An API function's `canary` alias moves at once: only an API canary's share reaches it,
    # and that release is judged by `ops/api_canary.py` (decision 38).
    others = [r for r in every_alias if r["Properties"]["Name"] != "live"]
    assert all(r["Properties"]["Name"] == "canary" and "UpdatePolicy" not in r for r in others)
    assert bool(others) == (stack == "Api")
    hooks = [
        name
        for name, r in template.items()
        if r["Type"] == "AWS::Lambda::Function" and name.startswith("PreTrafficHookFunction")
    ]
    assert len(hooks) == 1 and len(aliases) >= 2
    for alias in aliases:
        update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        assert update["BeforeAllowTrafficHook"] == {"Ref": hooks[0]}
    (hook,) = [template[name] for name in hooks]
    assert hook["Properties"]["Handler"] == "deployment.smoke.handler"


def test_the_hook_reads_deployments_and_tries_versions_of_its_stack_only(synth: Synth) -> None:
    policies = synth.resources("prod", "Api", "AWS::IAM::Policy")
    (policy,) = [p for n, p in policies.items() if n.startswith("PreTrafficHookRoleDefaultPolicy")]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {
        action
        for s in statements
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "codedeploy:GetDeployment",
        "codedeploy:PutLifecycleEventHookExecutionStatus",
        "lambda:GetFunctionConfiguration",
        "lambda:InvokeFunction",
    }
    for statement in statements:
        assert statement["Resource"] != "*"
    (invoked,) = [s for s in statements if "lambda:InvokeFunction" in s["Action"]]
    assert len(invoked["Resource"]) == 8  # the eight API services' versions


def test_each_deployment_rolls_back_on_what_the_new_version_alone_does(synth: Synth) -> None:
    template = synth.template_json("prod", "Api")["Resources"]
    groups = [r for r in template.values() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup"]
    alarms = {
        name: r["Properties"]
        for name, r in template.items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert len(groups) == 8
    for group in groups:
        watched = [a["Name"]["Ref"] for a in group["Properties"]["AlarmConfiguration"]["Alarms"]]
        metrics = {alarms[name]["MetricName"]: alarms[name] for name in watched}
        assert set(metrics) == {"Errors", "UnhandledError"}
        dimensions = [
            {d["Name"]: d["Value"] for d in alarms[name].get("Dimensions", [])} for name in watched
        ]
        # The version being deployed: a dimension that is the new Version resource.
        per_version = [d for d in dimensions if "ExecutedVersion" in d or "version" in d]
        assert len(per_version) == 2
        for d in per_version:
            version = d.get("ExecutedVersion") or d["version"]
            assert "Fn::GetAtt" in version and version["Fn::GetAtt"][1] == "Version"
