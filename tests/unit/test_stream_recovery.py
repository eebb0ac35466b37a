"""`ops/stream_recovery.py` against moto's table stream and SQS, with botocore's Stubber for
Lambda (moto would need Docker to run the publisher): a failed batch is read again from the
stream between its first and last sequence numbers and handed to the publisher's `live`
alias as Lambda's event source would; a batch the publisher fails again stays recorded."""

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from moto import mock_aws

from local.provision import create_table
from ops.stream_recovery import failed_batches, republish, stream_records
from shared.store.table import serialize

pytestmark = pytest.mark.unit


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        made = {
            name: boto3.client(name, region_name="ap-southeast-2")
            for name in ("dynamodb", "sqs", "lambda")
        }
        # moto answers the streams API at its classic host (botocore's default is newer).
        made["dynamodbstreams"] = boto3.client(
            "dynamodbstreams",
            region_name="ap-southeast-2",
            endpoint_url="https://streams.dynamodb.ap-southeast-2.amazonaws.com",
        )
        made["stream_arn"] = create_table(made["dynamodb"], "sydney-cycling-prod", stream=True)
        made["queue"] = made["sqs"].create_queue(
            QueueName="sydney-cycling-prod-StreamFailures-dead-letters"
        )["QueueUrl"]
        yield made


def _sequence_numbers(aws: dict[str, Any]) -> tuple[str, list[str]]:
    streams = aws["dynamodbstreams"]
    (shard,) = streams.describe_stream(StreamArn=aws["stream_arn"])["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=aws["stream_arn"], ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return shard["ShardId"], [r["dynamodb"]["SequenceNumber"] for r in records]


def _record_failure(aws: dict[str, Any], shard: str, first: str, last: str) -> None:
    body = {
        "version": "1.0",
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": first,
            "endSequenceNumber": last,
            "batchSize": 2,
            "streamArn": aws["stream_arn"],
        },
    }
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody=json.dumps(body))


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    return {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(raw), len(raw))}


def test_a_failed_batch_is_read_again_and_handed_to_the_publisher(aws: dict[str, Any]) -> None:
    for n in range(4):
        aws["dynamodb"].put_item(
            TableName="sydney-cycling-prod", Item=serialize({"PK": f"CLUB#{n}", "SK": "METADATA"})
        )
    shard, numbers = _sequence_numbers(aws)
    _record_failure(aws, shard, numbers[1], numbers[2])

    (batch,) = failed_batches(aws["sqs"], aws["queue"])
    records = stream_records(aws["dynamodbstreams"], batch)

    assert records is not None
    assert [r["dynamodb"]["SequenceNumber"] for r in records] == numbers[1:3]
    assert all(r["eventSourceARN"] == aws["stream_arn"] for r in records)
    with Stubber(aws["lambda"]) as stub:
        stub.add_response(
            "invoke",
            _answer({"batchItemFailures": []}),
            {
                "FunctionName": "sydney-cycling-prod-EventPublisher",
                "Qualifier": "live",
                "Payload": ANY,
            },
        )
        republish(aws["lambda"], "prod", records)
        stub.assert_no_pending_responses()


def test_a_batch_the_publisher_fails_again_is_an_error(aws: dict[str, Any]) -> None:
    with Stubber(aws["lambda"]) as stub:
        stub.add_response("invoke", _answer({"batchItemFailures": [{"itemIdentifier": "1"}]}))
        with pytest.raises(SystemExit, match="failed the batch again"):
            republish(aws["lambda"], "prod", [{"eventID": "1"}])
