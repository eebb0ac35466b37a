"""`GET /rides`: scheduled rides of any club near a point, soonest first.

Public rides of every club, and members-only rides of the caller's own clubs, never
others. The search reads the cells around the point (`shared/domain/geo.py`) for entries
starting in the window, narrowed before any ride is read (pace, surface, discipline, and
visibility: public, or a club the caller's memberships index names); then the page's
rides and the caller's memberships of their clubs are read consistently and each ride is
shown only if its own page would show it to the caller, it is still scheduled, near and
in the window, and (if asked) has places left.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rides.discovery_store import DiscoveryStore
from rides.ride_logic import ride_context
from rides.schemas import NearbyRide
from shared.authz import Capability, Principal, holds
from shared.domain.clock import utc_now
from shared.domain.enums import Discipline, PaceClass, RideStatus, Surface
from shared.domain.errors import Unprocessable
from shared.domain.geo import GeoPoint, distance_km, point_from_text, search_cells
from shared.domain.ride import Ride, utc_text
from shared.store.cursor import decode_cursor, encode_cursor

DEFAULT_WINDOW = timedelta(days=14)
MAX_WINDOW = timedelta(days=62)
_CURSOR_KEYS = ("after",)


@dataclass(frozen=True)
class RideSearch:
    near: GeoPoint
    radius_km: float
    start: datetime
    end: datetime
    pace_class: PaceClass | None = None
    surface: Surface | None = None
    discipline: Discipline | None = None
    has_places: bool = False


def ride_search(
    near: str,
    radius_km: float,
    start: datetime | None,
    end: datetime | None,
    **narrowing: Any,
) -> RideSearch:
    begin = start or utc_now()
    finish = end or begin + DEFAULT_WINDOW
    if not begin < finish <= begin + MAX_WINDOW:
        raise Unprocessable(
            "`to` must come after `from`, at most 62 days later.", code="bad_window"
        )
    return RideSearch(point_from_text(near), radius_km, begin, finish, **narrowing)


def _filters(search: RideSearch, my_clubs: list[str]) -> tuple[str, dict[str, Any], dict[str, str]]:
    """What the entries are narrowed by before any ride is read."""
    clauses: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for field, wanted in (("pace_class", search.pace_class), ("surface", search.surface)):
        if wanted is not None:
            clauses.append(f"{field} = :{field}")
            values[f":{field}"] = wanted.value
    if search.discipline is not None:
        clauses.append("contains(disciplines, :discipline)")
        values[":discipline"] = search.discipline.value
    visible = ["visibility = :public"]
    values[":public"] = "public"
    for n, club_id in enumerate(my_clubs[:90]):  # an expression holds up to 100 operands
        values[f":c{n}"] = club_id
    if my_clubs:
        visible.append(f"club_id IN ({', '.join(f':c{n}' for n in range(len(my_clubs[:90])))})")
    clauses.append(f"({' OR '.join(visible)})")
    return " AND ".join(clauses), values, names


def _candidates(
    search: RideSearch, after: str | None, limit: int, store: DiscoveryStore, my_clubs: list[str]
) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` entries within the radius from each cell, soonest first, and whether
    any cell has more."""
    level, wanted = search_cells(search.near.lat, search.near.lon, search.radius_km)
    low = after + "!" if after else utc_text(search.start)  # "!" sorts before any id
    high = utc_text(search.end) + "~"
    if low > high:  # a cursor past the window
        return [], False
    filters = _filters(search, my_clubs)
    found: list[dict[str, Any]] = []
    more = False
    for cell in wanted:
        taken: list[dict[str, Any]] = []
        start_key: dict[str, Any] | None = None
        page_size = limit
        while len(taken) < limit:
            page, start_key = store.entries_page(
                level.name, cell, low, high, filters, start_key, page_size
            )
            page_size = 4 * limit  # a short page: the filters are selective here
            taken += [e for e in page if _near(search, e)]
            if not start_key:
                break
        more = more or start_key is not None or len(taken) > limit
        found += taken[:limit]
    found.sort(key=lambda e: str(e["SK"]))
    return found[:limit], more or len(found) > limit


def _near(search: RideSearch, entry: dict[str, Any]) -> bool:
    away = distance_km(search.near.lat, search.near.lon, float(entry["lat"]), float(entry["lon"]))
    return away <= search.radius_km


def _shown(ride: Ride, search: RideSearch) -> bool:
    if ride.status is not RideStatus.SCHEDULED or not search.start <= ride.start_at <= search.end:
        return False
    full = ride.capacity is not None and ride.participant_count >= ride.capacity
    if search.has_places and full:
        return False
    point = ride.meeting_point
    return distance_km(search.near.lat, search.near.lon, point.lat, point.lon) <= search.radius_km


def find_rides(
    principal: Principal, search: RideSearch, limit: int, cursor: str | None, store: DiscoveryStore
) -> tuple[list[NearbyRide], str | None]:
    after = decode_cursor(cursor, key_names=_CURSOR_KEYS, fixed={})
    my_clubs = store.active_club_ids(principal.user_id)
    entries, more = _candidates(
        search, after["after"]["S"] if after else None, limit, store, my_clubs
    )
    members_only = sorted({str(e["club_id"]) for e in entries if e["visibility"] != "public"})
    rides, memberships = store.rides_and_memberships(
        [str(e["ride_id"]) for e in entries], members_only, principal.user_id
    )
    shown: list[NearbyRide] = []
    for entry in entries:
        ride = rides.get(str(entry["ride_id"]))
        if ride is None or not _shown(ride, search):
            continue
        context = ride_context(ride)
        if not holds(Capability.VIEW_RIDE, principal, memberships.get(ride.club_id), context):
            continue
        point = ride.meeting_point
        away = distance_km(search.near.lat, search.near.lon, point.lat, point.lon)
        shown.append(NearbyRide(**ride.model_dump(), away_km=round(away, 2)))
    last = {"after": {"S": str(entries[-1]["SK"])}} if more and entries else None
    next_cursor = encode_cursor(last)
    return shown, next_cursor
