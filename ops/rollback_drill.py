"""A rollback drill: deploy a deliberately broken version of one service to a stage (dev,
say) through the real deployment path, and watch CodeDeploy refuse it.

    python -m ops.rollback_drill --stage dev --service clubs     # AWS credentials for dev

It publishes a version of the service's function whose handler does not exist (the code
is untouched; the function's configuration is put back at once), then starts a CodeDeploy
deployment of the `live` alias to that version, exactly as a stack update would. The
stack's pre-traffic hook tries the version before any traffic moves, it fails to start,
and the deployment fails with the alias still on the good version: no request ever
reaches the broken one. The drill prints each step and the lifecycle events' outcome, and
exits 0 only if the broken version was refused and the alias did not move.
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import boto3

from shared.names import PROJECT

ALIAS = "live"
BROKEN_HANDLER = "deployment_drill.no_such_module.handler"
FINAL = ("Succeeded", "Failed", "Stopped")


@dataclass(frozen=True)
class Service:
    function: str
    application: str
    group: str


def find_service(cloudformation: Any, stage: str, service: str) -> Service:
    """The service's function and deployment group, from the api stack's resources."""
    stack = f"SydneyCycling-{stage}-Api"
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    prefix = f"{service.title()}Service"

    def physical(kind: str) -> str:
        for resource in resources:
            logical = resource["LogicalResourceId"]
            if resource["ResourceType"] == kind and logical.startswith(prefix):
                return str(resource["PhysicalResourceId"])
        raise SystemExit(f"No {kind} for {service} in {stack}.")

    return Service(
        function=physical("AWS::Lambda::Function"),
        application=physical("AWS::CodeDeploy::Application"),
        group=physical("AWS::CodeDeploy::DeploymentGroup"),
    )


def publish_broken_version(lambda_client: Any, function: str) -> str:
    """A new version whose handler cannot be imported; $LATEST is put back as it was."""
    configuration = lambda_client.get_function_configuration(FunctionName=function)
    original = configuration["Handler"]
    waiter = lambda_client.get_waiter("function_updated_v2")
    lambda_client.update_function_configuration(FunctionName=function, Handler=BROKEN_HANDLER)
    try:
        waiter.wait(FunctionName=function)
        version = lambda_client.publish_version(
            FunctionName=function, Description="rollback drill: deliberately broken"
        )["Version"]
    finally:
        lambda_client.update_function_configuration(FunctionName=function, Handler=original)
        waiter.wait(FunctionName=function)
    return str(version)


def appspec(function: str, current: str, target: str) -> str:
    return json.dumps(
        {
            "version": 0.0,
            "Resources": [
                {
                    "DrillTarget": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {
                            "Name": function,
                            "Alias": ALIAS,
                            "CurrentVersion": current,
                            "TargetVersion": target,
                        },
                    }
                }
            ],
        }
    )


def run_drill(clients: dict[str, Any], stage: str, service: str, poll_seconds: float = 10) -> bool:
    found = find_service(clients["cloudformation"], stage, service)
    lambda_client, codedeploy = clients["lambda"], clients["codedeploy"]
    current = lambda_client.get_alias(FunctionName=found.function, Name=ALIAS)["FunctionVersion"]
    print(f"{found.function}: alias '{ALIAS}' is on version {current}")
    broken = publish_broken_version(lambda_client, found.function)
    print(f"published version {broken} with handler {BROKEN_HANDLER} (code untouched)")
    deployment = codedeploy.create_deployment(
        applicationName=found.application,
        deploymentGroupName=found.group,
        description="rollback drill: a version that cannot start",
        revision={
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": appspec(found.function, current, broken)},
        },
    )["deploymentId"]
    print(f"deployment {deployment} started; the pre-traffic hook tries version {broken}")
    while True:
        info = codedeploy.get_deployment(deploymentId=deployment)["deploymentInfo"]
        if info["status"] in FINAL:
            break
        time.sleep(poll_seconds)
    print(f"deployment {info['status']}: {(info.get('errorInformation') or {}).get('message', '')}")
    now = lambda_client.get_alias(FunctionName=found.function, Name=ALIAS)["FunctionVersion"]
    print(f"alias '{ALIAS}' is on version {now}")
    refused = info["status"] != "Succeeded" and now == current
    print("drill passed: the broken version got no traffic" if refused else "DRILL FAILED")
    return refused


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.rollback_drill", description=__doc__)
    parser.add_argument("--stage", default="dev", choices=["dev", "staging", "prod"])
    parser.add_argument("--service", default="clubs", help="an API service, e.g. clubs")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    if args.stage != "dev":
        answer = input(f"Drill on {PROJECT} {args.stage}? Type the stage name to go on: ")
        if answer.strip() != args.stage:
            return 1
    clients = {
        name: boto3.client(name, region_name=args.region)
        for name in ("cloudformation", "lambda", "codedeploy")
    }
    return 0 if run_drill(clients, args.stage, args.service) else 1


if __name__ == "__main__":
    sys.exit(main())
