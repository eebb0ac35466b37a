"""A consumer's record that fails with a bug is counted as `UnhandledError` (the metric
CodeDeploy's alarm on a new version watches): a partial batch failure does not fail the
invocation, so Lambda's Errors metric never sees it. A record the world refused (a
provider throttling, a named domain refusal, the consumer's own postponement) is retried
without being counted."""

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.delivery_errors import RetryLater
from shared.batch import batch_handler
from shared.domain.errors import Conflict

pytestmark = pytest.mark.unit


class Postponed(Exception):
    pass


class Context(LambdaContext):
    _function_name = "consumer"
    _function_version = "7"
    _invoked_function_arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:consumer:live"
    _memory_limit_in_mb = 512
    _aws_request_id = "request-1"
    _log_group_name = "/aws/lambda/consumer"
    _log_stream_name = "stream"


def _fail(record: Any) -> None:
    kind = record.body
    if kind == "bug":
        raise KeyError("missing")
    if kind == "throttled":
        raise RetryLater("SES: Throttling")
    if kind == "conflict":
        raise Conflict("lost a race")
    if kind == "postponed":
        raise Postponed()


def _event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "r",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-2:123456789012:q",
                "awsRegion": "ap-southeast-2",
            }
            for i, body in enumerate(bodies)
        ]
    }


def unhandled_errors(out: str) -> list[dict[str, Any]]:
    found = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            metric = json.loads(line)
            if "UnhandledError" in metric:
                found.append(metric)
    return found


def test_only_bugs_are_counted_and_every_failure_comes_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "notifications")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
    handler = batch_handler(_fail, settles_failures=True, expected=(Postponed,))

    answer = handler(_event("ok", "bug", "throttled", "conflict", "postponed"), Context())

    failed = [item["itemIdentifier"] for item in answer["batchItemFailures"]]
    assert failed == ["m1", "m2", "m3", "m4"]
    (counted,) = unhandled_errors(capsys.readouterr().out)
    assert counted["service"] == "notifications" and counted["version"] == "7"


def test_an_unforeseen_postponement_is_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    handler = batch_handler(_fail, settles_failures=True)  # Postponed not declared
    handler(_event("postponed"), Context())
    assert len(unhandled_errors(capsys.readouterr().out)) == 1
