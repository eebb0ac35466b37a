"""How club webhooks are signed: the Standard Webhooks specification (standardwebhooks.com),
so a club's receiver checks deliveries with a maintained verifier in its own language
(`standardwebhooks`, Svix's libraries) instead of hand-written code (`docs/webhooks.md`).

Three headers: `webhook-id` (the event's id, the same on every retry: the receiver's
idempotency key), `webhook-timestamp` (Unix seconds) and `webhook-signature`:
`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, space-separated when several.
The key is the secret's base64 part after `whsec_`. The id and timestamp are inside the
MAC, so a receiver that refuses old timestamps also refuses replays.

Written here rather than taken from the `standardwebhooks` package: it is six lines, and
the tests verify real deliveries with that package as a receiver would, which only means
something if the two are not the same code.
"""

import base64
import binascii
import hashlib
import hmac

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret. Secrets made before the platform used
    Standard Webhooks are not base64: their characters are the key (docs/webhooks.md asks
    such webhooks to rotate their secret)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return encoded.encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
    }
