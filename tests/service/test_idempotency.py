"""Idempotent creates: the same key and body once, the first answer back; another body is
422; no key, no bookkeeping."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from local.proxy_event import build_proxy_event
from shared.store.table import Table
from tests.service.conftest import ADMIN, LambdaContextStub, add_profiles, snapshot

pytestmark = pytest.mark.service

CLUB = {"name": "Once Only Club", "disciplines": ["road"]}


@pytest.fixture
def table_with_admin(table: Table) -> Iterator[Table]:
    add_profiles(table, ADMIN["sub"])
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
    yield table
    clubs_api.app.dependency_overrides.clear()


def create(
    body: dict[str, Any], key: str | None, header: str = "Idempotency-Key"
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({header: key} if key else {})}
    event = build_proxy_event(
        method="POST",
        resource="/clubs",
        path="/clubs",
        headers=headers,
        body=json.dumps(body),
        claims=ADMIN,
    )
    answer: dict[str, Any] = clubs_api.handler(event, LambdaContextStub())
    return answer


def headers(answer: dict[str, Any]) -> dict[str, str]:
    found = dict(answer.get("headers") or {})
    found.update({k: ",".join(v) for k, v in (answer.get("multiValueHeaders") or {}).items()})
    return found


def clubs(table: Table) -> list[dict[str, Any]]:
    return [i for i in snapshot(table) if i.get("entity", {}).get("S") == "club"]


def test_the_same_key_and_body_creates_once_and_replays_the_first_answer(
    table_with_admin: Table,
) -> None:
    first = create(CLUB, "key-1")
    again = create(CLUB, "key-1", header="idempotency-key")

    assert first["statusCode"] == again["statusCode"] == 201
    assert json.loads(again["body"]) == json.loads(first["body"])
    assert headers(again)["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in headers(first)
    assert headers(again)["Location"] == headers(first)["Location"]
    assert len(clubs(table_with_admin)) == 1
    # The record is the caller's own: in their partition, where their account's deletion
    # finds it.
    records = [i for i in snapshot(table_with_admin) if i["PK"]["S"].startswith("IDEMPOTENCY#")]
    assert [i["PK"]["S"] for i in records] == [f"IDEMPOTENCY#{ADMIN['sub']}"]


def test_the_same_key_with_another_body_is_422_and_writes_nothing(table_with_admin: Table) -> None:
    create(CLUB, "key-2")
    before = snapshot(table_with_admin)

    other = create({**CLUB, "name": "Another Club"}, "key-2")

    assert other["statusCode"] == 422
    assert json.loads(other["body"])["error"]["code"] == "idempotency_key_reused"
    assert snapshot(table_with_admin) == before


def test_refusals_are_replayed_too_and_other_keys_are_independent(table_with_admin: Table) -> None:
    create(CLUB, "key-3")
    duplicate = create(CLUB, "key-4")  # a new key: a new attempt, which meets the name rule
    replayed = create(CLUB, "key-4")

    assert duplicate["statusCode"] == replayed["statusCode"] == 409
    assert headers(replayed)["Idempotent-Replayed"] == "true"


def test_without_a_key_nothing_is_remembered(table_with_admin: Table) -> None:
    create(CLUB, None)
    items = snapshot(table_with_admin)

    assert not any(i["PK"]["S"].startswith("IDEMPOTENCY#") for i in items)
    assert create(CLUB, None)["statusCode"] == 409  # a plain retry is a second attempt


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "é"])
def test_a_malformed_key_is_400(table_with_admin: Table, key: str) -> None:
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    event = build_proxy_event(
        method="POST",
        resource="/clubs",
        path="/clubs",
        headers=headers,
        body=json.dumps(CLUB),
        claims=ADMIN,
    )

    answer = clubs_api.handler(event, LambdaContextStub())

    assert answer["statusCode"] == 400
    assert clubs(table_with_admin) == []


def test_signed_out_requests_are_not_scoped_to_a_shared_empty_caller() -> None:
    """An unsubscribe link's POST has no caller: a key there would be shared by every
    signed-out request, so the header is not honoured (each such route is idempotent by
    its own nature)."""
    from shared.api.idempotency import idempotency_key

    event = build_proxy_event(
        method="POST",
        resource="/notifications/unsubscribe",
        path="/notifications/unsubscribe",
        query={"token": ["abc"]},
        headers={"Idempotency-Key": "k"},
        body=None,
        claims=None,
    )
    assert idempotency_key(event) is None
    signed_in = build_proxy_event(
        method="POST",
        resource="/clubs",
        path="/clubs",
        headers={"Idempotency-Key": "k"},
        body="{}",
        claims=ADMIN,
    )
    assert idempotency_key(signed_in) == "k"


def test_the_query_string_is_part_of_the_scope(table_with_admin: Table) -> None:
    from shared.api import idempotency

    def scoped(query: dict[str, list[str]]) -> str:
        event = build_proxy_event(
            method="POST",
            resource="/clubs",
            path="/clubs",
            query=query,
            headers={},
            body="{}",
            claims=ADMIN,
        )
        return f"{event['path']}?{idempotency._query(event)}"

    assert scoped({"b": ["2"], "a": ["1"]}) == scoped({"a": ["1"], "b": ["2"]})
    assert scoped({"token": ["one"]}) != scoped({"token": ["two"]})
