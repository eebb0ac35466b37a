"""API Gateway canary releases of the REST API (changes to routes, throttles, caching;
function code is shifted by CodeDeploy behind each alias).

    python -m ops.api_canary start    --stage prod --percent 10  # the api stack as a canary
    python -m ops.api_canary status   --stage prod               # its requests and 5XX rate
    python -m ops.api_canary promote  --stage prod               # it becomes the stage
    python -m ops.api_canary rollback --stage prod               # it is dropped

`start` reads the deployment the stage serves now and runs `cdk deploy` of the api stack
with `-c api_canary=<that id>:<percent>`: the stage stays on it, and the new deployment
takes that share of requests. `status` compares the canary's 5XX rate with the stage's
(CloudWatch, by the Stage dimensions API Gateway reports for the two) and exits 2 when the
canary is worse; once API Gateway reports the canary's metrics, it also makes the canary's
own alarm (`sydney-cycling-<stage>-api-canary-5xx`: its 5XX rate above 1% in 3 of 5
minutes, notifying the stage's operations topic; shown on the dashboard), which promote
and rollback remove with the canary. `promote` refuses a worse canary (unless `--force`),
makes the canary's deployment the stage's and removes the canary; a plain `cdk deploy` of
the api stack then finds nothing to change. `rollback` removes the canary; the change it
carried must be reverted in the code before the next deploy. The pipeline runs start,
waits, status, then promote or rollback, between staging and prod.
"""

import argparse
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from shared.names import api_canary_alarm_name, ops_topic_parameter, resource_prefix

API_STAGE = "v1"
# A canary whose 5XX rate is this much above the stage's (or above 1% outright) is worse.
WORSE_BY = 0.005
CEILING = 0.01


@dataclass(frozen=True)
class Traffic:
    requests: float
    errors_5xx: float

    @property
    def error_rate(self) -> float:
        return self.errors_5xx / self.requests if self.requests else 0.0


def rest_api_id(apigateway: Any, stage: str) -> str:
    name = f"{resource_prefix(stage)}-api"
    for page in apigateway.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            if api["name"] == name:
                return str(api["id"])
    raise SystemExit(f"No REST API named {name}: is the stage deployed?")


def _traffic(cloudwatch: Any, api_name: str, stage_dimension: str, minutes: int) -> Traffic:
    # A minute ahead: the current, unfinished minute counts too.
    end = datetime.now(UTC) + timedelta(minutes=1)
    sums = {}
    for metric in ("Count", "5XXError"):
        answer = cloudwatch.get_metric_statistics(
            Namespace="AWS/ApiGateway",
            MetricName=metric,
            Dimensions=[
                {"Name": "ApiName", "Value": api_name},
                {"Name": "Stage", "Value": stage_dimension},
            ],
            StartTime=end - timedelta(minutes=minutes),
            EndTime=end,
            Period=60,
            Statistics=["Sum"],
        )
        sums[metric] = sum(point["Sum"] for point in answer["Datapoints"])
    return Traffic(sums["Count"], sums["5XXError"])


def canary_dimension(cloudwatch: Any, api_name: str) -> str | None:
    """The Stage dimension API Gateway reports the canary's requests under (the stage's
    name with a suffix); found, not assumed."""
    answer = cloudwatch.list_metrics(
        Namespace="AWS/ApiGateway",
        MetricName="Count",
        Dimensions=[{"Name": "ApiName", "Value": api_name}],
    )
    for metric in answer["Metrics"]:
        for dimension in metric["Dimensions"]:
            value = dimension["Value"]
            if dimension["Name"] == "Stage" and value.startswith(f"{API_STAGE}/"):
                return str(value)
    return None


def _api_metric(metric_id: str, name: str, api_name: str, dimension: str) -> dict[str, Any]:
    return {
        "Id": metric_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ApiGateway",
                "MetricName": name,
                "Dimensions": [
                    {"Name": "ApiName", "Value": api_name},
                    {"Name": "Stage", "Value": dimension},
                ],
            },
            "Period": 60,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def watch_canary(clients: dict[str, Any], stage: str, api_name: str, dimension: str) -> None:
    """The canary's own alarm, on the Stage value API Gateway reports it under (idempotent:
    each `status` puts the same alarm)."""
    topic = clients["ssm"].get_parameter(Name=ops_topic_parameter(stage))["Parameter"]["Value"]
    clients["cloudwatch"].put_metric_alarm(
        AlarmName=api_canary_alarm_name(stage),
        AlarmDescription=(
            f"The API canary of {stage} answers more than {CEILING:.0%} of its requests with "
            "5XX: roll it back (python -m ops.api_canary rollback)"
        ),
        Metrics=[
            _api_metric("errors", "5XXError", api_name, dimension),
            _api_metric("requests", "Count", api_name, dimension),
            {
                "Id": "rate",
                "Expression": "IF(requests > 0, errors / requests, 0)",
                "Label": "canary 5XX rate",
                "ReturnData": True,
            },
        ],
        ComparisonOperator="GreaterThanThreshold",
        Threshold=CEILING,
        EvaluationPeriods=5,
        DatapointsToAlarm=3,
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
        OKActions=[topic],
    )


def _unwatch_canary(clients: dict[str, Any], stage: str) -> None:
    clients["cloudwatch"].delete_alarms(AlarmNames=[api_canary_alarm_name(stage)])


def status(clients: dict[str, Any], stage: str, minutes: int = 15) -> tuple[bool, str]:
    """(whether the canary is no worse than the stage, a report)."""
    api_id = rest_api_id(clients["apigateway"], stage)
    settings = clients["apigateway"].get_stage(restApiId=api_id, stageName=API_STAGE)
    canary = settings.get("canarySettings")
    if not canary:
        return True, f"{stage}: no canary; the stage serves {settings['deploymentId']}"
    api_name = f"{resource_prefix(stage)}-api"
    base = _traffic(clients["cloudwatch"], api_name, API_STAGE, minutes)
    dimension = canary_dimension(clients["cloudwatch"], api_name)
    if dimension:
        watch_canary(clients, stage, api_name, dimension)
    seen = _traffic(clients["cloudwatch"], api_name, dimension, minutes) if dimension else None
    lines = [
        f"{stage}: stage on {settings['deploymentId']}, canary {canary['deploymentId']} "
        f"taking {canary.get('percentTraffic', 0)}% (last {minutes} min)",
        f"  stage:  {base.requests:.0f} requests, 5XX {base.error_rate:.2%}",
    ]
    if seen is None or not seen.requests:
        lines.append("  canary: no requests yet; wait before judging it")
        return False, "\n".join(lines)
    lines.append(f"  canary: {seen.requests:.0f} requests, 5XX {seen.error_rate:.2%}")
    healthy = seen.error_rate <= base.error_rate + WORSE_BY and seen.error_rate < CEILING
    lines.append("  healthy" if healthy else "  WORSE than the stage: roll back")
    return healthy, "\n".join(lines)


def promote(clients: dict[str, Any], stage: str, force: bool = False) -> str:
    healthy, report = status(clients, stage)
    if not healthy and not force:
        raise SystemExit(report + "\nNot promoted (--force to promote anyway).")
    apigateway = clients["apigateway"]
    api_id = rest_api_id(apigateway, stage)
    canary = apigateway.get_stage(restApiId=api_id, stageName=API_STAGE)["canarySettings"]
    apigateway.update_stage(
        restApiId=api_id,
        stageName=API_STAGE,
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": canary["deploymentId"]},
            {"op": "remove", "path": "/canarySettings"},
        ],
    )
    _unwatch_canary(clients, stage)
    return f"{report}\npromoted: the stage serves {canary['deploymentId']}"


def rollback(clients: dict[str, Any], stage: str) -> str:
    apigateway = clients["apigateway"]
    api_id = rest_api_id(apigateway, stage)
    apigateway.update_stage(
        restApiId=api_id,
        stageName=API_STAGE,
        patchOperations=[{"op": "remove", "path": "/canarySettings"}],
    )
    _unwatch_canary(clients, stage)
    return f"{stage}: canary removed; every request goes to the stage's deployment"


def start_command(clients: dict[str, Any], stage: str, percent: float) -> list[str]:
    apigateway = clients["apigateway"]
    api_id = rest_api_id(apigateway, stage)
    live = apigateway.get_stage(restApiId=api_id, stageName=API_STAGE)["deploymentId"]
    return [
        "npx",
        "cdk",
        "deploy",
        f"SydneyCycling-{stage}-Api",
        "-c",
        f"stage={stage}",
        "-c",
        f"api_canary={live}:{percent:g}",
        "--exclusively",  # the api stack only: the others were deployed before it
        "--require-approval",
        "never",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.api_canary", description=__doc__)
    parser.add_argument("action", choices=["start", "status", "promote", "rollback"])
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--percent", type=float, default=10.0)
    parser.add_argument("--force", action="store_true", help="promote a worse canary")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    clients = {
        n: boto3.client(n, region_name=args.region) for n in ("apigateway", "cloudwatch", "ssm")
    }
    if args.action == "start":
        command = start_command(clients, args.stage, args.percent)
        print(" ".join(command))
        return subprocess.run(command, check=False).returncode
    if args.action == "status":
        healthy, report = status(clients, args.stage)
        print(report)
        return 0 if healthy else 2
    if args.action == "promote":
        print(promote(clients, args.stage, args.force))
        return 0
    print(rollback(clients, args.stage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
