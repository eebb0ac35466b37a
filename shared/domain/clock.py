"""The one clock of the domain: timezone-aware UTC, so stored times compare and sort."""

from datetime import UTC, datetime

# Where the clubs ride: their days, and the times in their calendars, are Sydney's.
CLUB_TIMEZONE = "Australia/Sydney"


def utc_now() -> datetime:
    return datetime.now(UTC)
