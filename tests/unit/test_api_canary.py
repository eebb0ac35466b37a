"""The API canary flow against stubbed API Gateway and moto's CloudWatch: start deploys
against the live deployment (plainly on a stage's first release), status judges the canary
against the stage by the metrics API Gateway reports for each (5XX, 4XX, a minimum of
requests), promote refuses a canary not judged healthy, rollback drops it."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ops.api_canary import MIN_REQUESTS, Verdict, promote, rollback, start_command, status

API = {"items": [{"id": "api123", "name": "sydney-cycling-prod-api"}]}
CANARY_STAGE = {
    "stageName": "v1",
    "deploymentId": "live1",
    "canarySettings": {"deploymentId": "new2", "percentTraffic": 10.0},
}


TOPIC = "arn:aws:sns:ap-southeast-2:123456789012:ops"
CANARY_ALARM = "sydney-cycling-prod-api-canary-5xx"


@pytest.fixture
def clients() -> Iterator[dict[str, Any]]:
    with mock_aws():
        made = {
            name: boto3.client(name, region_name="ap-southeast-2")
            for name in ("apigateway", "cloudwatch", "ssm", "lambda", "iam")
        }
        made["ssm"].put_parameter(
            Name="/sydney-cycling/prod/ops/topic-arn", Value=TOPIC, Type="String"
        )
        yield made


def canary_alarms(cloudwatch: Any) -> list[dict[str, Any]]:
    return list(cloudwatch.describe_alarms(AlarmNames=[CANARY_ALARM])["MetricAlarms"])


def requests(cloudwatch: Any, stage: str, count: int, errors: int, client_errors: int = 0) -> None:
    dimensions = [
        {"Name": "ApiName", "Value": "sydney-cycling-prod-api"},
        {"Name": "Stage", "Value": stage},
    ]
    now = datetime.now(UTC)
    sums = {"Count": count, "5XXError": errors, "4XXError": client_errors}
    cloudwatch.put_metric_data(
        Namespace="AWS/ApiGateway",
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Value": value, "Timestamp": now}
            for name, value in sums.items()
        ],
    )


def _stage(stub: Stubber, answer: dict[str, Any]) -> None:
    stub.add_response("get_rest_apis", API)
    stub.add_response("get_stage", answer, {"restApiId": "api123", "stageName": "v1"})


def _deployed(clients: dict[str, Any], function: str, versions: int, live: str) -> None:
    """A function with `versions` published versions and its `live` alias on one."""
    role = clients["iam"].create_role(RoleName=f"{function}-role", AssumeRolePolicyDocument="{}")[
        "Role"
    ]["Arn"]
    clients["lambda"].create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    for n in range(versions):
        clients["lambda"].update_function_configuration(FunctionName=function, Description=str(n))
        clients["lambda"].publish_version(FunctionName=function)
    clients["lambda"].create_alias(FunctionName=function, Name="live", FunctionVersion=live)


def _zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def test_start_deploys_the_api_stack_as_a_canary_of_the_live_deployment_and_code(
    clients: dict[str, Any],
) -> None:
    _deployed(clients, "sydney-cycling-prod-ClubsService", versions=3, live="2")
    _deployed(clients, "sydney-cycling-prod-RidesService", versions=1, live="1")
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, {"stageName": "v1", "deploymentId": "live1"})
        command = start_command(clients, "prod", 10)
    assert command[:4] == ["npx", "cdk", "deploy", "SydneyCycling-prod-Api"]
    assert "api_canary=live1:10" in command and "stage=prod" in command
    # The stage keeps the code its `live` aliases serve; functions not deployed have none.
    assert "live_versions=clubs=2,rides=1" in command
    assert "--exclusively" in command


def test_start_on_a_stage_never_deployed_deploys_the_api_plainly(clients: dict[str, Any]) -> None:
    with Stubber(clients["apigateway"]) as stub:
        stub.add_response("get_rest_apis", {"items": []})
        command = start_command(clients, "prod", 10)
        stub.assert_no_pending_responses()  # no stage to read
    assert command[:4] == ["npx", "cdk", "deploy", "SydneyCycling-prod-Api"]
    assert not any(part.startswith("api_canary=") for part in command)
    assert "stage=prod" in command and "--exclusively" in command


@pytest.mark.parametrize(
    ("canary_errors", "healthy"), [(0, True), (3, False)], ids=["clean", "failing"]
)
def test_status_compares_the_canarys_5xx_rate_with_the_stages(
    clients: dict[str, Any], canary_errors: int, healthy: bool
) -> None:
    requests(clients["cloudwatch"], "v1", 900, 1)
    requests(clients["cloudwatch"], "v1/Canary", 100, canary_errors)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        verdict, report = status(clients, "prod")
    assert verdict is (Verdict.HEALTHY if healthy else Verdict.WORSE)
    assert "canary: 100 requests" in report and "stage:  900 requests" in report
    # The canary's own alarm, on the Stage value API Gateway reported, notifying ops.
    (alarm,) = canary_alarms(clients["cloudwatch"])
    assert alarm["AlarmActions"] == [TOPIC] and alarm["Threshold"] == 0.01
    watched = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {m["MetricName"] for m in watched} == {"5XXError", "Count"}
    assert all({"Name": "Stage", "Value": "v1/Canary"} in m["Dimensions"] for m in watched)


def test_a_canary_answering_401_to_everyone_is_worse(clients: dict[str, Any]) -> None:
    requests(clients["cloudwatch"], "v1", 900, 0, client_errors=27)
    requests(clients["cloudwatch"], "v1/Canary", 100, 0, client_errors=100)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        verdict, report = status(clients, "prod")
    assert verdict is Verdict.WORSE and "4XX 100.00%" in report and "4XX 3.00%" in report


@pytest.mark.parametrize(
    ("canary_requests", "expected"),
    [(0, Verdict.TOO_FEW_REQUESTS), (MIN_REQUESTS - 1, Verdict.TOO_FEW_REQUESTS),
     (MIN_REQUESTS, Verdict.HEALTHY)],
    ids=["none", "one-short", "enough"],
)  # fmt: skip
def test_too_few_canary_requests_are_no_verdict_yet(
    clients: dict[str, Any], canary_requests: int, expected: Verdict
) -> None:
    requests(clients["cloudwatch"], "v1", 900, 0)
    if canary_requests:
        requests(clients["cloudwatch"], "v1/Canary", canary_requests, 0)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        verdict, report = status(clients, "prod")
    assert verdict is expected
    assert (f"fewer than {MIN_REQUESTS} canary requests: wait" in report) is (
        expected is Verdict.TOO_FEW_REQUESTS
    )
    # The canary's alarm is made at once, on the Stage value API Gateway will report.
    assert len(canary_alarms(clients["cloudwatch"])) == 1


def test_promote_without_a_canary_changes_nothing(clients: dict[str, Any]) -> None:
    live = {"stageName": "v1", "deploymentId": "live1"}
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, live)
        _stage(stub, live)
        assert promote(clients, "prod").endswith("nothing to promote")
        stub.assert_no_pending_responses()  # no update_stage was made


def test_promote_moves_the_stage_to_the_canary_and_refuses_a_worse_one(
    clients: dict[str, Any],
) -> None:
    requests(clients["cloudwatch"], "v1", 900, 0)
    requests(clients["cloudwatch"], "v1/Canary", 100, 0)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        assert status(clients, "prod")[0] is Verdict.HEALTHY
    assert len(canary_alarms(clients["cloudwatch"])) == 1
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        stub.add_response("get_rest_apis", API)
        stub.add_response("get_stage", CANARY_STAGE)
        stub.add_response(
            "update_stage",
            {},
            {
                "restApiId": "api123",
                "stageName": "v1",
                "patchOperations": [
                    {"op": "replace", "path": "/deploymentId", "value": "new2"},
                    {"op": "replace", "path": "/variables/lambdaAlias", "value": "canary"},
                    {"op": "remove", "path": "/canarySettings"},
                ],
            },
        )
        assert "the stage serves new2" in promote(clients, "prod")
        stub.assert_no_pending_responses()
    assert canary_alarms(clients["cloudwatch"]) == []  # removed with the canary

    requests(clients["cloudwatch"], "v1/Canary", 100, 50)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        with pytest.raises(SystemExit, match="Not promoted"):
            promote(clients, "prod")
        stub.assert_no_pending_responses()  # nothing was changed


def test_rollback_removes_the_canary_and_its_alarm(clients: dict[str, Any]) -> None:
    requests(clients["cloudwatch"], "v1/Canary", 100, 50)
    with Stubber(clients["apigateway"]) as stub:
        _stage(stub, CANARY_STAGE)
        assert status(clients, "prod")[0] is Verdict.WORSE
    assert len(canary_alarms(clients["cloudwatch"])) == 1
    with Stubber(clients["apigateway"]) as stub:
        stub.add_response("get_rest_apis", API)
        stub.add_response(
            "update_stage",
            {},
            {
                "restApiId": "api123",
                "stageName": "v1",
                "patchOperations": [{"op": "remove", "path": "/canarySettings"}],
            },
        )
        assert "canary removed" in rollback(clients, "prod")
        stub.assert_no_pending_responses()
    assert canary_alarms(clients["cloudwatch"]) == []
