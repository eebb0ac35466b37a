"""A rider's schedule, personal feed and ride discovery on the local platform over HTTP,
with the event path that re-files places when a ride's start moves and files rides for
discovery."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e


def _titles(api: Api, token: str) -> list[str]:
    answer = api.call("GET", "/users/me/rides", token)
    assert answer.status_code == 200, answer.text
    return [item["ride"]["title"] for item in answer.json()["items"]]


def test_my_rides_follow_a_moved_start_and_my_feed_lists_them(api: Api) -> None:
    admin_sub, _, admin = person(api, "organiser", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    _, _, rider = person(api, "scheduled")
    assert api.call("POST", f"/clubs/{club_id}/memberships", rider).status_code == 201
    rides = {}
    for title, days in (("Sooner", 2), ("Later", 4)):
        start = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        made = api.call(
            "POST", f"/clubs/{club_id}/rides", admin, json=criterium(title, 10, start_at=start)
        )
        assert made.status_code == 201, made.text
        rides[title] = made.json()
        joined = api.call("POST", f"/rides/{made.json()['ride_id']}/participations", rider)
        assert joined.status_code == 201, joined.text
    assert _titles(api, rider) == ["Sooner", "Later"]

    sooner = rides["Sooner"]
    moved = (datetime.now(UTC) + timedelta(days=6)).isoformat()
    edit = api.call(
        "PUT",
        f"/rides/{sooner['ride_id']}",
        admin,
        json={"start_at": moved, "version": sooner["version"]},
    )
    assert edit.status_code == 200, edit.text
    # The table's stream -> publisher -> bus -> Schedules consumer re-files the places.
    eventually(lambda: _titles(api, rider) == ["Later", "Sooner"])

    made = api.call("POST", "/users/me/calendar-feed", rider)
    assert made.status_code == 201, made.text
    feed = made.json()["url"]
    assert feed.startswith(f"{api.endpoints.api_url}/calendar-feeds/")
    answer = api.call("GET", feed.removeprefix(api.endpoints.api_url))  # no token
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "private, no-store"
    events = Calendar.from_ical(answer.text).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Later", "Sooner"]

    assert api.call("DELETE", "/users/me/calendar-feed", rider).status_code == 204
    assert api.call("GET", feed.removeprefix(api.endpoints.api_url)).status_code == 404


def test_a_ride_published_near_a_park_is_found_there_through_the_event_path(api: Api) -> None:
    admin_sub, _, admin = person(api, "finder-admin", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    _, _, stranger = person(api, "finder")
    point = {"name": "Centennial Park, Grand Drive", "lat": -33.8981, "lon": 151.2332}
    made = api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        admin,
        json=criterium("Centennial Crit", 10, meeting_point=point, visibility="public"),
    )
    assert made.status_code == 201, made.text
    search = {"near": "-33.8988,151.2335", "radius_km": "2", "pace_class": "A"}

    def found() -> list[str]:
        answer = api.call("GET", "/rides", stranger, params=search)
        assert answer.status_code == 200, answer.text
        return [ride["title"] for ride in answer.json()["items"]]

    # The table's stream -> publisher -> bus -> RideDiscovery consumer files it.
    eventually(lambda: "Centennial Crit" in found())
    ride = made.json()
    cancel = {"version": ride["version"], "status": "cancelled", "cancel_reason": "Rain"}
    assert api.call("PUT", f"/rides/{ride['ride_id']}", admin, json=cancel).status_code == 200
    assert "Centennial Crit" not in found()  # at once: decided from the ride itself
