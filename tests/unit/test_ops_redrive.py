"""`ops/redrive.py` against moto's SQS: a consumer's dead letters go back to the queue they
came from with their bodies and attributes, nothing moves in a dry run, and the stream's
failure records are not redriven."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.provision import provision
from ops.redrive import STREAM_FAILURES, find, move, queue_names, report
from stacks.consumers import CONSUMERS, dead_letter_queue_name

pytestmark = pytest.mark.unit

CONSUMER = CONSUMERS[0].name


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("sqs", region_name="ap-southeast-2")
        for name in queue_names():
            dead = client.create_queue(
                QueueName=dead_letter_queue_name("sydney-cycling-prod", name)
            )
            if name == STREAM_FAILURES:
                continue  # the publisher's on-failure destination, no source queue
            arn = client.get_queue_attributes(
                QueueUrl=dead["QueueUrl"], AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
            policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})
            client.create_queue(QueueName=f"{name}-queue", Attributes={"RedrivePolicy": policy})
        yield client


def bodies(sqs: Any, url: str) -> list[str]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in found.get("Messages", []))


def test_dead_letters_go_back_to_their_source_queue(sqs: Any) -> None:
    dead = find(sqs, "prod", CONSUMER)
    assert dead.source_url is not None and dead.source_url.endswith(f"/{CONSUMER}-queue")
    events = [json.dumps({"id": f"event-{n}", "detail-type": "member_joined"}) for n in range(23)]
    for body in events:
        sqs.send_message(
            QueueUrl=dead.url,
            MessageBody=body,
            MessageAttributes={"ERROR_CODE": {"DataType": "String", "StringValue": "Throttled"}},
        )
    assert find(sqs, "prod", CONSUMER).waiting == 23
    assert move(sqs, dead) == 23
    assert find(sqs, "prod", CONSUMER).waiting == 0
    moved = []
    while batch := sqs.receive_message(
        QueueUrl=dead.source_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages"):
        moved += batch
    assert sorted(m["Body"] for m in moved) == sorted(events)
    assert all(m["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "Throttled" for m in moved)


def test_a_limit_moves_no_more_than_asked(sqs: Any) -> None:
    dead = find(sqs, "prod", CONSUMER)
    for n in range(15):
        sqs.send_message(QueueUrl=dead.url, MessageBody=f"event-{n}")
    assert move(sqs, dead, limit=12) == 12
    assert find(sqs, "prod", CONSUMER).waiting == 3


def test_the_dry_run_report_names_each_queue_and_where_it_goes(sqs: Any) -> None:
    dead = find(sqs, "prod", CONSUMER)
    sqs.send_message(QueueUrl=dead.url, MessageBody="event")
    found = [find(sqs, "prod", name) for name in queue_names()]
    text = report(found)
    assert f"{CONSUMER:24}      1 waiting -> {CONSUMER}-queue" in text
    assert f"{STREAM_FAILURES:24}      0 waiting -> (not redriven)" in text
    assert bodies(sqs, dead.url) == ["event"]  # reporting moved nothing


def test_stream_failures_are_not_redriven(sqs: Any) -> None:
    stream = find(sqs, "prod", STREAM_FAILURES)
    assert stream.source_url is None
    with pytest.raises(SystemExit, match="not a queue's dead letters"):
        move(sqs, stream)


def test_the_local_platforms_dead_letters_are_found_as_in_aws() -> None:
    """`make run` names its queues as the stacks do, so the tool works on it too."""
    with mock_aws():
        session = boto3.Session(region_name="ap-southeast-2")
        provision(session, api_url="http://127.0.0.1:3000")
        sqs = session.client("sqs")
        for name in queue_names():
            found = find(sqs, "local", name)
            assert (found.source_url is None) is (name == STREAM_FAILURES), name
