"""Finding clubs: near a point (nearest first), by discipline, by name words ignoring case
and accents; the entries that find a club follow it in its own transactions."""

from collections.abc import Iterator
from typing import Any

import pytest

from clubs.handler import app, get_store, handler
from clubs.store import ClubStore
from ops.backfill_club_discovery import backfill
from shared.store.table import Table
from tests.service.conftest import ADMIN, RIDER, Invoke, add_profiles, make_invoker

pytestmark = pytest.mark.service

CENTENNIAL_PARK = "-33.8988,151.2335"
# Homes at known distances from Centennial Park's Paddington Gates.
CLUBS = {
    "Paddington Pedallers": ((-33.8847, 151.2270), ["road"]),  # ~1.7 km
    "Coogee Café Riders": ((-33.9205, 151.2573), ["road", "gravel"]),  # ~3.3 km
    "Parramatta Wheelers": ((-33.8150, 151.0011), ["road"]),  # ~23 km
    "Blue Mountains MTB": ((-33.7120, 150.3110), ["mtb"]),  # ~87 km
    "Newcastle Gravel Co": ((-32.9283, 151.7817), ["gravel"]),  # ~119 km
}


@pytest.fixture
def api(table: Table) -> Iterator[Invoke]:
    add_profiles(table, ADMIN["sub"], RIDER["sub"])
    app.dependency_overrides[get_store] = lambda: ClubStore(table)
    invoke = make_invoker(handler)
    for name, ((lat, lon), disciplines) in CLUBS.items():
        body = {"name": name, "disciplines": disciplines, "home": {"lat": lat, "lon": lon}}
        assert invoke("POST", "/clubs", body=body, claims=ADMIN).status == 201
    body = {"name": "Homeless Wanderers", "disciplines": ["road"]}  # no home: never "near"
    assert invoke("POST", "/clubs", body=body, claims=ADMIN).status == 201
    yield invoke
    app.dependency_overrides.clear()


def names(api: Invoke, **query: str) -> list[str]:
    answer = api("GET", "/clubs", query=query, claims=RIDER)
    assert answer.status == 200, answer.body
    return [club["name"] for club in answer.body["items"]]


def test_clubs_near_a_point_come_nearest_first_within_the_radius(api: Invoke) -> None:
    assert names(api, near=CENTENNIAL_PARK, radius_km="5") == [
        "Paddington Pedallers",
        "Coogee Café Riders",
    ]
    assert names(api, near=CENTENNIAL_PARK, radius_km="30") == [
        "Paddington Pedallers",
        "Coogee Café Riders",
        "Parramatta Wheelers",
    ]
    assert names(api, near=CENTENNIAL_PARK, radius_km="100")[-1] == "Blue Mountains MTB"
    # A page found within a smaller ring is the nearest: the wide radius is not read.
    assert names(api, near=CENTENNIAL_PARK, radius_km="100", limit="2") == [
        "Paddington Pedallers",
        "Coogee Café Riders",
    ]
    assert names(api, near=CENTENNIAL_PARK, radius_km="100", limit="3")[-1] == (
        "Parramatta Wheelers"
    )
    answer = api("GET", "/clubs", query={"near": CENTENNIAL_PARK}, claims=RIDER)
    first = answer.body["items"][0]
    assert first["away_km"] == pytest.approx(1.7, abs=0.2)
    assert answer.body["next_cursor"] is None


def test_discipline_and_name_words_narrow_the_search(api: Invoke) -> None:
    assert names(api, near=CENTENNIAL_PARK, radius_km="100", discipline="mtb") == [
        "Blue Mountains MTB"
    ]
    assert names(api, discipline="gravel") == ["Coogee Café Riders", "Newcastle Gravel Co"]
    # Case and accents ignored; every word must begin a word of the name.
    assert names(api, q="cafe") == ["Coogee Café Riders"]
    assert names(api, q="COOGÉE rid") == ["Coogee Café Riders"]
    assert names(api, q="wheel") == ["Parramatta Wheelers"]
    assert names(api, q="riders wheelers") == []
    assert names(api, q="!!") == []  # no word to look for: nothing, not everything
    assert names(api, near=CENTENNIAL_PARK, q="pedal") == ["Paddington Pedallers"]


def test_a_rename_a_move_and_an_archive_follow_into_discovery(api: Invoke) -> None:
    club = next(
        c
        for c in api("GET", "/clubs", query={"limit": "50"}, claims=RIDER).body["items"]
        if c["name"] == "Parramatta Wheelers"
    )
    edit = {
        "version": club["version"],
        "name": "Randwick Wheelers",
        "home": {"lat": -33.9146, "lon": 151.2437},
    }
    path = {"club_id": club["club_id"]}
    moved = api("PUT", "/clubs/{club_id}", path_params=path, body=edit, claims=ADMIN)
    assert moved.status == 200, moved.body
    assert names(api, q="parramatta") == []
    assert names(api, q="randwick") == ["Randwick Wheelers"]
    assert "Randwick Wheelers" in names(api, near=CENTENNIAL_PARK, radius_km="5")

    archive = {"version": moved.body["version"], "status": "archived"}
    assert (
        api("PUT", "/clubs/{club_id}", path_params=path, body=archive, claims=ADMIN).status == 200
    )
    assert "Randwick Wheelers" not in names(api, near=CENTENNIAL_PARK, radius_km="5")
    assert names(api, q="randwick") == []
    assert names(api, q="randwick", status="archived") == ["Randwick Wheelers"]

    cleared = {"version": moved.body["version"] + 1, "home": None}
    assert (
        api("PUT", "/clubs/{club_id}", path_params=path, body=cleared, claims=ADMIN).status == 200
    )
    assert names(api, near=CENTENNIAL_PARK, radius_km="5", status="archived") == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"near": "-91,151"}, 422),
        ({"near": "89.9,151"}, 422),  # searches stay within 85 degrees of the equator
        ({"near": "-33.9,181"}, 422),
        ({"near": "Sydney"}, 422),
        ({"near": "-33.9,151.2", "radius_km": "0"}, 422),
        ({"near": "-33.9,151.2", "radius_km": "101"}, 422),
        ({"q": "x"}, 422),
        ({"discipline": "track"}, 422),
    ],
)
def test_bad_searches_are_refused(api: Invoke, query: dict[str, Any], status: int) -> None:
    assert api("GET", "/clubs", query=query, claims=RIDER).status == status


def test_clubs_made_before_discovery_get_their_entries_once_from_the_backfill(
    api: Invoke, table: Table
) -> None:
    legacy = table.client.scan(
        TableName=table.name,
        FilterExpression="entity IN (:word, :place)",
        ExpressionAttributeValues={":word": {"S": "club_word"}, ":place": {"S": "club_place"}},
    )["Items"]
    for item in legacy:  # as clubs made by an earlier release have none
        table.client.delete_item(TableName=table.name, Key={"PK": item["PK"], "SK": item["SK"]})
    assert names(api, q="coogee") == []

    planned = backfill(table, apply=False)
    assert len(planned) == len(CLUBS) + 1 and names(api, q="coogee") == []
    written = backfill(table, apply=True)
    assert [club for club, _ in written] == [club for club, _ in planned]
    assert names(api, q="coogee") == ["Coogee Café Riders"]
    assert names(api, near=CENTENNIAL_PARK, radius_km="5") == [
        "Paddington Pedallers",
        "Coogee Café Riders",
    ]
    assert backfill(table, apply=True) == []
