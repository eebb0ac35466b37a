"""Clubs API: thin HTTP layer over `clubs.logic`."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from clubs import logic
from clubs.schemas import UUID_PATTERN, Club, ClubCreate, ClubPage, ClubUpdate
from clubs.store import ClubStore
from shared.api.auth import current_principal
from shared.api.resolver import ERROR_RESPONSES, build_resolver, lambda_handler
from shared.authz import Principal
from shared.config import get_settings
from shared.domain.enums import ClubStatus
from shared.observability import metrics
from shared.store.client import dynamodb_client
from shared.store.table import Table

app = build_resolver()

CallerDep = Annotated[Principal, Depends(current_principal)]
ClubId = Annotated[str, Path(pattern=UUID_PATTERN, description="The club's id (a UUID)")]


@cache
def get_store() -> ClubStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return ClubStore(Table(dynamodb_client(), get_settings().table_name))


StoreDep = Annotated[ClubStore, Depends(get_store)]


@app.get("/clubs", summary="List clubs by name", responses=ERROR_RESPONSES, tags=["clubs"])
def list_clubs(
    caller: CallerDep,
    store: StoreDep,
    status: Annotated[ClubStatus, Query()] = ClubStatus.ACTIVE,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ClubPage:
    items, next_cursor = logic.list_clubs(caller, status, limit, cursor, store)
    return ClubPage(items=items, next_cursor=next_cursor)


@app.post("/clubs", summary="Create a club (SiteAdmin)", responses=ERROR_RESPONSES, tags=["clubs"])
def create_club(
    body: Annotated[ClubCreate, Body()], caller: CallerDep, store: StoreDep
) -> Response[Club]:
    club = logic.create_club(caller, body, store)
    metrics.add_metric(name="ClubCreated", unit="Count", value=1)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=club,
        headers={"Location": f"/clubs/{club.club_id}"},
    )


@app.get("/clubs/<club_id>", summary="Read a club", responses=ERROR_RESPONSES, tags=["clubs"])
def get_club(club_id: ClubId, caller: CallerDep, store: StoreDep) -> Club:
    return logic.get_club(caller, club_id, store)


@app.put(
    "/clubs/<club_id>",
    summary="Update a club (club admin or SiteAdmin)",
    responses=ERROR_RESPONSES,
    tags=["clubs"],
)
def update_club(
    club_id: ClubId, body: Annotated[ClubUpdate, Body()], caller: CallerDep, store: StoreDep
) -> Club:
    return logic.update_club(caller, club_id, body, store)


handler = lambda_handler(app)
