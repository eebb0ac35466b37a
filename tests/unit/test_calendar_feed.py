"""The public feed is valid iCalendar: every TZID it uses is defined by a VTIMEZONE, and
rides on both sides of a daylight-saving change keep their instant when parsed back."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from rides.calendar_feed import render_calendar
from shared.domain.club import Club
from shared.domain.enums import DropPolicy, PaceClass, Surface
from shared.domain.ride import MeetingPoint, Ride

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 1, tzinfo=UTC)
# Daylight saving ends in Sydney on Sunday 4 April 2027 at 3:00 (+11:00 -> +10:00) and
# starts on Sunday 3 October 2027 at 2:00 (+10:00 -> +11:00).
STARTS = [
    datetime(2027, 4, 3, 6, 30, tzinfo=timezone(timedelta(hours=11))),
    datetime(2027, 4, 4, 6, 30, tzinfo=timezone(timedelta(hours=10))),
    datetime(2027, 10, 2, 6, 30, tzinfo=timezone(timedelta(hours=10))),
    datetime(2027, 10, 3, 6, 30, tzinfo=timezone(timedelta(hours=11))),
    datetime(2027, 10, 3, 19, 30, tzinfo=UTC),  # given in UTC by a client
]


def ride(index: int, start: datetime) -> Ride:
    return Ride(
        ride_id=f"club_{index}",
        club_id="club",
        title=f"Ride {index}",
        start_at=start,
        estimated_duration_min=120,
        meeting_point=MeetingPoint(name="Sydney Park", lat=-33.9, lon=151.18),
        distance_km=60,
        surface=Surface.ROAD,
        pace_class=PaceClass.B,
        drop_policy=DropPolicy.REGROUP,
        created_by="u",
        created_at=NOW,
        updated_at=NOW,
        updated_by="u",
    )


def feed() -> tuple[str, Calendar]:
    club = Club(
        club_id="club", name="Inner West Riders", created_by="u", created_at=NOW, updated_at=NOW
    )
    text = render_calendar(club, [ride(i, s) for i, s in enumerate(STARTS)], NOW).decode()
    return text, Calendar.from_ical(text)


def test_every_tzid_used_is_defined_by_a_vtimezone() -> None:
    text, calendar = feed()
    used = set(re.findall(r";TZID=([^:;]+)", text))
    defined = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}

    assert used == {"Australia/Sydney"}
    assert used <= defined
    assert "+11:00" not in text and "+10:00" not in text


def test_rides_keep_their_instant_on_both_sides_of_daylight_saving() -> None:
    _, calendar = feed()
    events = calendar.walk("VEVENT")

    starts = [event.decoded("dtstart") for event in events]
    assert starts == STARTS  # the same instants
    local = [s.strftime("%H:%M %z") for s in starts[:4]]
    assert local == ["06:30 +1100", "06:30 +1000", "06:30 +1000", "06:30 +1100"]
    for event in events:
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=120)


def test_the_calendar_has_what_rfc_5545_requires() -> None:
    text, calendar = feed()

    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"]
    zone = calendar.walk("VTIMEZONE")[0]
    kinds = {component.name for component in zone.subcomponents}
    assert kinds == {"STANDARD", "DAYLIGHT"}
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded lines


def test_a_ride_with_a_route_links_to_its_gpx() -> None:
    club = Club(
        club_id="club", name="Inner West Riders", created_by="u", created_at=NOW, updated_at=NOW
    )
    routed = ride(1, STARTS[0]).model_copy(update={"route_key": "private/rides/club_1/route/u.gpx"})
    plain = ride(2, STARTS[1])
    text = render_calendar(club, [routed, plain], NOW, "https://api.example/v1/").decode()
    events = {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}

    assert str(events["club_1@sydneycycling"]["URL"]) == (
        "https://api.example/v1/rides/club_1/route.gpx"
    )
    assert "URL" not in events["club_2@sydneycycling"]
