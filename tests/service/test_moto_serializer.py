"""The local DynamoDB serializer answers exactly what moto's own serializer answers."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from moto.core import serialize

from local import moto_serializer

ITEM: dict[str, Any] = {
    "PK": {"S": "CLUB#1"},
    "SK": {"S": "RIDE#1"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\xffbinary"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "null": {"NULL": True},
    "flag": {"BOOL": False},
    "empty": {"S": ""},
    "list": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"deep": {"B": b"\x03"}}}]},
    "map": {"M": {"inner": {"L": [{"BOOL": True}, {"NULL": True}]}, "zero": {"N": "0"}}},
}
KEY = {"PK": ITEM["PK"], "SK": ITEM["SK"]}

Call = Callable[[Any], Any]
CALLS: dict[str, Call] = {
    "get_item": lambda c: c.get_item(TableName="sydney-cycling-test", Key=KEY),
    "query": lambda c: c.query(
        TableName="sydney-cycling-test",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "CLUB#1"}},
    ),
    "scan": lambda c: c.scan(TableName="sydney-cycling-test"),
    "batch_get_item": lambda c: c.batch_get_item(
        RequestItems={"sydney-cycling-test": {"Keys": [KEY]}}
    ),
    "transact_get_items": lambda c: c.transact_get_items(
        TransactItems=[{"Get": {"TableName": "sydney-cycling-test", "Key": KEY}}]
    ),
    "update_item": lambda c: c.update_item(
        TableName="sydney-cycling-test",
        Key=KEY,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    ),
    "failed_condition": lambda c: c.put_item(
        TableName="sydney-cycling-test",
        Item=ITEM,
        ConditionExpression="attribute_not_exists(PK)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    ),
}


def _answer(dynamodb: Any, call: Call) -> Any:
    try:
        answer = call(dynamodb)
    except dynamodb.exceptions.ClientError as error:
        answer = error.response
    answer.pop("ResponseMetadata", None)
    return answer


@pytest.mark.parametrize("name", CALLS)
def test_every_attribute_type_comes_back_as_moto_itself_answers(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    dynamodb.put_item(TableName="sydney-cycling-test", Item=ITEM)
    moto_serializer.install()
    fast = _answer(dynamodb, CALLS[name])
    monkeypatch.delitem(serialize.SERVICE_SPECIFIC_SERIALIZERS, "dynamodb")
    dynamodb.put_item(TableName="sydney-cycling-test", Item=ITEM)
    stock = _answer(dynamodb, CALLS[name])
    assert fast == stock
    assert repr(ITEM["b"]["B"]) in repr(fast)  # the item itself came back, binary and all


def test_binary_values_travel_as_base64(dynamodb: Any) -> None:
    moto_serializer.install()
    dynamodb.put_item(TableName="sydney-cycling-test", Item=ITEM)
    item = dynamodb.get_item(TableName="sydney-cycling-test", Key=KEY)["Item"]
    assert item["b"] == {"B": b"\x00\xffbinary"}
    assert item["map"]["M"]["zero"] == {"N": "0"}
    assert Decimal(item["n"]["N"]) == Decimal("12.5")
