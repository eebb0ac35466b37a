"""How every error becomes an HTTP answer in every service's resolver: domain errors, validation
and the unexpected (a request refused before it reaches the resolver is answered by
`request_guard.py`, in the same envelope)."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseHeader,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.api import revoked_accounts
from shared.api.auth import event_claims
from shared.api.errors import ErrorBody, error_response
from shared.api.idempotency import resolve_once
from shared.api.request_guard import (
    RequestRefused,
    guarded_event,
    one_click_event,
    refusal_response,
)
from shared.domain.errors import DomainError, ServiceUnavailable
from shared.observability import count_unhandled_error, instrumented, logger
from shared.store.deletion import account_deleted

# Answers documented on every route of the OpenAPI document.
ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": text, "content": {"application/json": {"model": ErrorBody}}}
    for status, text in (
        (400, "Malformed request (bad JSON, id or cursor)"),
        (401, "Missing or invalid token"),
        (403, "The caller lacks the capability"),
        (404, "No such resource"),
        (409, "Conflict: duplicate, lost race or stale version"),
        (413, "The request body is too large"),
        (415, "The request body is not application/json"),
        (422, "The request failed validation"),
        (429, "Too many requests (API throttling)"),
        (503, "A dependency is busy: retry after the Retry-After seconds"),
    )
}
ERROR_RESPONSES[503]["headers"] = {
    "Retry-After": OpenAPIResponseHeader(
        description="Seconds to wait before retrying", schema={"type": "integer"}
    )
}
LOCATION_HEADER = {
    "Location": OpenAPIResponseHeader(
        description="The created resource's path", schema={"type": "string"}
    )
}

REDIRECT_HEADER = {
    "Location": OpenAPIResponseHeader(description="Where to go next", schema={"type": "string"})
}


def documented(
    tag: str,
    summary: str,
    *,
    success: tuple[int, ...] = (200,),
    description: str = "Success",
) -> dict[str, Any]:
    """The OpenAPI documentation of a route: its tag, a summary, its success answers (the
    body is the handler's return type; a 201 carries `Location`) and the error answers."""
    answers: dict[int, OpenAPIResponse] = {}
    for status in success:
        answer: OpenAPIResponse = {"description": "Created" if status == 201 else description}
        if status == 201:
            answer["headers"] = LOCATION_HEADER
        if status == 302:
            answer["description"] = "Redirect"
            answer["headers"] = REDIRECT_HEADER
        if status in (204, 302):
            answer["content"] = {}
        answers[status] = answer
    return {"summary": summary, "responses": {**answers, **ERROR_RESPONSES}, "tags": [tag]}


def _validation_details(errors: Any) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "message": e.get("msg"),
            "type": e.get("type"),
        }
        for e in errors
    ]


def build_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(
        enable_validation=True,
        # Allowed origins are enforced by API Gateway's CORS preflight; answers echo "*".
        cors=CORSConfig(allow_origin="*", max_age=600),
    )

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        headers = None
        if isinstance(error, ServiceUnavailable):
            headers = {"Retry-After": str(error.retry_after_seconds)}
        return error_response(error.status, error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        errors = error.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", "The request body is not valid JSON.")
        return error_response(
            422, "validation_error", "The request is not valid.", _validation_details(errors)
        )

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return error_response(404, "route_not_found", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        # A bug, not an answer: the invocation fails, so Lambda's Errors metric on the
        # alias (what CodeDeploy rolls back on) sees it, and API Gateway answers 502 in the
        # API's JSON envelope. The metric names the version that failed.
        logger.exception("Unhandled error")
        count_unhandled_error()
        raise error

    return app


def _refuse_deleted_account(event: dict[str, Any], answered: frozenset[str]) -> None:
    """A token of an account deleted since it was issued is refused on every route but
    those in `answered` (`METHOD resource`)."""
    if f"{event.get('httpMethod')} {event.get('resource')}" in answered:
        return
    sub = event_claims(event).get("sub")
    if isinstance(sub, str) and sub and revoked_accounts.refuses(sub):
        deleted = account_deleted()
        raise RequestRefused(deleted.status, deleted.code, deleted.message)


# The context is typed loosely so tests may pass any object with the same attributes.
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def make_handler(
    app: APIGatewayRestResolver,
    *,
    one_click_posts: frozenset[str] = frozenset(),
    open_to_deleted_accounts: frozenset[str] = frozenset(),
) -> Handler:
    """The Lambda entry point of a service's resolver, with the request id as the
    correlation id. `one_click_posts`: resources whose POST takes RFC 8058's form body
    (every other body must be JSON). `open_to_deleted_accounts`: routes (`METHOD
    resource`) a deleted account's token may still call."""

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        one_click = event.get("httpMethod") == "POST" and event.get("resource") in one_click_posts
        guard = one_click_event if one_click else guarded_event
        try:
            _refuse_deleted_account(event, open_to_deleted_accounts)
            return resolve_once(app.resolve, guard(event), context)
        except RequestRefused as refused:
            return refusal_response(refused)

    return instrumented(handler, correlation_id_path=correlation_paths.API_GATEWAY_REST)
