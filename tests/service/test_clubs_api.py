"""The clubs API through API Gateway-shaped events, against moto in-process."""

from collections.abc import Iterator
from typing import Any

import pytest

from clubs.handler import app, get_store, handler
from clubs.store import ClubStore
from shared.domain.club import Club
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import ADMIN, RIDER, Invoke, add_profiles, make_invoker, snapshot

pytestmark = pytest.mark.service

NEW_CLUB = {"name": "Inner West Riders", "disciplines": ["road"], "suburb": "Marrickville"}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def api(table: Table) -> Iterator[Invoke]:
    add_profiles(table, ADMIN["sub"], RIDER["sub"])
    app.dependency_overrides[get_store] = lambda: ClubStore(table)
    yield make_invoker(handler)
    app.dependency_overrides.clear()


def create(api: Invoke, **fields: Any) -> dict[str, Any]:
    answer = api("POST", "/clubs", body={**NEW_CLUB, **fields}, claims=ADMIN)
    assert answer.status == 201, answer.body
    return answer.body


def table_items(table: Table) -> list[dict[str, Any]]:
    """Everything but the users' profiles the fixture made."""
    items = table.client.scan(TableName=table.name)["Items"]
    return [i for i in items if i.get("entity", {}).get("S") != "user"]


def test_site_admin_creates_club(api: Invoke, table: Table) -> None:
    answer = api("POST", "/clubs", body=NEW_CLUB, claims=ADMIN)

    assert answer.status == 201
    club = answer.body
    assert club["name"] == "Inner West Riders"
    assert club["created_by"] == ADMIN["sub"]
    assert club["version"] == 1
    assert club["status"] == "active"
    assert club["join_policy"] == "open"
    assert club["member_count"] == 0
    assert answer.headers["Location"] == f"/clubs/{club['club_id']}"
    stored = table.get(keys.club_key(club["club_id"]))
    assert stored is not None and stored["name"] == "Inner West Riders"


def test_rider_cannot_create_club(api: Invoke, table: Table) -> None:
    answer = api("POST", "/clubs", body=NEW_CLUB, claims=RIDER)

    assert answer.status == 403
    assert answer.body["error"]["code"] == "forbidden"
    assert table_items(table) == []


def test_club_names_are_unique_ignoring_case_and_spacing(api: Invoke, table: Table) -> None:
    create(api)
    answer = api("POST", "/clubs", body={**NEW_CLUB, "name": "  inner  WEST riders "}, claims=ADMIN)

    assert answer.status == 409
    assert answer.body["error"]["code"] == "club_name_taken"
    # One club, its name reservation, its first admin and its three name words.
    kinds = sorted(i["entity"]["S"] for i in table_items(table))
    assert kinds == ["club", "club_name", "club_word", "club_word", "club_word", "membership"]


def test_get_club(api: Invoke) -> None:
    club = create(api)
    answer = api("GET", "/clubs/{club_id}", path_params={"club_id": club["club_id"]}, claims=RIDER)

    assert answer.status == 200
    assert answer.body == club


def test_get_unknown_club_is_404(api: Invoke) -> None:
    answer = api("GET", "/clubs/{club_id}", path_params={"club_id": UNKNOWN_ID}, claims=RIDER)

    assert answer.status == 404
    assert answer.body["error"]["code"] == "club_not_found"


def test_malformed_club_id_is_422(api: Invoke) -> None:
    answer = api("GET", "/clubs/{club_id}", path_params={"club_id": "not-an-id"}, claims=RIDER)

    assert answer.status == 422
    assert answer.body["error"]["code"] == "validation_error"


def test_list_clubs_sorted_by_name_with_cursor(api: Invoke) -> None:
    for name in ["Zeta Wheelers", "alpha Cycling", "Manly Riders", "Bondi Bunch", "Coogee CC"]:
        create(api, name=name)

    first = api("GET", "/clubs", query={"limit": "2"}, claims=RIDER)
    assert first.status == 200
    assert [c["name"] for c in first.body["items"]] == ["alpha Cycling", "Bondi Bunch"]
    cursor = first.body["next_cursor"]
    assert cursor

    names: list[str] = []
    while cursor:
        page = api("GET", "/clubs", query={"limit": "2", "cursor": cursor}, claims=RIDER)
        assert page.status == 200
        names += [c["name"] for c in page.body["items"]]
        cursor = page.body["next_cursor"]
    assert names == ["Coogee CC", "Manly Riders", "Zeta Wheelers"]


def test_archived_clubs_leave_the_default_listing(api: Invoke) -> None:
    club = create(api)
    api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club["club_id"]},
        body={"version": 1, "status": "archived"},
        claims=ADMIN,
    )

    active = api("GET", "/clubs", claims=RIDER)
    archived = api("GET", "/clubs", query={"status": "archived"}, claims=RIDER)
    assert active.body["items"] == []
    assert [c["club_id"] for c in archived.body["items"]] == [club["club_id"]]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJQSyI6IngifQ"},  # valid base64 JSON, wrong keys
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"status": "deleted"},
    ],
)
def test_bad_listing_parameters_are_4xx(api: Invoke, query: dict[str, str]) -> None:
    answer = api("GET", "/clubs", query=query, claims=RIDER)

    assert 400 <= answer.status < 500
    assert answer.body["error"]["code"] in {"invalid_cursor", "validation_error"}


def test_cursor_from_another_partition_is_rejected(api: Invoke) -> None:
    for name in ["Alpha", "Beta"]:
        create(api, name=name)
    cursor = api("GET", "/clubs", query={"limit": "1"}, claims=RIDER).body["next_cursor"]

    answer = api("GET", "/clubs", query={"cursor": cursor, "status": "archived"}, claims=RIDER)

    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_cursor"


def test_site_admin_updates_club_and_version_increments(api: Invoke) -> None:
    club = create(api)
    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club["club_id"]},
        body={"version": 1, "description": "Saturday bunch rides", "suburb": None},
        claims=ADMIN,
    )

    assert answer.status == 200
    assert answer.body["description"] == "Saturday bunch rides"
    assert answer.body["suburb"] is None
    assert answer.body["version"] == 2
    assert answer.body["name"] == club["name"]


def test_stale_version_is_409_and_nothing_changes(api: Invoke) -> None:
    club = create(api)
    path = {"club_id": club["club_id"]}
    api(
        "PUT",
        "/clubs/{club_id}",
        path_params=path,
        body={"version": 1, "city": "Sydney"},
        claims=ADMIN,
    )

    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params=path,
        body={"version": 1, "city": "Perth"},
        claims=ADMIN,
    )

    assert answer.status == 409
    assert answer.body["error"]["code"] == "version_conflict"
    current = api("GET", "/clubs/{club_id}", path_params=path, claims=RIDER).body
    assert current["city"] == "Sydney" and current["version"] == 2


def test_store_refuses_a_write_based_on_a_stale_read(table: Table) -> None:
    """The version condition holds even when two writers read the same version."""
    store = ClubStore(table)
    from clubs.logic import create_club
    from clubs.schemas import ClubCreate
    from shared.authz import Principal
    from shared.domain.enums import SystemRole
    from shared.domain.errors import Conflict

    admin = Principal(ADMIN["sub"], SystemRole.SITE_ADMIN)
    add_profiles(table, ADMIN["sub"])
    club = create_club(admin, ClubCreate.model_validate(NEW_CLUB), store)
    first = club.model_copy(update={"city": "Newcastle", "version": 2})
    second = club.model_copy(update={"city": "Wollongong", "version": 2})
    store.update(club, first)

    with pytest.raises(Conflict) as lost:
        store.update(club, second)
    assert lost.value.code == "version_conflict"
    stored = store.get(club.club_id)
    assert stored is not None and stored.city == "Newcastle"


def test_rename_moves_the_name_reservation(api: Invoke) -> None:
    club = create(api)
    path = {"club_id": club["club_id"]}
    renamed = api(
        "PUT",
        "/clubs/{club_id}",
        path_params=path,
        body={"version": 1, "name": "IW Riders"},
        claims=ADMIN,
    )
    assert renamed.status == 200

    # The old name is free again; the new one is taken.
    assert api("POST", "/clubs", body=NEW_CLUB, claims=ADMIN).status == 201
    taken = api("POST", "/clubs", body={**NEW_CLUB, "name": "iw riders"}, claims=ADMIN)
    assert taken.status == 409


def test_rename_onto_a_taken_name_is_409(api: Invoke, table: Table) -> None:
    create(api, name="Other Club")
    club = create(api)
    before = snapshot(table)
    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club["club_id"]},
        body={"version": 1, "name": "OTHER club"},
        claims=ADMIN,
    )

    assert answer.status == 409
    assert answer.body["error"]["code"] == "club_name_taken"
    assert snapshot(table) == before


def test_rider_cannot_update_club(api: Invoke, table: Table) -> None:
    club = create(api)
    before = snapshot(table)
    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club["club_id"]},
        body={"version": 1, "city": "Perth"},
        claims=RIDER,
    )

    assert answer.status == 403
    assert answer.body["error"]["details"] == {"capability": "edit_club"}
    assert snapshot(table) == before


def test_club_admin_membership_grants_edit(api: Invoke, table: Table) -> None:
    club = create(api)
    table.client.put_item(
        TableName=table.name,
        Item={
            **{k: {"S": v} for k, v in keys.membership_key(club["club_id"], RIDER["sub"]).items()},
            "entity": {"S": "membership"},
            "club_id": {"S": club["club_id"]},
            "user_id": {"S": RIDER["sub"]},
            "club_role": {"S": "admin"},
            "status": {"S": "active"},
        },
    )
    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": club["club_id"]},
        body={"version": 1, "join_policy": "approval"},
        claims=RIDER,
    )

    assert answer.status == 200
    assert answer.body["join_policy"] == "approval"


def test_update_unknown_club_is_404(api: Invoke, table: Table) -> None:
    before = snapshot(table)
    answer = api(
        "PUT",
        "/clubs/{club_id}",
        path_params={"club_id": UNKNOWN_ID},
        body={"version": 1},
        claims=ADMIN,
    )

    assert answer.status == 404
    assert snapshot(table) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "X", "disciplines": ["road"]},
        {"name": "A" * 81, "disciplines": ["road"]},
        {"name": "Valid Name", "disciplines": []},
        {"name": "Valid Name", "disciplines": ["road", "road"]},
        {"name": "Valid Name", "disciplines": ["track"]},
        {"name": "Valid Name", "disciplines": ["road"], "join_policy": "invite"},
        {"name": "Valid Name", "disciplines": ["road"], "member_count": 500},
        {"name": "Valid Name", "disciplines": ["road"], "website": "not a url"},
        {"name": 42, "disciplines": ["road"]},
        {"name": "Valid Name", "disciplines": ["road"], "description": "d" * 2001},
        [],
        "a string",
    ],
)
def test_bad_create_bodies_are_422_and_write_nothing(api: Invoke, table: Table, body: Any) -> None:
    answer = api("POST", "/clubs", body=body, claims=ADMIN)

    assert answer.status == 422
    assert answer.body["error"]["code"] == "validation_error"
    assert table_items(table) == []


def test_malformed_json_is_400(api: Invoke, table: Table) -> None:
    answer = api("POST", "/clubs", raw_body='{"name": "Broken', claims=ADMIN)

    assert answer.status == 400
    assert answer.body["error"]["code"] == "malformed_json"
    assert table_items(table) == []


@pytest.mark.parametrize(
    "body",
    [
        {"city": "Perth"},
        {"version": 0},
        {"version": 1, "name": None},
        {"version": 1, "status": "deleted"},
        {"version": 1, "version_extra": 1},
    ],
)
def test_bad_update_bodies_are_422(api: Invoke, table: Table, body: dict[str, Any]) -> None:
    club = create(api)
    before = snapshot(table)
    answer = api(
        "PUT", "/clubs/{club_id}", path_params={"club_id": club["club_id"]}, body=body, claims=ADMIN
    )

    assert answer.status == 422
    assert snapshot(table) == before


def test_missing_claims_are_401(api: Invoke) -> None:
    answer = api("GET", "/clubs")

    assert answer.status == 401
    assert answer.body["error"]["code"] == "unauthorized"


def test_unknown_route_is_404_json(api: Invoke) -> None:
    answer = api("GET", "/nowhere", claims=RIDER)

    assert answer.status == 404
    assert answer.body["error"]["code"] == "route_not_found"


def test_a_club_without_a_named_admin_gets_its_creator_as_admin(api: Invoke, table: Table) -> None:
    club = create(api)

    admin = table.get(keys.membership_key(club["club_id"], ADMIN["sub"]))
    assert admin is not None
    assert (admin["club_role"], admin["status"]) == ("admin", "active")
    stored = table.get(keys.club_key(club["club_id"]))
    assert stored is not None and stored["admin_count"] == 1


def test_a_first_admin_who_does_not_exist_is_422_and_nothing_is_written(
    api: Invoke, table: Table
) -> None:
    before = snapshot(table)
    nobody = "99999999-9999-4999-8999-999999999999"

    answer = api("POST", "/clubs", body={**NEW_CLUB, "initial_admin_id": nobody}, claims=ADMIN)

    assert answer.status == 422
    assert answer.body["error"]["code"] == "initial_admin_not_found"
    assert snapshot(table) == before


class BrokenStore(ClubStore):
    def get(self, club_id: str) -> Club:
        raise RuntimeError("a bug in a new version")


def test_a_bug_fails_the_invocation_so_the_rollback_alarm_sees_it(
    api: Invoke, table: Table
) -> None:
    club = create(api)
    app.dependency_overrides[get_store] = lambda: BrokenStore(table)

    with pytest.raises(RuntimeError, match="a bug in a new version"):
        api("GET", "/clubs/{club_id}", path_params={"club_id": club["club_id"]}, claims=ADMIN)
