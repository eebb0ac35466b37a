"""Rides across clubs near a point (`GET /rides`): filed by the event path, narrowed by
pace, surface, discipline, places and time, and never showing a ride to someone its own
page would refuse."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from ops.backfill_ride_discovery import backfill
from rides import handler as rides_api
from rides.discovery_filing import file_ride, react
from rides.discovery_store import DiscoveryStore, FiledMeanwhile, ride_entries
from rides.store import RideStore
from shared.domain.clock import utc_now
from shared.events import DomainEvent
from shared.names import resource_prefix
from shared.store import keys
from shared.store.table import Table
from stacks.consumers import dead_letter_queue_name
from tests.service.conftest import ADMIN, ApiAnswer, add_profiles, snapshot
from tests.service.test_rides_api import OWNER, Api, rider

pytestmark = pytest.mark.service

RIDER = rider(1)
CENTENNIAL_PARK = "-33.8988,151.2335"
NEAR_CP = {"name": "Paddington Gates", "lat": -33.8947, "lon": 151.2296}  # ~0.6 km
BONDI = {"name": "Bondi Pavilion", "lat": -33.8915, "lon": 151.2767}  # ~4.1 km
WOLLONGONG = {"name": "Wollongong Harbour", "lat": -34.4278, "lon": 150.9031}  # ~67 km


class Discovery(Api):
    def __init__(self, table: Table) -> None:
        super().__init__(table)
        self.store = DiscoveryStore(table)

    def publish(self, club_id: str, title: str, days: float, **fields: Any) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        body = {"title": title, "start_at": start, "meeting_point": NEAR_CP, **fields}
        ride = self.ride(club_id, **body)
        assert file_ride(ride["ride_id"], self.store)  # what the event path does
        return ride

    def find(self, claims: dict[str, str] = RIDER, **query: str) -> ApiAnswer:
        return self.rides("GET", "/rides", query={"near": CENTENNIAL_PARK, **query}, claims=claims)

    def titles(self, claims: dict[str, str] = RIDER, **query: str) -> list[str]:
        answer = self.find(claims, **query)
        assert answer.status == 200, answer.body
        return [ride["title"] for ride in answer.body["items"]]


@pytest.fixture
def api(table: Table) -> Iterator[Discovery]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"], RIDER["sub"])
    overrides = (
        (clubs_api, clubs_api.get_store, lambda: ClubStore(table)),
        (memberships_api, memberships_api.get_store, lambda: MembershipStore(table)),
        (rides_api, rides_api.get_store, lambda: RideStore(table)),
        (rides_api, rides_api.get_discovery_store, lambda: DiscoveryStore(table)),
    )
    for module, dependency, store in overrides:
        module.app.dependency_overrides[dependency] = store
    yield Discovery(table)
    for module, _, _ in overrides:
        module.app.dependency_overrides.clear()


@pytest.fixture
def clubs(api: Discovery) -> tuple[str, str]:
    """The rider's club (road and gravel) and another (road only)."""
    mine = api.club(name="Eastern Suburbs Wheelers", disciplines=["road", "gravel"])
    other = api.club(name="Harbour Velo", disciplines=["road"])
    api.member(mine, RIDER)
    return mine, other


def test_public_rides_of_any_club_and_members_only_rides_of_mine_soonest_first(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    mine, other = clubs
    api.publish(other, "Harbour Public", 1, visibility="public")
    api.publish(mine, "My Club Members", 2, visibility="members")
    api.publish(other, "Harbour Members", 3, visibility="members")
    api.publish(mine, "My Club Public", 4, visibility="public", meeting_point=BONDI)
    api.publish(mine, "Wollongong Ride", 2, visibility="public", meeting_point=WOLLONGONG)
    api.publish(mine, "In Three Weeks", 21, visibility="public")

    assert api.titles() == ["Harbour Public", "My Club Members", "My Club Public"]
    # A stranger to both clubs sees the public rides only; never another club's members'.
    assert api.titles(rider(2)) == ["Harbour Public", "My Club Public"]
    assert api.titles(radius_km="1") == ["Harbour Public", "My Club Members"]
    assert "Wollongong Ride" in api.titles(radius_km="100")
    later = (datetime.now(UTC) + timedelta(days=20)).isoformat()
    assert api.titles(to=later) == ["Harbour Public", "My Club Members", "My Club Public"]
    far = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    assert api.titles(RIDER, **{"from": later, "to": far}) == ["In Three Weeks"]
    first = api.find()
    assert first.body["items"][0]["away_km"] == pytest.approx(0.56, abs=0.1)


def test_pace_surface_discipline_and_places_narrow_the_search(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    mine, other = clubs
    common = {"visibility": "public"}
    api.publish(mine, "A Road", 1, pace_class="A", **common)
    api.publish(mine, "C Gravel", 2, pace_class="C", surface="gravel", **common)
    api.publish(other, "Full B", 3, pace_class="B", capacity=1, **common)  # its leader
    api.publish(other, "Open B", 4, pace_class="B", capacity=10, **common)

    assert api.titles(pace_class="B") == ["Full B", "Open B"]
    assert api.titles(surface="gravel") == ["C Gravel"]
    assert api.titles(discipline="gravel") == ["A Road", "C Gravel"]  # the club's
    assert api.titles(has_places="true") == ["A Road", "C Gravel", "Open B"]


def test_pages_follow_the_start_across_cells(api: Discovery, clubs: tuple[str, str]) -> None:
    mine, _ = clubs
    for day in range(1, 6):
        point = NEAR_CP if day % 2 else BONDI  # two cells of the finest level
        api.publish(mine, f"Day {day}", day, visibility="public", meeting_point=point)

    first = api.find(limit="2").body
    second = api.find(limit="2", cursor=first["next_cursor"]).body
    third = api.find(limit="2", cursor=second["next_cursor"]).body
    pages = [first, second, third]
    assert [r["title"] for page in pages for r in page["items"]] == [
        f"Day {day}" for day in range(1, 6)
    ]
    assert third["next_cursor"] is None
    foreign = api.rides(
        "GET", "/rides", query={"near": CENTENNIAL_PARK, "cursor": "bm9wZQ"}, claims=RIDER
    )
    assert (foreign.status, foreign.body["error"]["code"]) == (400, "invalid_cursor")


def test_a_move_a_cancellation_and_a_leaving_member_follow_at_once_or_by_event(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    mine, _ = clubs
    moved = api.publish(mine, "Moving", 1, visibility="public")
    cancelled = api.publish(mine, "Cancelled", 2, visibility="public")
    api.publish(mine, "Members Only", 3, visibility="members")
    assert api.titles() == ["Moving", "Cancelled", "Members Only"]

    edits = (
        (moved, {"meeting_point": WOLLONGONG}),
        (cancelled, {"status": "cancelled", "cancel_reason": "Storms"}),
    )
    for ride, change in edits:
        answer = api.rides(
            "PUT",
            "/rides/{ride_id}",
            path_params={"ride_id": ride["ride_id"]},
            body={"version": ride["version"], **change},
            claims=OWNER,
        )
        assert answer.status == 200, answer.body
    # Until the events are handled the entries are stale, but what is shown is read from
    # the rides themselves: the moved ride is no longer near, the cancelled one not open.
    assert api.titles() == ["Members Only"]
    for ride, _ in edits:
        assert react(_event("ride_updated", ride["ride_id"]), api.store) == 1
    assert api.titles() == ["Members Only"]
    assert "Moving" in api.titles(radius_km="100")

    left = api.members(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{mine}_{RIDER['sub']}"},
        claims=RIDER,
    )
    assert left.status == 200, left.body
    assert api.titles() == []


def test_filing_is_idempotent_and_an_older_read_never_overwrites_a_newer_one(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    mine, _ = clubs
    ride = api.publish(mine, "Filed Once", 1, visibility="public")
    before = snapshot(api.table)

    assert file_ride(ride["ride_id"], api.store) is False  # filed from this version already
    assert react(_event("ride_created", ride["ride_id"]), api.store) == 0
    assert snapshot(api.table) == before

    stale_ride, club, record = api.store.filing_state(ride["ride_id"])
    assert stale_ride is not None and record is not None
    newer = {**record, "ride_version": stale_ride.version + 1}
    api.table.put(newer)
    with pytest.raises(FiledMeanwhile):
        api.store.file(stale_ride, club, ride_entries(stale_ride, club), record)
    assert api.table.get(keys.ride_discovery_key(ride["ride_id"])) == newer


def test_a_clubs_new_disciplines_refile_its_upcoming_rides(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    _, other = clubs
    api.publish(other, "Harbour Ride", 1, visibility="public")
    assert api.titles(discipline="mtb") == []
    club = api.clubs("GET", "/clubs/{club_id}", path_params={"club_id": other}, claims=ADMIN).body
    edit = {"version": club["version"], "disciplines": ["road", "mtb"]}
    path = {"club_id": other}
    assert (
        api.clubs("PUT", "/clubs/{club_id}", path_params=path, body=edit, claims=ADMIN).status
        == 200
    )

    changed = DomainEvent(
        event_id="club-updated-1",
        event_type="club_updated",
        context="clubs",
        occurred_at=utc_now(),
        data={"club_id": other, "changed": ["disciplines"], "version": club["version"] + 1},
    )
    assert react(changed, api.store) == 1
    assert api.titles(discipline="mtb") == ["Harbour Ride"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"near": "-91,151"},
        {"near": "90,180"},  # fuzzing's pole: searches stay within 85 degrees
        {"near": CENTENNIAL_PARK, "radius_km": "101"},
        {"near": CENTENNIAL_PARK, "from": "2030-01-10T00:00:00Z", "to": "2030-01-09T00:00:00Z"},
        {"near": CENTENNIAL_PARK, "from": "2030-01-01T00:00:00Z", "to": "2030-04-01T00:00:00Z"},
        {"near": CENTENNIAL_PARK, "pace_class": "Z"},
    ],
)
def test_bad_searches_are_422(api: Discovery, query: dict[str, str]) -> None:
    answer = api.rides("GET", "/rides", query=query, claims=RIDER)
    assert answer.status == 422, answer.body


def _event(kind: str, ride_id: str) -> DomainEvent:
    return DomainEvent(
        event_id=f"{kind}-{ride_id}",
        event_type=kind,
        context="rides",
        occurred_at=utc_now(),
        data={"ride_id": ride_id},
    )


def test_rides_scheduled_before_discovery_are_handed_to_its_consumer_once(
    api: Discovery, clubs: tuple[str, str]
) -> None:
    mine, _ = clubs
    sqs = boto3.client("sqs")
    dead = sqs.create_queue(
        QueueName=dead_letter_queue_name(resource_prefix("dev"), "RideDiscovery")
    )
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead["QueueUrl"], AttributeNames=["QueueArn"])
    policy = {"deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"], "maxReceiveCount": "5"}
    queue = sqs.create_queue(
        QueueName="ride-discovery", Attributes={"RedrivePolicy": json.dumps(policy)}
    )["QueueUrl"]
    api.publish(mine, "Filed Already", 1, visibility="public")
    old = api.ride(mine, title="Before Discovery", visibility="public", meeting_point=NEAR_CP)
    assert api.titles() == ["Filed Already"]

    assert backfill(api.table, sqs, "dev", go=False) == [old["ride_id"]]
    assert sqs.receive_message(QueueUrl=queue).get("Messages") is None
    assert backfill(api.table, sqs, "dev", go=True) == [old["ride_id"]]
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert react(DomainEvent.from_eventbridge(message["Body"]), api.store) == 1
    assert api.titles() == ["Filed Already", "Before Discovery"]
    assert backfill(api.table, sqs, "dev", go=True) == []
