"""Linking a rider's Strava account (OAuth 2 code flow with a signed, single-use,
short-lived state), its status and removal, and the push subscription's handshake."""

import secrets
import time
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlencode

from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.strava import RateLimited, StravaClient, StravaError, Tokens
from shared.authz import Principal
from shared.domain import signed_tokens
from shared.domain.clock import utc_now
from shared.domain.errors import Conflict, Forbidden, NotFound
from shared.domain.strava import REQUIRED_SCOPE, StravaLink
from strava.credentials import StravaApp, open_tokens, seal_tokens
from strava.store import StravaStore

# Refresh this long before the access token's expiry, so no call meets an expired one.
TOKEN_MARGIN_SECONDS = 300


@dataclass(frozen=True)
class OAuth:
    """What the OAuth flow needs besides the store: the client, the state key, and where
    Strava sends the browser back (redirect URI) and where it goes after (the app)."""

    strava: StravaClient
    sealer: SecretSealer
    state_key: str
    redirect_uri: str
    app_url: str
    state_ttl_seconds: int = 600


def connect(principal: Principal, store: StravaStore, oauth: OAuth) -> tuple[str, int]:
    """Strava's authorize URL for the caller, and when its state expires."""
    nonce = secrets.token_urlsafe(18)
    expires = int(time.time()) + oauth.state_ttl_seconds
    store.put_state(nonce, principal.user_id, expires)
    state = signed_tokens.sign(oauth.state_key, {"u": principal.user_id, "n": nonce, "e": expires})
    return oauth.strava.authorize_url(oauth.redirect_uri, state), expires


def _back_to_app(app_url: str, **query: str) -> str:
    separator = "&" if "?" in app_url else "?"
    return f"{app_url}{separator}{urlencode(query)}"


def callback(
    store: StravaStore,
    oauth: OAuth,
    *,
    state: str,
    code: str | None,
    scope: str | None,
    error: str | None,
) -> str:
    """Where to send the browser: the app with `strava=connected`, or `strava=error` and
    a reason. Never an error page: the rider is mid-way between two sites."""
    fields = signed_tokens.read(oauth.state_key, state)
    now = int(time.time())
    if not fields or not isinstance(fields.get("u"), str) or not isinstance(fields.get("n"), str):
        return _back_to_app(oauth.app_url, strava="error", reason="invalid_state")
    if int(fields.get("e") or 0) <= now:
        return _back_to_app(oauth.app_url, strava="error", reason="expired_state")
    user_id = str(fields["u"])
    if not store.consume_state(str(fields["n"]), user_id, now):
        return _back_to_app(oauth.app_url, strava="error", reason="state_used")
    if error or not code:
        return _back_to_app(oauth.app_url, strava="error", reason="access_denied")
    granted = [s for s in (scope or "").split(",") if s]
    if REQUIRED_SCOPE not in granted:
        return _back_to_app(oauth.app_url, strava="error", reason="missing_scope")
    try:
        tokens = oauth.strava.exchange(code)
        _save(store, oauth.sealer, user_id, tokens, granted)
    except Conflict as conflict:
        return _back_to_app(oauth.app_url, strava="error", reason=conflict.code)
    except (StravaError, RateLimited):
        return _back_to_app(oauth.app_url, strava="error", reason="strava_unavailable")
    return _back_to_app(oauth.app_url, strava="connected")


def _save(
    store: StravaStore, sealer: SecretSealer, user_id: str, tokens: Tokens, scopes: list[str]
) -> StravaLink:
    now = utc_now()
    previous = store.link(user_id)
    link = StravaLink(
        user_id=user_id,
        athlete_id=tokens.athlete_id,
        scopes=scopes,
        connected_at=now,
        sealed_tokens=seal_tokens(sealer, user_id, tokens),
        token_expires_at=tokens.expires_at,
        updated_at=now,
        version=previous.version + 1 if previous else 1,
    )
    store.save_link(link, previous)
    return link


def status(principal: Principal, store: StravaStore) -> StravaLink | None:
    return store.link(principal.user_id)


def fresh_tokens(
    link: StravaLink,
    store: StravaStore,
    strava: StravaClient,
    sealer: SecretSealer,
    *,
    force: bool = False,
) -> Tokens:
    """The link's tokens, refreshed first when the access token is (nearly) expired, or
    when Strava refused it already (`force`)."""
    tokens = open_tokens(sealer, link.user_id, link.sealed_tokens)
    if not force and time.time() < link.token_expires_at - TOKEN_MARGIN_SECONDS:
        return tokens
    refreshed = strava.refresh(tokens)
    # Refreshed concurrently: Strava keeps the earlier access token valid until it expires,
    # and the newer refresh token is the one now stored.
    with suppress(Conflict):
        store.replace_tokens(
            link, seal_tokens(sealer, link.user_id, refreshed), refreshed.expires_at, utc_now()
        )
    return refreshed


def disconnect(
    principal: Principal, store: StravaStore, strava: StravaClient, sealer: SecretSealer
) -> None:
    """Revoke the platform's access at Strava, then forget the tokens."""
    link = store.link(principal.user_id)
    if link is None:
        raise NotFound("Your account is not linked to Strava.", code="strava_not_linked")
    # Strava down or refusing: the tokens are forgotten anyway, and the rider can revoke
    # the app in Strava's settings (its push event then changes nothing here).
    with suppress(StravaError, RateLimited):
        strava.deauthorize(fresh_tokens(link, store, strava, sealer).access_token)
    store.delete_link(link)


def check_callback(app: StravaApp, presented: str) -> None:
    """The callback URL's secret segment: anything else is an address that does not exist."""
    if not app.knows_callback(presented):
        raise NotFound("No such resource.", code="not_found")


def handshake(app: StravaApp, mode: str, verify_token: str, challenge: str) -> str:
    """The push subscription's validation: echo the challenge to our verify token only."""
    if mode != "subscribe" or not app.knows_verify_token(verify_token):
        raise Forbidden("Not our subscription.", code="invalid_verify_token")
    return challenge
