"""A rider's own schedule (`GET /users/me/rides`) and personal calendar feed, through
API Gateway-shaped events against moto in-process."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from icalendar import Calendar

from clubs import handler as clubs_api
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from ops.backfill_schedules import backfill
from rides import handler as rides_api
from rides.schedule_keys import refile_places
from rides.schedule_store import ScheduleStore
from rides.store import RideMoved, RideStore
from shared.domain.clock import utc_now
from shared.domain.enums import ParticipationStatus
from shared.domain.ride import Participation, participation_id
from shared.event_catalog import RideChanged
from shared.events import DomainEvent
from shared.store import keys
from shared.store.rides import participation_item, ride_item, to_ride
from shared.store.table import Table
from tests.service.conftest import ADMIN, ApiAnswer, add_profiles, snapshot
from tests.service.test_rides_api import OWNER, Api, ride_body, rider

pytestmark = pytest.mark.service

RIDER = rider(1)
FEED_BASE = "https://api.example.test/v1"


class Schedule(Api):
    def mine(self, claims: dict[str, str] = RIDER, **query: str) -> ApiAnswer:
        return self.rides("GET", "/users/me/rides", query=query, claims=claims)

    def titles(self, claims: dict[str, str] = RIDER, **query: str) -> list[str]:
        answer = self.mine(claims, **query)
        assert answer.status == 200, answer.body
        return [item["ride"]["title"] for item in answer.body["items"]]

    def published(self, club_id: str, title: str, days: float, **fields: Any) -> str:
        start = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        return str(self.ride(club_id, title=title, start_at=start, **fields)["ride_id"])

    def feed(self, token: str) -> ApiAnswer:
        return self.rides(
            "GET",
            "/calendar-feeds/{feed_token}/rides.ics",
            path_params={"feed_token": token},
        )

    def new_feed(self, claims: dict[str, str] = RIDER) -> str:
        answer = self.rides("POST", "/users/me/calendar-feed", claims=claims)
        assert answer.status == 201, answer.body
        url = str(answer.body["url"])
        prefix, suffix = f"{FEED_BASE}/calendar-feeds/", "/rides.ics"
        assert url.startswith(prefix) and url.endswith(suffix), url
        return url[len(prefix) : -len(suffix)]


@pytest.fixture
def api(table: Table, monkeypatch: pytest.MonkeyPatch) -> Iterator[Schedule]:
    boto3.client("ssm").put_parameter(Name="/test/api/url", Value=FEED_BASE, Type="String")
    monkeypatch.setenv("API_URL_PARAMETER", "/test/api/url")
    add_profiles(table, ADMIN["sub"], OWNER["sub"], RIDER["sub"])
    overrides = (
        (clubs_api, clubs_api.get_store, lambda: ClubStore(table)),
        (memberships_api, memberships_api.get_store, lambda: MembershipStore(table)),
        (rides_api, rides_api.get_store, lambda: RideStore(table)),
        (rides_api, rides_api.get_schedule_store, lambda: ScheduleStore(table)),
    )
    for module, dependency, store in overrides:
        module.app.dependency_overrides[dependency] = store
    yield Schedule(table)
    for module, _, _ in overrides:
        module.app.dependency_overrides.clear()


def _joined(ride_id: str, club_id: str, moment: datetime) -> Participation:
    """The rider's seat on a ride, taken at `moment`."""
    return Participation(
        participation_id=participation_id(ride_id, RIDER["sub"]),
        ride_id=ride_id,
        club_id=club_id,
        user_id=RIDER["sub"],
        status=ParticipationStatus.JOINED,
        joined_at=moment,
        updated_at=moment,
        updated_by=RIDER["sub"],
    )


def _past_place(
    table: Table, club_id: str, title: str, days_ago: int, visibility: str = "members"
) -> str:
    """A ride that has happened, with the rider on it (the API only makes future ones)."""
    ride_id = f"{club_id}_00000000-0000-4000-8000-{days_ago:012d}"
    start = utc_now() - timedelta(days=days_ago)
    body = {**ride_body(), "title": title, "visibility": visibility}
    item = {
        **body,
        "ride_id": ride_id,
        "club_id": club_id,
        "start_at": start.isoformat(),
        "created_by": OWNER["sub"],
        "created_at": start.isoformat(),
        "updated_at": start.isoformat(),
        "updated_by": OWNER["sub"],
    }
    ride = to_ride(item)
    table.put(ride_item(ride))
    table.put(participation_item(_joined(ride_id, club_id, start), start))
    return ride_id


def test_my_rides_lists_the_places_i_take_across_clubs_soonest_first(api: Schedule) -> None:
    bays, hills = api.club(name="Bay Riders"), api.club(name="Hill Climbers")
    for club_id in (bays, hills):
        api.member(club_id, RIDER)
    api.join(api.published(hills, "Tuesday Hills", 5), RIDER)
    api.join(api.published(bays, "Saturday Bay Run", 2), RIDER)
    full = api.published(bays, "Full Criterium", 3, capacity=1)  # the leader holds the seat
    assert api.join(full, RIDER).body["status"] == "waitlisted"
    api.published(bays, "Not Joined", 1)

    assert api.titles() == ["Saturday Bay Run", "Full Criterium", "Tuesday Hills"]
    assert api.titles(status="waitlisted") == ["Full Criterium"]
    assert api.titles(status="joined") == ["Saturday Bay Run", "Tuesday Hills"]
    assert api.titles(status="leading") == []
    # The owner leads the rides they published.
    assert api.titles(OWNER, status="leading") == [
        "Not Joined",
        "Saturday Bay Run",
        "Full Criterium",
        "Tuesday Hills",
    ]
    item = api.mine().body["items"][0]
    assert item["participation"]["status"] == "joined"
    assert item["ride"]["club_id"] == bays


def test_pages_follow_a_cursor_that_only_its_rider_can_use(api: Schedule) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    for day in range(1, 6):
        api.join(api.published(club_id, f"Day {day}", day), RIDER)

    first = api.mine(limit="2").body
    second = api.mine(limit="2", cursor=first["next_cursor"]).body
    assert [i["ride"]["title"] for i in first["items"] + second["items"]] == [
        "Day 1",
        "Day 2",
        "Day 3",
        "Day 4",
    ]
    stolen = api.mine(rider(2), cursor=first["next_cursor"])
    assert (stolen.status, stolen.body["error"]["code"]) == (400, "invalid_cursor")


def test_past_rides_come_latest_first_and_withdrawn_places_leave_the_schedule(
    api: Schedule,
) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    _past_place(api.table, club_id, "Last Month", 30)
    _past_place(api.table, club_id, "Last Week", 7)
    upcoming = api.published(club_id, "Next Week", 7)
    joined = api.join(upcoming, RIDER).body

    assert api.titles(past="true") == ["Last Week", "Last Month"]
    assert api.titles() == ["Next Week"]

    withdrawn = api.change(
        joined["participation_id"], RIDER, status="withdrawn", version=joined["version"]
    )
    assert withdrawn.status == 200, withdrawn.body
    assert api.titles() == []


def test_a_ride_i_may_no_longer_see_drops_out_at_once(api: Schedule) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    _past_place(api.table, club_id, "Members Only, Past", 7)
    _past_place(api.table, club_id, "Public, Past", 8, visibility="public")
    assert api.titles(past="true") == ["Members Only, Past", "Public, Past"]

    left = api.members(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club_id}_{RIDER['sub']}"},
        claims=RIDER,
    )
    assert left.status == 200, left.body

    # The index still holds both places (past rides keep their riders); the members-only
    # one is no longer shown, decided from a consistent read of the membership.
    assert api.titles(past="true") == ["Public, Past"]


def test_a_new_start_refiles_every_place_under_it(api: Schedule) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    early = api.published(club_id, "Moved Ride", 2)
    api.join(early, RIDER)
    api.join(api.published(club_id, "Fixed Ride", 4), RIDER)
    ride = api.get(early, OWNER).body
    later = (datetime.now(UTC) + timedelta(days=6)).isoformat()
    edited = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params={"ride_id": early},
        body={"start_at": later, "version": ride["version"]},
        claims=OWNER,
    )
    assert edited.status == 200, edited.body
    # Until the event is handled the index still has the old start.
    assert api.titles() == ["Moved Ride", "Fixed Ride"]

    event = _ride_updated(edited.body, changed=["start_at"])
    store = ScheduleStore(api.table)
    assert refile_places(event, store) == 2  # the rider and the leader
    assert api.titles() == ["Fixed Ride", "Moved Ride"]
    # A redelivery, or an event that arrives late, finds nothing to move.
    before = snapshot(api.table)
    assert refile_places(event, store) == 0
    assert snapshot(api.table) == before


def test_a_place_written_with_a_start_that_moved_since_is_refused(api: Schedule) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    ride_id = api.published(club_id, "Moving", 3)
    store = RideStore(api.table)
    ride, _, _ = store.read_ride(ride_id, RIDER["sub"], RIDER["sub"])
    assert ride is not None
    stale = ride.model_copy(update={"start_at": ride.start_at - timedelta(hours=1)})
    now = utc_now()
    place = _joined(ride_id, club_id, now)
    before = snapshot(api.table)

    with pytest.raises(RideMoved):
        store.add_participant(place, None, stale, now)

    assert snapshot(api.table) == before


def _ride_updated(ride: dict[str, Any], changed: list[str]) -> DomainEvent:
    data = RideChanged(
        ride_id=ride["ride_id"],
        club_id=ride["club_id"],
        title=ride["title"],
        start_at=ride["start_at"],
        status=ride["status"],
        visibility=ride["visibility"],
        meeting_point=ride["meeting_point"]["name"],
        changed=changed,
    )
    return DomainEvent(
        event_id="ride-updated-1",
        event_type="ride_updated",
        context="rides",
        occurred_at=utc_now(),
        actor=OWNER["sub"],
        data=data.model_dump(mode="json"),
    )


def _feed_titles(answer: ApiAnswer) -> list[str]:
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.body)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def test_the_personal_feed_lists_my_rides_at_a_secret_url_i_can_rotate_and_revoke(
    api: Schedule,
) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    api.join(api.published(club_id, "Saturday Bay Run", 2), RIDER)
    full = api.published(club_id, "Full Criterium", 3, capacity=1)
    api.join(full, RIDER)
    _past_place(api.table, club_id, "Last Week", 7)
    _past_place(api.table, club_id, "Two Months Ago", 60)  # beyond the feed's four weeks
    assert api.rides("GET", "/users/me/calendar-feed", claims=RIDER).body == {
        "active": False,
        "created_at": None,
        "url": None,
    }

    first = api.new_feed()
    assert _feed_titles(api.feed(first)) == [
        "Last Week",
        "Saturday Bay Run",
        "Waitlist: Full Criterium",
    ]
    status = api.rides("GET", "/users/me/calendar-feed", claims=RIDER).body
    assert status["active"] is True and status["url"] is None  # shown once only
    # Only a hash of the token is kept.
    assert not [item for item in snapshot(api.table) if first in str(item)]

    second = api.new_feed()
    assert api.feed(first).status == 404  # the old URL stops at once
    assert _feed_titles(api.feed(second))[0] == "Last Week"
    assert api.new_feed(rider(2)) != second  # everyone has their own

    assert api.rides("DELETE", "/users/me/calendar-feed", claims=RIDER).status == 204
    gone = api.feed(second)
    assert (gone.status, gone.body["error"]["code"]) == (404, "feed_not_found")
    assert api.rides("DELETE", "/users/me/calendar-feed", claims=RIDER).status == 204


def test_the_feed_never_lists_a_ride_its_rider_may_no_longer_see(api: Schedule) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    _past_place(api.table, club_id, "Members Only", 3)
    token = api.new_feed()
    assert _feed_titles(api.feed(token)) == ["Members Only"]

    api.members(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club_id}_{RIDER['sub']}"},
        claims=RIDER,
    )

    assert _feed_titles(api.feed(token)) == []


@pytest.mark.parametrize(
    ("token", "status"),
    [("short", 422), ("x" * 44, 422), ("a" * 42 + "=", 422), ("../" + "a" * 40, 404)],
)
def test_a_malformed_feed_token_is_refused(api: Schedule, token: str, status: int) -> None:
    assert api.feed(token).status == status


def test_places_taken_before_schedules_existed_are_filed_once_by_the_backfill(
    api: Schedule,
) -> None:
    club_id = api.club()
    api.member(club_id, RIDER)
    kept = api.join(api.published(club_id, "Old Place", 2), RIDER).body
    gone = api.join(api.published(club_id, "Withdrawn Place", 3), RIDER).body
    api.change(gone["participation_id"], RIDER, status="withdrawn", version=gone["version"])
    for ride_id in (kept["ride_id"], gone["ride_id"]):  # as an earlier release wrote them
        api.table.update(keys.participation_key(ride_id, RIDER["sub"]), "REMOVE GSI1PK, GSI1SK")
    assert api.titles() == []

    assert backfill(api.table, apply=False) == [(kept["participation_id"], "would be filed")]
    assert api.titles() == []
    assert backfill(api.table, apply=True) == [(kept["participation_id"], "filed")]
    assert api.titles() == ["Old Place"]
    assert backfill(api.table, apply=True) == []


def test_a_retried_feed_request_never_shows_or_stores_the_url(api: Schedule) -> None:
    key = {"Idempotency-Key": "feed-1"}
    first = api.rides("POST", "/users/me/calendar-feed", claims=RIDER, headers=key)
    assert first.status == 201, first.body
    assert first.headers["Cache-Control"] == "no-store"
    token = first.body["url"].split("/")[-2]
    assert any(i["PK"]["S"].startswith("IDEMPOTENCY#") for i in snapshot(api.table))
    assert not [item for item in snapshot(api.table) if token in str(item)]

    again = api.rides("POST", "/users/me/calendar-feed", claims=RIDER, headers=key)
    assert (again.status, again.body["error"]["code"]) == (409, "secret_shown_once")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert token not in str(again.body)
    assert _feed_titles(api.feed(token)) == []  # the first URL still works
