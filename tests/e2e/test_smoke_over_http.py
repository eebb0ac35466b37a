"""The smoke suite: what a deployed stage must answer, over HTTP, right after a deploy.
In `make test` it runs against the local platform; the pipeline runs it against a stage:

    SMOKE_API_URL=https://…/v1 SMOKE_ID_TOKEN=… \
      .venv/bin/python -m pytest -p no:xdist tests/e2e/test_smoke_over_http.py

It writes nothing. Without `SMOKE_ID_TOKEN` (an ID token of the stage's smoke user) the
signed-in checks are skipped against a stage."""

import os
import uuid

import pytest
import requests

from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

NOWHERE = str(uuid.UUID(int=0))


@pytest.fixture(scope="module")
def base_url(request: pytest.FixtureRequest) -> str:
    deployed = os.environ.get("SMOKE_API_URL")
    if deployed:
        return deployed.rstrip("/")
    api: Api = request.getfixturevalue("api")
    return api.endpoints.api_url


@pytest.fixture(scope="module")
def id_token(request: pytest.FixtureRequest) -> str:
    if os.environ.get("SMOKE_API_URL"):
        token = os.environ.get("SMOKE_ID_TOKEN")
        if not token:
            pytest.skip("no SMOKE_ID_TOKEN for the stage's smoke user")
        return token
    api: Api = request.getfixturevalue("api")
    from local.seed import RIDER

    return api.token(RIDER.email, RIDER.password)


def _error_code(answer: requests.Response) -> str:
    return str(answer.json()["error"]["code"])


def test_the_health_check_answers(base_url: str) -> None:
    answer = requests.get(f"{base_url}/health", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


@pytest.mark.parametrize("token", [None, "Bearer not-a-token"])
def test_protected_routes_refuse_missing_and_bad_tokens_in_the_error_envelope(
    base_url: str, token: str | None
) -> None:
    headers = {"Authorization": token} if token else {}
    answer = requests.get(f"{base_url}/clubs", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert _error_code(answer) == "unauthorized"


def test_public_routes_answer_unknown_things_with_404(base_url: str) -> None:
    feed = requests.get(f"{base_url}/clubs/{NOWHERE}/rides.ics", timeout=10)
    gpx = requests.get(f"{base_url}/rides/{NOWHERE}_{NOWHERE}/route.gpx", timeout=10)
    assert (feed.status_code, gpx.status_code) == (404, 404)
    assert _error_code(gpx) == "route_not_found"


def test_a_signed_in_rider_reads_the_club_list_and_their_memberships(
    base_url: str, id_token: str
) -> None:
    headers = {"Authorization": id_token}
    clubs = requests.get(f"{base_url}/clubs", headers=headers, timeout=10)
    assert clubs.status_code == 200 and isinstance(clubs.json()["items"], list)
    mine = requests.get(f"{base_url}/users/me/memberships", headers=headers, timeout=10)
    assert mine.status_code == 200
