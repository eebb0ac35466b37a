"""Membership rules under concurrency, against the local platform's moto server (with
serialized DynamoDB, so moto behaves like DynamoDB) and 4 handler processes. Each race
runs several rounds; every round must hold the rule."""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from shared.domain.enums import SystemRole
from tests.e2e.conftest import RACE_ROUNDS, Api

pytestmark = pytest.mark.e2e

PASSWORD = "Race-Local-2026!"
ROUNDS = RACE_ROUNDS


@dataclass
class Cast:
    tokens: dict[str, str]
    subs: dict[str, str]


@pytest.fixture(scope="module")
def cast(api: Api) -> Cast:
    run = uuid.uuid4().hex[:6]
    tokens, subs = {}, {}
    for name in ("site", "admin_a", "admin_b", "rider", "member"):
        email = f"{name}-{run}@race.local"
        subs[name] = api.platform.create_user(
            email, PASSWORD, SystemRole.SITE_ADMIN if name == "site" else SystemRole.USER
        )
        tokens[name] = api.token(email, PASSWORD)
    return Cast(tokens, subs)


def concurrently(*calls: Callable[[], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.result() for f in futures]


def club_with_two_admins(api: Api, cast: Cast, policy: str = "approval") -> str:
    t, s = cast.tokens, cast.subs
    club = api.call(
        "POST",
        "/clubs",
        t["site"],
        json={
            "name": f"Race {uuid.uuid4().hex[:8]}",
            "disciplines": ["road"],
            "join_policy": "open",
            "initial_admin_id": s["admin_a"],
        },
    ).json()
    club_id = club["club_id"]
    api.call("POST", f"/clubs/{club_id}/memberships", t["admin_b"], json={})
    promoted = api.call(
        "PUT",
        f"/memberships/{club_id}_{s['admin_b']}",
        t["admin_a"],
        json={"version": 1, "club_role": "admin"},
    )
    assert promoted.status_code == 200, promoted.text
    if policy == "approval":
        api.call(
            "PUT", f"/clubs/{club_id}", t["site"], json={"version": 1, "join_policy": "approval"}
        )
    return str(club_id)


def members(api: Api, cast: Cast, club_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.call(
        "GET", f"/clubs/{club_id}/memberships", cast.tokens["site"], params={"limit": 100}
    ).json()["items"]
    return items


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_joins_of_one_user_give_one_membership(
    api: Api, cast: Cast, round_: int
) -> None:
    club_id = club_with_two_admins(api, cast, policy="open")
    join = partial(api.call, "POST", f"/clubs/{club_id}/memberships", cast.tokens["rider"], json={})

    statuses = sorted(a.status_code for a in concurrently(*[join] * 8))

    assert statuses == [201] + [409] * 7
    riders = [m for m in members(api, cast, club_id) if m["user_id"] == cast.subs["rider"]]
    assert len(riders) == 1
    assert riders[0]["version"] == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_approve_and_reject_give_one_outcome(api: Api, cast: Cast, round_: int) -> None:
    club_id = club_with_two_admins(api, cast)
    mid = api.call("POST", f"/clubs/{club_id}/memberships", cast.tokens["rider"], json={}).json()[
        "membership_id"
    ]

    def decide(who: str, status: str) -> Callable[[], Any]:
        return partial(
            api.call,
            "PUT",
            f"/memberships/{mid}",
            cast.tokens[who],
            json={"version": 1, "status": status},
        )

    approve, reject = concurrently(decide("admin_a", "active"), decide("admin_b", "rejected"))

    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    winner = approve if approve.status_code == 200 else reject
    (rider,) = [m for m in members(api, cast, club_id) if m["user_id"] == cast.subs["rider"]]
    assert rider["status"] == winner.json()["status"]
    assert rider["version"] == 2


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_admins_demoting_each_other_never_leave_the_club_without_an_admin(
    api: Api, cast: Cast, round_: int
) -> None:
    club_id = club_with_two_admins(api, cast)
    a, b = (f"{club_id}_{cast.subs[x]}" for x in ("admin_a", "admin_b"))
    versions = {m["membership_id"]: m["version"] for m in members(api, cast, club_id)}

    def demote(who: str, target: str) -> Callable[[], Any]:
        body = {"version": versions[target], "club_role": "member"}
        return partial(api.call, "PUT", f"/memberships/{target}", cast.tokens[who], json=body)

    answers = concurrently(demote("admin_a", b), demote("admin_b", a))

    assert [x.status_code for x in answers].count(200) <= 1
    admins = [
        m
        for m in members(api, cast, club_id)
        if m["club_role"] == "admin" and m["status"] == "active"
    ]
    assert len(admins) >= 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_rejoin_racing_a_removal_never_resurrects_the_member(
    api: Api, cast: Cast, round_: int
) -> None:
    club_id = club_with_two_admins(api, cast, policy="open")
    t = cast.tokens
    mid = api.call("POST", f"/clubs/{club_id}/memberships", t["member"], json={}).json()[
        "membership_id"
    ]
    assert api.call("DELETE", f"/memberships/{mid}", t["member"]).status_code == 200  # left

    rejoin, removal = concurrently(
        lambda: api.call("POST", f"/clubs/{club_id}/memberships", t["member"], json={}),
        lambda: api.call("DELETE", f"/memberships/{mid}", t["admin_a"]),
    )

    (member,) = [m for m in members(api, cast, club_id) if m["membership_id"] == mid]
    if removal.status_code == 200:
        assert member["status"] == "removed", (rejoin.status_code, member)
    assert rejoin.status_code in {201, 403, 409}
    if rejoin.status_code == 201:
        assert removal.status_code in {200, 409}
