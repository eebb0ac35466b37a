"""The local moto server's speed-ups change no answer: index queries, scans and the event
path's input paths answer on the platform's server exactly what moto's own code answers
in-process, through puts, updates that move an item in an index, deletes, transactions
and a failed transaction."""

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import jsonpath_ng.ext
import pytest
from moto import mock_aws

from local.moto_server import MotoServer, remember_event_paths
from local.provision import create_table

pytestmark = pytest.mark.service

TABLE = "speedups"


def _item(n: int, partition: str, sort_key: str = "A") -> dict[str, Any]:
    """Index sort keys repeat (ties are ordered by the primary key, which the speed-up
    sorts on its own), and put out of order."""
    return {
        "PK": {"S": f"ITEM#{n:03d}"},
        "SK": {"S": sort_key},
        "GSI1PK": {"S": partition},
        "GSI1SK": {"S": f"{(7 * n) % 5:03d}"},
    }


def _steps(client: Any) -> list[Any]:
    """A history of writes, with what an index query and a scan answer after each."""

    def seen() -> Any:
        pages = [
            client.query(
                TableName=TABLE,
                IndexName="GSI1",
                KeyConditionExpression="GSI1PK = :p",
                ExpressionAttributeValues={":p": {"S": partition}},
            )["Items"]
            for partition in ("RED", "BLUE")
        ]
        scanned: list[Any] = []
        start: dict[str, Any] = {}
        while True:  # pages of 7: each page starts after the last one's key
            page = client.scan(TableName=TABLE, ConsistentRead=True, Limit=7, **start)
            scanned.append(page["Items"])
            if "LastEvaluatedKey" not in page:
                return pages, scanned
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    answers = []
    for n in range(40):
        client.put_item(TableName=TABLE, Item=_item((7 * n) % 40, "RED" if n % 2 else "BLUE"))
    for n in range(6):  # one partition, several sort keys
        client.put_item(TableName=TABLE, Item=_item(50, "BLUE", f"S#{(5 * n) % 7}"))
    answers.append(seen())
    client.update_item(  # moves an item from one index partition to the other
        TableName=TABLE,
        Key={"PK": {"S": "ITEM#004"}, "SK": {"S": "A"}},
        UpdateExpression="SET GSI1PK = :p",
        ExpressionAttributeValues={":p": {"S": "RED"}},
    )
    client.update_item(  # an update that makes a new item
        TableName=TABLE,
        Key={"PK": {"S": "ITEM#100"}, "SK": {"S": "A"}},
        UpdateExpression="SET GSI1PK = :p, GSI1SK = :s",
        ExpressionAttributeValues={":p": {"S": "BLUE"}, ":s": {"S": "000"}},
    )
    answers.append(seen())
    for n in (1, 2, 3):
        client.delete_item(TableName=TABLE, Key={"PK": {"S": f"ITEM#{n:03d}"}, "SK": {"S": "A"}})
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item(200, "RED")}},
            {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "ITEM#005"}, "SK": {"S": "A"}}}},
        ]
    )
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": _item(300, "RED")}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"PK": {"S": "ITEM#001"}, "SK": {"S": "A"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    answers.append(seen())
    return answers


def _run(make_client: Callable[[], Any]) -> list[Any]:
    client = make_client()
    create_table(client, TABLE)
    return _steps(client)


@pytest.fixture
def server() -> Iterator[MotoServer]:
    with MotoServer() as running:
        yield running


def test_index_queries_and_scans_answer_as_moto_does(server: MotoServer) -> None:
    on_server = _run(lambda: boto3.client("dynamodb", endpoint_url=server.url))
    with mock_aws():
        in_process = _run(lambda: boto3.client("dynamodb"))

    assert on_server == in_process
    red_after_moves = [i["PK"]["S"] for i in on_server[1][0][0]]
    assert "ITEM#004" in red_after_moves  # the moved item is found where it went
    assert "ITEM#300" not in str(on_server[2])  # the failed transaction wrote nothing


def test_an_event_path_is_parsed_once_and_finds_the_same_values() -> None:
    remember_event_paths()
    first = jsonpath_ng.ext.parse("$.detail.user_id")
    assert jsonpath_ng.ext.parse("$.detail.user_id") is first
    event = {"detail": {"user_id": "u1"}}
    assert [m.value for m in first.find(event)] == ["u1"]
    assert [m.value for m in jsonpath_ng.ext.parse("$.detail").find(event)] == [{"user_id": "u1"}]
