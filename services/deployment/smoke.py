"""CodeDeploy's pre-traffic hook: before a new version of a function gets any traffic,
invoke that version with a harmless request of its kind and check the answer's shape; a
version that cannot start, cannot read the table or answers wrongly fails the deployment,
which CodeDeploy then rolls back. One hook per stack serves every function in it: the
deployment's AppSpec names the function and the version to try."""

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.names import SMOKE_READ_VARIABLE, SMOKE_USER
from shared.observability import instrumented, logger


class SmokeFailed(Exception):
    pass


@dataclass(frozen=True)
class Target:
    function: str
    version: str


def api_request(path: str) -> dict[str, Any]:
    """An API Gateway proxy event for GET `path`, as the Cognito authorizer passes it."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept": "application/json"},
        "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "path": path,
            "stage": "smoke",
            "requestId": f"smoke-{int(time.time())}",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "pre-traffic-hook"},
            "authorizer": {
                "claims": {"sub": SMOKE_USER, "user_id": SMOKE_USER, "system_role": "User"}
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }


def _api_check(expected: int) -> "Check":
    def check(answer: Any) -> None:
        status = answer.get("statusCode") if isinstance(answer, dict) else None
        if status != expected:
            raise SmokeFailed(f"answered {status}, expected {expected}")
        body = json.loads(answer.get("body") or "null")
        if status >= 400 and not isinstance((body or {}).get("error", {}).get("code"), str):
            raise SmokeFailed("an error answer without the error envelope")
        if status < 400 and not isinstance(body, dict):
            raise SmokeFailed("a success answer that is not a JSON object")

    return check


def _batch_check(answer: Any) -> None:
    """Consumers are tried without a message (one would act on it): an empty batch, which
    Powertools' batch processor refuses by name once the version has started, imported
    its code and built its clients, and a consumer of whole batches (the lake's writer)
    answers with no failures. Any other answer means it did not get that far."""
    refused = isinstance(answer, dict) and answer.get("errorType") == "UnexpectedBatchTypeError"
    if not refused and answer != {"batchItemFailures": []}:
        raise SmokeFailed(f"an empty batch answered {str(answer)[:300]}")


def _token_check(answer: Any) -> None:
    claims = (answer.get("response") or {}).get("claimsOverrideDetails") or {}
    if (claims.get("claimsToAddOrOverride") or {}).get("system_role") != "User":
        raise SmokeFailed("no least-privilege role for an unknown user")


Check = Callable[[Any], None]


def smoke_for(handler: str, environment: Mapping[str, str]) -> tuple[dict[str, Any], Check] | None:
    """The request to send a function with this handler and environment, and the check of
    its answer; None for one that may not be invoked without effect (post-confirmation
    writes). An API function names its own harmless read (`stacks/contexts.py`)."""
    if SMOKE_READ_VARIABLE in environment:
        path, _, expected = environment[SMOKE_READ_VARIABLE].rpartition(" ")
        return api_request(path), _api_check(int(expected))
    if handler == "identity.pre_token_generation.handler":
        event = {
            "userPoolId": "smoke",
            "userName": "smoke",
            "triggerSource": "TokenGeneration_Authentication",
            "request": {"userAttributes": {"sub": SMOKE_USER}},
            "response": {},
        }
        return event, _token_check
    if handler == "identity.post_confirmation.handler":
        return None
    # Queue and stream consumers: an empty batch, harmless by construction.
    return {"Records": []}, _batch_check


def target_of(deployment: Mapping[str, Any]) -> Target:
    """The function and version a Lambda deployment shifts to, from its AppSpec (JSON, or
    the YAML form, whose two fields are read by pattern: no YAML parser is shipped)."""
    content = deployment["deploymentInfo"]["revision"]["appSpecContent"]["content"]
    try:
        spec = json.loads(content)
    except ValueError:
        name = re.search(r"\bName:\s*[\"']?([\w:.\-]+)", content)
        version = re.search(r"\bTargetVersion:\s*[\"']?(\w+)", content)
        if name and version:
            return Target(name.group(1), version.group(1))
        raise SmokeFailed("the deployment's AppSpec names no function") from None
    for resource in spec["Resources"]:
        for properties in (r["Properties"] for r in resource.values()):
            return Target(properties["Name"], str(properties["TargetVersion"]))
    raise SmokeFailed("the deployment names no function")


def try_version(target: Target, lambda_client: Any) -> str:
    """Invoke the target version as its kind of caller would; what happened."""
    configuration = lambda_client.get_function_configuration(
        FunctionName=target.function, Qualifier=target.version
    )
    variables = (configuration.get("Environment") or {}).get("Variables") or {}
    smoke = smoke_for(configuration["Handler"], variables)
    if smoke is None:
        return "not invoked (it would write); the version is active"
    event, check = smoke
    answer = lambda_client.invoke(
        FunctionName=target.function, Qualifier=target.version, Payload=json.dumps(event)
    )
    payload = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError") and check is not _batch_check:
        raise SmokeFailed(f"the version failed: {str(payload)[:300]}")
    check(payload)
    return "passed"


@cache
def _clients() -> tuple[Any, Any]:
    return boto3.client("codedeploy"), boto3.client("lambda")


def run_hook(event: Mapping[str, Any], codedeploy: Any, lambda_client: Any) -> str:
    status, outcome = "Succeeded", ""
    try:
        deployment = codedeploy.get_deployment(deploymentId=event["DeploymentId"])
        target = target_of(deployment)
        outcome = try_version(target, lambda_client)
        logger.info("smoke test", extra={"function": target.function, "outcome": outcome})
    except (SmokeFailed, KeyError, ValueError) as failed:
        status, outcome = "Failed", str(failed)
        logger.error("smoke test failed: the version gets no traffic", extra={"why": outcome})
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    return status


def _hook(event: Mapping[str, Any], context: LambdaContext) -> dict[str, str]:
    codedeploy, lambda_client = _clients()
    return {"status": run_hook(event, codedeploy, lambda_client)}


handler = instrumented(_hook)
