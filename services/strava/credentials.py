"""The Strava app's credentials (Secrets Manager, set by an operator) and the rider's
tokens, sealed for that rider only."""

import json
import secrets
from dataclasses import dataclass

from shared.adapters.configuration import secret_value
from shared.adapters.sealed_secrets import STRAVA_TOKENS, SecretSealer
from shared.adapters.strava import Tokens
from shared.domain.errors import ServiceUnavailable


@dataclass(frozen=True)
class StravaApp:
    client_id: str
    client_secret: str
    # What Strava echoes in the push subscription handshake.
    verify_token: str
    # The push subscription's id: events for any other are refused.
    subscription_id: int
    # The secret path segment of the subscription's callback URL, and during a rotation
    # the one before it: a request naming neither is answered 404 before any work.
    callback_secrets: tuple[str, ...]

    def knows_callback(self, presented: str) -> bool:
        return any(_same(presented, known) for known in self.callback_secrets)

    def knows_verify_token(self, presented: str) -> bool:
        return _same(presented, self.verify_token)


def _same(presented: str, known: str) -> bool:
    """Constant-time equality for text a caller chose: `compare_digest` raises TypeError on
    non-ASCII `str`, so both sides are compared as UTF-8 bytes."""
    return secrets.compare_digest(presented.encode(), known.encode())


def read_app(secret_name: str) -> StravaApp:
    try:
        fields = json.loads(secret_value(secret_name)) if secret_name else {}
        return StravaApp(
            client_id=str(fields["client_id"]),
            client_secret=str(fields["client_secret"]),
            verify_token=str(fields["verify_token"]),
            subscription_id=int(fields.get("subscription_id") or 0),
            callback_secrets=_callback_secrets(fields),
        )
    except (ValueError, KeyError, TypeError):
        raise ServiceUnavailable(
            "Strava is not configured on this stage yet.", code="strava_not_configured"
        ) from None


# Shorter than this is guessable: the path segment is the endpoint's only credential.
MIN_CALLBACK_SECRET_LENGTH = 32


def _callback_secrets(fields: dict[str, object]) -> tuple[str, ...]:
    current = str(fields["callback_secret"])
    if len(current) < MIN_CALLBACK_SECRET_LENGTH:
        raise ValueError("callback_secret is too short")
    previous = str(fields.get("previous_callback_secret") or "")
    return (current, previous) if len(previous) >= MIN_CALLBACK_SECRET_LENGTH else (current,)


def _context(user_id: str) -> dict[str, str]:
    return {"purpose": STRAVA_TOKENS, "user_id": user_id}


def seal_tokens(sealer: SecretSealer, user_id: str, tokens: Tokens) -> str:
    plain = json.dumps(
        {
            "athlete_id": tokens.athlete_id,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at,
        }
    )
    return sealer.seal(plain, _context(user_id))


def open_tokens(sealer: SecretSealer, user_id: str, sealed: str) -> Tokens:
    fields = json.loads(sealer.open(sealed, _context(user_id)))
    return Tokens(
        athlete_id=int(fields["athlete_id"]),
        access_token=str(fields["access_token"]),
        refresh_token=str(fields["refresh_token"]),
        expires_at=int(fields["expires_at"]),
    )
