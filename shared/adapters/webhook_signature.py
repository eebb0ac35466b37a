"""How club webhooks are signed, and how a receiver checks it (`docs/webhooks.md`).

`X-SydneyCycling-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
the webhook's secret. The timestamp is inside the MAC, so a receiver that refuses old
timestamps also refuses replays of a captured delivery.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-SydneyCycling-Signature"
EVENT_ID_HEADER = "X-SydneyCycling-Event-Id"
EVENT_TYPE_HEADER = "X-SydneyCycling-Event-Type"
# How old a signed timestamp a receiver should accept.
TOLERANCE_SECONDS = 300


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """True when `header` signs `body` with `secret` at a time within `tolerance` of now."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), _mac(secret, timestamp, body))
