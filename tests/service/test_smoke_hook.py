"""The pre-traffic hook: its smoke request for every function kind passes against the real
handlers (so a healthy version is never refused), fails a version that breaks, and reports
to CodeDeploy either way."""

import importlib
import io
import json
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from deployment.smoke import (
    SmokeFailed,
    Target,
    run_hook,
    smoke_for,
    target_of,
    try_version,
)
from shared.store.table import Table
from stacks.consumers import CONSUMERS, PUBLISHER_HANDLER, WORKERS
from stacks.contexts import CONTEXTS
from stacks.environment import function_environment
from tests.service.conftest import LambdaContextStub

pytestmark = pytest.mark.service


def _run(handler: str, event: dict[str, Any]) -> Any:
    """What Lambda's runtime would return: the answer, or the error's type and message."""
    module_name, _, attribute = handler.rpartition(".")
    entry = getattr(importlib.import_module(module_name), attribute)
    try:
        return entry(json.loads(json.dumps(event)), LambdaContextStub())
    except Exception as error:  # the runtime's error payload
        return {"errorType": type(error).__name__, "errorMessage": str(error)}


# A stage's values as far as the smoke reads go (none of them reaches these resources).
_VALUES = {
    "stage": "test",
    "table_name": "sydney-cycling-test",
    "user_pool_id": "ap-southeast-2_smoke",
    "assets_bucket_name": "smoke-assets",
    "cdn_domain_parameter": "",
    "api_url_parameter": "/smoke/api/url",
    "push_applications": {},
    "signing_secret_name": "smoke/signing",
    "secrets_key_id": "alias/smoke",
    "strava_app_secret_name": "smoke/strava-app",
    "strava_state_key_name": "smoke/strava-state",
    "event_bus_name": "smoke",
}


@pytest.mark.parametrize("service", sorted(CONTEXTS))
def test_the_smoke_read_passes_against_each_api_handler(
    service: str, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = CONTEXTS[service]
    # The function's own variables, as its stack sets them.
    for name, value in function_environment(context.all_settings, _VALUES).items():
        monkeypatch.setenv(name, value)
    smoke = smoke_for(context.handler, context.smoke_environment)
    assert smoke is not None
    event, check = smoke
    assert event["path"] == context.smoke_read[0]
    check(_run(context.handler, event))  # raises SmokeFailed if not


@pytest.mark.parametrize(
    "handler",
    sorted({PUBLISHER_HANDLER, *(c.handler for c in CONSUMERS), *(w.handler for w in WORKERS)}),
)
def test_an_empty_batch_passes_against_each_consumer(handler: str, table: Table) -> None:
    smoke = smoke_for(handler, {})
    assert smoke is not None
    event, check = smoke
    check(_run(handler, event))
    # A version that did not start (its import failed) does not pass.
    with pytest.raises(SmokeFailed):
        check({"errorType": "Runtime.ImportModuleError", "errorMessage": "No module"})
    with pytest.raises(SmokeFailed):  # an empty batch cannot have failed records
        check({"batchItemFailures": [{"itemIdentifier": "m0"}]})


def test_the_token_trigger_is_tried_and_post_confirmation_is_not(table: Table) -> None:
    smoke = smoke_for("identity.pre_token_generation.handler", {})
    assert smoke is not None
    event, check = smoke
    check(_run("identity.pre_token_generation.handler", event))
    assert smoke_for("identity.post_confirmation.handler", {}) is None


def test_a_wrong_answer_fails_the_check() -> None:
    smoke = smoke_for(CONTEXTS["clubs"].handler, CONTEXTS["clubs"].smoke_environment)
    assert smoke is not None
    _, check = smoke
    with pytest.raises(SmokeFailed):
        check({"statusCode": 500, "body": json.dumps({"error": {"code": "internal_error"}})})
    with pytest.raises(SmokeFailed):
        check({"statusCode": 200, "body": "[]"})


APPSPEC = {
    "version": 0.0,
    "Resources": [
        {
            "ClubsServiceLive": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": "sydney-cycling-dev-clubs",
                    "Alias": "live",
                    "CurrentVersion": "7",
                    "TargetVersion": "8",
                },
            }
        }
    ],
}
DEPLOYMENT = {
    "deploymentInfo": {
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": json.dumps(APPSPEC)},
        }
    }
}


def _payload(value: Any) -> StreamingBody:
    data = json.dumps(value).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def test_the_target_is_read_from_the_appspec_in_json_or_yaml() -> None:
    assert target_of(DEPLOYMENT) == Target("sydney-cycling-dev-clubs", "8")
    yaml = (
        "version: 0.0\nResources:\n  - ClubsServiceLive:\n      Type: AWS::Lambda::Function\n"
        '      Properties:\n        Name: "sydney-cycling-dev-clubs"\n        Alias: live\n'
        '        CurrentVersion: "7"\n        TargetVersion: "8"\n'
    )
    in_yaml = {"deploymentInfo": {"revision": {"appSpecContent": {"content": yaml}}}}
    assert target_of(in_yaml) == Target("sydney-cycling-dev-clubs", "8")


@pytest.mark.parametrize(
    ("invocation", "status"),
    [
        ({"StatusCode": 200, "Payload": {"statusCode": 200, "body": '{"items": []}'}}, "Succeeded"),
        (
            {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": {"errorType": "ImportModuleError"},
            },
            "Failed",
        ),
    ],
)
def test_the_hook_reports_the_versions_fate_to_codedeploy(
    invocation: dict[str, Any], status: str
) -> None:
    codedeploy = boto3.client("codedeploy")
    lambda_client = boto3.client("lambda")
    deploy_stub, lambda_stub = Stubber(codedeploy), Stubber(lambda_client)
    deploy_stub.add_response("get_deployment", DEPLOYMENT, {"deploymentId": "d-1"})
    lambda_stub.add_response(
        "get_function_configuration",
        {
            "Handler": "clubs.handler.handler",
            "Environment": {"Variables": CONTEXTS["clubs"].smoke_environment},
        },
        {"FunctionName": "sydney-cycling-dev-clubs", "Qualifier": "8"},
    )
    lambda_stub.add_response(
        "invoke",
        {**invocation, "Payload": _payload(invocation["Payload"])},
        {"FunctionName": "sydney-cycling-dev-clubs", "Qualifier": "8", "Payload": ANY},
    )
    deploy_stub.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": "h-1"},
        {"deploymentId": "d-1", "lifecycleEventHookExecutionId": "h-1", "status": status},
    )

    with deploy_stub, lambda_stub:
        event = {"DeploymentId": "d-1", "LifecycleEventHookExecutionId": "h-1"}
        assert run_hook(event, codedeploy, lambda_client) == status
    deploy_stub.assert_no_pending_responses()
    lambda_stub.assert_no_pending_responses()


def test_post_confirmation_versions_are_not_invoked() -> None:
    lambda_client = boto3.client("lambda")
    with Stubber(lambda_client) as stub:
        stub.add_response(
            "get_function_configuration", {"Handler": "identity.post_confirmation.handler"}
        )
        assert "not invoked" in try_version(Target("f", "2"), lambda_client)
