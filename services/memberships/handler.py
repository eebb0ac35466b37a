"""Memberships API: thin HTTP layer over `memberships.logic`."""

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from memberships import logic
from memberships.schemas import JoinRequest, MembershipChange, MembershipOut, MembershipPage
from memberships.store import MembershipStore
from shared.api.auth import CallerDep, CallerNameDep
from shared.api.params import ClubId, Cursor, MembershipId, PageLimit
from shared.api.resolver import build_resolver, documented, make_handler
from shared.api.responses import created
from shared.domain.enums import ClubRole, MembershipStatus
from shared.observability import metrics
from shared.store.table import app_table

app = build_resolver()
TAG = "memberships"


@cache
def get_store() -> MembershipStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return MembershipStore(app_table())


StoreDep = Annotated[MembershipStore, Depends(get_store)]


def _as_response(membership: Any) -> MembershipOut:
    return MembershipOut.model_validate(membership.model_dump())


@app.post(
    "/clubs/<club_id>/memberships",
    **documented(TAG, "Join a club (open) or apply to it (approval)", success=(201,)),
)
def join_club(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    name: CallerNameDep,
    body: Annotated[JoinRequest, Body()] = JoinRequest(),  # noqa: B008 - immutable default
) -> Response[MembershipOut]:
    membership = logic.join(caller, club_id, body, store, name)
    metrics.add_metric(name="MembershipRequested", unit="Count", value=1)
    return created(_as_response(membership), f"/memberships/{membership.membership_id}")


@app.get(
    "/clubs/<club_id>/memberships",
    **documented(TAG, "List a club's members (admins: every status)"),
)
def list_memberships(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    status: Annotated[MembershipStatus | None, Query()] = None,
    role: Annotated[ClubRole | None, Query()] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> MembershipPage:
    items, next_cursor = logic.list_members(
        caller, club_id, status=status, role=role, limit=limit, cursor=cursor, store=store
    )
    return MembershipPage(items=items, next_cursor=next_cursor)


@app.get(
    "/memberships/<membership_id>",
    **documented(TAG, "One membership (its member; the club's members; admins: any status)"),
)
def get_membership(
    membership_id: MembershipId, caller: CallerDep, store: StoreDep
) -> MembershipOut:
    return logic.get_membership(caller, membership_id, store)


@app.put(
    "/memberships/<membership_id>",
    **documented(TAG, "Approve, reject, suspend, reinstate or change role (club admin)"),
)
def change_membership(
    membership_id: MembershipId,
    body: Annotated[MembershipChange, Body()],
    caller: CallerDep,
    store: StoreDep,
) -> MembershipOut:
    return _as_response(logic.decide_or_change_role(caller, membership_id, body, store))


@app.delete(
    "/memberships/<membership_id>",
    **documented(TAG, "Leave a club (yourself) or remove a member (club admin)"),
)
def end_membership(
    membership_id: MembershipId, caller: CallerDep, store: StoreDep
) -> MembershipOut:
    return _as_response(logic.leave_or_remove(caller, membership_id, store))


@app.get("/users/me/memberships", **documented(TAG, "The caller's memberships across clubs"))
def my_memberships(
    caller: CallerDep, store: StoreDep, limit: PageLimit = 50, cursor: Cursor = None
) -> MembershipPage:
    items, next_cursor = logic.my_memberships(caller, limit, cursor, store)
    return MembershipPage(items=items, next_cursor=next_cursor)


handler = make_handler(app)
