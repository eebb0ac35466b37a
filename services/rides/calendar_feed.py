"""The iCalendar (RFC 5545) feed of a club's public upcoming rides, for calendar apps."""

from datetime import timedelta

from icalendar import Calendar, Event, vGeo

from shared.domain.club import Club
from shared.domain.ride import CLUB_TIMEZONE, Ride

PRODUCT_ID = "-//Sydney Cycling Platform//Club rides//EN"


def render_calendar(club: Club, rides: list[Ride], generated_at: object) -> bytes:
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
        event.add("dtstart", ride.start_at)
        event.add("dtend", ride.start_at + timedelta(minutes=ride.estimated_duration_min))
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
        calendar.add_component(event)
    return calendar.to_ical()
