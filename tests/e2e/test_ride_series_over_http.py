"""A weekly ride series on the local platform over HTTP: its rides made by the series
consumer through the event path, a regular on each, a "this and following" change of
start time that reaches the rider's schedule and feed, and the rest of the series ended."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e
SYDNEY = ZoneInfo("Australia/Sydney")


def _occurrences(api: Api, club_id: str, token: str) -> list[dict[str, Any]]:
    answer = api.call("GET", f"/clubs/{club_id}/rides", token, params={"limit": "50"})
    assert answer.status_code == 200, answer.text
    return [r for r in answer.json()["items"] if r.get("series_id")]


def _local(start: str) -> str:
    return datetime.fromisoformat(start).astimezone(SYDNEY).strftime("%a %H:%M")


def test_a_weekly_series_makes_its_rides_keeps_its_regular_and_follows_its_changes(
    api: Api,
) -> None:
    admin_sub, _, admin = person(api, "series-admin", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    _, _, rider = person(api, "series-regular")
    assert api.call("POST", f"/clubs/{club_id}/memberships", rider).status_code == 201
    first = datetime.now(UTC).astimezone(SYDNEY).date() + timedelta(days=2)
    plan = {k: v for k, v in criterium("Dawn Patrol", 10).items() if k != "start_at"}
    recurrence = {
        "frequency": "weekly",
        "first_date": first.isoformat(),
        "local_time": "06:00",
        "count": 3,
    }
    made = api.call(
        "POST",
        f"/clubs/{club_id}/ride-series",
        admin,
        json={"ride": plan, "recurrence": recurrence},
    )
    assert made.status_code == 201, made.text
    series = made.json()
    assert made.headers["Location"].endswith(f"/ride-series/{series['series_id']}")

    # The creation event -> the RideSeries consumer makes the three rides (five weeks ahead).
    def made_all() -> list[dict[str, Any]] | None:
        found = _occurrences(api, club_id, admin)
        return found if len(found) == 3 else None

    rides = eventually(made_all)
    weekday = first.strftime("%a")
    assert [_local(r["start_at"]) for r in rides] == [f"{weekday} 06:00"] * 3
    assert [r["occurrence_date"] for r in rides] == [
        (first + timedelta(weeks=i)).isoformat() for i in range(3)
    ]

    # A regular: on every upcoming ride of the series at once.
    regular = api.call("PUT", f"/ride-series/{series['series_id']}/regulars/me", rider)
    assert regular.status_code == 200, regular.text
    assert regular.json()["ride_ids"] == [r["ride_id"] for r in rides]
    mine = api.call("GET", "/users/me/rides", rider).json()["items"]
    assert [m["ride"]["ride_id"] for m in mine] == [r["ride_id"] for r in rides]

    # From the second ride on, 7 am: the consumer moves the made rides; the rider's
    # schedule and personal feed follow.
    second = date.fromisoformat(rides[1]["occurrence_date"])
    changed = api.call(
        "PUT",
        f"/ride-series/{series['series_id']}",
        admin,
        json={"version": series["version"], "from_date": second.isoformat(), "local_time": "07:00"},
    )
    assert changed.status_code == 200, changed.text

    def moved() -> list[str] | None:
        starts = [_local(r["start_at"]) for r in _occurrences(api, club_id, admin)]
        return starts if starts[1:] == [f"{weekday} 07:00"] * 2 else None

    assert eventually(moved)[0] == f"{weekday} 06:00"
    feed = api.call("POST", "/users/me/calendar-feed", rider).json()["url"]
    calendar = api.call("GET", feed.removeprefix(api.endpoints.api_url))
    assert calendar.status_code == 200, calendar.text
    starts = [
        e.decoded("dtstart").astimezone(SYDNEY).strftime("%H:%M")
        for e in Calendar.from_ical(calendar.text).walk("VEVENT")
    ]
    assert starts == ["06:00", "07:00", "07:00"]

    # The last ride is off: the rest of the series is cancelled, with the reason.
    third = rides[2]["occurrence_date"]
    ended = api.call(
        "PUT",
        f"/ride-series/{series['series_id']}",
        admin,
        json={
            "version": changed.json()["version"],
            "from_date": third,
            "status": "ended",
            "cancel_reason": "Road closure for the marathon",
        },
    )
    assert ended.status_code == 200, ended.text

    def cancelled() -> bool:
        statuses = [r["status"] for r in _occurrences(api, club_id, admin)]
        return statuses == ["scheduled", "scheduled", "cancelled"]

    eventually(cancelled)
    listed = api.call("GET", "/users/me/rides", rider).json()["items"]
    assert [m["ride"]["status"] for m in listed] == ["scheduled", "scheduled", "cancelled"]
