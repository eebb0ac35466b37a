"""Key builders, cursors, item (de)serialization and DynamoDB error mapping."""

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.domain.club import club_name_key
from shared.domain.errors import BadRequest, ServiceUnavailable, Unprocessable
from shared.store import keys
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.schema import attribute_definitions, table_name
from shared.store.table import (
    CONTENTION_ATTEMPTS,
    ConditionFailed,
    Table,
    TransactionCancelled,
    deserialize,
    mapped_errors,
    serialize,
)

pytestmark = pytest.mark.unit

PAGE_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")


def test_keys_follow_the_single_table_design() -> None:
    assert keys.club_key("c1") == {"PK": "CLUB#c1", "SK": "METADATA"}
    assert keys.membership_key("c1", "u1") == {"PK": "CLUB#c1", "SK": "MEMBER#u1"}
    assert keys.user_key("u1") == {"PK": "USER#u1", "SK": "PROFILE"}
    assert keys.club_name_key("inner west") == {"PK": "CLUBNAME#inner west", "SK": "CLUBNAME"}
    assert keys.club_directory_pk("active") == "CLUBS#active"
    assert keys.club_directory_sk("alpha", "c1") == "NAME#alpha#c1"


def test_schema_names_every_key_attribute_once() -> None:
    names = [a["AttributeName"] for a in attribute_definitions()]
    assert names == ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
    assert table_name("prod") == "sydney-cycling-prod"


@pytest.mark.parametrize(
    ("name", "key"),
    [("Inner West Riders", "inner west riders"), ("  INNER   west\triders ", "inner west riders")],
)
def test_club_name_key_ignores_case_and_spacing(name: str, key: str) -> None:
    assert club_name_key(name) == key


def test_cursor_round_trip() -> None:
    last = {name: {"S": f"value-{name}"} for name in PAGE_KEYS}
    cursor = encode_cursor(last)
    assert cursor is not None and "=" not in cursor

    start = decode_cursor(cursor, key_names=PAGE_KEYS, fixed={"GSI1PK": "value-GSI1PK"})

    assert start == last
    assert encode_cursor(None) is None
    assert decode_cursor(None, key_names=PAGE_KEYS, fixed={}) is None


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", "bm90IGpzb24", "W10", "eyJQSyI6IDF9", "a" * 3000],
)
def test_bad_cursors_are_bad_requests(cursor: str) -> None:
    with pytest.raises(BadRequest) as bad:
        decode_cursor(cursor, key_names=PAGE_KEYS, fixed={})
    assert bad.value.code == "invalid_cursor"


def test_cursor_for_another_partition_is_refused() -> None:
    cursor = encode_cursor({name: {"S": "x"} for name in PAGE_KEYS})

    with pytest.raises(BadRequest):
        decode_cursor(cursor, key_names=PAGE_KEYS, fixed={"GSI1PK": "CLUBS#active"})


def test_items_round_trip_with_plain_numbers() -> None:
    item = {"n": 3, "f": 1.5, "s": "x", "l": ["a", 2], "m": {"lat": -33.87}, "none": None}

    wire = serialize(item)

    assert "none" not in wire
    assert wire["f"] == {"N": "1.5"}
    assert deserialize(wire) == {"n": 3, "f": 1.5, "s": "x", "l": ["a", 2], "m": {"lat": -33.87}}
    assert not any(isinstance(v, Decimal) for v in deserialize(wire).values())


def _client_error(code: str, **extra: Any) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, **extra}, "Op")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ConditionalCheckFailedException", ConditionFailed),
        ("TransactionConflictException", ServiceUnavailable),
        ("ProvisionedThroughputExceededException", ServiceUnavailable),
        ("ThrottlingException", ServiceUnavailable),
        ("InternalServerError", ServiceUnavailable),
    ],
)
def test_dynamodb_errors_map_to_domain_errors(code: str, expected: type[Exception]) -> None:
    with pytest.raises(expected), mapped_errors():
        raise _client_error(code)


def test_cancelled_transactions_keep_their_reasons() -> None:
    error = _client_error(
        "TransactionCanceledException",
        CancellationReasons=[{"Code": "None"}, {"Code": "ConditionalCheckFailed"}],
    )
    with pytest.raises(TransactionCancelled) as cancelled, mapped_errors():
        raise error
    assert cancelled.value.failed_condition(1)
    assert not cancelled.value.failed_condition(0)
    assert not cancelled.value.failed_condition(5)


def test_transaction_conflicts_are_retryable_503s() -> None:
    error = _client_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "TransactionConflict"}]
    )
    with pytest.raises(ServiceUnavailable) as busy, mapped_errors():
        raise error
    assert busy.value.code == "contended"
    assert busy.value.status == 503


class ContendedClient:
    """A client whose first `conflicts` transactions meet another transaction."""

    def __init__(self, conflicts: int) -> None:
        self.conflicts, self.calls = conflicts, 0

    def transact_write_items(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.conflicts:
            raise _client_error(
                "TransactionCanceledException",
                CancellationReasons=[{"Code": "TransactionConflict"}],
            )
        return {}


def test_a_contended_transaction_is_tried_again_then_goes_through() -> None:
    client = ContendedClient(conflicts=2)

    Table(client, "t").transact_write([{"Put": {"Item": {"PK": "a", "SK": "b"}}}])

    assert client.calls == 3


def test_a_transaction_contended_every_time_is_503_after_a_few_attempts() -> None:
    client = ContendedClient(conflicts=100)

    with pytest.raises(ServiceUnavailable):
        Table(client, "t").transact_write([{"Put": {"Item": {"PK": "a", "SK": "b"}}}])

    assert client.calls == CONTENTION_ATTEMPTS


def test_unknown_errors_are_not_swallowed() -> None:
    with pytest.raises(ClientError), mapped_errors():
        raise _client_error("ResourceNotFoundException")


def test_a_value_the_store_cannot_hold_is_422() -> None:
    with pytest.raises(Unprocessable) as refused, mapped_errors():
        raise _client_error("ValidationException")
    assert refused.value.status == 422


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("text", {"S": "text"}),
        (7, {"N": "7"}),
        (-33.8688, {"N": "-33.8688"}),
        (Decimal("1.10"), {"N": "1.10"}),
        (True, {"BOOL": True}),
        (None, {"NULL": True}),
        ([1, "a"], {"L": [{"N": "1"}, {"S": "a"}]}),
        ({"k": {"n": 1}}, {"M": {"k": {"M": {"n": {"N": "1"}}}}}),
        ({"b", "a"}, {"SS": ["a", "b"]}),
    ],
)
def test_attribute_values_match_dynamodb_json(value: Any, wire: dict[str, Any]) -> None:
    from shared.store.attribute_values import from_attribute, to_attribute

    assert to_attribute(value) == wire
    back = from_attribute(wire)
    if isinstance(value, set):
        assert sorted(back) == sorted(value)
    elif isinstance(value, Decimal):
        assert back == pytest.approx(float(value))
    else:
        assert back == value


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), b"bytes", set()])
def test_unstorable_values_are_refused(value: Any) -> None:
    from shared.store.attribute_values import to_attribute

    with pytest.raises((TypeError, ValueError)):
        to_attribute(value)
