"""The iCalendar (RFC 5545) feeds, for calendar apps: a club's public upcoming rides, and a
rider's own rides (their personal feed).

Sydney changes its clocks twice a year, and calendar apps read local times in their own
ways, so the feed keeps to what every common reader places right (checked in
`tests/unit/test_calendar_feed.py` with three independent readers):

- every end is computed on the timeline (start + duration in UTC), then converted: a ride
  across a change lasts what it lasts, not an hour more or less on the wall clock;
- a time is written as Sydney local time (`TZID=Australia/Sydney`) only where it is
  unambiguous; one in the hour that repeats when clocks go back can only be written in
  UTC (RFC 5545 §3.3.5 reads a repeated local time as its first occurrence);
- the VTIMEZONE is the RRULE form tzdata-derived calendars use, with each onset at the
  local time before the change, as RFC 5545's own example does (a comma-separated RDATE
  list is not read by every reader).
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.clock import CLUB_TIMEZONE
from shared.domain.enums import RideStatus
from shared.domain.ride import Ride

PRODUCT_ID = "-//Sydney Cycling Platform//Club rides//EN"


SYDNEY = ZoneInfo(CLUB_TIMEZONE)
# New South Wales' rule since 2008 (Standard Time Act 1987, as amended in 2007): daylight
# time from 2:00 standard time on the first Sunday in October to 3:00 daylight time on the
# first Sunday in April. A test holds it to the zone database year by year.
AEST, AEDT = timedelta(hours=10), timedelta(hours=11)
DAYLIGHT_ONSET = datetime(2008, 10, 5, 2, 0)  # local (standard) time before the jump
STANDARD_ONSET = datetime(2008, 4, 6, 3, 0)  # local (daylight) time before going back


def is_ambiguous(moment: datetime) -> bool:
    """Whether the local wall-clock time of `moment` happens twice in Sydney."""
    local = moment.astimezone(SYDNEY).replace(tzinfo=None)
    first = local.replace(tzinfo=SYDNEY, fold=0).utcoffset()
    second = local.replace(tzinfo=SYDNEY, fold=1).utcoffset()
    return first != second


def feed_time(moment: datetime) -> datetime:
    """Sydney local time where the wall clock names one instant, UTC where it does not."""
    if is_ambiguous(moment):
        return moment.astimezone(UTC)
    return moment.astimezone(SYDNEY)


def sydney_vtimezone() -> Any:
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", CLUB_TIMEZONE)
    for kind, onset, month, before, after, name in (
        (TimezoneDaylight, DAYLIGHT_ONSET, 10, AEST, AEDT, "AEDT"),
        (TimezoneStandard, STANDARD_ONSET, 4, AEDT, AEST, "AEST"),
    ):
        part = kind()
        part.add("dtstart", onset)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "1SU"})
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", name)
        zone.add_component(part)
    return zone


def render_calendar(
    name: str,
    rides: list[Ride],
    generated_at: datetime,
    api_url: str | None = None,
    waitlisted: set[str] | frozenset[str] = frozenset(),
) -> bytes:
    """A ride with a route links to its GPX (`api_url` is the API's base URL); a cancelled
    ride is a cancelled event (RFC 5545 §3.8.1.11), which calendar apps strike out or drop;
    a ride whose id is in `waitlisted` says so in its title."""
    # Imported here: only this route needs icalendar, and importing it at init would add
    # ~10 ms to the cold start of every rides route.
    from icalendar import Calendar, Event, vGeo

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", CLUB_TIMEZONE)
    calendar.add_component(sydney_vtimezone())
    for ride in rides:
        event = Event()
        event.add("uid", f"{ride.ride_id}@sydneycycling")
        event.add("dtstamp", generated_at.astimezone(UTC))
        start = ride.start_at.astimezone(UTC)
        end = start + timedelta(minutes=ride.estimated_duration_min)
        event.add("dtstart", feed_time(start))
        event.add("dtend", feed_time(end))
        waiting = ride.ride_id in waitlisted
        event.add("summary", f"Waitlist: {ride.title}" if waiting else ride.title)
        cancelled = ride.status is RideStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if waiting else "CONFIRMED")
        details = [
            f"{ride.distance_km:g} km, {ride.elevation_gain_m} m climbing",
            f"Surface: {ride.surface}; pace class {ride.pace_class}; {ride.drop_policy}",
        ]
        if ride.description:
            details.insert(0, ride.description)
        event.add("description", "\n".join(details))
        event.add("location", ride.meeting_point.name)
        event.add("geo", vGeo((ride.meeting_point.lat, ride.meeting_point.lon)))
        event.add("sequence", ride.version)
        if ride.route_key and api_url:
            event.add("url", f"{api_url.rstrip('/')}/rides/{ride.ride_id}/route.gpx")
        calendar.add_component(event)
    return calendar.to_ical()
