"""The committed OpenAPI document is the one the code generates (`make openapi`)."""

import json

import pytest
from openapi_spec_validator import validate

from stacks.paths import REPO_ROOT
from stacks.routes import ROUTES
from tools.openapi import build_document, render

pytestmark = pytest.mark.unit


def test_committed_document_is_up_to_date() -> None:
    committed = (REPO_ROOT / "docs" / "openapi.json").read_text()
    assert committed == render(), "docs/openapi.json is stale: run `make openapi`"


def test_document_is_valid_openapi_3_1() -> None:
    document = json.loads(render())
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_document_covers_every_route_with_security_and_errors() -> None:
    document = build_document()
    operations = [
        (path, verb, op) for path, item in document["paths"].items() for verb, op in item.items()
    ]
    assert {(p, v.upper()) for p, v, _ in operations} == {(r.path, r.method) for r in ROUTES}
    public = {r.path for r in ROUTES if not r.authorized}
    for path, _, operation in operations:
        if path not in public:
            assert {"401", "403", "409", "422"} <= set(operation["responses"])
    assert document["security"] == [{"cognito": []}]
    assert "ErrorBody" in document["components"]["schemas"]


def test_every_operation_documents_its_success_and_headers() -> None:
    document = build_document()
    for path, item in document["paths"].items():
        for verb, operation in item.items():
            where = f"{verb.upper()} {path}"
            answers = operation["responses"]
            successes = [code for code in answers if code.startswith(("2", "3"))]
            assert successes, where
            for code in successes:
                if code.startswith("3"):
                    assert "Location" in answers[code]["headers"], where
                    continue
                if code == "204" or path == "/health":
                    continue
                assert answers[code].get("content"), where
                # One media type, or (a page for browsers) JSON and HTML.
                for body in answers[code]["content"].values():
                    assert body.get("schema"), where
                if code == "201":
                    assert "Location" in answers[code]["headers"], where
            if "503" in answers:
                assert "Retry-After" in answers["503"]["headers"], where


VERBS = {
    *("get", "list", "create", "update", "delete", "join", "change", "end", "register"),
    *("start", "confirm", "rotate", "connect", "disconnect", "handle", "verify", "receive"),
    *("unsubscribe", "enable"),
}


def test_every_operation_id_is_short_stable_and_verb_first() -> None:
    """What every generated client calls its methods: `createRide`, not
    `create_ride_clubs__club_id__rides_post`."""
    import re

    document = build_document()
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == len(ROUTES)
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", operation_id), operation_id
        assert len(operation_id) <= 30, operation_id
        assert re.match(r"[a-z]+", operation_id).group() in VERBS, operation_id  # type: ignore[union-attr]
