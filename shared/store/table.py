"""Thin access to the single table, with DynamoDB errors mapped to domain errors.

Low-level client calls: the resource API costs cold-start time and hides which calls are
made. Numbers come back as int or float, never Decimal.
"""

import random
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from shared.aws_clients import dynamodb_client, error_code
from shared.domain.errors import Conflict, ServiceUnavailable, Unprocessable
from shared.settings import get_settings
from shared.store.attribute_values import from_attribute, to_attribute

_RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

Item = dict[str, Any]


class ConditionFailed(Conflict):
    """A conditional write's condition did not hold; callers turn it into a precise 409."""

    code = "condition_failed"


class TransactionCancelled(Conflict):
    """A transaction was cancelled; `reasons[i]` is the cancellation code of action i."""

    code = "transaction_cancelled"

    def __init__(self, reasons: list[str | None]) -> None:
        super().__init__("The transaction was cancelled.")
        self.reasons = reasons

    def failed_condition(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item for the wire; top-level None means "no such attribute"."""
    return {k: to_attribute(v) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {k: from_attribute(v) for k, v in item.items()}


def _expression(
    condition: str | None, values: Mapping[str, Any] | None, names: Mapping[str, str] | None
) -> dict[str, Any]:
    """A write's optional condition and its placeholders, as the API names them."""
    params: dict[str, Any] = {}
    if condition:
        params["ConditionExpression"] = condition
    if values:
        params["ExpressionAttributeValues"] = serialize(values)
    if names:
        params["ExpressionAttributeNames"] = dict(names)
    return params


def _is_contention(error: ClientError) -> bool:
    """DynamoDB refused because another transaction holds an item: nothing was written,
    and the same request may go through a moment later."""
    code = error_code(error)
    if code == "TransactionConflictException":
        return True
    reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
    return code == "TransactionCanceledException" and "TransactionConflict" in reasons


# Transactions that met another one are tried again this many times, after a short random
# pause (full jitter, 10 ms doubling), within a few hundred milliseconds in all.
CONTENTION_ATTEMPTS = 5
CONTENTION_BASE_SECONDS = 0.01


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn DynamoDB client errors into domain errors (never by matching messages)."""
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code == "ConditionalCheckFailedException":
            raise ConditionFailed("The item changed or does not exist.") from error
        if _is_contention(error):
            raise ServiceUnavailable(
                "A concurrent request holds the same data; retry shortly.", code="contended"
            ) from error
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            raise TransactionCancelled(reasons) from error
        if code in _RETRYABLE:
            raise ServiceUnavailable("The data store is busy; retry shortly.") from error
        if code == "ValidationException":
            # A value the store cannot hold (requests are validated before; this is the
            # last line, so such input is never a 500).
            raise Unprocessable(
                "The data store refused a value of this request.", code="unstorable_value"
            ) from error
        raise


class Table:
    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, key: Mapping[str, str], *, consistent: bool = True) -> Item | None:
        with mapped_errors():
            answer = self.client.get_item(
                TableName=self.name, Key=serialize(key), ConsistentRead=consistent
            )
        item = answer.get("Item")
        return deserialize(item) if item else None

    def batch_get(self, keys: Sequence[Mapping[str, str]]) -> list[Item]:
        """Consistent reads of a few items in one round trip (authorization reads)."""
        request = {"Keys": [serialize(k) for k in keys], "ConsistentRead": True}
        items: list[Item] = []
        pending: dict[str, Any] = {self.name: request}
        with mapped_errors():
            while pending:
                answer = self.client.batch_get_item(RequestItems=pending)
                items += [deserialize(i) for i in answer.get("Responses", {}).get(self.name, [])]
                pending = answer.get("UnprocessedKeys") or {}
        return items

    def query_page(
        self,
        *,
        index: str | None,
        key_condition: str,
        values: Mapping[str, Any],
        limit: int,
        start_key: Mapping[str, Any] | None = None,
        forward: bool = True,
        filter_expression: str | None = None,
        names: Mapping[str, str] | None = None,
        consistent: bool = False,
    ) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of a Query; returns the items and the raw LastEvaluatedKey. A filter
        applies after the page is read: pages may hold fewer than `limit` items."""
        params: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": serialize(values),
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        if index:
            params["IndexName"] = index
        if consistent:  # base table only: indexes are eventually consistent
            params["ConsistentRead"] = True
        if start_key:
            params["ExclusiveStartKey"] = dict(start_key)
        if filter_expression:
            params["FilterExpression"] = filter_expression
        if names:
            params["ExpressionAttributeNames"] = dict(names)
        with mapped_errors():
            answer = self.client.query(**params)
        return [deserialize(i) for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")

    def query_all(
        self, index: str | None, key_condition: str, values: Mapping[str, Any]
    ) -> list[Item]:
        """Every page of a Query: consistent on the base table, as an index allows not.
        For bounded partitions only (a user's, a club's, a ride's)."""
        found: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            page, start = self.query_page(
                index=index,
                key_condition=key_condition,
                values=values,
                limit=500,
                start_key=start,
                consistent=index is None,
            )
            found += page
            if not start:
                return found

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        params = {"TableName": self.name, "Item": serialize(item)}
        with mapped_errors():
            self.client.put_item(**params, **_expression(condition, values, names))

    def update(
        self,
        key: Mapping[str, str],
        expression: str,
        *,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        params = {"TableName": self.name, "Key": serialize(key), "UpdateExpression": expression}
        with mapped_errors():
            self.client.update_item(**params, **_expression(condition, values, names))

    def delete(
        self,
        key: Mapping[str, str],
        *,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        params = {"TableName": self.name, "Key": serialize(key)}
        with mapped_errors():
            self.client.delete_item(**params, **_expression(condition, values, None))

    def transact_write(self, actions: Sequence[Mapping[str, Any]]) -> None:
        """Write all actions atomically. Each action is {"Put"|"Update"|...: {...}} with
        plain-Python values under "Item"/"Key"/"ExpressionAttributeValues"."""
        prepared = [self._prepare(action) for action in actions]
        for attempt in range(CONTENTION_ATTEMPTS):
            try:
                self.client.transact_write_items(TransactItems=prepared)
                return
            except ClientError as error:
                if not _is_contention(error) or attempt == CONTENTION_ATTEMPTS - 1:
                    with mapped_errors():
                        raise
                time.sleep(random.uniform(0, CONTENTION_BASE_SECONDS * 2**attempt))

    def _prepare(self, action: Mapping[str, Any]) -> dict[str, Any]:
        (kind, body), *_ = action.items()
        body = {"TableName": self.name, **body}
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in body:
                body[field] = serialize(body[field])
        return {kind: body}


@cache
def app_table() -> Table:
    """The application table, once per execution environment (its name from the settings)."""
    return Table(dynamodb_client(), get_settings().table_name)
