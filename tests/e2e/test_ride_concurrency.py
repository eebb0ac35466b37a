"""Seats under concurrency, through the local platform (4 handler processes, moto with
serialized DynamoDB): capacity is never exceeded, counters always equal the items, the
waitlist keeps time order and a freed seat goes to exactly one waitlisted rider.

Capacity counts everyone on the ride, the leader included: a capacity-11 ride has the
leader and 10 seats for the 50 riders who race for them. Each race runs `RACE_ROUNDS`
rounds (`make races` runs many)."""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from shared.domain.enums import SystemRole
from tests.e2e.conftest import RACE_ROUNDS, Api, criterium

pytestmark = pytest.mark.e2e

RIDERS = 50
SEATS = 10
ROUNDS = RACE_ROUNDS
PASSWORD = "Seat-Local-2026!"


@dataclass
class Peloton:
    club_id: str
    leader: str
    riders: list[str]  # tokens
    subs: list[str]


@pytest.fixture(scope="module")
def peloton(api: Api) -> Peloton:
    run = uuid.uuid4().hex[:6]

    def person(name: str, role: str = "User") -> tuple[str, str]:
        email = f"{name}-{run}@peloton.local"
        sub = api.platform.create_user(email, PASSWORD, SystemRole(role))
        return sub, api.token(email, PASSWORD)

    _, site = person("site", "SiteAdmin")
    leader_sub, leader = person("leader")
    club = api.call(
        "POST",
        "/clubs",
        site,
        json={"name": f"Peloton {run}", "disciplines": ["road"], "initial_admin_id": leader_sub},
    ).json()
    riders = [person(f"rider{i}") for i in range(RIDERS)]
    for _, token in riders:
        joined = api.call("POST", f"/clubs/{club['club_id']}/memberships", token)
        assert joined.status_code == 201, joined.text
    return Peloton(club["club_id"], leader, [t for _, t in riders], [s for s, _ in riders])


def publish(api: Api, peloton: Peloton, *, waitlist: bool) -> str:
    body = criterium(
        "Concurrency Criterium", SEATS + 1, waitlist_enabled=waitlist, visibility="members"
    )
    answer = api.call("POST", f"/clubs/{peloton.club_id}/rides", peloton.leader, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ride_id"])


def everyone_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def state(api: Api, peloton: Peloton, ride_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ride = api.call("GET", f"/rides/{ride_id}", peloton.leader).json()
    party = api.call("GET", f"/rides/{ride_id}/participations", peloton.leader).json()
    return ride, party


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_fifty_riders_race_for_ten_seats_with_a_waitlist(
    api: Api, peloton: Peloton, round_: int
) -> None:
    ride_id = publish(api, peloton, waitlist=True)

    answers = everyone_at_once(
        [partial(api.call, "POST", f"/rides/{ride_id}/participations", t) for t in peloton.riders]
    )

    assert [a.status_code for a in answers] == [201] * RIDERS
    outcomes = [a.json()["status"] for a in answers]
    assert outcomes.count("joined") == SEATS
    assert outcomes.count("waitlisted") == RIDERS - SEATS
    ride, party = state(api, peloton, ride_id)
    assert ride["participant_count"] == len(party["joined"]) == SEATS + 1  # and the leader
    assert ride["waitlist_count"] == len(party["waitlist"]) == RIDERS - SEATS
    waited = [p["waitlisted_at"] for p in party["waitlist"]]
    assert waited == sorted(waited)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_fifty_riders_race_for_ten_seats_without_a_waitlist(
    api: Api, peloton: Peloton, round_: int
) -> None:
    ride_id = publish(api, peloton, waitlist=False)

    answers = everyone_at_once(
        [partial(api.call, "POST", f"/rides/{ride_id}/participations", t) for t in peloton.riders]
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * SEATS + [409] * (RIDERS - SEATS)
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"ride_full"}
    ride, party = state(api, peloton, ride_id)
    assert ride["participant_count"] == len(party["joined"]) == SEATS + 1
    assert ride["waitlist_count"] == len(party["waitlist"]) == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_withdrawals_promote_exactly_as_many_as_seats_freed(
    api: Api, peloton: Peloton, round_: int
) -> None:
    ride_id = publish(api, peloton, waitlist=True)
    for token in peloton.riders[:20]:  # 10 seats taken, then 10 waiting in this order
        assert api.call("POST", f"/rides/{ride_id}/participations", token).status_code == 201
    _, before = state(api, peloton, ride_id)
    leaving = [p for p in before["joined"] if p["role"] == "rider"][:5]
    by_sub = dict(zip(peloton.subs, peloton.riders, strict=True))

    answers = everyone_at_once(
        [
            partial(
                api.call,
                "PUT",
                f"/participations/{p['participation_id']}",
                by_sub[p["user_id"]],
                json={"version": p["version"], "status": "withdrawn"},
            )
            for p in leaving
        ]
    )

    assert [a.status_code for a in answers] == [200] * 5
    ride, after = state(api, peloton, ride_id)
    promoted = {p["user_id"] for p in after["joined"]} - {p["user_id"] for p in before["joined"]}
    first_in_line = {p["user_id"] for p in before["waitlist"][:5]}
    assert promoted == first_in_line
    assert ride["participant_count"] == len(after["joined"]) == SEATS + 1
    assert ride["waitlist_count"] == len(after["waitlist"]) == 5
    assert [p["user_id"] for p in after["waitlist"]] == [
        p["user_id"] for p in before["waitlist"][5:]
    ]
