"""Every cell of the authorization matrix, sent over HTTP through the local platform with
real tokens of one Cognito user per persona."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.enums import SystemRole
from tests.authorization_matrix import MATRIX, PERSONAS, SIGNED_IN, RouteCase
from tests.e2e.conftest import Api
from tools.openapi import build_document

pytestmark = pytest.mark.e2e
DOCUMENT = build_document()

PASSWORD = "Matrix-Local-2026!"
# The path parameters of things inside a club's world.
CLUB_WORLD = ("club_id", "ride_id", "series_id", "membership_id", "participation_id")


@dataclass
class People:
    tokens: dict[str, str]
    subs: dict[str, str]
    other_club: str


@dataclass
class World:
    club_id: str
    name: str
    memberships: dict[str, str]
    ride_id: str
    participations: dict[str, str]
    series_id: str = ""


def series_body() -> dict[str, Any]:
    plan = {k: v for k, v in ride_body().items() if k != "start_at"}
    # Beyond the five weeks ahead rides are made: the matrix needs the series, not its rides.
    first = (datetime.now(UTC) + timedelta(days=60)).date()
    return {
        "ride": plan,
        "recurrence": {
            "frequency": "weekly",
            "first_date": first.isoformat(),
            "local_time": "06:00",
            "count": 2,
        },
    }


def ride_body() -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=5)
    return {
        "title": "Matrix Loop",
        "start_at": start.isoformat(),
        "estimated_duration_min": 90,
        "meeting_point": {"name": "Bicentennial Park", "lat": -33.85, "lon": 151.07},
        "distance_km": 40,
        "surface": "road",
        "pace_class": "C",
        "drop_policy": "no_drop",
        "visibility": "members",
    }


@pytest.fixture(scope="module")
def people(api: Api) -> People:
    run = uuid.uuid4().hex[:6]
    subs, tokens = {}, {}
    for persona in SIGNED_IN:
        email = f"{persona}-{run}@matrix.local"
        role = SystemRole.SITE_ADMIN if persona == "site_admin" else SystemRole.USER
        subs[persona] = api.platform.create_user(email, PASSWORD, role)
        tokens[persona] = api.token(email, PASSWORD)
    other = api.call(
        "POST",
        "/clubs",
        tokens["site_admin"],
        json={
            "name": f"Other {run}",
            "disciplines": ["mtb"],
            "initial_admin_id": subs["other_admin"],
        },
    )
    assert other.status_code == 201, other.text
    return People(tokens, subs, other.json()["club_id"])


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def build_world(api: Api, people: People, series: bool = True) -> World:
    """A club (approval policy) where each persona holds the membership it names, and
    (for the routes about one) a ride series."""
    t, s = people.tokens, people.subs
    name = f"Matrix Club {uuid.uuid4().hex[:8]}"
    club = _ok(
        api.call(
            "POST",
            "/clubs",
            t["site_admin"],
            json={
                "name": name,
                "disciplines": ["road"],
                "join_policy": "approval",
                "initial_admin_id": s["admin"],
            },
        ),
        201,
    )
    club_id = club["club_id"]
    ids = {"admin": f"{club_id}_{s['admin']}"}
    for persona in ("pending", "member", "leader", "suspended", "removed"):
        ids[persona] = _ok(
            api.call("POST", f"/clubs/{club_id}/memberships", t[persona], json={}), 201
        )["membership_id"]
    for persona in ("member", "leader", "suspended", "removed"):
        _ok(
            api.call(
                "PUT",
                f"/memberships/{ids[persona]}",
                t["admin"],
                json={"version": 1, "status": "active"},
            )
        )
    _ok(
        api.call(
            "PUT",
            f"/memberships/{ids['leader']}",
            t["admin"],
            json={"version": 2, "club_role": "ride_leader"},
        )
    )
    _ok(
        api.call(
            "PUT",
            f"/memberships/{ids['suspended']}",
            t["admin"],
            json={"version": 2, "status": "suspended"},
        )
    )
    _ok(api.call("DELETE", f"/memberships/{ids['removed']}", t["admin"]))
    ride_id = _ok(api.call("POST", f"/clubs/{club_id}/rides", t["admin"], json=ride_body()), 201)[
        "ride_id"
    ]
    joined = _ok(api.call("POST", f"/rides/{ride_id}/participations", t["member"]), 201)
    world = World(club_id, name, ids, ride_id, {"member": joined["participation_id"]})
    if series:
        made = api.call("POST", f"/clubs/{club_id}/ride-series", t["admin"], json=series_body())
        world.series_id = _ok(made, 201)["series_id"]
    return world


def send(
    api: Api, people: People, case: RouteCase, world: World, persona: str
) -> tuple[int, str | None]:
    """The status, and the capability named by a refusal from the Authorization Service."""
    token = people.tokens.get(persona)
    path = case.path.replace("{club_id}", world.club_id).replace("{ride_id}", world.ride_id)
    path = path.replace("{series_id}", world.series_id)
    if case.target:
        path = path.replace("{membership_id}", world.memberships[case.target])
        path = path.replace("{participation_id}", world.participations.get(case.target, ""))
        path = path.replace("{user_id}", people.subs[case.target])
    path = path.replace("{device_id}", "0" * 32)
    path = path.replace("{webhook_id}", str(uuid.UUID(int=0)))
    path = path.replace("{attachment_id}", str(uuid.UUID(int=0)))
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/clubs"): {"name": world.name, "disciplines": ["road"]},
        ("PUT", "/clubs/{club_id}"): {"version": 999, "city": "Wollongong"},
        ("PUT", "/memberships/{membership_id}"): {"version": 99, "status": "suspended"},
        ("POST", "/clubs/{club_id}/memberships"): {},
        ("POST", "/clubs/{club_id}/rides"): ride_body(),
        ("PUT", "/rides/{ride_id}"): {"version": 999, "title": "Stale edit"},
        ("POST", "/clubs/{club_id}/ride-series"): series_body(),
        ("PUT", "/ride-series/{series_id}"): {
            "version": 999,
            "from_date": series_body()["recurrence"]["first_date"],
            "title": "Stale edit",
        },
        ("PUT", "/participations/{participation_id}"): {"version": 99, "status": "removed"},
        ("PUT", "/users/{user_id}"): {"version": 99, "system_role": "SiteAdmin"},
        ("POST", "/users/me/avatar"): {"content_type": "image/png"},
        ("PUT", "/users/me/avatar"): {"upload_id": str(uuid.UUID(int=0))},
        ("PUT", "/users/me/notification-preferences"): {"version": 99},
        ("POST", "/users/me/devices"): {"platform": "fcm", "token": uuid.uuid4().hex * 2},
        ("POST", "/clubs/{club_id}/webhooks"): {
            "url": "ftp://hooks.example.com/sydney",
            "event_types": ["ride_created"],
        },
        ("PUT", "/clubs/{club_id}/webhooks/{webhook_id}"): {"version": 1, "status": "active"},
        ("POST", "/clubs/{club_id}/webhooks/{webhook_id}/secret"): {"version": 1},
        ("POST", "/clubs/{club_id}/logo"): {"content_type": "image/png"},
        ("PUT", "/clubs/{club_id}/logo"): {"upload_id": str(uuid.UUID(int=0))},
        ("PUT", "/rides/{ride_id}/route"): {"upload_id": str(uuid.UUID(int=0))},
        ("POST", "/rides/{ride_id}/attachments"): {"content_type": "application/pdf"},
        ("PUT", "/rides/{ride_id}/attachments/{attachment_id}"): {"title": "Cue sheet"},
    }
    body = bodies.get((case.method, case.path))
    queries = {("GET", "/rides"): {"near": "-33.8988,151.2335"}}
    query = queries.get((case.method, case.path))
    answer = api.call(case.method, path, token, json=body, params=query)
    refused = None
    if answer.status_code == 403:
        refused = ((answer.json().get("error") or {}).get("details") or {}).get("capability")
    return int(answer.status_code), refused


@pytest.fixture(scope="module")
def read_world(api: Api, people: People) -> World:
    """One world for every GET (a GET changes nothing: safe, RFC 9110) and every route
    outside a club's world; every other case builds its own."""
    return build_world(api, people)


@pytest.mark.parametrize(
    "case", [c for c in MATRIX if c.over_http], ids=lambda c: f"{c.method} {c.path}"
)
def test_every_persona_gets_the_expected_status(
    api: Api, people: People, read_world: World, case: RouteCase
) -> None:
    about_series = "{series_id}" in case.path
    # A GET changes nothing, and a route outside the club's world (the caller's own
    # things, the platform's users, a club of its own name) cannot change it: both use
    # the shared world. Every other case starts from its own.
    shared = case.method == "GET" or not any(f"{{{name}}}" in case.path for name in CLUB_WORLD)
    world = read_world if shared else build_world(api, people, about_series)
    got: dict[str, int] = {}
    asked: dict[str, str] = {}
    changed = False
    for persona in PERSONAS:
        if changed:  # the previous persona's change went through: start from a fresh world
            world = build_world(api, people, about_series)
        got[persona], refused = send(api, people, case, world, persona)
        if refused is not None:
            asked[persona] = refused
        # A refused request writes nothing (tests/service/test_hostile_input.py), so only a
        # change that went through spoils the world for the next persona.
        changed = case.mutates and 200 <= got[persona] < 300

    assert got == case.expected
    # Every answer a route really gives is in the contract clients generate from.
    documented = DOCUMENT["paths"][case.path][case.method.lower()]["responses"]
    assert {str(status) for status in got.values()} <= set(documented), case.path
    # Every refusal by the Authorization Service names the capability the matrix says the
    # route asks for: the unit test's premise is what the handlers really do.
    assert asked == {p: case.capability_for(p) for p in asked}
    if any(status == 403 for status in case.expected.values()):
        assert asked, "no refusal named its capability"
