"""A club's statistics for its admins (`GET /clubs/{club_id}/stats`, `docs/club-stats.md`):
the daily tallies the Counts consumer keeps (`shared/domain/club_stats.py`), added up over
a range of Sydney days and by month. Two reads: the club with the caller's membership, and
the range's tallies (a year of days is one page)."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

from shared.authz import AuthzContext, Capability, MembershipView, Principal, require
from shared.domain import club_stats as tally
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.errors import BadRequest
from shared.domain.model import Model
from shared.store.club_stats import club_days
from shared.store.clubs import read_club_and_membership
from shared.store.table import Table

# The longest range one request adds up (a year, leap day included).
MAX_RANGE_DAYS = 366
_A_YEAR = timedelta(days=MAX_RANGE_DAYS - 1)
# As the ride listings bound their times (`rides.schemas.EARLIEST`).
_EARLIEST, _LATEST = date(2000, 1, 1), date(2100, 1, 1)


def _plausible(day: date) -> date:
    if not _EARLIEST <= day < _LATEST:
        raise ValueError(f"give a day between {_EARLIEST:%Y} and {_LATEST:%Y}")
    return day


# A bound of the range (`from`, `to`): a Sydney day, both ends included. The document says
# the years it takes, so a client (or a fuzzer) knows the bound without meeting the 422.
StatsDay = Annotated[
    date,
    AfterValidator(_plausible),
    WithJsonSchema({"type": "string", "format": "date", "pattern": "^20[0-9]{2}-"}),
]


class StatsFigures(Model):
    members_joined: int = 0
    members_left: int = 0
    # Published, not cancelled, on days before today (Sydney); upcoming: today and later.
    rides_held: int = 0
    rides_upcoming: int = 0
    rides_cancelled: int = 0
    riders_attended: int = 0
    riders_no_show: int = 0
    # Attended / (attended + no-shows); no-shows / the same (none: nothing marked).
    attendance_rate: float | None = None
    no_show_rate: float | None = None
    # Riders who attended / rides held (none: no ride held).
    riders_per_ride: float | None = None
    # The rides' own distance and climbing, once per rider who attended.
    ridden_km: float = 0
    climbed_m: float = 0
    # What the riders' matched Strava activities recorded.
    strava_km: float = 0
    strava_climbed_m: float = 0


class MonthStats(StatsFigures):
    month: str  # YYYY-MM


class PaceClassStats(Model):
    pace_class: str
    rides: int
    riders: int


class ClubStats(Model):
    club_id: str
    first_day: date
    last_day: date
    # Sydney's today: rides before it were held, from it on are upcoming.
    today: date
    members_now: int
    totals: StatsFigures
    months: list[MonthStats]
    # Busiest first: riders who attended, then rides.
    pace_classes: list[PaceClassStats]


class StatsStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def club_and_caller(
        self, club_id: str, user_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, user_id)

    def days(self, club_id: str, first: date, last: date) -> list[dict[str, Any]]:
        return club_days(self.table, club_id, first.isoformat(), last.isoformat())


def stats_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The range asked for; by default the twelve months to today (this one included), or
    a year from `from` if only that is given (upcoming rides included)."""
    if last is None:
        last = today if first is None else first + _A_YEAR
    if first is None:
        months_back = last.year * 12 + last.month - 1 - 11
        first = date(months_back // 12, months_back % 12 + 1, 1)
    if first > last:
        raise BadRequest("`from` is after `to`.", code="invalid_range")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise BadRequest(f"A range is at most {MAX_RANGE_DAYS} days.", code="range_too_long")
    return first, last


def club_stats(
    principal: Principal,
    club_id: str,
    first: date | None,
    last: date | None,
    store: StatsStore,
) -> ClubStats:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    club = existing_club(club, club_id)
    require(Capability.EDIT_CLUB, principal, membership, AuthzContext(club_id=club_id))
    today = tally.sydney_day(utc_now())
    first, last = stats_range(first, last, today)
    days = store.days(club_id, first, last)
    months: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for day in days:
        months[str(day["SK"])[:7]].append(day)
    return ClubStats(
        club_id=club_id,
        first_day=first,
        last_day=last,
        today=today,
        members_now=club.member_count,
        totals=StatsFigures(**_figures(days, today)),
        months=[MonthStats(month=m, **_figures(ds, today)) for m, ds in sorted(months.items())],
        pace_classes=_pace_classes(days),
    )


def _sum(days: list[dict[str, Any]], name: str) -> float:
    return round(sum(float(d.get(name) or 0) for d in days), 3)


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def _figures(days: list[dict[str, Any]], today: date) -> dict[str, Any]:
    past = [d for d in days if str(d["SK"]) < today.isoformat()]
    held = int(_sum(past, tally.RIDES_SCHEDULED))
    attended, no_shows = int(_sum(days, tally.ATTENDED)), int(_sum(days, tally.NO_SHOWS))
    return {
        "members_joined": int(_sum(days, tally.MEMBERS_JOINED)),
        "members_left": int(_sum(days, tally.MEMBERS_LEFT)),
        "rides_held": held,
        "rides_upcoming": int(_sum(days, tally.RIDES_SCHEDULED)) - held,
        "rides_cancelled": int(_sum(days, tally.RIDES_CANCELLED)),
        "riders_attended": attended,
        "riders_no_show": no_shows,
        "attendance_rate": _ratio(attended, attended + no_shows),
        "no_show_rate": _ratio(no_shows, attended + no_shows),
        "riders_per_ride": _ratio(attended, held),
        "ridden_km": _sum(days, tally.RIDDEN_KM),
        "climbed_m": _sum(days, tally.CLIMBED_M),
        "strava_km": _sum(days, tally.STRAVA_KM),
        "strava_climbed_m": _sum(days, tally.STRAVA_CLIMBED_M),
    }


def _pace_classes(days: list[dict[str, Any]]) -> list[PaceClassStats]:
    found = [
        PaceClassStats(
            pace_class=pace,
            rides=int(_sum(days, tally.pace_rides(pace))),
            riders=int(_sum(days, tally.pace_riders(pace))),
        )
        for pace in tally.PACE_CLASSES
    ]
    busy = [p for p in found if p.rides or p.riders]
    return sorted(busy, key=lambda p: (-p.riders, -p.rides, p.pace_class))
