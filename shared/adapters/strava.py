"""Strava's API (OAuth token exchange, refresh and deauthorization; activities), as the
platform uses it, with timeouts, retries on 5xx, and Strava's rate limits read from every
answer (`docs/strava.md`).

A thin client on urllib3 rather than `stravalib`: the platform makes four calls, and
stravalib brings pint, arrow and its own models (tens of MB and ~100 ms of cold start for
a Lambda) for shapes this module states in a few lines; urllib3 is already in the Lambda
runtime (botocore's transport)."""

import json
import math
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from shared.adapters.adapter import Adapter, ClientSource
from shared.domain.errors import DomainError

SCOPES = "read,activity:read"
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 8.0
# Strava counts requests in 15-minute windows (aligned to the quarter hour) and per day.
WINDOW_SECONDS = 15 * 60


class StravaError(DomainError):
    code = "strava_error"
    status = 502


class StravaUnauthorized(StravaError):
    """The athlete's token was refused: revoked at Strava, or a bad code."""

    code = "strava_unauthorized"
    status = 422


class StravaNotFound(StravaError):
    code = "strava_not_found"
    status = 404


class RateLimited(Exception):
    """Strava's limit for this window (or day) is used up: try again after `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Strava rate limit; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Usage:
    """What the last answer said of the app's usage: (15-minute, daily) limit and use."""

    limit: tuple[int, int] = (0, 0)
    used: tuple[int, int] = (0, 0)

    @property
    def nearly_exhausted(self) -> bool:
        """90% of the window used: background work should wait for the next window."""
        return bool(self.limit[0]) and self.used[0] >= 0.9 * self.limit[0]


@dataclass(frozen=True)
class Tokens:
    athlete_id: int
    access_token: str
    refresh_token: str
    # Unix seconds; Strava's access tokens last six hours.
    expires_at: int


@dataclass(frozen=True)
class Activity:
    activity_id: int
    athlete_id: int
    start: datetime
    distance_m: float
    moving_time_s: int
    elevation_gain_m: float
    sport_type: str

    @property
    def url(self) -> str:
        return f"https://www.strava.com/activities/{self.activity_id}"


def seconds_until_next_window(now: float, daily: bool = False) -> int:
    """Until the next quarter hour (15-minute limit) or UTC midnight (daily limit)."""
    period = 86_400 if daily else WINDOW_SECONDS
    return max(1, math.ceil((math.floor(now / period) + 1) * period - now))


def _pair(value: str | None) -> tuple[int, int]:
    try:
        short, long = (int(part) for part in (value or "").split(","))
    except ValueError:
        return (0, 0)
    return (short, long)


def _usage(headers: Any) -> Usage:
    return Usage(_pair(headers.get("X-RateLimit-Limit")), _pair(headers.get("X-RateLimit-Usage")))


def _tokens(body: dict[str, Any], athlete_id: int | None = None) -> Tokens:
    athlete = body.get("athlete") or {}
    return Tokens(
        athlete_id=int(athlete.get("id") or athlete_id or 0),
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]),
        expires_at=int(body["expires_at"]),
    )


def _activity(body: dict[str, Any]) -> Activity:
    return Activity(
        activity_id=int(body["id"]),
        athlete_id=int((body.get("athlete") or {}).get("id") or 0),
        start=datetime.fromisoformat(str(body["start_date"]).replace("Z", "+00:00")).astimezone(
            UTC
        ),
        distance_m=float(body.get("distance") or 0),
        moving_time_s=int(body.get("moving_time") or 0),
        elevation_gain_m=float(body.get("total_elevation_gain") or 0),
        sport_type=str(body.get("sport_type") or body.get("type") or ""),
    )


class StravaClient(Adapter):
    """The client is a urllib3 PoolManager (or a function that makes one)."""

    def __init__(
        self, client: ClientSource, client_id: str, client_secret: str, base_url: str
    ) -> None:
        super().__init__(client)
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/")
        self.usage = Usage()

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "approval_prompt": "auto",
                "scope": SCOPES,
                "state": state,
            }
        )
        return f"{self.base_url}/oauth/authorize?{query}"

    def exchange(self, code: str) -> Tokens:
        return _tokens(self._grant("authorization_code", code=code))

    def refresh(self, tokens: Tokens) -> Tokens:
        body = self._grant("refresh_token", refresh_token=tokens.refresh_token)
        return _tokens(body, tokens.athlete_id)

    def _grant(self, grant_type: str, **fields: str) -> dict[str, Any]:
        """The token endpoint: the app's credentials and one OAuth grant."""
        credentials = {"client_id": self.client_id, "client_secret": self.client_secret}
        return self._call(
            "POST", "/oauth/token", fields={**credentials, **fields, "grant_type": grant_type}
        )

    def deauthorize(self, access_token: str) -> None:
        # Already revoked at Strava: the goal is reached.
        with suppress(StravaUnauthorized):
            self._call("POST", "/oauth/deauthorize", fields={"access_token": access_token})

    def athlete(self, access_token: str) -> int:
        """The id of the athlete the token belongs to (StravaUnauthorized once revoked)."""
        return int(self._call("GET", "/api/v3/athlete", token=access_token)["id"])

    def activity(self, access_token: str, activity_id: int) -> Activity:
        return _activity(self._call("GET", f"/api/v3/activities/{activity_id}", token=access_token))

    def _call(
        self,
        method: str,
        path: str,
        *,
        fields: dict[str, str] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        import urllib3

        retries = urllib3.Retry(
            total=2,
            connect=2,
            read=1 if method == "GET" else 0,
            status=2,
            backoff_factor=0.5,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=frozenset({"GET", "POST"}),
            respect_retry_after_header=False,
            raise_on_status=False,
        )
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            response = self.client.urlopen(
                method,
                f"{self.base_url}{path}",
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS),
                retries=retries,
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise StravaError(f"Strava did not answer ({type(error).__name__}).") from None
        self.usage = _usage(response.headers)
        if response.status == 429:
            daily = bool(self.usage.limit[1]) and self.usage.used[1] >= self.usage.limit[1]
            raise RateLimited(seconds_until_next_window(time.time(), daily=daily))
        if response.status in (400, 401, 403):
            raise StravaUnauthorized("Strava refused the authorization.")
        if response.status == 404:
            raise StravaNotFound("Strava has no such object (or it is private).")
        if response.status >= 300:
            raise StravaError(f"Strava answered {response.status}.")
        answer: dict[str, Any] = json.loads(response.data or b"{}")
        return answer


def pool_manager() -> Any:
    import urllib3

    return urllib3.PoolManager(num_pools=2, maxsize=4)
