"""Every request and success body in the OpenAPI document carries an example, and every
example is valid against the body's own schema (JSON Schema 2020-12, as OpenAPI 3.1)."""

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tools.openapi import build_document

pytestmark = pytest.mark.unit

DOCUMENT = build_document()


def _bodies() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for verb, operation in item.items():
            where = f"{verb.upper()} {path}"
            request = operation.get("requestBody", {}).get("content", {})
            found += [(f"{where} request", c) for m, c in request.items() if "json" in m]
            for status, answer in operation["responses"].items():
                if str(status).startswith("2"):
                    content = answer.get("content", {})
                    found += [(f"{where} {status}", c) for m, c in content.items() if "json" in m]
    return found


def _anchored(value: Any) -> Any:
    """The schema with its local references pointing into the whole document."""
    if isinstance(value, dict):
        return {
            k: (f"urn:openapi{v}" if k == "$ref" and v.startswith("#") else _anchored(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_anchored(v) for v in value]
    return value


REGISTRY = Registry().with_resource(
    "urn:openapi",
    Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema", **DOCUMENT}),
)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(_anchored(schema), registry=REGISTRY)


@pytest.mark.parametrize(
    ("where", "content"), _bodies(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_body_has_an_example_valid_against_its_schema(
    where: str, content: dict[str, Any]
) -> None:
    assert "example" in content, where
    errors = [e.message for e in _validator(content["schema"]).iter_errors(content["example"])]
    assert errors == [], where
