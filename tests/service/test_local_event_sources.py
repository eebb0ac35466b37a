"""The local stand-ins for Lambda's event source mappings and EventBridge Scheduler behave
like the AWS services they replace (moto in-process, handlers replaced by recorders)."""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from local.event_sources import QueueMapping, StreamMapping
from local.moto_server import MotoServer
from local.provision import ConsumerQueue, create_table
from local.scheduler import ScheduleRunner, due_time, rate_period
from shared.adapters.reminders import ReminderScheduler

pytestmark = pytest.mark.service


class Recorder:
    """A handler stand-in: records batches and fails the records `fails(record)` names."""

    def __init__(
        self, key: Callable[[dict[str, Any]], str], fails: Callable[[dict[str, Any]], bool]
    ) -> None:
        self.key, self.fails = key, fails
        self.batches: list[list[str]] = []

    def __call__(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        records = event["Records"]
        self.batches.append([self.key(r) for r in records])
        return {
            "batchItemFailures": [{"itemIdentifier": self.key(r)} for r in records if self.fails(r)]
        }


@pytest.fixture
def server() -> Iterator[str]:
    """DynamoDB Streams answers through moto's server only (in-process mocking does not
    route it), as the local platform uses it."""
    with MotoServer() as running:
        requests.post(f"{running.url}/moto-api/reset", timeout=5)
        yield running.url


def _stream(url: str) -> tuple[Any, Any, str, str]:
    def client(name: str) -> Any:
        return boto3.client(name, endpoint_url=url)

    dynamodb = client("dynamodb")
    stream_arn = create_table(dynamodb, "t", stream=True)
    sqs = client("sqs")
    failures = sqs.create_queue(QueueName="failures")["QueueUrl"]
    for i in range(6):
        dynamodb.put_item(TableName="t", Item={"PK": {"S": f"item-{i}"}, "SK": {"S": "x"}})
    return client("dynamodbstreams"), sqs, stream_arn, failures


def _pk(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["Keys"]["PK"]["S"])


def test_the_stream_is_read_in_order_and_each_record_delivered_once(server: str) -> None:
    streams, sqs, arn, failures = _stream(server)
    recorder = Recorder(_pk, lambda r: False)
    mapping = StreamMapping(streams, sqs, arn, failures, recorder, "publisher")

    assert mapping.poll_once() is True
    assert mapping.poll_once() is False  # nothing new

    assert recorder.batches == [[f"item-{i}" for i in range(6)]]


def test_a_poison_record_is_isolated_retried_and_sent_to_the_failure_queue(server: str) -> None:
    streams, sqs, arn, failures = _stream(server)
    # item-3 always fails; it is reported by sequence number, as the publisher does.
    recorder = Recorder(
        lambda r: str(r["dynamodb"]["SequenceNumber"]), lambda r: _pk(r) == "item-3"
    )
    mapping = StreamMapping(
        streams, sqs, arn, failures, recorder, "publisher", retry_attempts=2, backoff_seconds=0
    )

    mapping.poll_once()

    delivered = [n for batch in recorder.batches for n in batch]
    numbers = sorted(set(delivered))
    poison = numbers[3]
    assert all(delivered.count(n) == 1 for n in numbers[:3])  # before the poison: once
    assert all(n in delivered for n in numbers[4:])  # after it: delivered too (bisected)
    assert delivered.count(poison) == 3  # the first attempt and two retries
    (message,) = sqs.receive_message(QueueUrl=failures)["Messages"]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == poison and info["batchSize"] == 1


def _queue(visibility: int = 0) -> tuple[Any, ConsumerQueue]:
    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName="work",
        Attributes={
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return sqs, ConsumerQueue("Work", "consumer.handler", url, arn, dlq_url, 3)


def test_a_partial_batch_failure_redelivers_only_the_failed_message_until_the_dlq(
    aws: None,
) -> None:
    sqs, queue = _queue()
    for body in ("good-1", "bad", "good-2"):
        sqs.send_message(QueueUrl=queue.queue_url, MessageBody=body)
    recorder = Recorder(lambda r: str(r["messageId"]), lambda r: r["body"] == "bad")
    bodies: list[str] = []

    def consumer(handler: str, event: dict[str, Any]) -> dict[str, Any]:
        bodies.extend(r["body"] for r in event["Records"])
        return recorder(handler, event)

    mapping = QueueMapping(sqs, queue, consumer)
    mapping.LONG_POLL_SECONDS = 0  # the last polls find the queue empty: no need to wait

    for _ in range(5):
        mapping.poll_once()

    assert sorted(bodies) == ["bad", "bad", "bad", "good-1", "good-2"]
    (parked,) = sqs.receive_message(QueueUrl=queue.dead_letter_url)["Messages"]
    assert parked["Body"] == "bad"
    assert mapping.stats.succeeded == 2 and mapping.stats.failed == 3


def test_a_consumer_that_crashes_leaves_the_whole_batch_for_redelivery(aws: None) -> None:
    sqs, queue = _queue()
    sqs.send_message(QueueUrl=queue.queue_url, MessageBody="m")
    calls: list[int] = []

    def crash(handler: str, event: dict[str, Any]) -> Any:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("the function timed out")
        return {"batchItemFailures": []}

    mapping = QueueMapping(sqs, queue, crash)
    mapping.poll_once()
    mapping.poll_once()

    assert calls == [1, 1]
    assert sqs.receive_message(QueueUrl=queue.queue_url).get("Messages") is None


def test_due_reminder_schedules_fire_once_into_their_queue(aws: None) -> None:
    sqs, queue = _queue(visibility=30)
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="reminders")
    reminders = ReminderScheduler(
        scheduler,
        group="reminders",
        queue_arn=queue.queue_arn,
        role_arn="arn:aws:iam::1:role/r",
        dead_letter_arn="arn:aws:sqs:ap-southeast-2:123456789012:dlq",
    )
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    start = now + timedelta(hours=30)
    assert reminders.schedule("club_ride", "club", start, 24, now)
    assert not reminders.schedule("club_soon", "club", now + timedelta(hours=2), 24, now)
    clock = {"now": now}
    runner = ScheduleRunner(scheduler, sqs, "reminders", clock=lambda: clock["now"])

    assert runner.poll_once() is False  # not due for six hours
    clock["now"] = now + timedelta(hours=6, seconds=1)
    assert runner.poll_once() is True
    assert runner.poll_once() is False  # deleted after firing

    (message,) = sqs.receive_message(QueueUrl=queue.queue_url)["Messages"]
    envelope = json.loads(message["Body"])
    assert envelope["detail-type"] == "ride_reminder_due"
    assert envelope["detail"]["data"]["ride_id"] == "club_ride"
    assert due_time("rate(5 minutes)") is None


def test_a_reminder_its_queue_refuses_goes_to_the_dead_letters(aws: None) -> None:
    sqs, queue = _queue(visibility=30)
    dead_url = sqs.create_queue(QueueName="reminder-dead-letters")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="reminders")
    reminders = ReminderScheduler(
        scheduler,
        group="reminders",
        queue_arn=queue.queue_arn.replace(":work", ":gone"),  # a queue that no longer exists
        role_arn="arn:aws:iam::1:role/r",
        dead_letter_arn=dead_arn["Attributes"]["QueueArn"],
    )
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert reminders.schedule("club_ride", "club", now + timedelta(hours=25), 24, now)
    runner = ScheduleRunner(scheduler, sqs, "reminders", clock=lambda: now + timedelta(hours=2))

    assert runner.poll_once() is True
    assert runner.poll_once() is False  # fired once, then deleted

    (message,) = sqs.receive_message(QueueUrl=dead_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"])["detail-type"] == "ride_reminder_due"
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"].endswith("NonExistentQueue")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue.queue_url)


def test_a_recurring_job_fires_at_start_and_then_once_a_period(aws: None) -> None:
    sqs, queue = _queue(visibility=30)
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name="reminders")
    # As local/provision.py makes a consumer's job (the integration stack's schedule).
    scheduler.create_schedule(
        Name="local-RideSeries-job",
        ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": queue.queue_arn, "RoleArn": "arn:aws:iam::1:role/r", "Input": '{"job":1}'},
    )
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    clock = {"now": now}
    runner = ScheduleRunner(scheduler, sqs, "reminders", clock=lambda: clock["now"])

    assert runner.poll_once() is True  # when the platform starts
    clock["now"] = now + timedelta(minutes=59)
    assert runner.poll_once() is False
    clock["now"] = now + timedelta(hours=1)
    assert runner.poll_once() is True
    # A recurring schedule stays; both messages are on the queue.
    assert scheduler.get_schedule(Name="local-RideSeries-job")["State"] == "ENABLED"
    bodies = [
        m["Body"]
        for m in sqs.receive_message(QueueUrl=queue.queue_url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert bodies == ['{"job":1}', '{"job":1}']
    assert rate_period("rate(5 minutes)") == timedelta(minutes=5)
    assert rate_period("at(2026-12-01T00:00:00)") is None
