"""Club rules: who may do what (asked of the Authorization Service) and what changes."""

from dataclasses import dataclass
from typing import Any

from clubs.schemas import ClubCreate, ClubUpdate, ListedClub
from clubs.store import ClubStore
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club, search_words
from shared.domain.enums import ClubRole, ClubStatus, Discipline, MembershipStatus
from shared.domain.errors import Conflict
from shared.domain.geo import GeoPoint, distance_km, point_from_text, search_cells
from shared.domain.ids import new_id
from shared.domain.membership import Membership, membership_id


def create_club(principal: Principal, data: ClubCreate, store: ClubStore) -> Club:
    require(Capability.CREATE_CLUB, principal)
    now = utc_now()
    club = Club(
        club_id=new_id(),
        created_by=principal.user_id,
        updated_by=principal.user_id,
        created_at=now,
        updated_at=now,
        **data.model_dump(mode="json", exclude={"initial_admin_id"}),
    )
    # A club always has an active admin who exists: the one named, else its creator.
    first_admin = data.initial_admin_id or principal.user_id
    admin = Membership(
        membership_id=membership_id(club.club_id, first_admin),
        club_id=club.club_id,
        user_id=first_admin,
        club_role=ClubRole.ADMIN,
        status=MembershipStatus.ACTIVE,
        joined_at=now,
        decided_by=principal.user_id,
        decided_at=now,
        updated_at=now,
        updated_by=principal.user_id,
    )
    store.create(club, admin)
    return club


def get_club(principal: Principal, club_id: str, store: ClubStore) -> Club:
    require(Capability.VIEW_CLUB, principal, context=AuthzContext(club_id=club_id))
    return existing_club(store.get(club_id), club_id)


@dataclass(frozen=True)
class ClubSearch:
    """What `GET /clubs` narrows by, besides the status."""

    near: GeoPoint | None = None
    radius_km: float = 10
    discipline: Discipline | None = None
    words: tuple[str, ...] = ()
    # A `q` was given (with no word in it, nothing matches).
    named: bool = False


def club_search(
    near: str | None, radius_km: float, discipline: Discipline | None, q: str | None
) -> ClubSearch:
    """The search a request asks for. A `q` without a word of two letters or digits
    finds nothing."""
    point = point_from_text(near) if near is not None else None
    words = tuple(search_words(q)) if q is not None else ()
    return ClubSearch(point, radius_km, discipline, words, q is not None)


def list_clubs(
    principal: Principal,
    status: ClubStatus,
    search: ClubSearch,
    limit: int,
    cursor: str | None,
    store: ClubStore,
) -> tuple[list[ListedClub], str | None]:
    """Near a point: the nearest first, up to `limit` within the radius (no further pages).
    By name words: a page of the clubs with a name word beginning with the longest word
    given (then every word checked), which may hold fewer than `limit`. Otherwise the
    directory, by name."""
    require(Capability.LIST_CLUBS, principal)
    if search.near is not None:
        return _nearest(status, search, search.near, limit, store), None
    if search.named and not search.words:
        return [], None
    if search.words:
        longest = max(search.words, key=len)
        ids, next_cursor = store.named(longest, limit, cursor)
        found = store.clubs(ids)
        listed = [found[i] for i in ids if i in found and _matches(found[i], status, search)]
        return [ListedClub(**c.model_dump()) for c in listed], next_cursor
    clubs, next_cursor = store.list_page(status, limit, cursor)
    listed = [c for c in clubs if _matches(c, status, search)]
    return [ListedClub(**c.model_dump()) for c in listed], next_cursor


def _matches(club: Club, status: ClubStatus, search: ClubSearch) -> bool:
    if club.status is not status:
        return False
    if search.discipline is not None and search.discipline not in club.disciplines:
        return False
    name = search_words(club.name)
    return all(any(w.startswith(given) for w in name) for given in search.words)


# Searches widen through these radii (km) up to the one asked for, and stop at the first
# that holds `limit` clubs: those are the nearest, so a dense city costs what the page
# needs, not everything within a wide radius.
RINGS_KM = (1, 2, 5, 10, 25, 50)


def _nearest(
    status: ClubStatus, search: ClubSearch, near: GeoPoint, limit: int, store: ClubStore
) -> list[ListedClub]:
    rings = [r for r in RINGS_KM if r < search.radius_km] + [search.radius_km]
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    listed: list[ListedClub] = []
    for ring in rings:
        level, wanted = search_cells(near.lat, near.lon, ring)
        for cell in wanted:
            if (level.name, cell) not in seen:
                seen[(level.name, cell)] = store.places(level.name, cell)
        entries = [e for cell in wanted for e in seen[(level.name, cell)]]
        distances = _within(entries, near, ring, status, search.discipline)
        if len(distances) < limit and ring < search.radius_km:
            continue  # too few this close: the nearest may lie further out
        listed = _read_nearest(distances, status, search, limit, store)
        if len(listed) >= limit:
            break
    return listed


def _within(
    entries: list[dict[str, Any]],
    near: GeoPoint,
    radius_km: float,
    status: ClubStatus,
    discipline: Discipline | None,
) -> dict[str, float]:
    """Club id -> distance, for the entries within the radius that pass the filters."""
    found: dict[str, float] = {}
    for entry in entries:
        if entry["status"] != status.value:
            continue
        if discipline and discipline.value not in entry["disciplines"]:
            continue
        away = distance_km(near.lat, near.lon, float(entry["lat"]), float(entry["lon"]))
        if away <= radius_km:
            found[str(entry["club_id"])] = away
    return found


def _read_nearest(
    distances: dict[str, float],
    status: ClubStatus,
    search: ClubSearch,
    limit: int,
    store: ClubStore,
) -> list[ListedClub]:
    """The nearest clubs that match, read in distance order until `limit` match (name
    words need the club itself; without words every candidate matches)."""
    ordered = sorted(distances, key=lambda c: (distances[c], c))
    step = 100 if search.words else limit
    listed: list[ListedClub] = []
    for offset in range(0, len(ordered), step):
        batch = ordered[offset : offset + step]
        found = store.clubs(batch)
        for club_id in batch:
            club = found.get(club_id)
            if club is not None and _matches(club, status, search):
                listed.append(ListedClub(**club.model_dump(), away_km=round(distances[club_id], 2)))
        if len(listed) >= limit:
            break
    return listed[:limit]


def update_club(principal: Principal, club_id: str, data: ClubUpdate, store: ClubStore) -> Club:
    found, membership = store.get_with_membership(club_id, principal.user_id)
    club = existing_club(found, club_id)
    require(Capability.EDIT_CLUB, principal, membership, AuthzContext(club_id=club_id))
    if data.version != club.version:
        raise Conflict(
            f"The club is at version {club.version}, not {data.version}; read it again.",
            code="version_conflict",
        )
    updated = Club.model_validate(
        {
            **club.model_dump(),
            **data.changes(),
            "updated_at": utc_now(),
            "updated_by": principal.user_id,
            "version": club.version + 1,
        }
    )
    store.update(club, updated)
    return updated
