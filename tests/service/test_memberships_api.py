"""The memberships API through API Gateway-shaped events, against moto in-process."""

from collections.abc import Iterator
from typing import Any

import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import ADMIN, RIDER, Invoke, add_profiles, make_invoker, snapshot

pytestmark = pytest.mark.service

OWNER = {
    "sub": "44444444-4444-4444-8444-444444444444",
    "given_name": "Olive",
    "family_name": "Owner",
}
RIDER_2 = {"sub": "55555555-5555-4555-8555-555555555555"}


@pytest.fixture
def apis(table: Table) -> Iterator[tuple[Invoke, Invoke]]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"], RIDER["sub"], RIDER_2["sub"])
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
    memberships_api.app.dependency_overrides[memberships_api.get_store] = lambda: MembershipStore(
        table
    )
    yield make_invoker(clubs_api.handler), make_invoker(memberships_api.handler)
    clubs_api.app.dependency_overrides.clear()
    memberships_api.app.dependency_overrides.clear()


@pytest.fixture
def api(apis: tuple[Invoke, Invoke]) -> Invoke:
    return apis[1]


def new_club(apis: tuple[Invoke, Invoke], policy: str = "open", name: str = "Test Club") -> str:
    answer = apis[0](
        "POST",
        "/clubs",
        body={
            "name": name,
            "disciplines": ["road"],
            "join_policy": policy,
            "initial_admin_id": OWNER["sub"],
        },
        claims=ADMIN,
    )
    assert answer.status == 201, answer.body
    return str(answer.body["club_id"])


def join(api: Invoke, club_id: str, claims: dict[str, str], **body: Any) -> Any:
    return api(
        "POST",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club_id},
        body=body,
        claims=claims,
    )


def change(api: Invoke, membership_id: str, claims: dict[str, str], **body: Any) -> Any:
    return api(
        "PUT",
        "/memberships/{membership_id}",
        path_params={"membership_id": membership_id},
        body=body,
        claims=claims,
    )


def end(api: Invoke, membership_id: str, claims: dict[str, str]) -> Any:
    return api(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": membership_id},
        claims=claims,
    )


def members(api: Invoke, club_id: str, claims: dict[str, str], **query: str) -> Any:
    return api(
        "GET",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club_id},
        query=query,
        claims=claims,
    )


def admin_count(table: Table, club_id: str) -> int:
    club = table.get(keys.club_key(club_id))
    assert club is not None
    return int(club["admin_count"])


def test_initial_admin_is_created_with_the_club(apis: tuple[Invoke, Invoke], table: Table) -> None:
    club_id = new_club(apis)

    listed = members(apis[1], club_id, OWNER)

    assert listed.status == 200
    (owner,) = listed.body["items"]
    assert owner["user_id"] == OWNER["sub"]
    assert owner["club_role"] == "admin"
    assert owner["status"] == "active"
    assert admin_count(table, club_id) == 1


def test_joining_an_open_club_makes_an_active_member(apis: tuple[Invoke, Invoke]) -> None:
    club_id = new_club(apis)

    answer = join(apis[1], club_id, RIDER)

    assert answer.status == 201
    assert answer.body["status"] == "active"
    assert answer.body["club_role"] == "member"
    assert answer.body["membership_id"] == f"{club_id}_{RIDER['sub']}"
    assert answer.headers["Location"] == f"/memberships/{club_id}_{RIDER['sub']}"


def test_joining_an_approval_club_makes_an_application(apis: tuple[Invoke, Invoke]) -> None:
    club_id = new_club(apis, "approval")

    answer = join(apis[1], club_id, RIDER, application_message="I ride B grade on Saturdays")

    assert answer.status == 201
    assert answer.body["status"] == "pending"
    assert answer.body["application_message"] == "I ride B grade on Saturdays"


def test_second_join_is_409(apis: tuple[Invoke, Invoke], table: Table) -> None:
    club_id = new_club(apis, "approval")
    join(apis[1], club_id, RIDER)
    before = snapshot(table)

    again = join(apis[1], club_id, RIDER)

    assert again.status == 409
    assert again.body["error"]["code"] == "membership_exists"
    assert snapshot(table) == before


def test_joining_unknown_or_archived_clubs(apis: tuple[Invoke, Invoke], table: Table) -> None:
    empty = snapshot(table)
    missing = join(apis[1], "00000000-0000-4000-8000-000000000000", RIDER)
    assert missing.status == 404
    assert snapshot(table) == empty
    club_id = new_club(apis)
    apis[0](
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club_id},
        body={"version": 1, "status": "archived"},
        claims=ADMIN,
    )

    before = snapshot(table)
    archived = join(apis[1], club_id, RIDER)

    assert archived.status == 409
    assert archived.body["error"]["code"] == "club_archived"
    assert snapshot(table) == before


def test_approve_and_reject(apis: tuple[Invoke, Invoke]) -> None:
    api = apis[1]
    club_id = new_club(apis, "approval")
    first = join(api, club_id, RIDER).body
    second = join(api, club_id, RIDER_2).body

    approved = change(api, first["membership_id"], OWNER, version=1, status="active")
    rejected = change(api, second["membership_id"], OWNER, version=1, status="rejected")

    assert approved.status == 200
    assert approved.body["status"] == "active"
    assert approved.body["decided_by"] == OWNER["sub"]
    assert approved.body["joined_at"] is not None
    assert rejected.body["status"] == "rejected"


def test_rejected_and_left_members_can_join_again_reusing_the_item(
    apis: tuple[Invoke, Invoke],
) -> None:
    api = apis[1]
    club_id = new_club(apis, "approval")
    mid = join(api, club_id, RIDER).body["membership_id"]
    change(api, mid, OWNER, version=1, status="rejected")

    again = join(api, club_id, RIDER)

    assert again.status == 201
    assert again.body["status"] == "pending"
    assert again.body["version"] == 3
    assert again.body["membership_id"] == mid


def test_removed_members_cannot_rejoin_on_their_own(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    api = apis[1]
    club_id = new_club(apis)
    mid = join(api, club_id, RIDER).body["membership_id"]
    assert end(api, mid, OWNER).body["status"] == "removed"
    before = snapshot(table)

    again = join(api, club_id, RIDER)

    assert again.status == 403
    assert again.body["error"]["details"] == {"capability": "join_club"}
    assert snapshot(table) == before


def test_member_leaves(apis: tuple[Invoke, Invoke]) -> None:
    api = apis[1]
    club_id = new_club(apis)
    mid = join(api, club_id, RIDER).body["membership_id"]

    left = end(api, mid, RIDER)

    assert left.status == 200
    assert left.body["status"] == "left"


def test_members_cannot_change_their_own_membership_or_others(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    api = apis[1]
    club_id = new_club(apis)
    mine = join(api, club_id, RIDER).body
    theirs = join(api, club_id, RIDER_2).body
    before = snapshot(table)

    assert change(api, mine["membership_id"], RIDER, version=1, club_role="admin").status == 403
    assert change(api, theirs["membership_id"], RIDER, version=1, status="suspended").status == 403
    assert end(api, theirs["membership_id"], RIDER).status == 403
    assert snapshot(table) == before


def test_admins_cannot_change_their_own_membership(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    club_id = new_club(apis)
    before = snapshot(table)

    answer = change(apis[1], f"{club_id}_{OWNER['sub']}", OWNER, version=1, club_role="member")

    assert answer.status == 403
    assert answer.body["error"]["code"] == "own_membership"
    assert snapshot(table) == before


def test_promote_suspend_reinstate_and_admin_count(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    api = apis[1]
    club_id = new_club(apis)
    mid = join(api, club_id, RIDER).body["membership_id"]

    promoted = change(api, mid, OWNER, version=1, club_role="admin")
    assert promoted.body["club_role"] == "admin"
    assert admin_count(table, club_id) == 2
    suspended = change(api, mid, OWNER, version=2, status="suspended")
    assert suspended.body["status"] == "suspended"
    assert admin_count(table, club_id) == 1
    reinstated = change(api, mid, OWNER, version=3, status="active")
    assert reinstated.body["status"] == "active"
    assert admin_count(table, club_id) == 2


def test_the_last_admin_cannot_be_demoted_suspended_removed_or_leave(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    api = apis[1]
    club_id = new_club(apis)
    owner_id = f"{club_id}_{OWNER['sub']}"

    for answer in (
        change(api, owner_id, ADMIN, version=1, club_role="member"),
        change(api, owner_id, ADMIN, version=1, status="suspended"),
        end(api, owner_id, ADMIN),
        end(api, owner_id, OWNER),
    ):
        assert answer.status == 409, answer.body
        assert answer.body["error"]["code"] == "last_admin"
    assert admin_count(table, club_id) == 1


def test_invalid_transitions_and_stale_versions(apis: tuple[Invoke, Invoke], table: Table) -> None:
    api = apis[1]
    club_id = new_club(apis, "approval")
    mid = join(api, club_id, RIDER).body["membership_id"]
    before = snapshot(table)

    assert (
        change(api, mid, OWNER, version=1, status="suspended").body["error"]["code"]
        == "invalid_transition"
    )
    assert (
        change(api, mid, OWNER, version=1, club_role="ride_leader").body["error"]["code"]
        == "invalid_transition"
    )
    assert change(api, mid, OWNER, version=1, status="left").status == 409
    stale = change(api, mid, OWNER, version=7, status="active")
    assert stale.status == 409
    assert stale.body["error"]["code"] == "version_conflict"
    assert snapshot(table) == before


def test_listing_shows_active_members_to_members_and_everything_to_admins(
    apis: tuple[Invoke, Invoke],
) -> None:
    api = apis[1]
    club_id = new_club(apis, "approval")
    mid = join(api, club_id, RIDER, application_message="hello").body["membership_id"]
    change(api, mid, OWNER, version=1, status="active")
    join(api, club_id, RIDER_2, application_message="let me in")

    as_member = members(api, club_id, RIDER)
    as_admin = members(api, club_id, OWNER)
    pending = members(api, club_id, ADMIN, status="pending")

    assert {m["status"] for m in as_member.body["items"]} == {"active"}
    assert all(m["application_message"] is None for m in as_member.body["items"])
    assert {m["status"] for m in as_admin.body["items"]} == {"active", "pending"}
    assert [m["application_message"] for m in pending.body["items"]] == ["let me in"]
    assert members(api, club_id, RIDER, status="pending").status == 403
    assert members(api, club_id, RIDER_2).status == 403  # an applicant is not a member yet
    admins = members(api, club_id, OWNER, role="admin").body["items"]
    assert [m["user_id"] for m in admins] == [OWNER["sub"]]


def read(api: Invoke, membership_id: str, claims: dict[str, str]) -> Any:
    return api(
        "GET",
        "/memberships/{membership_id}",
        path_params={"membership_id": membership_id},
        claims=claims,
    )


def test_one_membership_is_read_as_the_member_list_shows_it(
    apis: tuple[Invoke, Invoke], table: Table
) -> None:
    api = apis[1]
    club_id = new_club(apis, "approval")
    mid = join(api, club_id, RIDER, application_message="hello").body["membership_id"]
    change(api, mid, OWNER, version=1, status="active")
    applicant = join(api, club_id, RIDER_2, application_message="let me in").body
    before = snapshot(table)

    mine = read(api, mid, RIDER)
    assert (mine.status, mine.body["status"], mine.body["application_message"]) == (
        200,
        "active",
        "hello",
    )
    assert mine.body["decided_by"] == OWNER["sub"]
    # The member's own application, before it is decided.
    own_pending = read(api, applicant["membership_id"], RIDER_2)
    assert (own_pending.status, own_pending.body["status"]) == (200, "pending")
    # Another member sees an active membership without the decision's details...
    seen = read(api, f"{club_id}_{OWNER['sub']}", RIDER)
    assert (seen.status, seen.body["club_role"]) == (200, "admin")
    assert read(api, mid, RIDER).body == mine.body
    as_admin = read(api, mid, OWNER).body
    assert as_admin["application_message"] == "hello"
    members_view = members(api, club_id, RIDER).body["items"]
    assert next(m for m in members_view if m["membership_id"] == f"{club_id}_{OWNER['sub']}") == (
        seen.body
    )
    # ...and no application; the club's admin and a SiteAdmin see it with its message.
    assert read(api, applicant["membership_id"], RIDER).status == 403
    assert read(api, applicant["membership_id"], OWNER).body["application_message"] == ("let me in")
    assert read(api, applicant["membership_id"], ADMIN).status == 200
    # An applicant is not a member: no one else's membership is theirs to read.
    refused = read(api, mid, RIDER_2)
    assert (refused.status, refused.body["error"]["details"]["capability"]) == (
        403,
        "view_members",
    )
    assert read(api, f"{club_id}_{ADMIN['sub']}", OWNER).status == 404
    assert snapshot(table) == before  # reading changes nothing


def test_listing_pages_with_a_cursor(apis: tuple[Invoke, Invoke]) -> None:
    api = apis[1]
    club_id = new_club(apis)
    riders = [f"6666666{i}-6666-4666-8666-666666666666" for i in range(5)]
    for sub in riders:
        join(api, club_id, {"sub": sub})

    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = members(api, club_id, OWNER, **query)
        assert page.status == 200
        seen += [m["user_id"] for m in page.body["items"]]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([*riders, OWNER["sub"]])


def test_my_memberships_across_clubs(apis: tuple[Invoke, Invoke]) -> None:
    api = apis[1]
    first = new_club(apis, name="First Club")
    second = new_club(apis, "approval", name="Second Club")
    join(api, first, RIDER)
    join(api, second, RIDER)

    mine = api("GET", "/users/me/memberships", claims=RIDER)

    assert mine.status == 200
    assert {(m["club_id"], m["status"]) for m in mine.body["items"]} == {
        (first, "active"),
        (second, "pending"),
    }


def test_display_name_comes_from_the_token(apis: tuple[Invoke, Invoke]) -> None:
    club_id = new_club(apis)
    rider = {**RIDER, "given_name": "Rae", "family_name": "Rider"}

    assert join(apis[1], club_id, rider).body["display_name"] == "Rae Rider"


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        (
            "PUT",
            "/memberships/{membership_id}",
            {"membership_id": "not-an-id"},
            {"version": 1, "status": "active"},
        ),
        ("DELETE", "/memberships/{membership_id}", {"membership_id": "x_y"}, None),
        ("GET", "/memberships/{membership_id}", {"membership_id": "x_y"}, None),
        ("POST", "/clubs/{club_id}/memberships", {"club_id": "nope"}, {}),
        ("GET", "/clubs/{club_id}/memberships", {"club_id": "nope"}, None),
    ],
)
def test_malformed_ids_are_422(
    api: Invoke, method: str, path: str, params: dict[str, str], body: Any
) -> None:
    assert api(method, path, path_params=params, body=body, claims=RIDER).status == 422


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"version": 1, "status": "deleted"},
        {"version": 1, "club_role": "captain"},
        {"status": "active"},
        {"version": 1, "status": "active", "extra": True},
    ],
)
def test_bad_change_bodies_are_422(
    apis: tuple[Invoke, Invoke], table: Table, body: dict[str, Any]
) -> None:
    club_id = new_club(apis)
    mid = join(apis[1], club_id, RIDER).body["membership_id"]
    before = snapshot(table)

    assert change(apis[1], mid, OWNER, **body).status == 422
    assert snapshot(table) == before


def test_bad_join_bodies_are_422(apis: tuple[Invoke, Invoke], table: Table) -> None:
    club_id = new_club(apis, "approval")

    assert join(apis[1], club_id, RIDER, application_message="x" * 501).status == 422
    assert join(apis[1], club_id, RIDER, role="admin").status == 422
    assert table.get(keys.membership_key(club_id, RIDER["sub"])) is None


def test_unknown_membership_is_404(api: Invoke) -> None:
    unknown = "00000000-0000-4000-8000-000000000000_00000000-0000-4000-8000-000000000001"

    assert end(api, unknown, ADMIN).status == 404
