"""Ride rules: publishing, listing, reading and editing club rides."""

from datetime import datetime

from rides.schemas import RideCreate, RideDetail, RideUpdate
from rides.store import RideStore
from shared.authz import AuthzContext, Capability, MembershipView, Principal, holds, require
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.enums import (
    ClubStatus,
    ParticipationRole,
    ParticipationStatus,
    RideStatus,
    RideVisibility,
)
from shared.domain.errors import Conflict
from shared.domain.ids import new_id
from shared.domain.ride import (
    Participation,
    Ride,
    existing_ride,
    new_ride_id,
    participation_id,
    waitlist_order,
)


def ride_context(ride: Ride, subject_id: str | None = None) -> AuthzContext:
    return AuthzContext(
        club_id=ride.club_id, ride_visibility=ride.visibility, subject_user_id=subject_id
    )


def may_plan_rides(
    principal: Principal, club_id: str, club: Club | None, membership: MembershipView | None
) -> Club:
    """The club new rides (or a series) are planned in: it exists, the caller manages its
    rides, and it is not archived."""
    found = existing_club(club, club_id)
    require(Capability.MANAGE_RIDES, principal, membership, AuthzContext(club_id=club_id))
    if found.status is ClubStatus.ARCHIVED:
        raise Conflict("The club is archived.", code="club_archived")
    return found


def create_ride(
    principal: Principal,
    club_id: str,
    data: RideCreate,
    store: RideStore,
    display_name: str | None = None,
) -> Ride:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    may_plan_rides(principal, club_id, club, membership)
    moment = utc_now()
    ride = Ride(
        ride_id=new_ride_id(club_id, new_id()),
        club_id=club_id,
        created_by=principal.user_id,
        created_at=moment,
        updated_at=moment,
        updated_by=principal.user_id,
        participant_count=1,
        leader_count=1,
        **data.model_dump(),
    )
    # The creator is the ride's first leader, in the same transaction.
    leader = Participation(
        participation_id=participation_id(ride.ride_id, principal.user_id),
        ride_id=ride.ride_id,
        club_id=club_id,
        user_id=principal.user_id,
        role=ParticipationRole.LEADER,
        status=ParticipationStatus.JOINED,
        display_name=display_name,
        joined_at=moment,
        updated_at=moment,
        updated_by=principal.user_id,
    )
    store.create(ride, leader)
    return ride


def list_rides(
    principal: Principal,
    club_id: str,
    *,
    start: datetime | None,
    end: datetime | None,
    status: RideStatus | None,
    limit: int,
    cursor: str | None,
    store: RideStore,
) -> tuple[list[Ride], str | None]:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    existing_club(club, club_id)
    require(Capability.VIEW_CLUB, principal, membership, AuthzContext(club_id=club_id))
    # Members-only rides are listed for whoever may view them.
    members_context = AuthzContext(club_id=club_id, ride_visibility=RideVisibility.MEMBERS)
    sees_members_rides = holds(Capability.VIEW_RIDE, principal, membership, members_context)
    return store.list_club(
        club_id,
        start=start or utc_now(),
        end=end,
        status=status,
        public_only=not sees_members_rides,
        limit=limit,
        cursor=cursor,
    )


def get_ride(principal: Principal, ride_id: str, store: RideStore) -> RideDetail:
    ride, party = store.read_ride_and_participants(ride_id)
    ride = existing_ride(ride, ride_id)
    membership = None
    if ride.visibility is RideVisibility.MEMBERS and not principal.is_site_admin:
        _, _, membership = store.read_ride(ride_id, principal.user_id, principal.user_id)
    require(Capability.VIEW_RIDE, principal, membership, ride_context(ride))
    leaders = [
        p
        for p in party
        if p.status is ParticipationStatus.JOINED and p.role is not ParticipationRole.RIDER
    ]
    mine = next((p for p in party if p.user_id == principal.user_id), None)
    return RideDetail(**ride.model_dump(), leaders=leaders, my_participation=mine)


def update_ride(principal: Principal, ride_id: str, data: RideUpdate, store: RideStore) -> Ride:
    ride, _, membership = store.read_ride(ride_id, principal.user_id, principal.user_id)
    ride = existing_ride(ride, ride_id)
    require(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    if data.version != ride.version:
        raise Conflict(
            f"The ride is at version {ride.version}, not {data.version}.", code="version_conflict"
        )
    if ride.status is not RideStatus.SCHEDULED:
        raise Conflict(f"A {ride.status} ride cannot be edited.", code="ride_not_scheduled")
    # Only a ride that has started can be completed (its leaders do it; nothing completes
    # rides on its own).
    if data.status is RideStatus.COMPLETED and ride.start_at > utc_now():
        raise Conflict("Only a ride that has started can be completed.", code="ride_not_started")
    changes = data.changes()
    if data.capacity is not None and data.capacity < ride.participant_count:
        raise Conflict(
            f"{ride.participant_count} riders have joined; capacity cannot go below that.",
            code="capacity_below_participants",
        )
    updated = Ride.model_validate(
        {
            **ride.model_dump(),
            **changes,
            "updated_at": utc_now(),
            "updated_by": principal.user_id,
            "version": ride.version + 1,
        }
    )
    promoted = promotions(ride, updated, store, principal)
    if promoted:
        updated = updated.model_copy(
            update={
                "participant_count": ride.participant_count + len(promoted),
                "waitlist_count": ride.waitlist_count - len(promoted),
            }
        )
    store.update_ride(ride, updated, promoted)
    return updated


def public_calendar(club_id: str, store: RideStore) -> tuple[Club, list[Ride]]:
    """A club's public, scheduled, upcoming rides (at most 100): no caller, no token."""
    club = existing_club(store.get_club(club_id), club_id)
    rides, _ = store.list_club(
        club_id,
        start=utc_now(),
        end=None,
        status=RideStatus.SCHEDULED,
        public_only=True,
        limit=100,
        cursor=None,
    )
    return club, rides


# One transaction holds at most 100 actions: the ride and 99 promotions.
_MAX_PROMOTIONS = 99


def promotions(
    ride: Ride, updated: Ride, store: RideStore, principal: Principal
) -> list[tuple[Participation, Participation]]:
    """Waitlisted riders who get the seats a larger capacity opens, oldest first."""
    if ride.waitlist_count == 0 or updated.status is not RideStatus.SCHEDULED:
        return []
    free = (
        ride.waitlist_count
        if updated.capacity is None
        else updated.capacity - ride.participant_count
    )
    if free <= 0:
        return []
    _, party = store.read_ride_and_participants(ride.ride_id)
    waiting = sorted(
        (p for p in party if p.status is ParticipationStatus.WAITLISTED), key=waitlist_order
    )
    moment = utc_now()
    return [
        (p, p.revised(principal.user_id, status=ParticipationStatus.JOINED, joined_at=moment))
        for p in waiting[: min(free, _MAX_PROMOTIONS)]
    ]
