"""The OpenAPI document of the whole API, generated from the services' code.

Each service's resolver knows its routes and pydantic models; this merges them into one
document with the Cognito security scheme. `python -m tools.openapi docs/openapi.json`
writes it; a test fails when the committed copy is stale, so API changes show in review.
"""

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from stacks.contexts import CONTEXTS
from stacks.routes import HEALTH, ROUTES
from tools.openapi_examples import add_examples

TITLE = "Sydney Cycling Platform API"
VERSION = "1.0.0"
SECURITY_SCHEME = {
    "cognito": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "A Cognito user pool ID token (the raw JWT, or `Bearer <jwt>`).",
    }
}


def build_document() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for context in CONTEXTS.values():
        module = importlib.import_module(context.handler.rpartition(".")[0])
        document = json.loads(
            module.app.get_openapi_json_schema(
                title=TITLE,
                version=VERSION,
                description="REST API of the Sydney Cycling Platform backend.",
                security_schemes=SECURITY_SCHEME,
                security=[{"cognito": []}],
            )
        )
        if not merged:
            merged = document
            continue
        merged["paths"].update(document.get("paths", {}))
        schemas = document.get("components", {}).get("schemas", {})
        merged.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
    merged["paths"][HEALTH.path] = {
        "get": {
            "summary": "Health check (no token needed)",
            "security": [],
            "responses": {"200": {"description": "The API is up"}},
        }
    }
    for route in ROUTES:
        operation = merged["paths"][route.path][route.method.lower()]
        # The route table names every operation (Powertools would derive a long name from
        # the function, path and method).
        operation["operationId"] = route.operation_id
        # Routes without the authorizer need no token: the document says so per operation.
        if not route.authorized:
            operation["security"] = []
    _add_links(merged["paths"])
    _add_idempotency(merged["paths"])
    add_examples(merged)
    merged["paths"] = dict(sorted(merged["paths"].items()))
    return merged


# Where a created resource's id goes next: OpenAPI links, so generated clients and
# stateful tests (schemathesis) follow a club to its members and rides, a ride to its
# participations.
_LINKS = {
    ("/clubs", "post", "201"): {
        "club_id": "$response.body#/club_id",
        "targets": [
            ("GET", "/clubs/{club_id}"),
            ("PUT", "/clubs/{club_id}"),
            ("POST", "/clubs/{club_id}/memberships"),
            ("GET", "/clubs/{club_id}/memberships"),
            ("POST", "/clubs/{club_id}/rides"),
            ("GET", "/clubs/{club_id}/rides"),
            ("GET", "/clubs/{club_id}/rides.ics"),
            ("POST", "/clubs/{club_id}/ride-series"),
            ("GET", "/clubs/{club_id}/ride-series"),
        ],
    },
    ("/clubs/{club_id}/ride-series", "post", "201"): {
        "series_id": "$response.body#/series_id",
        "targets": [
            ("GET", "/ride-series/{series_id}"),
            ("PUT", "/ride-series/{series_id}"),
            ("PUT", "/ride-series/{series_id}/regulars/me"),
            ("DELETE", "/ride-series/{series_id}/regulars/me"),
        ],
    },
    ("/clubs/{club_id}/rides", "post", "201"): {
        "ride_id": "$response.body#/ride_id",
        "targets": [
            ("GET", "/rides/{ride_id}"),
            ("PUT", "/rides/{ride_id}"),
            ("GET", "/rides/{ride_id}/participations"),
            ("POST", "/rides/{ride_id}/participations"),
        ],
    },
    ("/clubs/{club_id}/memberships", "post", "201"): {
        "membership_id": "$response.body#/membership_id",
        "targets": [
            ("PUT", "/memberships/{membership_id}"),
            ("DELETE", "/memberships/{membership_id}"),
        ],
    },
    ("/rides/{ride_id}/participations", "post", "201"): {
        "participation_id": "$response.body#/participation_id",
        "targets": [("PUT", "/participations/{participation_id}")],
    },
}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Carry out this POST once: a retry with the same key and body within 24 hours gets "
        "the first answer back (Idempotent-Replayed: true); another body is 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
REPLAYED = {
    "description": "true when this is the remembered answer to an earlier request",
    "schema": {"type": "string", "enum": ["true"]},
}


def _add_idempotency(paths: dict[str, Any]) -> None:
    for route in ROUTES:
        if route.method != "POST" or not route.authorized:
            continue
        operation = paths[route.path]["post"]
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        for status, answer in operation["responses"].items():
            if status.startswith("2"):
                answer.setdefault("headers", {})["Idempotent-Replayed"] = REPLAYED


def _add_links(paths: dict[str, Any]) -> None:
    for (path, verb, status), spec in _LINKS.items():
        parameter, expression = next((k, v) for k, v in spec.items() if k != "targets")
        links = {}
        for method, target in spec["targets"]:
            operation = paths[target][method.lower()]
            links[operation["operationId"]] = {
                "operationId": operation["operationId"],
                "parameters": {parameter: expression},
            }
        paths[path][verb]["responses"][status]["links"] = links


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/openapi.json")
    target.write_text(render())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
