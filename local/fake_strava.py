"""Strava, on this machine: the OAuth authorize, token (code and refresh) and deauthorize
endpoints, activities, rate-limit headers, and the push subscription's events, in the
shapes of Strava's API documentation (developers.strava.com/docs), so `make run` can link
a rider and sync an activity with no Strava account.

Not Strava: authorization is granted at once (as `athlete_id` from the authorize URL's
query, default 1001; `deny=1` refuses), and these control endpoints drive it:

- `POST /_fake/activities` `{athlete_id, start_date, distance, moving_time,
  total_elevation_gain, name}`: record an activity (and push its `create` event);
- `DELETE /_fake/activities/{id}`: delete it (and push `delete`);
- `POST /_fake/deauthorize/{athlete_id}`: the athlete revokes the app (pushes it);
- `POST /_fake/rate_limit?count=N`: the next N API calls answer 429;
- `POST /_fake/expire_tokens`: every access token expires now.
"""

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from werkzeug.wrappers import Request, Response

from local.loopback_server import LoopbackServer

TOKEN_LIFETIME_SECONDS = 6 * 3600
LIMITS = (200, 2000)


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


@dataclass
class FakeStrava(LoopbackServer):
    client_id: str
    client_secret: str
    subscription_id: int
    # Where the push subscription delivers (the platform's /webhooks/strava).
    callback_url: str = ""
    port: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    access: dict[str, tuple[int, int]] = field(default_factory=dict)
    refresh: dict[str, int] = field(default_factory=dict)
    activities: dict[int, dict[str, Any]] = field(default_factory=dict)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    rate_limited: int = 0
    usage: list[int] = field(default_factory=lambda: [0, 0])
    _ids: Any = field(default_factory=lambda: itertools.count(9_000_000_001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # Strava's API.

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        path, method = request.path, request.method
        if path.startswith("/_fake/"):
            answer = self._control(request)
        elif (method, path) == ("GET", "/oauth/authorize"):
            answer = self._authorize(request)
        else:
            answer = self._counted(request)
            answer.headers["X-RateLimit-Limit"] = f"{LIMITS[0]},{LIMITS[1]}"
            answer.headers["X-RateLimit-Usage"] = f"{self.usage[0]},{self.usage[1]}"
        return answer(environ, start_response)

    def _counted(self, request: Request) -> Response:
        with self._lock:
            self.usage = [self.usage[0] + 1, self.usage[1] + 1]
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return _json({"message": "Rate Limit Exceeded", "errors": []}, 429)
        path, method = request.path, request.method
        if (method, path) == ("POST", "/oauth/token"):
            return self._token(request)
        if (method, path) == ("POST", "/oauth/deauthorize"):
            return self._deauthorize(request.form.get("access_token", ""))
        if (method, path) == ("GET", "/api/v3/athlete"):
            return self._athlete(request)
        if method == "GET" and path.startswith("/api/v3/activities/"):
            return self._activity(request, path.rsplit("/", 1)[-1])
        return _json({"message": "Record Not Found"}, 404)

    def _authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return _json({"message": "Bad Request", "errors": [{"field": "client_id"}]}, 400)
        target = args.get("redirect_uri", "")
        if args.get("deny"):
            query = {"state": args.get("state", ""), "error": "access_denied"}
        else:
            code = secrets.token_hex(20)
            self.codes[code] = int(args.get("athlete_id", "1001"))
            query = {"state": args.get("state", ""), "code": code, "scope": args.get("scope", "")}
        separator = "&" if "?" in target else "?"
        return Response(status=302, headers={"Location": f"{target}{separator}{urlencode(query)}"})

    def _issue(self, athlete_id: int) -> dict[str, Any]:
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        expires_at = int(time.time()) + TOKEN_LIFETIME_SECONDS
        self.access[access] = (athlete_id, expires_at)
        self.refresh[refresh] = athlete_id
        return {
            "token_type": "Bearer",
            "expires_at": expires_at,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "refresh_token": refresh,
            "access_token": access,
        }

    def _token(self, request: Request) -> Response:
        form = request.form
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _json({"message": "Bad Request", "errors": [{"field": "client_id"}]}, 400)
        if form.get("grant_type") == "authorization_code":
            athlete_id = self.codes.pop(form.get("code", ""), None)
            if athlete_id is None:
                return _json({"message": "Bad Request", "errors": [{"field": "code"}]}, 400)
            athlete = {"id": athlete_id, "username": f"rider{athlete_id}", "resource_state": 2}
            return _json({**self._issue(athlete_id), "athlete": athlete})
        if form.get("grant_type") == "refresh_token":
            athlete_id = self.refresh.pop(form.get("refresh_token", ""), None)
            if athlete_id is None:
                return _json(
                    {"message": "Bad Request", "errors": [{"field": "refresh_token"}]}, 400
                )
            return _json(self._issue(athlete_id))
        return _json({"message": "Bad Request"}, 400)

    def _deauthorize(self, token: str) -> Response:
        owner = self.access.get(token)
        if owner is None:
            return _json({"message": "Authorization Error"}, 401)
        self._revoke_tokens(owner[0])
        return _json({"access_token": token})

    def _revoke_tokens(self, athlete_id: int) -> None:
        """Strava revokes every access and refresh token of the app for that athlete."""
        self.access = {t: owner for t, owner in self.access.items() if owner[0] != athlete_id}
        self.refresh = {t: owner for t, owner in self.refresh.items() if owner != athlete_id}

    def _owner(self, request: Request) -> int | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        owner = self.access.get(token)
        return None if owner is None or owner[1] <= time.time() else owner[0]

    def _athlete(self, request: Request) -> Response:
        owner = self._owner(request)
        if owner is None:
            return _json({"message": "Authorization Error", "errors": []}, 401)
        return _json({"id": owner, "username": f"rider{owner}", "resource_state": 2})

    def _activity(self, request: Request, raw_id: str) -> Response:
        owner = self._owner(request)
        if owner is None:
            return _json({"message": "Authorization Error", "errors": []}, 401)
        activity = self.activities.get(int(raw_id)) if raw_id.isdigit() else None
        if activity is None or activity["athlete"]["id"] != owner:
            return _json({"message": "Record Not Found", "errors": []}, 404)
        return _json(activity)

    # Control.

    def _control(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")[1:]
        if request.method == "POST" and parts == ["activities"]:
            return _json(self.record_activity(**request.get_json()), 201)
        if request.method == "DELETE" and parts[:1] == ["activities"] and len(parts) == 2:
            return _json({"push": self.delete_activity(int(parts[1]))})
        if request.method == "POST" and parts[:1] == ["deauthorize"] and len(parts) == 2:
            return _json({"push": self.revoke(int(parts[1]))})
        if request.method == "POST" and parts == ["rate_limit"]:
            self.rate_limited = int(request.args.get("count", "1"))
            return Response(status=204)
        if request.method == "POST" and parts == ["expire_tokens"]:
            self.access = {t: (a, 0) for t, (a, _) in self.access.items()}
            return Response(status=204)
        return _json({"message": "no such control"}, 404)

    def record_activity(
        self,
        athlete_id: int,
        start_date: str,
        distance: float = 42_000.0,
        moving_time: int = 5400,
        total_elevation_gain: float = 420.0,
        name: str = "Morning Ride",
        push: bool = True,
    ) -> dict[str, Any]:
        activity_id = next(self._ids)
        self.activities[activity_id] = {
            "id": activity_id,
            "resource_state": 3,
            "athlete": {"id": athlete_id, "resource_state": 1},
            "name": name,
            "distance": distance,
            "moving_time": moving_time,
            "elapsed_time": moving_time + 600,
            "total_elevation_gain": total_elevation_gain,
            "type": "Ride",
            "sport_type": "Ride",
            "start_date": start_date,
            "start_date_local": start_date,
            "timezone": "(GMT+10:00) Australia/Sydney",
            "private": False,
        }
        status = self.push("activity", "create", activity_id, athlete_id) if push else None
        return {"id": activity_id, "push": status}

    def delete_activity(self, activity_id: int) -> int:
        owner = self.activities.pop(activity_id)["athlete"]["id"]
        return self.push("activity", "delete", activity_id, owner)

    def revoke(self, athlete_id: int, push: bool = True) -> int | None:
        self._revoke_tokens(athlete_id)
        if not push:
            return None
        return self.push("athlete", "update", athlete_id, athlete_id, {"authorized": "false"})

    def push(
        self,
        object_type: str,
        aspect_type: str,
        object_id: int,
        owner_id: int,
        updates: dict[str, str] | None = None,
    ) -> int:
        """Deliver a push event as Strava does; returns the platform's HTTP status."""
        event: dict[str, Any] = {
            "object_type": object_type,
            "object_id": object_id,
            "aspect_type": aspect_type,
            "updates": updates or {},
            "owner_id": owner_id,
            "subscription_id": self.subscription_id,
            "event_time": int(time.time()),
        }
        self.pushes.append(event)
        return requests.post(self.callback_url, json=event, timeout=5).status_code
