"""The publisher's failed stream batches published again. Each message in the
`StreamFailures` queue is Lambda's record of a table-stream batch the publisher gave up on
(shard, first and last sequence number), not the events; the stream keeps its records 24
hours, so within that time they are read again and handed to the publisher's `live` alias
as the batch Lambda would have sent. Once its batch is published, a message is deleted.

    python -m ops.stream_recovery --stage prod         # dry run: the batches, still readable?
    python -m ops.stream_recovery --stage prod --go    # publish them again

Fix the publisher first (its logs say why the batch failed). Events already on the bus
are put again; every consumer records the events it applied, so a repeat changes nothing.
A batch the stream no longer holds is reported and left in the queue: its events must be
rebuilt from the table (docs/runbooks/dead-letters.md).
"""

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.names import resource_prefix
from stacks.consumers import dead_letter_queue_name

PUBLISHER = "EventPublisher"
ALIAS = "live"


@dataclass(frozen=True)
class FailedBatch:
    receipt: str
    stream_arn: str
    shard_id: str
    first: str
    last: str


def failed_batches(sqs: Any, queue_url: str, limit: int = 100) -> list[FailedBatch]:
    """The batches recorded in the queue (hidden from other readers for 15 minutes)."""
    found: list[FailedBatch] = []
    while len(found) < limit:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=900
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            info = json.loads(message["Body"])["DDBStreamBatchInfo"]
            found.append(
                FailedBatch(
                    message["ReceiptHandle"],
                    info["streamArn"],
                    info["shardId"],
                    info["startSequenceNumber"],
                    info["endSequenceNumber"],
                )
            )
    return found


def stream_records(streams: Any, batch: FailedBatch) -> list[dict[str, Any]] | None:
    """The batch's records as Lambda delivers them; None once the stream has trimmed them."""
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.first,
        )["ShardIterator"]
    except ClientError as error:
        if error.response["Error"]["Code"] in (
            "TrimmedDataAccessException",
            "ResourceNotFoundException",
        ):
            return None
        raise
    records: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        for record in page["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > int(batch.last):
                return records
            records.append({**record, "eventSourceARN": batch.stream_arn})
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records


def republish(lambda_: Any, stage: str, records: list[dict[str, Any]]) -> None:
    """The batch to the publisher's live alias, as its event source would send it."""
    answer = lambda_.invoke(
        FunctionName=f"{resource_prefix(stage)}-{PUBLISHER}",
        Qualifier=ALIAS,
        Payload=json.dumps({"Records": records}, default=str).encode(),
    )
    body = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError") or body.get("batchItemFailures"):
        raise SystemExit(f"the publisher failed the batch again: {json.dumps(body)[:500]}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.stream_recovery", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--go", action="store_true", help="publish (without it: a dry run)")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    session = boto3.Session(region_name=args.region)
    sqs = session.client("sqs")
    name = dead_letter_queue_name(resource_prefix(args.stage), "StreamFailures")
    queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    recovered = 0
    batches = failed_batches(sqs, queue_url)
    for batch in batches:
        records = stream_records(session.client("dynamodbstreams"), batch)
        if records is None:
            print(f"{batch.shard_id} {batch.first}..{batch.last}: no longer in the stream")
            continue
        print(f"{batch.shard_id} {batch.first}..{batch.last}: {len(records)} records")
        if args.go:
            republish(session.client("lambda"), args.stage, records)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=batch.receipt)
            recovered += 1
    if not args.go:  # seen, not taken: visible again at once
        for batch in batches:
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=batch.receipt, VisibilityTimeout=0
            )
    print(f"{recovered} batches published again" if args.go else "dry run: nothing published")
    return 0


if __name__ == "__main__":
    sys.exit(main())
