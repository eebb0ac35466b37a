"""Idempotent creates: a signed-in caller's POST with an `Idempotency-Key` header is carried
out once per caller, actual path, query and key within 24 hours; a retry gets the first
answer back (with `Idempotent-Replayed: true`), and the same key with another body is 422.

The scope is the request as sent, not its route template: the same key on two clubs' rides
is two requests. Signed-out routes (an unsubscribe link, Strava's push events) are not
idempotent through this header: they have no caller to scope a key to, and each is already
idempotent by its own nature (turning a category off twice; one change taken once).

An answer that carries a secret shown once (a webhook's signing secret) is never stored:
the record keeps a 409 `secret_shown_once` marker instead, which is what a replay gets,
with what to do to have a new secret.

Powertools' idempotency utility does the bookkeeping, on the application table (its
records under the caller's own partition, `PK = IDEMPOTENCY#{user id}`, expiring by the
table's TTL: an account's deletion finds and removes them; no function's records share one
hot partition) through the functions' own botocore client. Its DynamoDB layer imports
boto3, so it is loaded on the first request that carries the header: requests without one
pay nothing at cold start.
Answers of 5xx are not remembered: the retry runs again.
"""

import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from typing import Any
from urllib.parse import urlencode

from shared.api.auth import event_claims
from shared.api.request_guard import RequestRefused
from shared.aws_clients import dynamodb_client
from shared.observability import logger
from shared.settings import get_settings
from shared.store.keys import idempotency_pk
from shared.store.schema import PK, SK, TTL_ATTRIBUTE

HEADER = "Idempotency-Key"
WINDOW_SECONDS = 24 * 3600
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_ran: ContextVar[bool] = ContextVar("idempotent_ran", default=False)
# Set by a route whose answer holds a secret shown once: what a replay is told instead.
_shown_once: ContextVar[str | None] = ContextVar("idempotent_shown_once", default=None)
# The answer given when the record keeps only the marker.
_given: ContextVar[dict[str, Any] | None] = ContextVar("idempotent_given", default=None)
# The caller whose records the request reads and writes.
_record_owner: ContextVar[str] = ContextVar("idempotent_record_owner")
# The invocation being resolved (kept out of the data Powertools hashes and stores).
_invocation: ContextVar[tuple[dict[str, Any], Any]] = ContextVar("idempotent_invocation")

Resolve = Callable[[dict[str, Any], Any], dict[str, Any]]


class _NotRemembered(Exception):
    """A 5xx answer: raised through Powertools so that it deletes the record."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("not remembered")
        self.response = response


def answer_shown_once(what_to_do: str) -> None:
    """Called by a route whose answer holds a secret shown once: a retry with the same
    Idempotency-Key is answered 409 with `what_to_do`, and the answer is never stored."""
    _shown_once.set(what_to_do)


def _marker(what_to_do: str) -> dict[str, Any]:
    body = {
        "error": {
            "code": "secret_shown_once",
            "message": "This request was carried out; its answer held a secret that is "
            f"shown only once and was not kept. {what_to_do}",
        }
    }
    return {
        "statusCode": 409,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _caller(event: dict[str, Any]) -> str:
    return str(event_claims(event).get("sub") or "")


def _query(event: dict[str, Any]) -> str:
    """The query string as sent, in a stable order."""
    multi = event.get("multiValueQueryStringParameters") or {}
    if not multi:
        multi = {k: [v] for k, v in (event.get("queryStringParameters") or {}).items()}
    return urlencode(sorted((k, v) for k, values in multi.items() for v in values or []))


def idempotency_key(event: dict[str, Any]) -> str | None:
    if event.get("httpMethod") != "POST" or not _caller(event):
        return None
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER.lower():
            if not isinstance(value, str) or not _KEY.match(value):
                raise RequestRefused(
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

    class CallerRecords(DynamoDBPersistenceLayer):
        """Each record in its caller's partition. Powertools has one partition value per
        layer (`static_pk_value`); `_get_key` is where it builds every record's key (get,
        put, update, delete), so it is the one place to say whose partition
        (`tests/service/test_idempotency.py` finds the records there)."""

        def _get_key(self, idempotency_key: str) -> dict[str, Any]:
            return {PK: {"S": idempotency_pk(_record_owner.get())}, SK: {"S": idempotency_key}}

    persistence = CallerRecords(
        table_name=get_settings().table_name,
        key_attr=PK,
        sort_key_attr=SK,
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
        what_to_do = _shown_once.get()
        if what_to_do is None:
            return response
        _given.set(response)
        return _marker(what_to_do)

    return once, config


def resolve_once(resolve: Resolve, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Resolve `event`, at most once per caller, path, query and Idempotency-Key."""
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
    path = event.get("path") or (event.get("requestContext") or {}).get("path") or ""
    request = {
        "caller": _caller(event),
        "route": f"{event.get('httpMethod')} {path}?{_query(event)}",
        "key": key,
        "body": event.get("body") or "",
    }
    _record_owner.set(request["caller"])
    _ran.set(False)
    _shown_once.set(None)
    _given.set(None)
    _invocation.set((event, context))
    try:
        response: dict[str, Any] = once(request=request)
    except _NotRemembered as failed:
        return failed.response
    except IdempotencyValidationError:
        raise RequestRefused(
            422, "idempotency_key_reused", f"This {HEADER} was used with another request body."
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise RequestRefused(
            409, "request_in_progress", f"A request with this {HEADER} is still running."
        ) from None
    except IdempotencyPersistenceLayerError as error:
        logger.warning("idempotency store failed", extra={"error": str(error.__cause__ or error)})
        raise RequestRefused(
            503, "service_unavailable", "The data store is busy; retry shortly."
        ) from None
    given = _given.get()
    if _ran.get() and given is not None:
        return given
    if not _ran.get():
        response = {**response}
        if "multiValueHeaders" in response:
            multi = {**(response["multiValueHeaders"] or {}), "Idempotent-Replayed": ["true"]}
            response["multiValueHeaders"] = multi
        else:
            headers = {**(response.get("headers") or {}), "Idempotent-Replayed": "true"}
            response["headers"] = headers
    return response
