"""Memberships API: thin HTTP layer over `memberships.logic`."""

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from memberships import logic
from memberships.schemas import (
    MEMBERSHIP_ID_PATTERN,
    UUID_PATTERN,
    JoinRequest,
    MembershipChange,
    MembershipOut,
    MembershipPage,
)
from memberships.store import MembershipStore
from shared.api.auth import caller_display_name, current_principal
from shared.api.resolver import ERROR_RESPONSES, build_resolver, lambda_handler
from shared.authz import Principal
from shared.config import get_settings
from shared.domain.enums import ClubRole, MembershipStatus
from shared.observability import metrics
from shared.store.client import dynamodb_client
from shared.store.table import Table

app = build_resolver()

CallerDep = Annotated[Principal, Depends(current_principal)]
ClubId = Annotated[str, Path(pattern=UUID_PATTERN, description="The club's id (a UUID)")]
MembershipId = Annotated[
    str, Path(pattern=MEMBERSHIP_ID_PATTERN, description="`{club_id}_{user_id}`")
]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@cache
def get_store() -> MembershipStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return MembershipStore(Table(dynamodb_client(), get_settings().table_name))


StoreDep = Annotated[MembershipStore, Depends(get_store)]


NameDep = Annotated[str | None, Depends(caller_display_name)]


def _out(membership: Any) -> MembershipOut:
    return MembershipOut.model_validate(membership.model_dump())


@app.post(
    "/clubs/<club_id>/memberships",
    summary="Join a club (open) or apply to it (approval)",
    responses=ERROR_RESPONSES,
    tags=["memberships"],
)
def join_club(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    name: NameDep,
    body: Annotated[JoinRequest, Body()] = JoinRequest(),  # noqa: B008 - immutable default
) -> Response[MembershipOut]:
    membership = logic.join(caller, club_id, body, store, name)
    metrics.add_metric(name="MembershipRequested", unit="Count", value=1)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=_out(membership),
        headers={"Location": f"/memberships/{membership.membership_id}"},
    )


@app.get(
    "/clubs/<club_id>/memberships",
    summary="List a club's members (admins: every status)",
    responses=ERROR_RESPONSES,
    tags=["memberships"],
)
def list_memberships(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    status: Annotated[MembershipStatus | None, Query()] = None,
    role: Annotated[ClubRole | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MembershipPage:
    items, next_cursor = logic.list_members(
        caller, club_id, status=status, role=role, limit=limit, cursor=cursor, store=store
    )
    return MembershipPage(items=items, next_cursor=next_cursor)


@app.put(
    "/memberships/<membership_id>",
    summary="Approve, reject, suspend, reinstate or change role (club admin)",
    responses=ERROR_RESPONSES,
    tags=["memberships"],
)
def change_membership(
    membership_id: MembershipId,
    body: Annotated[MembershipChange, Body()],
    caller: CallerDep,
    store: StoreDep,
) -> MembershipOut:
    return _out(logic.change(caller, membership_id, body, store))


@app.delete(
    "/memberships/<membership_id>",
    summary="Leave a club (yourself) or remove a member (club admin)",
    responses=ERROR_RESPONSES,
    tags=["memberships"],
)
def end_membership(
    membership_id: MembershipId, caller: CallerDep, store: StoreDep
) -> MembershipOut:
    return _out(logic.end(caller, membership_id, store))


@app.get(
    "/users/me/memberships",
    summary="The caller's memberships across clubs",
    responses=ERROR_RESPONSES,
    tags=["memberships"],
)
def my_memberships(
    caller: CallerDep, store: StoreDep, limit: Limit = 50, cursor: Cursor = None
) -> MembershipPage:
    items, next_cursor = logic.my_memberships(caller, limit, cursor, store)
    return MembershipPage(items=items, next_cursor=next_cursor)


handler = lambda_handler(app)
