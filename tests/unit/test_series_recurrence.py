"""A series' recurrence on the Sydney wall clock: its dates, its instants across both of
2027's daylight-saving changes, RFC 5545's reading of skipped and repeated times, and its
RRULE text as independent readers take it; its occurrences in the club feed as two
calendar readers see them."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vRecur
from pydantic import ValidationError

from rides.calendar_feed import render_calendar
from rides.series_occurrences import occurrence
from shared.domain.enums import DropPolicy, PaceClass, Surface
from shared.domain.ids import RIDE_ID_PATTERN
from shared.domain.ride import MeetingPoint
from shared.domain.series import Recurrence, RidePlan, RideSeries

SYDNEY = ZoneInfo("Australia/Sydney")
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def recurrence(first: date, **fields: Any) -> Recurrence:
    values: dict[str, Any] = {"frequency": "weekly", "local_time": "06:00", "count": 4}
    return Recurrence(first_date=first, **{**values, **fields})


def instants(rule: Recurrence, through: date = date(2028, 12, 31)) -> list[datetime]:
    return [rule.start_on(day) for day in rule.dates(None, through)]


def test_six_am_stays_six_am_across_both_changes() -> None:
    # Clocks go back on Sunday 4 April 2027 and forward on Sunday 3 October 2027.
    april = recurrence(date(2027, 3, 27))
    assert instants(april) == [
        _utc("2027-03-26T19:00"),  # AEDT, UTC+11
        _utc("2027-04-02T19:00"),
        _utc("2027-04-09T20:00"),  # AEST, UTC+10
        _utc("2027-04-16T20:00"),
    ]
    october = recurrence(date(2027, 9, 25), frequency="fortnightly")
    assert instants(october) == [
        _utc("2027-09-24T20:00"),
        _utc("2027-10-08T19:00"),
        _utc("2027-10-22T19:00"),
        _utc("2027-11-05T19:00"),
    ]
    assert {i.astimezone(SYDNEY).strftime("%H:%M") for i in instants(april)} == {"06:00"}


def test_skipped_and_repeated_wall_clock_times_read_as_rfc_5545_says() -> None:
    """Section 3.3.5: a time that does not occur is read with the offset before the gap;
    one that occurs twice is its first occurrence."""
    repeated = recurrence(date(2027, 4, 4), local_time="02:30", count=1)
    assert instants(repeated) == [_utc("2027-04-03T15:30")]  # the first 02:30 (AEDT)
    skipped = recurrence(date(2027, 10, 3), local_time="02:30", count=1)
    start = instants(skipped)[0]
    assert start == _utc("2027-10-02T16:30")  # UTC+10, before the gap
    assert start.astimezone(SYDNEY).strftime("%H:%M") == "03:30"


def test_monthly_on_a_weekday_of_the_month_on_the_last_one_or_on_a_day() -> None:
    second_sunday = recurrence(date(2027, 2, 14), frequency="monthly", count=3)
    assert second_sunday.dates(None, date(2028, 1, 1)) == [
        date(2027, 2, 14),
        date(2027, 3, 14),
        date(2027, 4, 11),
    ]
    last_saturday = recurrence(date(2027, 1, 30), frequency="monthly", count=3)
    assert last_saturday.rrule_text == "FREQ=MONTHLY;BYDAY=-1SA;COUNT=3"
    assert last_saturday.dates(None, date(2028, 1, 1)) == [
        date(2027, 1, 30),
        date(2027, 2, 27),
        date(2027, 3, 27),
    ]
    # The 31st: months without one are skipped, as RFC 5545 does.
    on_31st = recurrence(date(2027, 1, 31), frequency="monthly", monthly_by="day", count=3)
    assert on_31st.dates(None, date(2028, 1, 1)) == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
    ]


def test_until_is_the_last_sydney_day_and_written_in_utc() -> None:
    rule = recurrence(date(2027, 3, 27), count=None, until=date(2027, 4, 10))
    assert rule.dates(None, date(2028, 1, 1)) == [
        date(2027, 3, 27),
        date(2027, 4, 3),
        date(2027, 4, 10),
    ]
    # The end of 10 April in Sydney (AEST) is 13:59:59 UTC that day.
    assert rule.rrule_text == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270410T135959Z"


RULES = (
    recurrence(date(2027, 3, 27), count=8),
    recurrence(date(2027, 9, 18), frequency="fortnightly", count=6, local_time="18:15"),
    recurrence(date(2027, 1, 30), frequency="monthly", count=12),
    recurrence(date(2027, 1, 31), frequency="monthly", monthly_by="day", count=7),
    recurrence(date(2027, 2, 14), frequency="monthly", count=None, until=date(2027, 12, 31)),
    recurrence(date(2027, 4, 4), local_time="02:30", count=None, until=date(2027, 10, 10)),
)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rrule_text)
def test_the_rrule_text_means_the_same_instants_to_an_independent_reader(
    rule: Recurrence,
) -> None:
    """icalendar parses the RRULE; dateutil's rrulestr expands the DTSTART and RRULE lines
    as a calendar app would (it does not see our Recurrence at all)."""
    from dateutil.rrule import rrulestr

    parsed = vRecur.from_ical(rule.rrule_text)
    assert parsed["FREQ"] == [rule.frequency.value.upper().replace("FORTNIGHTLY", "WEEKLY")]
    text = f"{rule.dtstart_text}\nRRULE:{rule.rrule_text}"
    expanded = rrulestr(text, tzinfos={"Australia/Sydney": SYDNEY})
    theirs = [moment.astimezone(UTC) for moment in expanded]
    ours = instants(rule)
    assert len(theirs) == len(ours)
    # Where the wall-clock time does not exist (02:30 on 3 October 2027), dateutil takes
    # the offset after the gap (01:30 standard time), not RFC 5545's: a reason occurrences
    # are written to feeds as instants, never as an RRULE (decision 35).
    skipped = [i for i, m in enumerate(ours) if m.astimezone(SYDNEY).time() != rule.wall_clock]
    assert [m for i, m in enumerate(theirs) if i not in skipped] == [
        m for i, m in enumerate(ours) if i not in skipped
    ]
    assert [theirs[i] for i in skipped] == [ours[i] - timedelta(hours=1) for i in skipped]


def _series(rule: Recurrence) -> RideSeries:
    return RideSeries(
        series_id="11111111-1111-4111-8111-111111111111_22222222-2222-4222-8222-222222222222",
        club_id="11111111-1111-4111-8111-111111111111",
        ride=RidePlan(
            title="Saturday Bunch",
            estimated_duration_min=120,
            meeting_point=MeetingPoint(name="Centennial Park", lat=-33.899, lon=151.232),
            distance_km=60,
            surface=Surface.ROAD,
            pace_class=PaceClass.B,
            drop_policy=DropPolicy.REGROUP,
        ),
        recurrence=rule,
        organiser_id="u",
        created_by="u",
        created_at=NOW,
        updated_at=NOW,
        updated_by="u",
    )


def test_occurrence_ids_are_the_same_whoever_makes_them_and_are_ride_ids() -> None:
    series = _series(RULES[0])
    days = RULES[0].dates(None, date(2028, 1, 1))
    ids = [occurrence(series, day, NOW).ride_id for day in days]
    assert ids == [occurrence(series, day, NOW).ride_id for day in days]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(RIDE_ID_PATTERN, i) for i in ids)
    assert {i.partition("_")[0] for i in ids} == {series.club_id}


def _occurrences_feed() -> str:
    series = _series(RULES[0])
    rides = [occurrence(series, day, NOW) for day in RULES[0].dates(None, date(2028, 1, 1))]
    return render_calendar("Bunch rides", rides, NOW).decode()


def test_a_skipped_time_reaches_calendars_as_the_instant_rfc_5545_means() -> None:
    import vobject

    series = _series(RULES[5])
    day = date(2027, 10, 3)
    text = render_calendar("Night rides", [occurrence(series, day, NOW)], NOW).decode()
    (event,) = Calendar.from_ical(text).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == _utc("2027-10-02T16:30")
    assert vobject.readOne(text).vevent.dtstart.value.astimezone(UTC) == _utc("2027-10-02T16:30")


def test_calendar_readers_see_each_occurrence_at_six_in_sydney() -> None:
    import vobject

    expected = instants(RULES[0])
    events = Calendar.from_ical(_occurrences_feed()).walk("VEVENT")
    assert [e.decoded("dtstart").astimezone(UTC) for e in events] == expected
    assert len({str(e["UID"]) for e in events}) == len(expected)
    read = vobject.readOne(_occurrences_feed())
    local = [e.dtstart.value for e in read.vevent_list]
    assert [m.astimezone(UTC) for m in local] == expected
    assert {m.strftime("%H:%M") for m in local} == {"06:00"}


@pytest.mark.parametrize(
    "fields",
    [
        {"count": None},
        {"until": date(2027, 5, 1)},
        {"count": None, "until": date(2027, 3, 1)},
        {"count": None, "until": date(2030, 1, 1)},
        {"count": 0},
        {"local_time": "6:00"},
        {"frequency": "yearly"},
    ],
)
def test_a_recurrence_has_exactly_one_end_within_two_years(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        recurrence(date(2027, 3, 27), **fields)
