"""The OpenAPI document of the whole API, generated from the services' code.

Each service's resolver knows its routes and pydantic models; this merges them into one
document with the Cognito security scheme. `python -m local.openapi docs/openapi.json`
writes it; a test fails when the committed copy is stale, so API changes show in review.
"""

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from stacks.routes import HEALTH, SERVICE_HANDLERS

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
    for handler in SERVICE_HANDLERS.values():
        module = importlib.import_module(handler.rpartition(".")[0])
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
            "operationId": "health",
            "security": [],
            "responses": {"200": {"description": "The API is up"}},
        }
    }
    merged["paths"] = dict(sorted(merged["paths"].items()))
    return merged


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/openapi.json")
    target.write_text(render())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
