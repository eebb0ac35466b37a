"""A local stand-in for API Gateway: same route table, Cognito-style token checks,
proxy events to the real handlers, and the same JSON error envelope."""

import base64
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from local.cognito_triggers import PreTokenClaimsCache
from local.proxy_event import build_proxy_event
from local.token_verifier import InvalidToken, TokenVerifier
from local.workers import HandlerPool
from stacks.contexts import CONTEXTS
from stacks.routes import ROUTES, Route
from tools.api_reference import asset, page

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization,Content-Type,X-Correlation-Id",
    "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
}
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass(frozen=True)
class _CompiledRoute:
    route: Route
    pattern: re.Pattern[str]


def _compile(route: Route) -> _CompiledRoute:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path)
    return _CompiledRoute(route, re.compile(f"^{regex}$"))


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return status, {"Content-Type": "application/json"}, body


class LocalGateway:
    """A WSGI application."""

    def __init__(
        self,
        verifier: TokenVerifier,
        pool: HandlerPool,
        openapi: dict[str, Any],
        token_claims: PreTokenClaimsCache,
    ) -> None:
        self.verifier = verifier
        self.claims_cache = token_claims
        self.pool = pool
        self.openapi = json.dumps(openapi).encode()
        self.routes = [_compile(route) for route in ROUTES]

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        status, headers, body = self.handle(environ)
        reason = {200: "OK", 201: "Created", 204: "No Content"}.get(status, "")
        start_response(f"{status} {reason}".strip(), [*CORS_HEADERS.items(), *headers.items()])
        return [body]

    def handle(self, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO") or "/"
        if method == "OPTIONS":
            return 204, {}, b""
        if method == "GET" and path == "/openapi.json":
            return 200, {"Content-Type": "application/json"}, self.openapi
        if method == "GET" and path in ("/docs", "/docs/"):
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                page("/openapi.json", "/docs/"),
            )
        if method == "GET" and path.startswith("/docs/"):
            found = asset(path.removeprefix("/docs/"))
            if found is not None:
                return 200, {"Content-Type": found[0], "Cache-Control": "max-age=3600"}, found[1]
        matched = self._match(method, path)
        if matched is None:
            return _error(404, "route_not_found", "No such route.")
        route, params = matched
        if route.service is None:
            return 200, {"Content-Type": "application/json"}, b'{"status": "ok"}'

        headers = _headers(environ)
        claims = None
        if route.authorized:
            token = headers.get("Authorization")
            try:
                claims = self.verifier.verify(token)
            except InvalidToken:
                return _error(401, "unauthorized", "Unauthorized")
            try:
                # What Cognito's pre-token-generation trigger would have added at issuance.
                claims = self.claims_cache.claims(str(token), claims)
            except Exception:  # the trigger failed: Cognito would not have issued the token
                return _error(401, "unauthorized", "Unauthorized")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return _error(400, "bad_request", "The Content-Length header is not valid.")
        if length > MAX_BODY_BYTES:
            return _error(413, "payload_too_large", "The request body is too large.")
        body = environ["wsgi.input"].read(length) if length else None
        event = build_proxy_event(
            method=method,
            resource=route.path,
            path=path,
            path_parameters=params,
            query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            headers=headers,
            body=body,
            claims=claims,
            source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
        )
        try:
            answer = self.pool.invoke(CONTEXTS[route.service].handler, event)
        except Exception:  # the Lambda failed: API Gateway answers 502
            return _error(502, "gateway_error", "Internal server error")
        return _to_http(answer)

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self.routes:
            found = compiled.pattern.match(path)
            if found and compiled.route.method == method:
                return compiled.route, found.groupdict()
        return None


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def _to_http(answer: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    headers = dict(answer.get("headers") or {})
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ",".join(values)
    body = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        return answer["statusCode"], headers, base64.b64decode(body)
    return answer["statusCode"], headers, body.encode()
