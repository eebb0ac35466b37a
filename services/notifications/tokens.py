"""Unsubscribe tokens: which user stops which category, signed so that a link in an
e-mail works without signing in and cannot be forged or pointed at someone else.

`base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, payload
`{"u": user_id, "c": category}`. They do not expire: an unsubscribe link in an old e-mail
must still work (RFC 8058 asks the link to keep working).
"""

import base64
import binascii
import hashlib
import hmac
import json

from shared.domain.errors import BadRequest
from shared.domain.notifications import Category


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def make_token(secret: str, user_id: str, category: Category) -> str:
    payload = json.dumps({"u": user_id, "c": category.value}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def read_token(secret: str, token: str) -> tuple[str, Category]:
    """(user id, category) of a genuine token; 400 for anything else."""
    invalid = BadRequest("The unsubscribe link is not valid.", code="invalid_token")
    payload_text, _, mac_text = token.partition(".")
    try:
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not secret or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise invalid
    try:
        fields = json.loads(payload)
        return str(fields["u"]), Category(fields["c"])
    except (ValueError, KeyError, TypeError):
        raise invalid from None
