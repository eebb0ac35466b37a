"""`ops/replay.py` against moto's EventBridge: a window of archived domain events is
delivered again, EventBridge is asked to deliver it to the chosen rules only (moto 5.2
replays to every rule of the bus and ignores the window, so the filter and the window are
checked on the replay as EventBridge records it), and a backwards window is refused."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ops.replay import refuse_past_markers, rules, start, wait, when

pytestmark = pytest.mark.unit

BUS = "sydney-cycling-prod"


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        events = boto3.client("events", region_name="ap-southeast-2")
        sqs = boto3.client("sqs", region_name="ap-southeast-2")
        bus_arn = events.create_event_bus(Name=BUS)["EventBusArn"]
        pattern = json.dumps({"source": [{"prefix": "sydney-cycling."}]})
        events.create_archive(ArchiveName="archive", EventSourceArn=bus_arn, EventPattern=pattern)
        queues = {}
        for consumer in ("Counts", "Seats"):
            url = sqs.create_queue(QueueName=consumer)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            rule = f"SydneyCycling-prod-Integration-{consumer}Rule1A2B"
            events.put_rule(Name=rule, EventBusName=BUS, EventPattern=pattern)
            events.put_targets(
                Rule=rule,
                EventBusName=BUS,
                Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
            )
            queues[consumer] = url
        yield {"events": events, "sqs": sqs, "queues": queues}


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )
    return found


def test_a_window_is_replayed_to_the_chosen_rule_only(aws: dict[str, Any]) -> None:
    events, sqs, queues = aws["events"], aws["sqs"], aws["queues"]
    events.put_events(
        Entries=[
            {"Source": "sydney-cycling.memberships", "DetailType": "member_joined",
             "Detail": json.dumps({"n": n}), "EventBusName": BUS}
            for n in range(3)
        ]
    )  # fmt: skip
    assert len(drain(sqs, queues["Counts"])) == 3 and len(drain(sqs, queues["Seats"])) == 3

    chosen = rules(events, BUS, "Counts")
    assert list(chosen) == ["SydneyCycling-prod-Integration-CountsRule1A2B"]
    now = datetime.now(UTC)
    name = start(
        events, "prod", now - timedelta(hours=1), now + timedelta(minutes=1), list(chosen.values())
    )
    assert wait(events, name, poll_seconds=0.1, timeout_seconds=30) == "COMPLETED"

    replayed = drain(sqs, queues["Counts"])
    assert sorted(e["detail"]["n"] for e in replayed) == [0, 1, 2]
    assert all(e["replay-name"] == name for e in replayed)
    asked = events.describe_replay(ReplayName=name)
    assert asked["Destination"]["FilterArns"] == list(chosen.values())
    assert asked["Destination"]["Arn"].endswith(f":event-bus/{BUS}")
    assert asked["EventSourceArn"].endswith(":archive/archive")


def test_every_rule_without_a_filter_and_none_for_an_unknown_name(aws: dict[str, Any]) -> None:
    assert len(rules(aws["events"], BUS, None)) == 2
    with pytest.raises(SystemExit, match="no rule"):
        rules(aws["events"], BUS, "Nothing")


def test_a_backwards_window_is_refused(aws: dict[str, Any]) -> None:
    later, earlier = when("2026-12-01T09:00"), when("2026-12-01T06:00")
    assert later.tzinfo is UTC
    with pytest.raises(SystemExit, match="before"):
        start(aws["events"], "prod", later, earlier, [])


def test_a_window_older_than_the_counts_markers_is_refused_for_its_rule_only(
    aws: dict[str, Any],
) -> None:
    """Counts remembers an applied event 14 days; a replay reaching back further into its
    rule would count those events again. Other rules (their records do not expire) may."""
    now = datetime(2026, 12, 20, tzinfo=UTC)
    chosen = list(rules(aws["events"], BUS, None))

    with pytest.raises(SystemExit, match="would count them again"):
        refuse_past_markers(now - timedelta(days=15), chosen, now)
    refuse_past_markers(now - timedelta(days=13), chosen, now)
    refuse_past_markers(now - timedelta(days=60), list(rules(aws["events"], BUS, "Seats")), now)
