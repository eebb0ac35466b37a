"""The Club entity (`docs/model.md`, `docs/domain.md`)."""

import unicodedata
from datetime import datetime

from pydantic import Field

from shared.domain.enums import ClubStatus, Discipline, JoinPolicy
from shared.domain.errors import NotFound
from shared.domain.geo import GeoPoint
from shared.domain.model import Model


def club_name_key(name: str) -> str:
    """The form of a club name that must be unique: whitespace collapsed, case folded."""
    return " ".join(name.split()).casefold()


def search_words(text: str) -> list[str]:
    """The words a name is found by: accents dropped (NFKD without combining marks: "Café"
    is "cafe"), case folded, split at anything but letters and digits; a word of one
    character finds too much to be worth an entry."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return list(dict.fromkeys(w for w in words if len(w) >= 2))


class Club(Model):
    """A cycling club: a unique name, how riders join, and its members and rides counted."""

    club_id: str
    name: str
    description: str = ""
    suburb: str | None = None
    city: str = "Sydney"
    # Where the club rides from (discovery by distance); an optional region ("Inner West").
    home: GeoPoint | None = None
    region: str | None = None
    website: str | None = None
    logo_key: str | None = None
    disciplines: list[Discipline] = Field(default_factory=list)
    join_policy: JoinPolicy = JoinPolicy.OPEN
    status: ClubStatus = ClubStatus.ACTIVE
    # Derived from domain events, eventually consistent; never written by the API.
    member_count: int = 0
    ride_count: int = 0
    created_by: str
    updated_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1


def existing_club(club: Club | None, club_id: str) -> Club:
    """The club that was read, or the 404 every context answers when there is none."""
    if club is None:
        raise NotFound(f"No club with id '{club_id}'.", code="club_not_found")
    return club
