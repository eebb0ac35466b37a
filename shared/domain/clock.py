"""The one clock of the domain: timezone-aware UTC, so stored times compare and sort."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
