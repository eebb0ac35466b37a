"""The iCalendar (RFC 5545) feed of a club's public upcoming rides, for calendar apps."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.club import Club
from shared.domain.ride import CLUB_TIMEZONE, Ride

PRODUCT_ID = "-//Sydney Cycling Platform//Club rides//EN"


SYDNEY = ZoneInfo(CLUB_TIMEZONE)


def render_calendar(
    club: Club, rides: list[Ride], generated_at: datetime, api_url: str | None = None
) -> bytes:
    """Times are Sydney local (`TZID=Australia/Sydney`) with the matching VTIMEZONE, so
    calendar apps place rides right on both sides of a daylight-saving change. A ride with
    a route links to its GPX (`api_url` is the API's base URL)."""
    # Imported here: only this route needs icalendar, and importing it at init would add
    # ~10 ms to the cold start of every rides route.
    from icalendar import Calendar, Event, vGeo

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{club.name} rides")
    calendar.add("x-wr-timezone", CLUB_TIMEZONE)
    for ride in rides:
        event = Event()
        event.add("uid", f"{ride.ride_id}@sydneycycling")
        event.add("dtstamp", generated_at)
        start = ride.start_at.astimezone(SYDNEY)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=ride.estimated_duration_min))
        event.add("summary", ride.title)
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
    # The zone's rules from a year back to a few years ahead: what the feed's rides need.
    today = generated_at.date()
    calendar.add_missing_timezones(
        first_date=date(today.year - 1, 1, 1), last_date=date(today.year + 4, 1, 1)
    )
    return calendar.to_ical()
