"""Idempotent creates: a POST with an `Idempotency-Key` header is carried out once per
caller, route and key within 24 hours; a retry gets the first answer back (with
`Idempotent-Replayed: true`), and the same key with another body is 422.

Powertools' idempotency utility does the bookkeeping, on the application table (its
records under `PK = IDEMPOTENCY#{service}`, expiring by the table's TTL) through the
functions' own botocore client. Its DynamoDB layer imports boto3, so it is loaded on the
first request that carries the header: requests without one pay nothing at cold start.
Answers of 5xx are not remembered: the retry runs again.
"""

import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from typing import Any

from shared.api.request_guard import Refused
from shared.config import get_settings
from shared.observability import logger
from shared.store.client import dynamodb_client
from shared.store.schema import PK, SK, TTL_ATTRIBUTE

HEADER = "Idempotency-Key"
WINDOW_SECONDS = 24 * 3600
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_ran: ContextVar[bool] = ContextVar("idempotent_ran", default=False)
# The invocation being resolved (kept out of the data Powertools hashes and stores).
_invocation: ContextVar[tuple[dict[str, Any], Any]] = ContextVar("idempotent_invocation")

Resolve = Callable[[dict[str, Any], Any], dict[str, Any]]


class _NotRemembered(Exception):
    """A 5xx answer: raised through Powertools so that it deletes the record."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("not remembered")
        self.response = response


def idempotency_key(event: dict[str, Any]) -> str | None:
    if event.get("httpMethod") != "POST":
        return None
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER.lower():
            if not isinstance(value, str) or not _KEY.match(value):
                raise Refused(
                    400, "invalid_idempotency_key", f"{HEADER}: 1 to 255 printable characters."
                )
            return value
    return None


@cache
def _idempotent(resolve: Resolve) -> Any:
    """`resolve` wrapped by Powertools, with the persistence layer built on first use."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    service = os.environ.get("POWERTOOLS_SERVICE_NAME", "api")
    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr=PK,
        sort_key_attr=SK,
        static_pk_value=f"IDEMPOTENCY#{service}",
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=dynamodb_client(),
    )
    config = IdempotencyConfig(
        event_key_jmespath="[caller, route, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=WINDOW_SECONDS,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config
    )
    def once(request: dict[str, Any]) -> dict[str, Any]:
        _ran.set(True)
        event, context = _invocation.get()
        response = resolve(event, context)
        if response["statusCode"] >= 500:
            raise _NotRemembered(response)
        return response

    return once, config


def resolve_once(resolve: Resolve, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Resolve `event`, at most once per caller, route and Idempotency-Key."""
    key = idempotency_key(event)
    if key is None:
        return resolve(event, context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    once, config = _idempotent(resolve)
    config.register_lambda_context(context)
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    request = {
        "caller": claims.get("sub", ""),
        "route": f"{event.get('httpMethod')} {event.get('resource')}",
        "key": key,
        "body": event.get("body") or "",
    }
    _ran.set(False)
    _invocation.set((event, context))
    try:
        response: dict[str, Any] = once(request=request)
    except _NotRemembered as failed:
        return failed.response
    except IdempotencyValidationError:
        raise Refused(
            422, "idempotency_key_reused", f"This {HEADER} was used with another request body."
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Refused(
            409, "request_in_progress", f"A request with this {HEADER} is still running."
        ) from None
    except IdempotencyPersistenceLayerError as error:
        logger.warning("idempotency store failed", extra={"error": str(error.__cause__ or error)})
        raise Refused(
            503, "service_unavailable", "The data store is busy; retry shortly."
        ) from None
    if not _ran.get():
        response = {**response}
        if "multiValueHeaders" in response:
            multi = {**(response["multiValueHeaders"] or {}), "Idempotent-Replayed": ["true"]}
            response["multiValueHeaders"] = multi
        else:
            headers = {**(response.get("headers") or {}), "Idempotent-Replayed": "true"}
            response["headers"] = headers
    return response
