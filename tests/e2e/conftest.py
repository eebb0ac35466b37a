"""The local platform started once per test worker on free ports, driven over real HTTP
with real tokens. The e2e tests are not one xdist group: spread over both workers, each
with its own platform, they take half the wall time they took in one group (9:00 against
~8:00 for the whole suite, measured in one sitting), and no test depends on another's data."""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import requests
from moto.utilities.utils import load_resource

from local.platform import Endpoints, LocalPlatform
from local.seed import RIDER, SITE_ADMIN, seed
from local.users import id_token

# Rounds of each concurrency race: one in `make test` (every change meets every race);
# `make races` runs many more (a race that shows once in fifty rounds is found there, not
# by a second round on every change).
RACE_ROUNDS = int(os.environ.get("RACE_ROUNDS") or 1)


@dataclass
class Api:
    endpoints: Endpoints
    platform: LocalPlatform

    def token(self, email: str, password: str) -> str:
        cognito = self.platform.client("cognito-idp")
        return id_token(cognito, self.endpoints.resources.client_id, email, password)

    def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {**({"Authorization": token} if token else {}), **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.endpoints.api_url}{path}", headers=headers, timeout=30, **kwargs
        )


# The worker's platform while it runs, and whether it was stopped after the worker's last
# e2e test (see `pytest_runtest_teardown`).
_RUNNING: list[LocalPlatform] = []
_STOPPED_EARLY: list[str] = []


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    # Failed messages come back after a second, so redrive to the DLQ takes seconds. Flag
    # overrides live beside the test run, not in the developer's `.local/`.
    platform = LocalPlatform(
        api_port=0,
        workers=4,
        visibility_seconds=1,
        flag_overrides=tmp_path_factory.mktemp("flags") / "overrides.json",
    )
    endpoints = platform.start()
    _RUNNING.append(platform)
    try:
        seed(platform, endpoints)
        yield Api(endpoints, platform)
    finally:
        if platform in _RUNNING:
            _RUNNING.remove(platform)
            platform.stop()


def _runs_before_the_rest(item: pytest.Item | None) -> bool:
    """An e2e test, or one of the infra group (which xdist hands out first, as a whole)."""
    return item is not None and (
        "tests/e2e/" in item.nodeid or item.get_closest_marker("xdist_group") is not None
    )


@pytest.hookimpl(trylast=True)  # after the test's own fixtures are torn down
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the worker's last e2e test its platform stops, rather than at the session's
    end: moto's state is per process, the service tests' `mock_aws` resets it under the
    running platform, and its pollers then fail on every poll (a core's worth of CPU
    before they paused after a failure, still a quarter since). xdist's loadgroup hands out
    the infra group first and then single tests in collection order (tests/e2e before
    service and unit), and a worker runs them in the order received: once its next test is
    neither e2e nor infra, no e2e test is left for it."""
    if _RUNNING and not _runs_before_the_rest(nextitem):
        _STOPPED_EARLY.append(nextitem.nodeid if nextitem else "the end")
        _RUNNING.pop().stop()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _STOPPED_EARLY:
        pytest.fail(
            f"{item.nodeid} came after this worker stopped its platform (before "
            f"{_STOPPED_EARLY[0]}): e2e tests must come before service and unit tests, "
            "in collection order (as xdist's loadgroup hands them out)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def admin_token(api: Api) -> str:
    return api.token(SITE_ADMIN.email, SITE_ADMIN.password)


@pytest.fixture(scope="session")
def rider_token(api: Api) -> str:
    return api.token(RIDER.email, RIDER.password)


def moto_signed(claims: dict[str, Any]) -> str:
    """A token signed with the moto pool's own private key: genuine signature, and
    whatever claims a test needs (expired, another audience, an access token)."""
    private = load_resource("cognitoidp/resources/jwks-private.json")
    key = jwt.PyJWK(private).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": private["kid"]})


def valid_claims(api: Api, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "33333333-3333-4333-8333-333333333333",
        "iss": api.endpoints.issuer,
        "aud": api.endpoints.resources.client_id,
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
        "custom:system_role": "SiteAdmin",
    }
    return {**claims, **overrides}


def criterium(title: str, capacity: int, **changes: Any) -> dict[str, Any]:
    """A road ride two days out, the one every race test fights over."""
    return {
        "title": title,
        "start_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        "estimated_duration_min": 60,
        "meeting_point": {"name": "Heffron Park", "lat": -33.94, "lon": 151.24},
        "distance_km": 30,
        "surface": "road",
        "pace_class": "A",
        "drop_policy": "drop",
        "capacity": capacity,
        **changes,
    }
