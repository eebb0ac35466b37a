"""Integration (bus, publisher, consumers) and observability (dashboard, alarms) stacks."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from stacks.consumers import CONSUMERS, WEBHOOK_DELIVERY, WORKERS
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_bus_has_an_archive(synth: Synth) -> None:
    template = synth.template("prod", "Integration")
    template.has_resource_properties("AWS::Events::EventBus", {"Name": "sydney-cycling-prod"})
    template.has_resource_properties(
        "AWS::Events::Archive",
        {"RetentionDays": 365, "EventPattern": {"source": [{"prefix": "sydney-cycling."}]}},
    )


def test_consumer_queues_are_encrypted_tls_only_with_dead_letters(synth: Synth) -> None:
    template = synth.template("dev", "Integration")
    queues = synth.resources("dev", "Integration", "AWS::SQS::Queue")
    assert all(q["Properties"].get("SqsManagedSseEnabled") for q in queues.values())
    redriven = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    # Five tries for most consumers (Strava sync: ten, as rate limits postpone messages);
    # the webhook deliveries settle each message themselves within their 8 attempts, so
    # their dead-letter queue only takes crashes beyond that.
    assert sorted(q["Properties"]["RedrivePolicy"]["maxReceiveCount"] for q in redriven) == sorted(
        [*(c.max_receive_count for c in CONSUMERS), WEBHOOK_DELIVERY.max_receive_count]
    )
    # (Account deletion: 20, as a deletion waits on other consumers' steps.)
    assert {c.max_receive_count for c in CONSUMERS} == {5, 10, 20}
    assert WEBHOOK_DELIVERY.max_receive_count > WEBHOOK_DELIVERY.attempts
    policies = synth.resources("dev", "Integration", "AWS::SQS::QueuePolicy").values()
    tls_denials = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
        and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(tls_denials) == len(queues)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"detail-type": Match.array_with(["user_joined_club", "ride_created"])}
            ),
            "Targets": Match.array_with([Match.object_like({"Arn": Match.any_value()})]),
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": 10},
    )


def test_publisher_reads_the_table_stream_with_failure_destination(synth: Synth) -> None:
    synth.template("dev", "Integration").has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "StartingPosition": "TRIM_HORIZON",
            "BisectBatchOnFunctionError": True,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}},
        },
    )


def test_alarms_cover_api_lambdas_table_and_dead_letters(synth: Synth) -> None:
    alarms = synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm").values()
    metrics = {
        str(a["Properties"].get("MetricName") or a["Properties"].get("Metrics")) for a in alarms
    }
    text = " ".join(metrics)
    for expected in (
        "5XXError",
        "Latency",
        "Errors",
        "Throttles",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ApproximateNumberOfMessagesVisible",
    ):
        assert expected in text, expected
    assert all(a["Properties"]["AlarmActions"] for a in alarms)
    # The operations dashboard, and the business one (tests/infra/test_business_kpis_infra.py).
    synth.template("prod", "Observability").resource_count_is("AWS::CloudWatch::Dashboard", 2)


def test_slow_functions_and_a_lagging_stream_are_alarmed(synth: Synth) -> None:
    alarms = synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm").values()
    watched: dict[str, list[tuple[str, float]]] = {}
    for alarm in alarms:
        for metric in alarm["Properties"].get("Metrics", []):
            stat = metric.get("MetricStat")
            if stat:
                name = stat["Metric"]["MetricName"]
                watched.setdefault(name, []).append(
                    (stat["Stat"], alarm["Properties"]["Threshold"])
                )
    # Ours (with the two layers), not CDK's custom-resource providers, nor the pre-traffic
    # hooks (their failure is a failed deployment, reported by CodeDeploy).
    every_function = sum(
        1
        for stack in ("Api", "Identity", "Integration")
        for f in synth.resources("prod", stack, "AWS::Lambda::Function").values()
        if f["Properties"].get("Layers")
        and f["Properties"]["Handler"] != "deployment.smoke.handler"
    )
    # A near-timeout alarm on every function (80% of its 5, 10 or 30 s timeout)...
    assert len(watched["Duration"]) == every_function
    assert {stat for stat, _ in watched["Duration"]} == {"Maximum"}
    assert {threshold for _, threshold in watched["Duration"]} <= {4_000, 8_000, 24_000}
    # ...and one on how far the stream reader lags behind the table.
    assert watched["IteratorAge"] == [("Maximum", 60_000)]


def test_ops_topic_refuses_plain_http(synth: Synth) -> None:
    synth.template("prod", "Observability").has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_event_sources_invoke_the_live_alias(synth: Synth) -> None:
    """CodeDeploy shifts (and its alarms watch) what the stream and the queues invoke."""
    mappings = synth.resources("prod", "Integration", "AWS::Lambda::EventSourceMapping").values()
    targets = [json.dumps(m["Properties"]["FunctionName"]) for m in mappings]
    # The stream publisher, each consumer, and the webhook delivery worker.
    assert len(targets) == 1 + len(CONSUMERS) + len(WORKERS)
    assert all(t.endswith(':live"]]}') for t in targets), targets


def test_prod_keeps_its_bus_archive_and_queues(synth: Synth) -> None:
    kept = ("AWS::Events::EventBus", "AWS::Events::Archive", "AWS::SQS::Queue")
    for kind in kept:
        prod = synth.resources("prod", "Integration", kind).values()
        assert prod and all(r.get("DeletionPolicy") == "RetainExceptOnCreate" for r in prod), kind
        dev = synth.resources("dev", "Integration", kind).values()
        assert all(r.get("DeletionPolicy") == "Delete" for r in dev), kind


def test_the_series_job_puts_its_message_on_its_consumers_queue_hourly(synth: Synth) -> None:
    (schedule,) = synth.resources("prod", "Integration", "AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["Name"] == "sydney-cycling-prod-RideSeries-job"
    assert props["ScheduleExpression"] == "rate(1 hour)"
    assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = props["Target"]
    assert json.loads(target["Input"]) == {"job": "make_series_occurrences"}
    queue, dead_letters = target["Arn"]["Fn::GetAtt"][0], target["DeadLetterConfig"]["Arn"]
    assert queue.startswith("RideSeriesQueue") and target["Arn"]["Fn::GetAtt"][1] == "Arn"
    assert dead_letters["Fn::GetAtt"][0].startswith("RideSeriesDeadLetters")
    # Its role is Scheduler's in this account only, and may only send to those two queues.
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = synth.resources("prod", "Integration", "AWS::IAM::Role")[role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    granted = synth.granted("prod", "Integration", "RideSeriesJobRoleDefaultPolicy")
    assert {a for s in granted for a in _listed(s["Action"])} == {
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    }
    targets = {
        r["Fn::GetAtt"][0][: len("RideSeriesQueue")]
        for s in granted
        for r in _listed(s["Resource"])
    }
    assert targets <= {"RideSeriesQueue", "RideSeriesDeadL"}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
