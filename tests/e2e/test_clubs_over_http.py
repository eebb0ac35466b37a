"""Clubs through the local platform: real HTTP, real Cognito (moto) tokens."""

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.conftest import Api, moto_signed, valid_claims

pytestmark = pytest.mark.e2e


def test_site_admin_creates_lists_reads_and_updates_a_club(api: Api, admin_token: str) -> None:
    name = f"Eastern Suburbs Wheelers {uuid.uuid4().hex[:6]}"
    created = api.call(
        "POST", "/clubs", admin_token, json={"name": name, "disciplines": ["road", "gravel"]}
    )
    assert created.status_code == 201, created.text
    club = created.json()
    assert created.headers["Location"] == f"/clubs/{club['club_id']}"

    listed = api.call("GET", "/clubs", admin_token, params={"limit": 100}).json()
    assert club["club_id"] in [c["club_id"] for c in listed["items"]]
    names = [c["name"].casefold() for c in listed["items"]]
    assert names == sorted(names)

    read = api.call("GET", f"/clubs/{club['club_id']}", admin_token)
    assert read.status_code == 200
    # The counters are derived from events (the first admin's membership is counted within
    # a moment): the rest is what creation answered.
    derived = {"member_count", "ride_count"}
    assert {k: v for k, v in read.json().items() if k not in derived} == {
        k: v for k, v in club.items() if k not in derived
    }

    updated = api.call(
        "PUT",
        f"/clubs/{club['club_id']}",
        admin_token,
        json={"version": club["version"], "description": "Coogee to La Perouse loops"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == club["version"] + 1
    stale = api.call(
        "PUT", f"/clubs/{club['club_id']}", admin_token, json={"version": 1, "city": "X"}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_seeded_clubs_are_listed(api: Api, rider_token: str) -> None:
    names: list[str] = []
    params: dict[str, str | int] = {"limit": 100}
    while True:  # other tests add clubs to the same platform: read every page
        page = api.call("GET", "/clubs", rider_token, params=params).json()
        names += [c["name"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert {"Inner West Riders", "Northern Beaches Gravel Crew"} <= set(names)
    assert names == sorted(names, key=str.casefold)


def test_rider_cannot_create_a_club(api: Api, rider_token: str) -> None:
    answer = api.call(
        "POST", "/clubs", rider_token, json={"name": "Rogue Club", "disciplines": ["mtb"]}
    )

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_duplicate_name_is_409(api: Api, admin_token: str) -> None:
    answer = api.call(
        "POST", "/clubs", admin_token, json={"name": "inner west RIDERS", "disciplines": ["road"]}
    )

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "club_name_taken"


def test_no_token_is_401(api: Api) -> None:
    answer = api.call("GET", "/clubs")

    assert answer.status_code == 401
    assert answer.json() == {"error": {"code": "unauthorized", "message": "Unauthorized"}}


def test_forged_token_is_401(api: Api) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(valid_claims(api), other_key, algorithm="RS256", headers={"kid": "dummy"})

    assert api.call("GET", "/clubs", forged).status_code == 401


def test_expired_token_is_401(api: Api) -> None:
    past = int(time.time()) - 7200
    expired = moto_signed(valid_claims(api, iat=past, exp=past + 3600))

    assert api.call("GET", "/clubs", expired).status_code == 401


def test_wrong_audience_token_is_401(api: Api) -> None:
    token = moto_signed(valid_claims(api, aud="some-other-client"))

    assert api.call("GET", "/clubs", token).status_code == 401


def test_access_token_is_not_an_id_token(api: Api) -> None:
    token = moto_signed(valid_claims(api, token_use="access"))

    assert api.call("GET", "/clubs", token).status_code == 401


def test_a_genuine_token_with_valid_claims_is_accepted(api: Api) -> None:
    """The forged/expired checks above would pass vacuously if no token were accepted."""
    assert api.call("GET", "/clubs", moto_signed(valid_claims(api))).status_code == 200


def test_bearer_prefix_is_accepted(api: Api, rider_token: str) -> None:
    assert api.call("GET", "/clubs", f"Bearer {rider_token}").status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"name": "Broken', 400),
        ('{"name": "A", "disciplines": ["road"]}', 422),
        ('{"name": "Valid Club", "disciplines": ["unicycle"]}', 422),
        ('{"name": "Valid Club", "disciplines": ["road"], "status": "archived"}', 422),
        ("[1, 2, 3]", 422),
        ("", 422),
    ],
)
def test_bad_bodies_are_4xx(api: Api, admin_token: str, body: str, status: int) -> None:
    answer = api.call("POST", "/clubs", admin_token, data=body.encode())

    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] in {"malformed_json", "validation_error"}


def test_bad_ids_and_cursors_are_4xx(api: Api, rider_token: str) -> None:
    assert api.call("GET", "/clubs/not-a-uuid", rider_token).status_code == 422
    assert api.call("GET", "/clubs", rider_token, params={"cursor": "%%%"}).status_code == 400
    assert api.call("GET", f"/clubs/{uuid.uuid4()}", rider_token).status_code == 404


def test_health_needs_no_token_and_unknown_routes_are_404(api: Api) -> None:
    assert api.call("GET", "/health").json() == {"status": "ok"}
    missing = api.call("GET", "/nowhere")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "route_not_found"


def test_cors_preflight_and_openapi(api: Api) -> None:
    preflight = api.call("OPTIONS", "/clubs")
    assert preflight.status_code == 204
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    document = api.call("GET", "/openapi.json").json()
    assert {"/clubs", "/clubs/{club_id}", "/health"} <= set(document["paths"])


def test_concurrent_creates_of_one_name_give_one_club(api: Api, admin_token: str) -> None:
    """Uniqueness is enforced by the transaction, not by a read-then-write."""
    from concurrent.futures import ThreadPoolExecutor

    base = f"Race Club {uuid.uuid4().hex[:6]}"
    variants = [base, base.upper(), base.lower(), f"  {base} "] * 3

    def create(name: str) -> int:
        return api.call(
            "POST", "/clubs", admin_token, json={"name": name, "disciplines": ["road"]}
        ).status_code

    with ThreadPoolExecutor(max_workers=len(variants)) as pool:
        statuses = sorted(pool.map(create, variants))

    assert statuses == [201] + [409] * (len(variants) - 1)
    listed = api.call("GET", "/clubs", admin_token, params={"limit": 100}).json()["items"]
    assert [c["name"].casefold() for c in listed].count(base.casefold()) == 1
