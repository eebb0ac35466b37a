"""What a request's body must be before the resolver reads it: JSON, in UTF-8, small,
shallow, with numbers DynamoDB can hold. Anything else is a 4xx here, never an exception
inside the handler (a 5xx).

Powertools' resolver decodes and parses the body itself and raises plain Python errors on
bytes that are not UTF-8, on nesting deeper than the interpreter's recursion limit or on
integers longer than Python's 4,300-digit limit; media types other than JSON reach it as
JSON. Checking once here, before it, keeps the answers in the API's error envelope.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from shared.api.errors import ErrorBody, ErrorDetail

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 32
# Integers DynamoDB stores exactly (38 significant digits) and no client needs more of.
MAX_NUMBER_DIGITS = 38
JSON_TYPE = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# What RFC 8058 (one-click unsubscribe) asks a mail provider to POST.
ONE_CLICK = ("List-Unsubscribe", "One-Click")
MAX_FORM_BYTES = 8 * 1024


class RequestRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _media_type(headers: Mapping[str, Any]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type" and isinstance(value, str):
            return value.split(";", 1)[0].strip().lower()
    return None


def _depth(value: Any) -> int:
    """Nesting depth, iteratively (recursion is what deep input attacks)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError("number too long")
    return int(text)


def checked_body(event: Mapping[str, Any]) -> str | None:
    """The body as text, if it is acceptable JSON (or absent); raises RequestRefused otherwise."""
    raw = event.get("body")
    if raw is None or raw == "":
        return None
    if _media_type(event.get("headers") or {}) not in (None, JSON_TYPE):
        raise RequestRefused(415, "unsupported_media_type", f"Send the body as {JSON_TYPE}.")
    try:
        data = (
            base64.b64decode(raw, validate=True)
            if event.get("isBase64Encoded")
            else raw.encode("utf-8", "surrogatepass")
        )
    except (binascii.Error, ValueError):
        raise RequestRefused(
            400, "malformed_body", "The request body is not valid base64."
        ) from None
    if len(data) > MAX_BODY_BYTES:
        raise RequestRefused(413, "payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRefused(400, "malformed_body", "The request body is not UTF-8.") from None
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int)
    except (ValueError, RecursionError):
        raise RequestRefused(400, "malformed_json", "The request body is not valid JSON.") from None
    if not isinstance(parsed, dict | list):
        # Every body this API takes is an object; `null` is no substitute for leaving the
        # body out.
        raise RequestRefused(422, "validation_error", "The body must be a JSON object.")
    if _depth(parsed) > MAX_DEPTH:
        raise RequestRefused(
            400, "malformed_json", f"The body nests deeper than {MAX_DEPTH} levels."
        )
    return text


def _header(event: Mapping[str, Any], wanted: str) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == wanted and isinstance(value, str):
            return value
    return None


def _form_fields(content_type: str, data: bytes) -> list[tuple[str, str]]:
    """The fields of a form body (urlencoded or multipart); RequestRefused if it cannot be read."""
    # Imported here: only the one-click route reads forms; every function imports this
    # module at init.
    from email.parser import BytesParser
    from email.policy import default as email_policy

    if content_type.split(";", 1)[0].strip().lower() == FORM_TYPES[0]:
        try:
            return parse_qsl(data.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise RequestRefused(400, "malformed_body", "The form body cannot be read.") from None
    message = BytesParser(policy=email_policy).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data
    )
    if not message.is_multipart():
        raise RequestRefused(400, "malformed_body", "The multipart body cannot be read.")
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields.append((name, payload.decode("utf-8", "replace").strip()))
    return fields


def one_click_event(event: dict[str, Any]) -> dict[str, Any]:
    """A mail provider's one-click unsubscribe POST (RFC 8058 §3.1): a form body,
    urlencoded or multipart, holding `List-Unsubscribe=One-Click`, as Gmail and Yahoo send
    it; or no body, or JSON. The form is checked and dropped: the signed link in the query
    is all the route needs. Only routes that declare it take forms."""
    content_type = _header(event, "content-type") or ""
    if not event.get("body") or _media_type(event.get("headers") or {}) not in FORM_TYPES:
        return guarded_event(event)
    raw = event["body"]
    try:
        data = (
            base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode()
        )
    except (binascii.Error, ValueError):
        raise RequestRefused(
            400, "malformed_body", "The request body is not valid base64."
        ) from None
    if len(data) > MAX_FORM_BYTES:
        raise RequestRefused(413, "payload_too_large", f"The body is over {MAX_FORM_BYTES} bytes.")
    if ONE_CLICK not in _form_fields(content_type, data):
        raise RequestRefused(400, "not_one_click", "The form must hold List-Unsubscribe=One-Click.")
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {
        k: v
        for k, v in (event.get("multiValueHeaders") or {}).items()
        if k.lower() != "content-type"
    }
    return {
        **event,
        "body": None,
        "isBase64Encoded": False,
        "headers": headers,
        "multiValueHeaders": multi,
    }


def guarded_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as the resolver should see it: the body as plain UTF-8 text, and its
    content type spelled as the resolver expects."""
    text = checked_body(event)
    if text is None:
        return event
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    headers["Content-Type"] = JSON_TYPE
    multi = {
        k: v
        for k, v in (event.get("multiValueHeaders") or {}).items()
        if k.lower() != "content-type"
    }
    multi["Content-Type"] = [JSON_TYPE]
    return {
        **event,
        "body": text,
        "isBase64Encoded": False,
        "headers": headers,
        "multiValueHeaders": multi,
    }


def refusal_response(refused: RequestRefused) -> dict[str, Any]:
    body = ErrorBody(error=ErrorDetail(code=refused.code, message=refused.message))
    headers = {"Content-Type": JSON_TYPE, "Access-Control-Allow-Origin": "*"}
    if refused.status == 503:
        headers["Retry-After"] = "1"
    return {
        "statusCode": refused.status,
        "headers": headers,
        "body": body.model_dump_json(exclude_none=True),
        "isBase64Encoded": False,
    }
