"""Ride series through the rides API and the series consumer, in-process against moto:
occurrences made ahead across daylight saving, idempotently; "this and following" edits
and ending the rest; regulars joined to each new ride."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from publisher.translate import events_from_change
from rides import handler as rides_api
from rides import series_occurrences
from rides.series_store import SeriesMoved, SeriesStore
from rides.store import RideStore
from shared.domain.series import REGULARS_ACTOR, SYDNEY, sydney_today
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import ADMIN, ApiAnswer, add_profiles, snapshot
from tests.service.test_rides_api import OWNER, Api, ride_body, rider

pytestmark = pytest.mark.service

RIDER, SECOND, STRANGER = rider(1), rider(2), rider(3)
# A Saturday four weeks before Sydney's daylight saving ends (Sunday 4 April 2027).
BEFORE_APRIL = date(2027, 3, 13)


def plan(**fields: Any) -> dict[str, Any]:
    return {**{k: v for k, v in ride_body().items() if k != "start_at"}, **fields}


def weekly(first: date, count: int = 6, local_time: str = "06:00") -> dict[str, Any]:
    return {
        "frequency": "weekly",
        "first_date": first.isoformat(),
        "local_time": local_time,
        "count": count,
    }


class Series(Api):
    def __init__(self, table: Table) -> None:
        super().__init__(table)
        self.series_store = SeriesStore(table)
        self.ride_store = RideStore(table)

    def start(self, club_id: str, claims: dict[str, str] = OWNER, **body: Any) -> ApiAnswer:
        return self.rides(
            "POST",
            "/clubs/{club_id}/ride-series",
            path_params={"club_id": club_id},
            body={"ride": plan(), "recurrence": weekly(BEFORE_APRIL), **body},
            claims=claims,
        )

    def started(self, club_id: str, **body: Any) -> dict[str, Any]:
        answer = self.start(club_id, **body)
        assert answer.status == 201, answer.body
        return dict(answer.body)

    def edit(self, series_id: str, claims: dict[str, str] = OWNER, **body: Any) -> ApiAnswer:
        return self.rides(
            "PUT",
            "/ride-series/{series_id}",
            path_params={"series_id": series_id},
            body=body,
            claims=claims,
        )

    def read(self, series_id: str, claims: dict[str, str] = OWNER) -> ApiAnswer:
        return self.rides(
            "GET", "/ride-series/{series_id}", path_params={"series_id": series_id}, claims=claims
        )

    def regular(self, series_id: str, claims: dict[str, str], method: str = "PUT") -> ApiAnswer:
        return self.rides(
            method,
            "/ride-series/{series_id}/regulars/me",
            path_params={"series_id": series_id},
            claims=claims,
        )

    def make(self, series_id: str, now: datetime) -> int:
        return series_occurrences.make_due(series_id, self.series_store, now)

    def follow(self, series_id: str, now: datetime) -> int:
        return series_occurrences.follow_series(series_id, self.series_store, self.ride_store, now)

    def occurrences(self, club_id: str) -> list[dict[str, Any]]:
        answer = self.rides(
            "GET",
            "/clubs/{club_id}/rides",
            path_params={"club_id": club_id},
            query={"limit": "100"},
            claims=OWNER,
        )
        assert answer.status == 200, answer.body
        return [r for r in answer.body["items"] if r.get("series_id")]


@pytest.fixture
def api(table: Table) -> Iterator[Series]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"])
    overrides = (
        (clubs_api, clubs_api.get_store, lambda: ClubStore(table)),
        (memberships_api, memberships_api.get_store, lambda: MembershipStore(table)),
        (rides_api, rides_api.get_store, lambda: RideStore(table)),
        (rides_api, rides_api.get_series_store, lambda: SeriesStore(table)),
    )
    for module, dependency, store in overrides:
        module.app.dependency_overrides[dependency] = store
    yield Series(table)
    for module, _, _ in overrides:
        module.app.dependency_overrides.clear()


def _sydney(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SYDNEY).astimezone(UTC)


def test_a_weekly_series_keeps_six_am_across_aprils_daylight_saving_change(api: Series) -> None:
    club = api.club()
    series = api.started(club)
    assert series["rrule"] == "FREQ=WEEKLY;BYDAY=SA;COUNT=6"
    assert series["dtstart"] == "DTSTART;TZID=Australia/Sydney:20270313T060000"
    assert series["next_date"] == "2027-03-13"
    # Before any ride is made, its coming dates say when each will start.
    assert [(d["start_at"], d["made"]) for d in series["coming"]] == [
        ("2027-03-12T19:00:00Z", False),
        ("2027-03-19T19:00:00Z", False),
        ("2027-03-26T19:00:00Z", False),
        ("2027-04-02T19:00:00Z", False),
        ("2027-04-09T20:00:00Z", False),
        ("2027-04-16T20:00:00Z", False),
    ]

    # Five weeks ahead of the day before the first ride: five of the six are due.
    made = api.make(series["series_id"], _sydney(date(2027, 3, 12)))
    assert made == 5
    starts = [r["start_at"] for r in api.occurrences(club)]
    # 6:00 am daylight time (UTC+11) until 4 April, then standard time (UTC+10).
    assert starts == [
        "2027-03-12T19:00:00Z",
        "2027-03-19T19:00:00Z",
        "2027-03-26T19:00:00Z",
        "2027-04-02T19:00:00Z",
        "2027-04-09T20:00:00Z",
    ]
    # The organiser leads each, as a ride's creator does.
    first = api.occurrences(club)[0]
    assert first["leader_count"] == 1 and first["participant_count"] == 1
    assert first["occurrence_date"] == "2027-03-13"
    # A week later the sixth is due; then the rule's count is spent and nothing more.
    assert api.make(series["series_id"], _sydney(date(2027, 3, 19))) == 1
    assert api.make(series["series_id"], _sydney(date(2027, 6, 1))) == 0
    assert len(api.occurrences(club)) == 6
    read = api.read(series["series_id"]).body
    assert read["next_date"] is None
    assert [d["ride_id"] for d in read["coming"]] == [r["ride_id"] for r in api.occurrences(club)]
    assert all(d["made"] for d in read["coming"])


def test_making_occurrences_again_or_twice_at_once_makes_no_duplicates(api: Series) -> None:
    club = api.club()
    series_id = api.started(club)["series_id"]
    now = _sydney(date(2027, 3, 12))
    assert api.make(series_id, now) == 5
    before = snapshot(api.table)
    # A redelivered creation event, then the hourly job, find nothing to make.
    assert api.make(series_id, now) == 0
    assert series_occurrences.make_all_due(api.series_store, now) == 0
    assert snapshot(api.table) == before

    # A second maker that read the series before the first one wrote loses cleanly.
    stale = api.series_store.get(series_id)
    assert stale is not None
    fresh = api.started(club, recurrence=weekly(BEFORE_APRIL, count=2))["series_id"]
    series = api.series_store.get(fresh)
    assert series is not None
    assert api.make(fresh, now) == 2
    day = series.due_dates(sydney_today(now))[0]
    ride = series_occurrences.occurrence(series, day, now)
    after = series.model_copy(update={"made_through": day, "occurrences_made": 1})
    with pytest.raises(SeriesMoved):
        api.series_store.make_occurrence(series, after, ride)
    assert len(api.occurrences(club)) == 7


def test_only_dates_within_the_horizon_are_made_and_past_ones_are_passed_over(
    api: Series,
) -> None:
    club = api.club()
    series_id = api.started(club, recurrence={**weekly(BEFORE_APRIL), "count": 20})["series_id"]
    # The job was down until after the third date: those are passed over, not made.
    late = _sydney(date(2027, 3, 28))
    made = api.make(series_id, late)
    dates = [r["occurrence_date"] for r in api.occurrences(club)]
    assert dates[0] == "2027-04-03" and made == len(dates) == 5
    series = api.series_store.get(series_id)
    assert series is not None and series.occurrences_made == 8


def test_the_series_is_checked_before_anything_is_written(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    before = snapshot(api.table)
    bad = (
        {"recurrence": {**weekly(BEFORE_APRIL), "until": "2027-05-01"}},  # until and count
        {"recurrence": {k: v for k, v in weekly(BEFORE_APRIL).items() if k != "count"}},
        {"recurrence": weekly(date(2020, 1, 4))},  # in the past
        {"recurrence": weekly(BEFORE_APRIL, local_time="24:00")},
        {"recurrence": {**weekly(BEFORE_APRIL), "count": 105}},
        {"recurrence": {**weekly(BEFORE_APRIL), "frequency": "daily"}},
        {"ride": plan(start_at="2027-03-13T06:00:00+11:00")},  # a series has no start
        {"ride": plan(capacity=0)},
    )
    for body in bad:
        answer = api.start(club, **body)
        assert answer.status == 422, (body, answer.body)
    assert api.start(club, claims=RIDER).status == 403
    assert snapshot(api.table) == before


def test_this_and_following_changes_the_made_rides_from_that_date(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    series = api.started(club)
    series_id = series["series_id"]
    now = _sydney(date(2027, 3, 12))
    api.make(series_id, now)
    rides = api.occurrences(club)
    # A rider holds a place on the fourth ride, which then moves to 7 am with a new title.
    api.join(rides[3]["ride_id"], RIDER)
    # This ride only: the first gets a new title, the last a note; both stay.
    for ride, change in (
        (rides[0], {"title": "Season Opener"}),
        (rides[4], {"description": "Lights"}),
    ):
        this_only = api.rides(
            "PUT",
            "/rides/{ride_id}",
            path_params={"ride_id": ride["ride_id"]},
            body={"version": ride["version"], **change},
            claims=OWNER,
        )
        assert this_only.status == 200, this_only.body

    answer = api.edit(
        series_id,
        version=1,
        from_date="2027-03-27",
        local_time="07:00",
        title="Saturday Bunch (7 am)",
        capacity=1,
    )
    assert answer.status == 200, answer.body
    assert answer.body["version"] == 2 and answer.body["recurrence"]["local_time"] == "07:00"
    assert api.follow(series_id, now) == 3
    after = api.occurrences(club)
    assert [r["title"] for r in after] == [
        "Season Opener",
        "Saturday Bay Run",
        "Saturday Bunch (7 am)",
        "Saturday Bunch (7 am)",
        "Saturday Bunch (7 am)",
    ]
    assert after[4]["description"] == "Lights"
    assert [r["start_at"][11:16] for r in after] == ["19:00", "19:00", "20:00", "20:00", "21:00"]
    # The rider keeps their seat: capacity never goes below the places taken.
    assert after[3]["participant_count"] == 2 and after[3]["capacity"] == 2
    assert after[2]["capacity"] == 1
    # Following again changes nothing; the next ride made follows the change.
    assert api.follow(series_id, now) == 0
    api.make(series_id, _sydney(date(2027, 3, 19)))
    last = api.occurrences(club)[-1]
    assert last["title"] == "Saturday Bunch (7 am)" and last["start_at"] == "2027-04-16T21:00:00Z"


def test_an_edit_names_one_of_the_series_dates_not_past_and_not_beyond_what_is_made(
    api: Series,
) -> None:
    club = api.club()
    series_id = api.started(club)["series_id"]
    before = snapshot(api.table)
    for day in ("2027-03-14", "2020-03-14", "2027-04-17"):
        answer = api.edit(series_id, version=1, from_date=day, title="New Title")
        assert answer.status == 422, (day, answer.body)
        assert answer.body["error"]["code"] in ("invalid_from_date", "validation_error")
    assert api.edit(series_id, version=7, from_date="2027-03-13", title="New").status == 409
    assert api.edit(series_id, version=1, from_date="2027-03-13").status == 422  # no change
    assert snapshot(api.table) == before


def test_ending_the_series_cancels_the_rest_and_makes_no_more(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    series_id = api.started(club, recurrence={**weekly(BEFORE_APRIL), "count": 20})["series_id"]
    now = _sydney(date(2027, 3, 12))
    api.make(series_id, now)
    rides = api.occurrences(club)
    api.join(rides[2]["ride_id"], RIDER)
    answer = api.edit(
        series_id, version=1, from_date="2027-03-20", status="ended", cancel_reason="Track works"
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "ended" and answer.body["next_date"] is None
    assert api.follow(series_id, now) == 4
    statuses = [(r["status"], r.get("cancel_reason")) for r in api.occurrences(club)]
    assert statuses == [("scheduled", None)] + [("cancelled", "Track works")] * 4
    # No longer due: the job never reads it again, and nothing more is made.
    assert api.series_store.due(date(2028, 1, 1)) == []
    assert api.make(series_id, _sydney(date(2027, 4, 20))) == 0
    assert api.edit(series_id, version=2, from_date="2027-03-27", title="Back").status == 409


def test_regulars_join_each_new_ride_in_order_and_may_stop(api: Series) -> None:
    club = api.club()
    for claims in (RIDER, SECOND):
        api.member(club, claims)
    # Capacity 2: the organiser's seat and one more.
    series_id = api.started(club, ride=plan(capacity=2))["series_id"]
    assert api.regular(series_id, RIDER).status == 200
    assert api.regular(series_id, SECOND).status == 200
    assert api.regular(series_id, RIDER).status == 200  # again: the same place
    assert api.regular(series_id, STRANGER).status == 403
    assert api.read(series_id, RIDER).body["i_am_regular"] is True

    now = _sydney(date(2027, 3, 12))
    api.make(series_id, now)
    first = api.occurrences(club)[0]["ride_id"]
    assert series_occurrences.join_regulars(first, api.series_store, api.ride_store, now) == 2
    party = api.party(first).body
    assert {p["user_id"] for p in party["joined"]} == {OWNER["sub"], RIDER["sub"]}
    assert [p["user_id"] for p in party["waitlist"]] == [SECOND["sub"]]
    assert {p["updated_by"] for p in party["joined"] + party["waitlist"]} == {
        OWNER["sub"],
        REGULARS_ACTOR,
    }

    # The rider withdraws from that one: a redelivered event does not put them back.
    (mine,) = [p for p in party["joined"] if p["user_id"] == RIDER["sub"]]
    assert api.change(mine["participation_id"], RIDER, version=1, status="withdrawn").status == 200
    assert series_occurrences.join_regulars(first, api.series_store, api.ride_store, now) == 0

    # The second regular stops; the next ride has only the first.
    assert api.regular(series_id, SECOND, "DELETE").status == 204
    assert api.regular(series_id, SECOND, "DELETE").status == 204
    second = api.occurrences(club)[1]["ride_id"]
    assert series_occurrences.join_regulars(second, api.series_store, api.ride_store, now) == 1
    assert {p["user_id"] for p in api.party(second).body["joined"]} == {
        OWNER["sub"],
        RIDER["sub"],
    }


def test_a_regular_who_left_the_club_is_passed_over(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    series_id = api.started(club)["series_id"]
    assert api.regular(series_id, RIDER).status == 200
    left = api.members(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club}_{RIDER['sub']}"},
        claims=RIDER,
    )
    assert left.status == 200, left.body
    now = _sydney(date(2027, 3, 12))
    api.make(series_id, now)
    first = api.occurrences(club)[0]["ride_id"]
    assert series_occurrences.join_regulars(first, api.series_store, api.ride_store, now) == 0


def test_a_series_whose_organiser_left_stops(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    promoted = api.members(
        "PUT",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club}_{RIDER['sub']}"},
        body={"version": 1, "club_role": "ride_leader"},
        claims=OWNER,
    )
    assert promoted.status == 200, promoted.body
    series_id = api.started(club, claims=RIDER)["series_id"]
    api.members(
        "DELETE",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club}_{RIDER['sub']}"},
        claims=RIDER,
    )
    assert api.make(series_id, _sydney(date(2027, 3, 12))) == 0
    stopped = api.read(series_id).body
    assert stopped["status"] == "ended" and "organiser" in stopped["cancel_reason"]
    # A SiteAdmin leads without a membership (as with any ride): nothing to stop for.
    by_site_admin = api.started(club, claims=ADMIN)["series_id"]
    assert api.make(by_site_admin, _sydney(date(2027, 3, 12))) == 5


def test_members_only_series_are_seen_by_members_and_listed_for_them(api: Series) -> None:
    club = api.club()
    api.member(club, RIDER)
    hidden = api.started(club, ride=plan(visibility="members"))["series_id"]
    shown = api.started(club)["series_id"]
    assert api.read(hidden, STRANGER).status == 403
    assert api.read(hidden, RIDER).status == 200

    def listed(claims: dict[str, str]) -> set[str]:
        answer = api.rides(
            "GET", "/clubs/{club_id}/ride-series", path_params={"club_id": club}, claims=claims
        )
        assert answer.status == 200, answer.body
        return {s["series_id"] for s in answer.body["items"]}

    assert listed(RIDER) == {hidden, shown}
    assert listed(STRANGER) == {shown}


def test_series_changes_are_published_as_domain_events(api: Series) -> None:
    club = api.club()
    series_id = api.started(club)["series_id"]
    item = api.table.get(keys.series_key(series_id))
    assert item is not None
    (created,) = events_from_change("INSERT", None, item, "e1")
    assert created.event_type == "ride_series_created"
    assert created.data["rrule"] == "FREQ=WEEKLY;BYDAY=SA;COUNT=6"
    api.edit(series_id, version=1, from_date="2027-03-13", title="Renamed Bunch")
    edited = api.table.get(keys.series_key(series_id))
    assert edited is not None
    (updated,) = events_from_change("MODIFY", item, edited, "e2")
    assert updated.event_type == "ride_series_updated"
    assert updated.data["from_date"] == "2027-03-13" and "ride" in updated.data["changed"]
    # Progress alone (an occurrence made) bumps no version and means nothing.
    api.make(series_id, _sydney(date(2027, 3, 12)))
    progressed = api.table.get(keys.series_key(series_id))
    assert progressed is not None
    assert events_from_change("MODIFY", edited, progressed, "e3") == []


def test_a_new_regular_joins_the_rides_made_already_and_a_ride_joined_twice_is_one_place(
    api: Series,
) -> None:
    club = api.club()
    api.member(club, RIDER)
    series_id = api.started(
        club, recurrence=weekly(sydney_today(datetime.now(UTC)) + timedelta(days=2), count=3)
    )["series_id"]
    api.make(series_id, datetime.now(UTC))
    rides = [r["ride_id"] for r in api.occurrences(club)]
    assert len(rides) == 3
    # The rider already gave up the second one: they stay off it.
    assert api.join(rides[1], RIDER).status == 201
    (mine,) = [p for p in api.party(rides[1]).body["joined"] if p["user_id"] == RIDER["sub"]]
    assert api.change(mine["participation_id"], RIDER, version=1, status="withdrawn").status == 200

    answer = api.regular(series_id, RIDER)
    assert answer.status == 200, answer.body
    assert answer.body["ride_ids"] == [rides[0], rides[2]]
    # The consumer hearing of the same rides (a race lost to the request) adds nothing.
    for ride_id in rides:
        assert series_occurrences.join_regulars(ride_id, api.series_store, api.ride_store) == 0
    again = api.regular(series_id, RIDER)
    assert again.status == 200 and again.body["ride_ids"] == [rides[0], rides[2]]
