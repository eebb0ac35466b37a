"""The rollback drill's steps against stubbed AWS APIs: it finds the service's function and
deployment group in the api stack, publishes a broken version without leaving $LATEST
broken, deploys it through CodeDeploy with the right AppSpec, and passes only when the
deployment was refused and the alias did not move."""

import json
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ops.rollback_drill import BROKEN_HANDLER, run_drill

FUNCTION = "SydneyCycling-dev-Api-ClubsServiceFunction1A2B-xyz"
RESOURCES = [
    {"LogicalResourceId": "ClubsServiceFunction1A2B", "ResourceType": "AWS::Lambda::Function"},
    {
        "LogicalResourceId": "ClubsServiceDeploymentApplication9F",
        "ResourceType": "AWS::CodeDeploy::Application",
    },
    {
        "LogicalResourceId": "ClubsServiceDeployment77",
        "ResourceType": "AWS::CodeDeploy::DeploymentGroup",
    },
    {"LogicalResourceId": "RidesServiceFunction3C", "ResourceType": "AWS::Lambda::Function"},
]
PHYSICAL = {
    "ClubsServiceFunction1A2B": FUNCTION,
    "ClubsServiceDeploymentApplication9F": "clubs-app",
    "ClubsServiceDeployment77": "clubs-group",
    "RidesServiceFunction3C": "rides",
}


def _clients(deployment_status: str, alias_after: str) -> tuple[dict[str, Any], list[Stubber]]:
    clients = {
        name: boto3.client(name, region_name="ap-southeast-2")
        for name in ("cloudformation", "lambda", "codedeploy")
    }
    cfn, lam, deploy = (Stubber(clients[n]) for n in ("cloudformation", "lambda", "codedeploy"))
    cfn.add_response(
        "describe_stack_resources",
        {
            "StackResources": [
                {
                    **r,
                    "PhysicalResourceId": PHYSICAL[r["LogicalResourceId"]],
                    "StackName": "SydneyCycling-dev-Api",
                    "Timestamp": "2026-11-28T00:00:00Z",
                    "ResourceStatus": "UPDATE_COMPLETE",
                }
                for r in RESOURCES
            ]
        },
        {"StackName": "SydneyCycling-dev-Api"},
    )
    updated = {"Configuration": {"LastUpdateStatus": "Successful"}}
    lam.add_response(
        "get_alias", {"FunctionVersion": "7"}, {"FunctionName": FUNCTION, "Name": "live"}
    )
    lam.add_response("get_function_configuration", {"Handler": "clubs.handler.handler"})
    lam.add_response(
        "update_function_configuration", {}, {"FunctionName": FUNCTION, "Handler": BROKEN_HANDLER}
    )
    lam.add_response("get_function", updated)
    lam.add_response("publish_version", {"Version": "8"})
    # $LATEST is put back as it was, whatever happens next.
    lam.add_response(
        "update_function_configuration",
        {},
        {"FunctionName": FUNCTION, "Handler": "clubs.handler.handler"},
    )
    lam.add_response("get_function", updated)
    deploy.add_response(
        "create_deployment",
        {"deploymentId": "d-1"},
        {
            "applicationName": "clubs-app",
            "deploymentGroupName": "clubs-group",
            "description": ANY,
            "revision": ANY,
        },
    )
    deploy.add_response("get_deployment", {"deploymentInfo": {"status": "InProgress"}})
    deploy.add_response(
        "get_deployment",
        {
            "deploymentInfo": {
                "status": deployment_status,
                "errorInformation": {"message": "BeforeAllowTraffic hook failed"},
            }
        },
    )
    lam.add_response("get_alias", {"FunctionVersion": alias_after})
    return clients, [cfn, lam, deploy]


@pytest.mark.parametrize(
    ("status", "alias_after", "passed"),
    [("Failed", "7", True), ("Succeeded", "8", False), ("Failed", "8", False)],
)
def test_the_drill_passes_only_when_the_broken_version_got_no_traffic(
    status: str, alias_after: str, passed: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    clients, stubs = _clients(status, alias_after)
    for stub in stubs:
        stub.activate()

    assert run_drill(clients, "dev", "clubs", poll_seconds=0) is passed
    for stub in stubs:
        stub.assert_no_pending_responses()
    assert "published version 8" in capsys.readouterr().out


def test_the_appspec_names_the_alias_and_both_versions() -> None:
    from ops.rollback_drill import appspec

    (resource,) = json.loads(appspec(FUNCTION, "7", "8"))["Resources"]
    assert resource["DrillTarget"]["Properties"] == {
        "Name": FUNCTION,
        "Alias": "live",
        "CurrentVersion": "7",
        "TargetVersion": "8",
    }
