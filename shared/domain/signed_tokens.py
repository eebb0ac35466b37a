"""Small signed tokens for links and redirects that carry no session (an unsubscribe
link, an OAuth `state`): `base64url(JSON payload) "." base64url(HMAC-SHA256)`. Whoever
holds the key can make them; nobody else can make or change one."""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def sign(secret: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def read(secret: str, token: str) -> dict[str, Any] | None:
    """The fields of a genuine token; None for a forged, altered or malformed one."""
    payload_text, _, mac_text = token.partition(".")
    try:
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        return None
    if not secret or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        fields = json.loads(payload)
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None
