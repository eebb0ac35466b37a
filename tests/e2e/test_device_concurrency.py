"""Push devices under concurrency, over the local platform: the ten-device limit holds
when twenty registrations race, and a phone moving between accounts never fails."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_event_path import person

pytestmark = pytest.mark.e2e


def test_twenty_concurrent_registrations_leave_at_most_ten_devices(api: Api) -> None:
    _, _, token = person(api, "phones")

    def register(n: int) -> int:
        body = {"platform": "fcm", "token": f"{n:02d}-{uuid.uuid4().hex}" * 2}
        return int(api.call("POST", "/users/me/devices", token, json=body).status_code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(register, range(20)))

    assert set(statuses) <= {201, 409, 503}, statuses
    listed = api.call("GET", "/users/me/devices", token).json()["items"]
    assert len(listed) == statuses.count(201) <= 10
    assert statuses.count(201) == 10 or 503 in statuses


def test_a_phone_registered_by_two_accounts_at_once_has_one_owner(api: Api) -> None:
    _, _, first = person(api, "phone-a")
    _, _, second = person(api, "phone-b")
    body = {"platform": "fcm", "token": f"shared-{uuid.uuid4().hex}" * 2}

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda t: api.call("POST", "/users/me/devices", t, json=body), (first, second))
        )

    assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    owners = [len(api.call("GET", "/users/me/devices", t).json()["items"]) for t in (first, second)]
    assert sum(owners) == 1
