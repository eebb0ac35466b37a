"""The Strava client against recorded answers of Strava's API (`tests/fixtures/strava/`,
shaped after developers.strava.com's reference), served over real HTTP; and the fake
Strava of the local platform held to the same shapes."""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from local.fake_strava import FakeStrava
from local.moto_server import serving_thread
from shared.adapters.strava import (
    RateLimited,
    StravaClient,
    StravaNotFound,
    StravaUnauthorized,
    Tokens,
    pool_manager,
    seconds_until_next_window,
)
from strava.schemas import StravaPush

pytestmark = pytest.mark.service

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "strava"
Answer = Callable[[Request], Response]


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def _json(body: Any, status: int = 200, **headers: str) -> Response:
    answer = Response(json.dumps(body), status=status, mimetype="application/json")
    answer.headers.update({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "12,340"})
    answer.headers.update(headers)
    return answer


class Recorded:
    """A server answering each request with the next of `answers`, keeping the requests."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[tuple[str, str, dict[str, str], str]] = []
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        serving_thread(self.server).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def _app(self, environ: Any, start: Any) -> Any:
        request = Request(environ)
        self.requests.append(
            (
                request.method,
                request.path,
                dict(request.form),
                request.headers.get("Authorization", ""),
            )
        )
        return self.answers.pop(0)(request)(environ, start)


@pytest.fixture
def strava() -> Iterator[tuple[StravaClient, Recorded]]:
    server = Recorded()
    yield StravaClient(pool_manager(), "134", "app-secret", server.url), server
    server.server.shutdown()


def test_a_code_becomes_tokens_for_the_athlete(strava: tuple[StravaClient, Recorded]) -> None:
    client, server = strava
    server.answers.append(lambda _: _json(fixture("token_exchange")))

    tokens = client.exchange("the-code")

    assert tokens == Tokens(
        134815,
        "a4b945687g0fcca6c4f1a8fbfb5ac43f8f1bd0a7",
        "e5n567567b0fcca6c4f1a8fbfb5ac43f8f1bd0a7",
        1796018400,
    )
    method, path, form, _ = server.requests[0]
    assert (method, path) == ("POST", "/oauth/token")
    assert form == {
        "client_id": "134",
        "client_secret": "app-secret",
        "code": "the-code",
        "grant_type": "authorization_code",
    }
    assert client.usage.limit == (200, 2000) and client.usage.used == (12, 340)


def test_a_refresh_keeps_the_athlete(strava: tuple[StravaClient, Recorded]) -> None:
    client, server = strava
    server.answers.append(lambda _: _json(fixture("token_refresh")))
    old = Tokens(134815, "old-access", "old-refresh", 0)

    tokens = client.refresh(old)

    assert (tokens.athlete_id, tokens.access_token) == (
        134815,
        fixture("token_refresh")["access_token"],
    )
    assert server.requests[0][2]["grant_type"] == "refresh_token"
    assert server.requests[0][2]["refresh_token"] == "old-refresh"


def test_an_activity_is_read_with_the_athletes_token(strava: tuple[StravaClient, Recorded]) -> None:
    client, server = strava
    server.answers.append(lambda _: _json(fixture("activity")))

    activity = client.activity("athlete-token", 16234567890)

    assert activity.start == datetime(2026, 12, 5, 19, 2, 11, tzinfo=UTC)
    assert (activity.distance_m, activity.moving_time_s, activity.elevation_gain_m) == (
        42815.3,
        5213,
        386.2,
    )
    assert activity.athlete_id == 134815 and activity.sport_type == "Ride"
    assert server.requests[0][1] == "/api/v3/activities/16234567890"
    assert server.requests[0][3] == "Bearer athlete-token"


def test_server_errors_are_retried_and_client_errors_are_not(
    strava: tuple[StravaClient, Recorded],
) -> None:
    client, server = strava
    server.answers += [
        lambda _: _json({"message": "oops"}, 503),
        lambda _: _json(fixture("activity")),
    ]
    assert client.activity("t", 1).activity_id == 16234567890
    assert len(server.requests) == 2

    server.answers.append(lambda _: _json({"message": "Authorization Error"}, 401))
    with pytest.raises(StravaUnauthorized):
        client.activity("t", 1)
    server.answers.append(lambda _: _json({"message": "Record Not Found"}, 404))
    with pytest.raises(StravaNotFound):
        client.activity("t", 1)
    assert len(server.requests) == 4


def test_a_429_says_when_the_window_turns(strava: tuple[StravaClient, Recorded]) -> None:
    client, server = strava
    limited = fixture("rate_limited")
    server.answers.append(lambda _: _json(limited["body"], 429, **limited["headers"]))
    with pytest.raises(RateLimited) as window:
        client.activity("t", 1)
    assert 0 < window.value.retry_after <= 900

    spent = {"X-RateLimit-Usage": "12,2000"}
    server.answers.append(lambda _: _json(limited["body"], 429, **spent))
    with pytest.raises(RateLimited) as day:
        client.activity("t", 1)
    assert day.value.retry_after > 0 and day.value.retry_after <= 86_400


def test_windows_are_quarter_hours_and_days_end_at_utc_midnight() -> None:
    quarter_past = datetime(2026, 12, 5, 19, 15, 0, tzinfo=UTC).timestamp()
    assert seconds_until_next_window(quarter_past - 10) == 10
    assert seconds_until_next_window(quarter_past) == 900
    assert seconds_until_next_window(quarter_past, daily=True) == (24 - 19) * 3600 - 15 * 60


def test_the_authorize_url_asks_for_the_scopes_and_carries_the_state() -> None:
    client = StravaClient(pool_manager(), "134", "secret", "https://www.strava.com")
    url = client.authorize_url("https://api.example/v1/integrations/strava/callback", "s.t")
    assert url.startswith("https://www.strava.com/oauth/authorize?client_id=134&")
    assert "scope=read%2Cactivity%3Aread" in url and "state=s.t" in url
    assert "response_type=code" in url


def test_pushes_in_stravas_shape_are_read() -> None:
    created = StravaPush.model_validate(fixture("push_activity_create"))
    revoked = StravaPush.model_validate(fixture("push_athlete_deauthorized"))
    assert (created.object_type, created.aspect_type, created.owner_id) == (
        "activity",
        "create",
        134815,
    )
    assert revoked.updates == {"authorized": "false"}


def test_the_fake_strava_answers_in_stravas_shapes() -> None:
    fake = FakeStrava("134", "secret", 1, callback_url="http://127.0.0.1:9/none")
    fake.start()
    try:
        authorize = requests.get(
            f"{fake.url}/oauth/authorize",
            params={
                "client_id": "134",
                "response_type": "code",
                "redirect_uri": "https://x/cb",
                "state": "s",
                "scope": "read,activity:read",
            },
            allow_redirects=False,
            timeout=5,
        )
        code = authorize.headers["Location"].split("code=")[1].split("&")[0]
        client = StravaClient(pool_manager(), "134", "secret", fake.url)
        tokens = client.exchange(code)
        answer = requests.post(
            f"{fake.url}/oauth/token",
            data={
                "client_id": "134",
                "client_secret": "secret",
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token,
            },
            timeout=5,
        ).json()
        assert set(fixture("token_refresh")) <= set(answer)
        recorded = fake.record_activity(1001, "2026-12-05T19:02:11Z", push=False)
        fresh = client.refresh(Tokens(1001, "", answer["refresh_token"], 0))
        activity = requests.get(
            f"{fake.url}/api/v3/activities/{recorded['id']}",
            headers={"Authorization": f"Bearer {fresh.access_token}"},
            timeout=5,
        ).json()
        read = {
            "id",
            "athlete",
            "start_date",
            "distance",
            "moving_time",
            "total_elevation_gain",
            "sport_type",
            "type",
        }
        assert read <= set(activity) and read <= set(fixture("activity"))
        assert client.activity(fresh.access_token, recorded["id"]).athlete_id == 1001
        assert set(fixture("token_exchange")) - {"athlete"} <= set(fake._issue(1001))
    finally:
        fake.stop()
