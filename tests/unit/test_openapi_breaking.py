"""The contract check flags what would break a generated client, and only that."""

import copy
import json
from typing import Any

import pytest

from tools.openapi import render
from tools.openapi_breaking import breaking_changes

pytestmark = pytest.mark.unit

CURRENT: dict[str, Any] = json.loads(render())


def changed(edit: Any) -> list[str]:
    document = copy.deepcopy(CURRENT)
    edit(document)
    return breaking_changes(CURRENT, document)


def test_the_document_against_itself_has_no_breaking_change() -> None:
    assert breaking_changes(CURRENT, CURRENT) == []


def test_a_removed_operation_or_success_answer_breaks() -> None:
    assert changed(lambda d: d["paths"]["/clubs"].pop("post")) == ["POST /clubs: operation removed"]
    assert changed(lambda d: d["paths"].pop("/users/me")) == ["/users/me: path removed"]
    removed = changed(lambda d: d["paths"]["/clubs"]["post"]["responses"].pop("201"))
    assert removed == ["POST /clubs: success answer 201 removed"]


def test_a_new_required_property_or_a_narrowed_limit_breaks_a_request() -> None:
    def require_suburb(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["ClubCreate"]["required"].append("suburb")

    def shorter_names(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["ClubCreate"]["properties"]["name"]["maxLength"] = 20

    assert any("'suburb' is now required" in c for c in changed(require_suburb))
    assert any("maxLength 80 -> 20" in c for c in changed(shorter_names))


def test_a_removed_response_property_breaks_but_an_added_one_does_not() -> None:
    def drop(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["Club"]["properties"].pop("city")

    def add(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["Club"]["properties"]["colour"] = {"type": "string"}

    assert any("response property 'city' removed" in c for c in changed(drop))
    assert changed(add) == []


def test_a_renamed_operation_id_breaks_generated_clients() -> None:
    def rename(document: dict[str, Any]) -> None:
        document["paths"]["/clubs/{club_id}/rides"]["post"]["operationId"] = "addRide"

    assert changed(rename) == ["POST /clubs/{club_id}/rides: operationId createRide -> addRide"]
