"""API Gateway canary releases of the REST API and its functions' code together.

    python -m ops.api_canary start    --stage prod --percent 10  # the api stack as a canary
    python -m ops.api_canary status   --stage prod               # its requests and 5XX rate
    python -m ops.api_canary promote  --stage prod               # it becomes the stage
    python -m ops.api_canary rollback --stage prod               # it is dropped

`start` reads the deployment the stage serves now and the version each API function's
`live` alias serves, and runs `cdk deploy` of the api stack with
`-c api_canary=<that id>:<percent> -c live_versions=<context>=<version>,...`: the stage stays
on its deployment and its code (`live` does not move, so CodeDeploy shifts nothing), and the
new deployment takes that share of requests, running the new code through each function's
`canary` alias (the canary's stage-variable override; decision 38). On a stage never
deployed there is nothing to compare with: `start` deploys the api stack plainly, and
status and promote find no canary.

`status` judges the canary against the stage on the metrics API Gateway reports for each
(Count, 4XXError and 5XXError under the Stage values `v1` and `v1/Canary`, read with one
GetMetricData call: known names, no waiting for ListMetrics to list a new metric). It
exits 0 when the canary is no worse, 2 when it is worse (5XX or 4XX), and 3 while it has
served fewer than MIN_REQUESTS requests: too few to judge, so wait and ask again. It also
makes the canary's own alarm (`sydney-cycling-<stage>-api-canary-5xx`: its 5XX rate above
1% in 3 of 5 minutes, notifying the stage's operations topic; shown on the dashboard),
which promote and rollback remove with the canary. `promote` refuses a canary that is
not judged healthy (unless `--force`), and in one stage update makes the canary's
deployment the stage's, points the stage at the `canary` aliases (the code it was judged
with) and removes the canary; a plain `cdk deploy` of the api stack then moves `live` to
the new versions through CodeDeploy and the stage back to `live` once they are there.
`rollback` removes the canary: the previous API and the previous code serve every request
again; the change it carried must be reverted in the code before the next deploy. The
pipeline runs start, then smoke runs and status in turn until a verdict (any failed smoke
run fails the release), then promote or rollback, between staging and prod.
"""

import argparse
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

import boto3

from shared.names import (
    ALIAS_VARIABLE,
    API_STAGE,
    CANARY_ALIAS,
    LIVE_ALIAS,
    api_canary_alarm_name,
    api_function_name,
    ops_topic_parameter,
    resource_prefix,
)
from stacks.contexts import CONTEXTS
from stacks.runbooks import with_runbook

# API Gateway reports a canary's requests under the stage's name with `/Canary` appended,
# as it names the canary's log groups.
CANARY_STAGE = f"{API_STAGE}/Canary"
# A canary whose 5XX rate is this much above the stage's (or above 1% outright) is worse.
WORSE_BY = 0.005
CEILING = 0.01
# Client errors are judged too, more loosely (clients make mistakes): a canary refusing
# good tokens answers 401 to everyone and is far above the stage's 4XX rate.
WORSE_4XX_BY = 0.05
# Fewer canary requests than this are no evidence either way.
MIN_REQUESTS = 50
_METRICS = {"count": "Count", "e4xx": "4XXError", "e5xx": "5XXError"}


class Verdict(IntEnum):
    """`status`'s exit code."""

    HEALTHY = 0
    WORSE = 2
    TOO_FEW_REQUESTS = 3


@dataclass(frozen=True)
class Traffic:
    requests: float
    errors_4xx: float
    errors_5xx: float

    @property
    def error_rate(self) -> float:
        return self.errors_5xx / self.requests if self.requests else 0.0

    @property
    def client_error_rate(self) -> float:
        return self.errors_4xx / self.requests if self.requests else 0.0


def find_rest_api(apigateway: Any, stage: str) -> str | None:
    name = f"{resource_prefix(stage)}-api"
    for page in apigateway.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            if api["name"] == name:
                return str(api["id"])
    return None


def rest_api_id(apigateway: Any, stage: str) -> str:
    found = find_rest_api(apigateway, stage)
    if found is None:
        raise SystemExit(f"No REST API named {resource_prefix(stage)}-api: is the stage deployed?")
    return found


def traffic(cloudwatch: Any, api_name: str, minutes: int) -> dict[str, Traffic]:
    """The stage's and the canary's requests and errors over the last `minutes`, from one
    GetMetricData request on the Stage values API Gateway reports them under."""
    # A minute ahead: the current, unfinished minute counts too.
    end = datetime.now(UTC) + timedelta(minutes=1)
    sides = {"stage": API_STAGE, "canary": CANARY_STAGE}
    queries = [
        {**_api_metric(f"{side}_{key}", metric, api_name, dimension), "ReturnData": True}
        for side, dimension in sides.items()
        for key, metric in _METRICS.items()
    ]
    sums = dict.fromkeys((query["Id"] for query in queries), 0.0)
    pages = cloudwatch.get_paginator("get_metric_data").paginate(
        MetricDataQueries=queries, StartTime=end - timedelta(minutes=minutes), EndTime=end
    )
    for page in pages:
        for result in page["MetricDataResults"]:
            sums[result["Id"]] += sum(result["Values"])
    return {
        side: Traffic(sums[f"{side}_count"], sums[f"{side}_e4xx"], sums[f"{side}_e5xx"])
        for side in sides
    }


def judge(stage: Traffic, canary: Traffic) -> Verdict:
    if canary.requests < MIN_REQUESTS:
        return Verdict.TOO_FEW_REQUESTS
    server_ok = canary.error_rate <= stage.error_rate + WORSE_BY and canary.error_rate < CEILING
    client_ok = canary.client_error_rate <= stage.client_error_rate + WORSE_4XX_BY
    return Verdict.HEALTHY if server_ok and client_ok else Verdict.WORSE


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
        AlarmDescription=with_runbook(
            f"The API canary of {stage} answers more than {CEILING:.0%} of its requests with "
            "5XX: roll it back (python -m ops.api_canary rollback)",
            "api",
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


def status(clients: dict[str, Any], stage: str, minutes: int = 15) -> tuple[Verdict, str]:
    """The canary's verdict against the stage, and a report."""
    api_id = rest_api_id(clients["apigateway"], stage)
    settings = clients["apigateway"].get_stage(restApiId=api_id, stageName=API_STAGE)
    canary = settings.get("canarySettings")
    if not canary:
        return Verdict.HEALTHY, f"{stage}: no canary; the stage serves {settings['deploymentId']}"
    api_name = f"{resource_prefix(stage)}-api"
    watch_canary(clients, stage, api_name, CANARY_STAGE)
    seen = traffic(clients["cloudwatch"], api_name, minutes)
    verdict = judge(seen["stage"], seen["canary"])
    lines = [
        f"{stage}: stage on {settings['deploymentId']}, canary {canary['deploymentId']} "
        f"taking {canary.get('percentTraffic', 0)}% (last {minutes} min)",
        *(
            f"  {side + ':':7} {t.requests:.0f} requests, 5XX {t.error_rate:.2%}, "
            f"4XX {t.client_error_rate:.2%}"
            for side, t in seen.items()
        ),
        {
            Verdict.HEALTHY: "  healthy",
            Verdict.WORSE: "  WORSE than the stage: roll back",
            Verdict.TOO_FEW_REQUESTS: f"  fewer than {MIN_REQUESTS} canary requests: wait",
        }[verdict],
    ]
    return verdict, "\n".join(lines)


def promote(clients: dict[str, Any], stage: str, force: bool = False) -> str:
    verdict, report = status(clients, stage)
    if verdict is not Verdict.HEALTHY and not force:
        raise SystemExit(report + "\nNot promoted (--force to promote anyway).")
    apigateway = clients["apigateway"]
    api_id = rest_api_id(apigateway, stage)
    canary = apigateway.get_stage(restApiId=api_id, stageName=API_STAGE).get("canarySettings")
    if not canary:
        return f"{report}\nnothing to promote"
    apigateway.update_stage(
        restApiId=api_id,
        stageName=API_STAGE,
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": canary["deploymentId"]},
            # The code the canary was judged with, until `live` holds it (next deploy).
            {"op": "replace", "path": f"/variables/{ALIAS_VARIABLE}", "value": CANARY_ALIAS},
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


def live_versions(lambda_client: Any, stage: str) -> dict[str, str]:
    """The version each API function's `live` alias serves (a function not deployed yet has
    none: its `live` simply starts on the new code, which no stage route reaches yet)."""
    versions = {}
    for name in CONTEXTS:
        try:
            alias = lambda_client.get_alias(
                FunctionName=api_function_name(stage, name), Name=LIVE_ALIAS
            )
        except lambda_client.exceptions.ResourceNotFoundException:
            continue
        versions[name] = str(alias["FunctionVersion"])
    return versions


def start_command(clients: dict[str, Any], stage: str, percent: float) -> list[str]:
    """The deploy of the api stack as a canary of the live deployment and code; a plain
    deploy on a stage that has no API yet (its first release)."""
    apigateway = clients["apigateway"]
    command = ["npx", "cdk", "deploy", f"SydneyCycling-{stage}-Api", "-c", f"stage={stage}"]
    api_id = find_rest_api(apigateway, stage)
    if api_id is not None:
        live = apigateway.get_stage(restApiId=api_id, stageName=API_STAGE)["deploymentId"]
        command += ["-c", f"api_canary={live}:{percent:g}"]
        versions = live_versions(clients["lambda"], stage)
        if versions:
            pinned = ",".join(f"{name}={version}" for name, version in sorted(versions.items()))
            command += ["-c", f"live_versions={pinned}"]
    # The api stack only: the others were deployed before it.
    return [*command, "--exclusively", "--require-approval", "never"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.api_canary", description=__doc__)
    parser.add_argument("action", choices=["start", "status", "promote", "rollback"])
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--percent", type=float, default=10.0)
    parser.add_argument("--force", action="store_true", help="promote a worse canary")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    clients = {
        n: boto3.client(n, region_name=args.region)
        for n in ("apigateway", "cloudwatch", "ssm", "lambda")
    }
    if args.action == "start":
        command = start_command(clients, args.stage, args.percent)
        print(" ".join(command))
        return subprocess.run(command, check=False).returncode
    if args.action == "status":
        verdict, report = status(clients, args.stage)
        print(report)
        return int(verdict)
    if args.action == "promote":
        print(promote(clients, args.stage, args.force))
        return 0
    print(rollback(clients, args.stage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
