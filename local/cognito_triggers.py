"""Cognito triggers, run locally where Cognito would run them (moto runs none).

- post-confirmation: after moto answers a successful ConfirmSignUp / AdminConfirmSignUp;
- pre-token-generation: when the local gateway accepts an ID token (once per token, as
  Cognito runs it once per issued token), merging the trigger's claims into the token's.

Events have the shape Cognito sends (version 1), so the same handlers run here and in AWS.
"""

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_CONFIRMATIONS = {
    "AWSCognitoIdentityProviderService.ConfirmSignUp",
    "AWSCognitoIdentityProviderService.AdminConfirmSignUp",
}


def trigger_event(
    source: str,
    pool_id: str,
    region: str,
    client_id: str,
    username: str,
    attributes: dict[str, Any],
) -> dict[str, Any]:
    return {
        "version": "1",
        "triggerSource": source,
        "region": region,
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "local", "clientId": client_id},
        "request": {"userAttributes": {k: str(v) for k, v in attributes.items()}},
        "response": {},
    }


class ConfirmationHook:
    """WSGI middleware around moto: calls `on_confirmed(username)` after a confirmation."""

    def __init__(self, app: WSGIApp, on_confirmed: Callable[[str], None]) -> None:
        self.app = app
        self.on_confirmed = on_confirmed

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") not in _CONFIRMATIONS:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []

        def capture(code: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *rest)

        answer = b"".join(self.app(environ, capture))
        if status and status[0].startswith("200"):
            self.on_confirmed(json.loads(body)["Username"])
        return [answer]


class PreTokenClaimsCache:
    """Pre-token-generation claims per ID token, computed once and remembered."""

    def __init__(
        self, compute: Callable[[dict[str, Any]], dict[str, Any]], size: int = 4096
    ) -> None:
        self._compute = compute
        self._seen: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def claims(self, token: str, verified: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            known = self._seen.get(token)
        if known is None:
            known = {**verified, **self._compute(verified)}
            with self._lock:
                self._seen[token] = known
                while len(self._seen) > self._size:
                    self._seen.popitem(last=False)
        return known


# What a user (not an administrator) may send attributes with, and the attributes the app
# client may write: AWS refuses any other, e.g. `custom:system_role` at sign-up.
_USER_WRITES = {
    "AWSCognitoIdentityProviderService.SignUp",
    "AWSCognitoIdentityProviderService.UpdateUserAttributes",
}


class ClientWriteGuard:
    """WSGI middleware around moto: refuses a client's sign-up or attribute update that
    writes an attribute the app client may not write, as Cognito does (moto does not)."""

    def __init__(self, app: WSGIApp, writable: Iterable[str]) -> None:
        self.app = app
        self.writable = frozenset(writable)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") not in _USER_WRITES:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            names = {a.get("Name") for a in json.loads(body).get("UserAttributes") or []}
        except (ValueError, AttributeError):
            names = set()
        if names <= self.writable:
            return self.app(environ, start_response)
        error = {
            "__type": "NotAuthorizedException",
            "message": "A client attempted to write unauthorized attribute",
        }
        start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")])
        return [json.dumps(error).encode()]
