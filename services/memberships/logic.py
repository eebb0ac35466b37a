"""Membership rules: joining, applications, decisions, leaving and removal."""

from memberships.schemas import JoinRequest, MembershipChange, MembershipOut
from memberships.store import MembershipStore
from shared.authz import (
    AuthzContext,
    Capability,
    MembershipView,
    Principal,
    holds,
    require,
)
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.enums import ClubRole, ClubStatus, JoinPolicy, MembershipStatus
from shared.domain.errors import Conflict, Forbidden, NotFound
from shared.domain.membership import (
    CURRENT,
    MANAGER_TRANSITIONS,
    Membership,
    membership_id,
    split_membership_id,
)


def _authz_view(membership: Membership | None) -> MembershipView | None:
    if membership is None:
        return None
    return MembershipView(
        membership.club_id, membership.user_id, membership.club_role, membership.status
    )


def join(
    principal: Principal,
    club_id: str,
    data: JoinRequest,
    store: MembershipStore,
    display_name: str | None = None,
) -> Membership:
    club, mine, _ = store.read(club_id, principal.user_id, principal.user_id)
    club = existing_club(club, club_id)
    if club.status is ClubStatus.ARCHIVED:
        raise Conflict("The club is archived and takes no members.", code="club_archived")
    if mine is not None and mine.status in CURRENT:
        raise Conflict(
            f"You already have a {mine.status} membership of this club.", code="membership_exists"
        )
    require(Capability.JOIN_CLUB, principal, _authz_view(mine), AuthzContext(club_id=club_id))
    now = utc_now()
    opens = club.join_policy is JoinPolicy.OPEN
    joined = Membership(
        membership_id=membership_id(club_id, principal.user_id),
        club_id=club_id,
        user_id=principal.user_id,
        club_role=ClubRole.MEMBER,
        status=MembershipStatus.ACTIVE if opens else MembershipStatus.PENDING,
        display_name=display_name,
        application_message=None if opens else data.application_message,
        requested_at=now,
        joined_at=now if opens else None,
        updated_at=now,
        updated_by=principal.user_id,
        version=mine.version + 1 if mine else 1,
    )
    # A previous membership (left or rejected) is reused, conditional on its version, so
    # a join racing a removal cannot resurrect the member.
    store.put(joined, expected_version=mine.version if mine else None)
    return joined


def list_members(
    principal: Principal,
    club_id: str,
    *,
    status: MembershipStatus | None,
    role: ClubRole | None,
    limit: int,
    cursor: str | None,
    store: MembershipStore,
) -> tuple[list[MembershipOut], str | None]:
    club, _, caller = store.read(club_id, principal.user_id, principal.user_id)
    existing_club(club, club_id)
    context = AuthzContext(club_id=club_id)
    require(Capability.VIEW_MEMBERS, principal, caller, context)
    sees_all = holds(Capability.VIEW_APPLICATIONS, principal, caller, context)
    if not sees_all and status not in (None, MembershipStatus.ACTIVE):
        require(Capability.VIEW_APPLICATIONS, principal, caller, context)  # refuses
    members, next_cursor = store.list_club(
        club_id,
        status=status if sees_all else MembershipStatus.ACTIVE,
        role=role,
        limit=limit,
        cursor=cursor,
    )
    return [_as_seen(m, full=sees_all) for m in members], next_cursor


def _as_seen(membership: Membership, *, full: bool) -> MembershipOut:
    out = MembershipOut.model_validate(membership.model_dump())
    if full:
        return out
    return out.model_copy(
        update={"application_message": None, "decided_by": None, "decided_at": None}
    )


def get_membership(principal: Principal, target_id: str, store: MembershipStore) -> MembershipOut:
    """One membership: its member sees all of it; the club's members see an active one as
    the member list shows it; who sees applications sees any, the decision's details too."""
    club, target, caller = _read_target(store, principal, target_id)
    if target.user_id == principal.user_id:
        return _as_seen(target, full=True)
    context = AuthzContext(club_id=club.club_id)
    require(Capability.VIEW_MEMBERS, principal, caller, context)
    sees_all = holds(Capability.VIEW_APPLICATIONS, principal, caller, context)
    if target.status is not MembershipStatus.ACTIVE and not sees_all:
        require(Capability.VIEW_APPLICATIONS, principal, caller, context)  # refuses
    return _as_seen(target, full=sees_all)


def _read_target(
    store: MembershipStore, principal: Principal, target_id: str
) -> tuple[Club, Membership, MembershipView | None]:
    club_id, user_id = split_membership_id(target_id)
    club, target, caller = store.read(club_id, user_id, principal.user_id)
    if club is None or target is None:
        raise NotFound(f"No membership with id '{target_id}'.", code="membership_not_found")
    return club, target, caller


def decide_or_change_role(
    principal: Principal, target_id: str, data: MembershipChange, store: MembershipStore
) -> Membership:
    """A club admin approves, rejects, suspends, reinstates or changes a role."""
    club, target, caller = _read_target(store, principal, target_id)
    require(Capability.MANAGE_MEMBERSHIPS, principal, caller, AuthzContext(club_id=club.club_id))
    if target.user_id == principal.user_id:
        raise Forbidden("Nobody changes their own role or status.", code="own_membership")
    if data.version != target.version:
        raise Conflict(
            f"The membership is at version {target.version}, not {data.version}.",
            code="version_conflict",
        )
    status = data.status or target.status
    role = data.club_role or target.club_role
    if status is not target.status and (target.status, status) not in MANAGER_TRANSITIONS:
        raise Conflict(
            f"A {target.status} membership cannot become {status}.", code="invalid_transition"
        )
    if role is not target.club_role and status is not MembershipStatus.ACTIVE:
        raise Conflict("Only active members change role.", code="invalid_transition")
    if status is target.status and role is target.club_role:
        return target
    now = utc_now()
    decided = target.status is MembershipStatus.PENDING
    after = target.model_copy(
        update={
            "status": status,
            "club_role": role,
            "joined_at": now if decided and status is MembershipStatus.ACTIVE else target.joined_at,
            "decided_by": principal.user_id if decided else target.decided_by,
            "decided_at": now if decided else target.decided_at,
            "updated_at": now,
            "updated_by": principal.user_id,
            "version": target.version + 1,
        }
    )
    store.replace(target, after)
    return after


def leave_or_remove(principal: Principal, target_id: str, store: MembershipStore) -> Membership:
    """The member leaves (or withdraws an application), or an admin removes them."""
    club, target, caller = _read_target(store, principal, target_id)
    context = AuthzContext(club_id=club.club_id)
    if target.user_id == principal.user_id:
        require(Capability.LEAVE, principal, caller, context)
        status = MembershipStatus.LEFT
    else:
        require(Capability.MANAGE_MEMBERSHIPS, principal, caller, context)
        if target.status is MembershipStatus.REMOVED:
            raise Conflict("The member was already removed.", code="invalid_transition")
        status = MembershipStatus.REMOVED
    now = utc_now()
    after = target.model_copy(
        update={
            "status": status,
            "decided_by": principal.user_id if status is MembershipStatus.REMOVED else None,
            "decided_at": now if status is MembershipStatus.REMOVED else None,
            "updated_at": now,
            "updated_by": principal.user_id,
            "version": target.version + 1,
        }
    )
    store.replace(target, after)
    return after


def my_memberships(
    principal: Principal, limit: int, cursor: str | None, store: MembershipStore
) -> tuple[list[MembershipOut], str | None]:
    # Any signed-in user, and only their own memberships.
    require(Capability.LIST_CLUBS, principal)
    items, next_cursor = store.list_user(principal.user_id, limit=limit, cursor=cursor)
    return [_as_seen(m, full=False) for m in items], next_cursor
