"""Club statistics (`docs/club-stats.md`), in-process against moto: a scripted history of
item changes goes through the publisher's translation (as the stream would carry it) to
the Counts consumer, and the club's admin reads the figures it adds up to. The same
history shuffled and delivered twice adds up to the same figures."""

import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from clubs import audit_trail, counts, stats_report
from clubs import handler as clubs_api
from clubs.stats_report import StatsStore
from clubs.store import ClubStore
from ops import club_stats
from publisher.translate import events_from_change
from shared.events import DomainEvent
from shared.store import keys
from shared.store.table import Table
from stacks.paths import REPO_ROOT
from tests.service.conftest import ADMIN, RIDER, add_profiles, make_invoker

pytestmark = pytest.mark.service

OWNER = {"sub": "33333333-3333-4333-8333-333333333333", "custom:system_role": "User"}
# Sydney's today for the report: rides before it were held.
TODAY = datetime(2026, 12, 10, 1, tzinfo=UTC)
WHOLE_RANGE = {"from": "2026-11-01", "to": "2026-12-31"}


def _membership(club_id: str, user: str, status: str, at: str, version: int) -> dict[str, Any]:
    return {
        "entity": "membership",
        "club_id": club_id,
        "user_id": user,
        "membership_id": f"{club_id}_{user}",
        "status": status,
        "club_role": "member",
        "updated_at": at,
        "version": version,
    }


def _ride(club_id: str, ride: str, start: str, pace: str, version: int, **more: Any) -> dict:
    return {
        "entity": "ride",
        "ride_id": f"{club_id}_{ride}",
        "club_id": club_id,
        "title": f"Ride {ride}",
        "start_at": start,
        "status": "scheduled",
        "visibility": "members",
        "meeting_point": {"name": "Centennial Park", "lat": -33.9, "lon": 151.23},
        "pace_class": pace,
        "distance_km": 40.0,
        "elevation_gain_m": 500,
        "updated_at": "2026-10-20T00:00:00Z",
        "version": version,
        **more,
    }


def _place(club_id: str, ride: str, user: str, version: int, **more: Any) -> dict[str, Any]:
    return {
        "entity": "participation",
        "participation_id": f"{club_id}_{ride}_{user}",
        "ride_id": f"{club_id}_{ride}",
        "club_id": club_id,
        "user_id": user,
        "status": "joined",
        "role": "rider",
        "attendance": "unknown",
        "updated_at": "2026-11-08T10:00:00Z",
        "version": version,
        **more,
    }


def _activity(km: float, climb: int) -> dict[str, Any]:
    return {
        "activity_id": 1,
        "start_at": "2026-11-07T21:05:00Z",
        "distance_km": km,
        "moving_time_s": 5400,
        "elevation_gain_m": climb,
        "url": "https://www.strava.com/activities/1",
    }


def history(club_id: str) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """(before, after) images of a club's month and a half, in the order they happened."""
    member = lambda *a: _membership(club_id, *a)  # noqa: E731
    ride = lambda *a, **k: _ride(club_id, *a, **k)  # noqa: E731
    place = lambda *a, **k: _place(club_id, *a, **k)  # noqa: E731
    leader = {"attendance_source": "leader"}
    strava = {"attendance_source": "strava"}
    a_42, a_38 = _activity(42.3, 510), _activity(38.0, 480)
    return [
        (None, member("u1", "active", "2026-11-02T01:00:00Z", 1)),  # a join
        (None, member("u2", "pending", "2026-11-03T01:00:00Z", 1)),
        (member("u2", "pending", "x", 1), member("u2", "active", "2026-11-04T01:00:00Z", 2)),
        (None, member("u3", "pending", "2026-11-05T01:00:00Z", 1)),
        # A withdrawn application: not a member leaving.
        (member("u3", "pending", "x", 1), member("u3", "left", "2026-11-06T01:00:00Z", 2)),
        # Saturday 8 November in Sydney (still the 7th in UTC).
        (None, ride("A", "2026-11-07T21:00:00Z", "B", 1)),
        (None, ride("B", "2026-11-14T20:00:00Z", "A", 1)),
        # Moved to 2 December and to pace C: its count moves with it.
        (
            ride("B", "2026-11-14T20:00:00Z", "A", 1),
            ride("B", "2026-12-01T20:00:00Z", "C", 2),
        ),
        (None, ride("C", "2026-12-20T20:00:00Z", "B", 1)),  # upcoming on TODAY
        (None, ride("D", "2026-11-21T20:00:00Z", "D", 1)),
        (
            ride("D", "2026-11-21T20:00:00Z", "D", 1),
            ride("D", "2026-11-21T20:00:00Z", "D", 2, status="cancelled", cancel_reason="Rain"),
        ),
        (place("A", "u1", 1), place("A", "u1", 2, attendance="attended", **leader)),
        (place("A", "u2", 1), place("A", "u2", 2, attendance="no_show", **leader)),
        # A no-show corrected: it counts as attended only.
        (
            place("A", "u2", 2, attendance="no_show", **leader),
            place("A", "u2", 3, attendance="attended", **leader),
        ),
        # Matched by Strava, then the activity deleted: nothing left of it.
        (
            place("A", "u4", 1),
            place("A", "u4", 2, attendance="attended", strava_activity=a_42, **strava),
        ),
        (
            place("A", "u4", 2, attendance="attended", strava_activity=a_42, **strava),
            place("A", "u4", 3),
        ),
        (
            place("A", "u5", 1),
            place("A", "u5", 2, attendance="attended", strava_activity=a_38, **strava),
        ),
        (place("B", "u1", 1), place("B", "u1", 2, attendance="no_show", **leader)),
        (member("u1", "active", "x", 1), member("u1", "left", "2026-12-01T01:00:00Z", 2)),
    ]


def events_of(club_id: str) -> list[DomainEvent]:
    return [
        event
        for n, (old, new) in enumerate(history(club_id))
        for event in events_from_change("MODIFY" if old else "INSERT", old, new, f"{club_id}-{n}")
    ]


class Club:
    def __init__(self, table: Table) -> None:
        self.api = make_invoker(clubs_api.handler)
        self.table = table
        created = self.api(
            "POST",
            "/clubs",
            body={
                "name": f"Stats CC {random.random()}",
                "disciplines": ["road"],
                "initial_admin_id": OWNER["sub"],
            },
            claims=ADMIN,
        )
        assert created.status == 201, created.body
        self.club_id = created.body["club_id"]
        # The rides attendance is marked on, as they are now.
        for ride, start, pace in (
            ("A", "2026-11-07T21:00:00Z", "B"),
            ("B", "2026-12-01T20:00:00Z", "C"),
        ):
            item = _ride(self.club_id, ride, start, pace, 2)
            self.table.put({**keys.ride_key(item["ride_id"]), **item})

    def stats(self, query: dict[str, str] | None = None, claims: dict[str, str] = OWNER) -> Any:
        return self.api(
            "GET",
            "/clubs/{club_id}/stats",
            path_params={"club_id": self.club_id},
            query=query,
            claims=claims,
        )


@pytest.fixture
def make_club(table: Table, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Club]]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"])
    monkeypatch.setattr(stats_report, "utc_now", lambda: TODAY)
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
    clubs_api.app.dependency_overrides[clubs_api.get_stats_store] = lambda: StatsStore(table)
    yield Club
    clubs_api.app.dependency_overrides.clear()


def test_a_scripted_history_adds_up_to_the_clubs_statistics(
    table: Table, make_club: type[Club]
) -> None:
    club = make_club(table)
    for event in events_of(club.club_id):
        counts.apply_event(table, event)

    answer = club.stats(WHOLE_RANGE)

    assert answer.status == 200, answer.body
    body = answer.body
    assert (body["first_day"], body["last_day"], body["today"]) == (
        "2026-11-01",
        "2026-12-31",
        "2026-12-10",
    )
    assert body["totals"] == {
        "members_joined": 2,  # u1, and u2 approved; u3 withdrew an application
        "members_left": 1,
        "rides_held": 2,  # A, and B moved to 2 December
        "rides_upcoming": 1,  # C
        "rides_cancelled": 1,  # D
        "riders_attended": 3,  # u1, u2 (corrected), u5; u4's Strava match was deleted
        "riders_no_show": 1,  # u1 on B
        "attendance_rate": 0.75,
        "no_show_rate": 0.25,
        "riders_per_ride": 1.5,
        "ridden_km": 120.0,
        "climbed_m": 1500.0,
        "strava_km": 38.0,
        "strava_climbed_m": 480.0,
    }
    november, december = body["months"]
    assert november["month"] == "2026-11" and december["month"] == "2026-12"
    assert (november["rides_held"], november["rides_cancelled"], november["riders_attended"]) == (
        1,
        1,
        3,
    )
    assert (december["rides_held"], december["rides_upcoming"], december["members_left"]) == (
        1,
        1,
        1,
    )
    assert body["pace_classes"] == [
        {"pace_class": "B", "rides": 2, "riders": 3},
        {"pace_class": "C", "rides": 1, "riders": 0},
    ]
    # November alone: ride A's Sydney day (8 November) is inside it.
    november_only = club.stats({"from": "2026-11-08", "to": "2026-11-08"}).body["totals"]
    assert (november_only["rides_held"], november_only["riders_attended"]) == (1, 3)


def test_shuffled_and_redelivered_events_add_up_to_the_same(
    table: Table, make_club: type[Club]
) -> None:
    in_order, shuffled = make_club(table), make_club(table)
    moved = [counts.apply_event(table, event) for event in events_of(in_order.club_id)]
    delivered = events_of(shuffled.club_id) * 2
    random.Random(7).shuffle(delivered)
    applied = [counts.apply_event(table, event) for event in delivered]

    assert applied.count(True) == moved.count(True)  # each once
    expected = {k: v for k, v in in_order.stats(WHOLE_RANGE).body.items() if k != "club_id"}
    assert {k: v for k, v in shuffled.stats(WHOLE_RANGE).body.items() if k != "club_id"} == (
        expected
    )


def test_only_the_clubs_admins_read_its_statistics_over_a_sane_range(
    table: Table, make_club: type[Club]
) -> None:
    club = make_club(table)

    assert club.stats(claims=RIDER).status == 403
    assert club.stats(claims=ADMIN).status == 200  # a SiteAdmin
    default = club.stats().body
    assert (default["first_day"], default["last_day"]) == ("2026-01-01", "2026-12-10")
    backwards = club.stats({"from": "2026-12-01", "to": "2026-11-01"})
    assert (backwards.status, backwards.body["error"]["code"]) == (400, "invalid_range")
    too_long = club.stats({"from": "2025-01-01", "to": "2026-01-02"})
    assert (too_long.status, too_long.body["error"]["code"]) == (400, "range_too_long")
    assert club.stats({"from": "1999-12-31"}).status == 422  # before any ride could be
    club.club_id = "c0ffee00-0000-4000-8000-00000000dead"
    assert club.stats(claims=ADMIN).status == 404


@pytest.mark.parametrize(
    "day", ["1999-12-31", "2000-01-01", "2099-12-31", "2100-01-01", "8426-06-26"]
)
def test_the_document_states_the_days_the_route_takes(
    table: Table, make_club: type[Club], day: str
) -> None:
    """A fuzzer found a day the document allowed and the route refused (`to=8426-06-26`):
    the document's pattern and the route agree at both edges."""
    club = make_club(table)
    document = json.loads((REPO_ROOT / "docs" / "openapi.json").read_text())
    parameters = document["paths"]["/clubs/{club_id}/stats"]["get"]["parameters"]
    for name in ("from", "to"):
        schema = next(p for p in parameters if p["name"] == name)["schema"]["anyOf"][0]
        documented = re.search(schema["pattern"], day) is not None
        answer = club.stats({"from": day, "to": day} if name == "from" else {"to": day})
        assert (answer.status == 200) == documented, (name, day, answer.body)


def _keep_final_state(table: Table, club_id: str) -> None:
    """The table as the history leaves it: each item's last image, and the audit log the
    audit consumer writes from the same events."""
    final: dict[str, dict[str, Any]] = {}
    for _, new in history(club_id):
        ids = ("membership_id", "participation_id", "ride_id")
        final[next(f"{new['entity']}:{new[i]}" for i in ids if i in new)] = new
    for image in final.values():
        if image["entity"] == "ride":
            start = image["start_at"]
            keyed = {
                **keys.ride_key(image["ride_id"]),
                "GSI2PK": keys.club_rides_pk(club_id),
                "GSI2SK": keys.ride_start_sk(start, image["ride_id"]),
            }
        elif image["entity"] == "participation":
            keyed = keys.participation_key(image["ride_id"], image["user_id"])
        else:
            keyed = keys.membership_key(club_id, image["user_id"])
        table.put({**image, **keyed})
    for event in events_of(club_id):
        audit_trail.record(event, table)


def test_the_ops_check_finds_drifted_statistics_and_puts_them_right(
    table: Table, make_club: type[Club]
) -> None:
    """`ops/club_stats.py`: the tallies worked out from the table agree with the ones the
    consumer kept; after a lost and a doubled event, the check names both days and the fix
    brings the route's answer back."""
    club = make_club(table)
    _keep_final_state(table, club.club_id)
    for event in events_of(club.club_id):
        counts.apply_event(table, event)
    before = club.stats(WHOLE_RANGE).body

    assert club_stats.check(table, club.club_id) == {}
    table.delete(keys.club_stats_key(club.club_id, "2026-12-21"))  # ride C's day, lost
    table.update(
        keys.club_stats_key(club.club_id, "2026-11-08"),
        "ADD riders_attended :one",
        values={":one": 1},
    )
    found = club_stats.check(table, club.club_id, fix=True)

    assert found == {
        "2026-11-08": {"riders_attended": -1.0},
        "2026-12-21": {"pace_B_rides": 1.0, "rides_scheduled": 1.0},
    }
    assert club_stats.check(table, club.club_id) == {}
    assert club.stats(WHOLE_RANGE).body == before
