"""Opaque pagination cursors: a page's LastEvaluatedKey, encoded for clients.

Cursors are checked on the way back in: a cursor that is not ours, or that points into
another partition than the query's, is a 400, never a DynamoDB validation error (a 5xx).
"""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from shared.domain.errors import BadRequest

_MAX_CURSOR_LENGTH = 2048


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    if not last_key:
        return None
    flat = {name: value["S"] for name, value in sorted(last_key.items())}
    raw = json.dumps(flat, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str | None, *, key_names: Sequence[str], fixed: Mapping[str, str]
) -> dict[str, Any] | None:
    """The ExclusiveStartKey for `cursor`; `fixed` are attributes whose value must match
    the query (its partition key)."""
    if cursor is None:
        return None
    invalid = BadRequest("The cursor is not valid for this listing.", code="invalid_cursor")
    if not cursor or len(cursor) > _MAX_CURSOR_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        flat = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise invalid from None
    if (
        not isinstance(flat, dict)
        or sorted(flat) != sorted(key_names)
        or not all(isinstance(v, str) and v for v in flat.values())
        or any(flat.get(name) != value for name, value in fixed.items())
    ):
        raise invalid
    return {name: {"S": value} for name, value in flat.items()}
