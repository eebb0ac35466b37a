"""Clubs API: thin HTTP layer over `clubs.logic`."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from clubs import logic
from clubs.audit_log import AuditPage, AuditStore, club_log, platform_log
from clubs.schemas import Club, ClubCreate, ClubPage, ClubUpdate
from clubs.stats_report import ClubStats, StatsDay, StatsStore, club_stats
from clubs.store import ClubStore
from shared.api.auth import CallerDep
from shared.api.params import ClubId, Cursor, Near, PageLimit, RadiusKm
from shared.api.resolver import build_resolver, documented, make_handler
from shared.api.responses import created
from shared.domain.enums import ClubStatus, Discipline
from shared.observability import metrics
from shared.store.table import app_table

app = build_resolver()
TAG = "clubs"


@cache
def get_store() -> ClubStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return ClubStore(app_table())


StoreDep = Annotated[ClubStore, Depends(get_store)]


@cache
def get_audit_store() -> AuditStore:
    return AuditStore(app_table())


AuditDep = Annotated[AuditStore, Depends(get_audit_store)]
# The member (user id), ride, webhook or club the entries are about.
Subject = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="A member's user id, or a ride's, webhook's or the club's id",
    ),
]


@app.get("/clubs", **documented(TAG, "List clubs by name"))
def list_clubs(
    caller: CallerDep,
    store: StoreDep,
    status: Annotated[ClubStatus, Query()] = ClubStatus.ACTIVE,
    # The clubs whose home is within `radius_km`, nearest first (up to `limit`, no pages).
    near: Near | None = None,
    radius_km: RadiusKm = 10,
    discipline: Annotated[Discipline | None, Query()] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=80,
            description="Words the club's name has words beginning with (case and accents ignored)",
        ),
    ] = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> ClubPage:
    search = logic.club_search(near, radius_km, discipline, q)
    items, next_cursor = logic.list_clubs(caller, status, search, limit, cursor, store)
    return ClubPage(items=items, next_cursor=next_cursor)


@app.post("/clubs", **documented(TAG, "Create a club (SiteAdmin)", success=(201,)))
def create_club(
    body: Annotated[ClubCreate, Body()], caller: CallerDep, store: StoreDep
) -> Response[Club]:
    club = logic.create_club(caller, body, store)
    metrics.add_metric(name="ClubCreated", unit="Count", value=1)
    return created(club, f"/clubs/{club.club_id}")


@app.get("/clubs/<club_id>", **documented(TAG, "Read a club"))
def get_club(club_id: ClubId, caller: CallerDep, store: StoreDep) -> Club:
    return logic.get_club(caller, club_id, store)


@app.put("/clubs/<club_id>", **documented(TAG, "Update a club (club admin or SiteAdmin)"))
def update_club(
    club_id: ClubId, body: Annotated[ClubUpdate, Body()], caller: CallerDep, store: StoreDep
) -> Club:
    return logic.update_club(caller, club_id, body, store)


@app.get(
    "/clubs/<club_id>/audit",
    **documented(TAG, "Who changed what in the club, newest first (its admins)"),
)
def club_audit(
    club_id: ClubId,
    caller: CallerDep,
    store: AuditDep,
    subject: Subject = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> AuditPage:
    return club_log(caller, club_id, subject, limit, cursor, store)


@cache
def get_stats_store() -> StatsStore:
    return StatsStore(app_table())


@app.get(
    "/clubs/<club_id>/stats",
    **documented(
        TAG,
        "The club's statistics over a range of Sydney days, by month (its admins; "
        "eventually consistent)",
    ),
)
def get_club_stats(
    club_id: ClubId,
    caller: CallerDep,
    store: Annotated[StatsStore, Depends(get_stats_store)],
    first: Annotated[StatsDay | None, Query(alias="from")] = None,
    last: Annotated[StatsDay | None, Query(alias="to")] = None,
) -> ClubStats:
    return club_stats(caller, club_id, first, last, store)


@app.get("/audit", **documented(TAG, "What SiteAdmins changed on the platform (SiteAdmins)"))
def platform_audit(
    caller: CallerDep,
    store: AuditDep,
    subject: Subject = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> AuditPage:
    return platform_log(caller, subject, limit, cursor, store)


handler = make_handler(app)
