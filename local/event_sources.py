"""What Lambda's event source mappings do in AWS, done locally with the real handlers.

- `StreamMapping` reads the table's stream (moto's DynamoDB Streams) in batches, invokes
  the publisher, honours partial batch failures, retries with backoff, bisects a failing
  batch, and sends what still fails to the failure queue, as the deployed mapping does
  (`bisect_batch_on_error`, `retry_attempts`, `on_failure`).
- `QueueMapping` long-polls a consumer's SQS queue, invokes the consumer with the batch,
  deletes what succeeded and leaves the reported failures to reappear after the visibility
  timeout; moto's redrive policy parks a message in the dead-letter queue after
  `maxReceiveCount` receives, as SQS does.

Each runs in its own thread and calls handlers through the worker pool, like the API.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.provision import REGION, ConsumerQueue
from shared.observability import logger

Invoke = Callable[[str, dict[str, Any]], Any]


class PollingThread:
    """Daemon threads (`threads` of them) that call `poll_once` until stopped; `poll_once`
    returns whether it found work (if not, the thread waits `idle_seconds`)."""

    idle_seconds = 0.2
    # After a failed poll: a queue's pollers, which do not wait when idle, retried at once
    # and spun a whole core when moto's state was gone (an in-process `mock_aws` resets it).
    failure_pause_seconds = 1.0

    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def signal_stop(self) -> None:
        """Ask the threads to stop after their current poll; `stop` also waits for them."""
        self._stop.set()

    def stop(self) -> None:
        self.signal_stop()
        for thread in self._threads:
            thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:  # keep the platform alive; the next poll tries again, later
                logger.exception(f"{self.name} failed")
                self._stop.wait(self.failure_pause_seconds)
                continue
            if not busy:
                self._stop.wait(self.idle_seconds)

    def poll_once(self) -> bool:
        raise NotImplementedError


def _failed_from(
    answer: Any, records: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> int | None:
    """Index of the first failed record in a partial batch response (None: all went)."""
    failures = {f.get("itemIdentifier") for f in (answer or {}).get("batchItemFailures") or []}
    for index, record in enumerate(records):
        if key(record) in failures:
            return index
    return None


class StreamMapping(PollingThread):
    def __init__(
        self,
        streams: Any,
        sqs: Any,
        stream_arn: str,
        failure_queue_url: str,
        invoke: Invoke,
        handler: str,
        *,
        batch_size: int = 100,
        retry_attempts: int = 10,
        backoff_seconds: float = 0.1,
    ) -> None:
        super().__init__("stream-mapping")
        self.streams, self.sqs = streams, sqs
        self.stream_arn = stream_arn
        self.failure_queue_url = failure_queue_url
        self.invoke, self.handler = invoke, handler
        self.batch_size = batch_size
        self.retry_attempts = retry_attempts
        self.backoff_seconds = backoff_seconds
        self._iterator: str | None = None

    def _shard_iterator(self) -> str:
        if self._iterator is None:
            shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
                "Shards"
            ][0]
            self._iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
        return self._iterator

    def poll_once(self) -> bool:
        answer = self.streams.get_records(
            ShardIterator=self._shard_iterator(), Limit=self.batch_size
        )
        self._iterator = answer["NextShardIterator"]
        records = [
            {**r, "eventSourceARN": self.stream_arn, "awsRegion": REGION} for r in answer["Records"]
        ]
        if records:
            self.process(records)
        return bool(records)

    def process(self, records: list[dict[str, Any]], attempts: int = 0) -> None:
        """Deliver `records` in order; a failing record is retried (with the records after
        it), its batch bisected (halves inherit the retries spent), and after the last
        attempt reported and skipped: a record is delivered at most 1 + retry_attempts
        times."""
        while records:
            failed = self._invoke(records)
            if failed is None:
                return
            records = records[failed:]
            attempts += 1
            if attempts > self.retry_attempts:
                self._give_up(records)
                return
            if len(records) > 1:
                half = len(records) // 2
                self.process(records[:half], attempts)
                self.process(records[half:], attempts)
                return
            time.sleep(min(self.backoff_seconds * 2**attempts, 2.0))

    def _invoke(self, records: list[dict[str, Any]]) -> int | None:
        try:
            answer = self.invoke(self.handler, {"Records": records})
        except Exception:
            logger.exception("stream batch failed")
            return 0
        return _failed_from(answer, records, lambda r: r["dynamodb"]["SequenceNumber"])

    def _give_up(self, records: list[dict[str, Any]]) -> None:
        """What Lambda sends to the on-failure destination: where the batch was."""
        numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        info = {
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {
                "streamArn": self.stream_arn,
                "startSequenceNumber": numbers[0],
                "endSequenceNumber": numbers[-1],
                "batchSize": len(records),
            },
        }
        self.sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps(info))


@dataclass
class QueueStats:
    received: int = 0
    succeeded: int = 0
    failed: int = 0


class QueueMapping(PollingThread):
    """`pollers` batches in flight at once, as Lambda's SQS pollers scale out with a
    queue's backlog (in AWS up to the function's concurrency; here, a few).

    Each receive long-polls like Lambda's pollers (which wait up to 20 s): a message is
    handed over as soon as it is sent, and an idle queue costs one request per poller every
    `LONG_POLL_SECONDS`. With one-second polls, the idle platform's receives were ~23
    requests a second and most of its idle CPU; the wait is kept short so that stopping the
    platform does not wait long for the last poll."""

    LONG_POLL_SECONDS = 5

    def __init__(
        self,
        sqs: Any,
        queue: ConsumerQueue,
        invoke: Invoke,
        *,
        batch_size: int = 10,
        pollers: int = 3,
    ) -> None:
        super().__init__(f"queue-mapping-{queue.name}", threads=pollers)
        self.sqs, self.queue, self.invoke = sqs, queue, invoke
        # One ReceiveMessage returns at most 10; Lambda's poller gathers larger batches (and
        # waits out a batching window) where the declaration asks, locally none is waited.
        self.batch_size = min(batch_size, 10)
        self.stats = QueueStats()
        self._stats_lock = threading.Lock()
        self.idle_seconds = 0.0  # the receive call itself waits

    def poll_once(self) -> bool:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.LONG_POLL_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages") or []
        if not messages:
            return False
        records = [self._record(m) for m in messages]
        with self._stats_lock:
            self.stats.received += len(records)
        try:
            result = self.invoke(self.queue.handler, {"Records": records})
            failed_ids = {
                f.get("itemIdentifier") for f in (result or {}).get("batchItemFailures") or []
            }
        except Exception:
            logger.exception(f"{self.queue.name} batch failed")
            failed_ids = {r["messageId"] for r in records}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        with self._stats_lock:
            self.stats.succeeded += len(done)
            self.stats.failed += len(messages) - len(done)
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return True

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as Lambda's SQS integration hands it to the function."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes") or {},
            "messageAttributes": message.get("MessageAttributes") or {},
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.queue_arn,
            "awsRegion": REGION,
        }
