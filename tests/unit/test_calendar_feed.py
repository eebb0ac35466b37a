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
    text = render_calendar(
        f"{club.name} rides", [ride(i, s) for i, s in enumerate(STARTS)], NOW
    ).decode()
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
    text = render_calendar(
        f"{club.name} rides", [routed, plain], NOW, "https://api.example/v1/"
    ).decode()
    events = {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}

    assert str(events["club_1@sydneycycling"]["URL"]) == (
        "https://api.example/v1/rides/club_1/route.gpx"
    )
    assert "URL" not in events["club_2@sydneycycling"]


# Rides on both sides of and across the two 2027 changes, as UTC instants. Clocks go back
# on 4 April 2027 at 16:00 UTC (03:00 AEDT -> 02:00 AEST: 02:00-03:00 happens twice) and
# forward on 2 October 2027 at 16:00 UTC (02:00 AEST -> 03:00 AEDT: 02:00-03:00 is skipped).
def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


ACROSS = [
    (_utc("2027-04-02T19:30"), 120),  # Saturday 06:30 AEDT, before the change
    (_utc("2027-04-03T15:30"), 150),  # 02:30 AEDT, the first of two 02:30s, across it
    (_utc("2027-04-03T16:30"), 60),  # 02:30 AEST, the repeated hour's second 02:30
    (_utc("2027-04-03T14:00"), 180),  # 01:00 AEDT to 03:00 AEST, across the change
    (_utc("2027-04-09T21:00"), 120),  # an ordinary 07:00 AEST a week later
    (_utc("2027-10-02T15:30"), 90),  # 01:30 AEST to 04:00 AEDT, across the skipped hour
    (_utc("2027-10-02T16:00"), 60),  # 03:00 AEDT, the first minute after the jump
    (_utc("2027-10-09T19:30"), 120),  # an ordinary 06:30 AEDT a week later
]


def across_feed() -> str:
    club = Club(
        club_id="club", name="Inner West Riders", created_by="u", created_at=NOW, updated_at=NOW
    )
    rides = [
        ride(i, start).model_copy(update={"estimated_duration_min": minutes})
        for i, (start, minutes) in enumerate(ACROSS)
    ]
    return render_calendar(f"{club.name} rides", rides, NOW).decode()


def expected() -> list[tuple[datetime, datetime]]:
    return [(start, start + timedelta(minutes=minutes)) for start, minutes in ACROSS]


def test_icalendar_reads_every_instant_right_across_both_changes() -> None:
    events = Calendar.from_ical(across_feed()).walk("VEVENT")
    read = [
        (e.decoded("dtstart").astimezone(UTC), e.decoded("dtend").astimezone(UTC)) for e in events
    ]
    assert read == expected()


def test_vobject_reads_every_instant_right_across_both_changes() -> None:
    import vobject

    calendar = vobject.readOne(across_feed())
    read = [
        (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
        for e in calendar.vevent_list
    ]
    assert read == expected()


def test_dateutils_tzical_reads_every_instant_right_across_both_changes() -> None:
    """dateutil reads the VTIMEZONE; each DTSTART/DTEND line is read against it by hand."""
    import io

    from dateutil.tz import tzical

    text = across_feed()
    zone_text = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + 13]
    zone = tzical(io.StringIO(zone_text)).get("Australia/Sydney")

    def instant(line: str) -> datetime:
        value = line.rsplit(":", 1)[1]
        if value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert ";TZID=Australia/Sydney" in line
        return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(UTC)

    events = text[text.index("BEGIN:VEVENT") :].replace("\r\n ", "").split("\r\n")
    starts = [instant(line) for line in events if line.startswith("DTSTART")]
    ends = [instant(line) for line in events if line.startswith("DTEND")]
    assert list(zip(starts, ends, strict=True)) == expected()


def test_a_repeated_local_time_is_written_in_utc_and_others_in_sydney_time() -> None:
    text = across_feed().replace("\r\n ", "")
    assert "DTSTART:20270403T153000Z" in text  # the first 02:30: ambiguous as local time
    assert "DTSTART:20270403T163000Z" in text  # the second 02:30
    assert "DTEND;TZID=Australia/Sydney:20270404T040000" in text  # 18:00 UTC, not 19:00
    assert "DTSTART;TZID=Australia/Sydney:20270410T070000" in text


def test_the_vtimezone_rule_is_the_zone_databases_every_year() -> None:
    """The written rule (first Sunday of October at 02:00 AEST, first Sunday of April at
    03:00 AEDT) is what zoneinfo says for every year the feed can show."""
    from rides.calendar_feed import SYDNEY

    def first_sunday(year: int, month: int) -> int:
        day = 1
        while datetime(year, month, day).weekday() != 6:
            day += 1
        return day

    for year in range(2008, 2041):
        forward = datetime(year, 10, first_sunday(year, 10), 2, tzinfo=UTC) - timedelta(hours=10)
        back = datetime(year, 4, first_sunday(year, 4), 3, tzinfo=UTC) - timedelta(hours=11)
        for change, before, after in ((forward, 10, 11), (back, 11, 10)):
            offsets = [
                (change + timedelta(seconds=s)).astimezone(SYDNEY).utcoffset() for s in (-1, 0)
            ]
            assert offsets == [timedelta(hours=before), timedelta(hours=after)], (year, change)


def test_the_vtimezone_onsets_are_the_local_times_before_each_change() -> None:
    zone = Calendar.from_ical(across_feed()).walk("VTIMEZONE")[0]
    parts = {c.name: c for c in zone.subcomponents}
    daylight, standard = parts["DAYLIGHT"], parts["STANDARD"]
    assert daylight.decoded("dtstart").time().hour == 2  # 02:00 AEST, as RFC 5545's example
    assert standard.decoded("dtstart").time().hour == 3  # 03:00 AEDT
    assert "RRULE" in daylight and "RDATE" not in daylight and "RDATE" not in standard
