"""Participation rules: joining (seat or waitlist), withdrawing with promotion, leaders,
sweeps and attendance. Every change is one transaction with the ride's counters; when a
concurrent request moved them first, the step is decided again from a fresh read."""

from datetime import datetime

from rides.ride_logic import now, ride_context, ride_or_404
from rides.schemas import ParticipationChange, ParticipationList
from rides.store import RideStore
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.enums import (
    MembershipStatus,
    ParticipationRole,
    ParticipationStatus,
    RideStatus,
)
from shared.domain.errors import Conflict, Forbidden, NotFound
from shared.domain.ride import (
    Participation,
    Ride,
    club_of_ride,
    participation_id,
    split_participation_id,
)
from shared.store import keys
from shared.store.table import TransactionCancelled

# Attempts at a contended step before answering 409; each attempt is a fresh decision.
MAX_ATTEMPTS = 25
_TAKING_PART = frozenset({ParticipationStatus.JOINED, ParticipationStatus.WAITLISTED})


def _too_busy() -> Conflict:
    return Conflict("The ride is very busy right now; try again.", code="concurrent_update")


def _check_open(ride: Ride, moment: datetime) -> None:
    if ride.status is not RideStatus.SCHEDULED:
        raise Conflict(f"The ride is {ride.status}.", code="ride_not_open")
    if ride.start_at <= moment:
        raise Conflict("The ride has already started.", code="ride_started")


def join_ride(
    principal: Principal, ride_id: str, store: RideStore, display_name: str | None = None
) -> Participation:
    for _ in range(MAX_ATTEMPTS):
        ride, mine, membership = store.read_ride(ride_id, principal.user_id, principal.user_id)
        ride = ride_or_404(ride, ride_id)
        require(Capability.JOIN_RIDE, principal, membership, ride_context(ride))
        moment = now()
        _check_open(ride, moment)
        if mine is not None and mine.status in _TAKING_PART:
            raise Conflict(f"You are already {mine.status} on this ride.", code="already_joined")
        if mine is not None and mine.status is ParticipationStatus.REMOVED:
            raise Forbidden("A ride leader removed you from this ride.", code="removed_from_ride")
        full = ride.capacity is not None and ride.participant_count >= ride.capacity
        if full and not ride.waitlist_enabled:
            raise Conflict("The ride is full.", code="ride_full")
        status = ParticipationStatus.WAITLISTED if full else ParticipationStatus.JOINED
        joined = Participation(
            participation_id=participation_id(ride_id, principal.user_id),
            ride_id=ride_id,
            club_id=ride.club_id,
            user_id=principal.user_id,
            status=status,
            display_name=display_name,
            joined_at=moment if not full else None,
            waitlisted_at=moment if full else None,
            updated_at=moment,
            updated_by=principal.user_id,
            version=mine.version + 1 if mine else 1,
        )
        still_member = {
            "ConditionCheck": {
                "Key": keys.membership_key(club_of_ride(ride_id), principal.user_id),
                "ConditionExpression": "#status = :active",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":active": MembershipStatus.ACTIVE.value},
            }
        }
        try:
            store.take_place(joined, mine, ride, moment, still_member)
            return joined
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(0):
                raise Forbidden(
                    "Your membership of the club is no longer active.", code="forbidden"
                ) from None
            if cancelled.failed_condition(1):
                raise Conflict("You joined this ride meanwhile.", code="already_joined") from None
            # The ride filled up, freed a seat, or closed meanwhile: decide again.
        except Conflict as conflict:
            if conflict.code != "concurrent_update":
                raise
    raise _too_busy()


def _find(party: list[Participation], user_id: str, target_id: str) -> Participation:
    found = next((p for p in party if p.user_id == user_id), None)
    if found is None:
        raise NotFound(f"No participation with id '{target_id}'.", code="participation_not_found")
    return found


def _next_in_line(party: list[Participation]) -> Participation | None:
    waiting = [p for p in party if p.status is ParticipationStatus.WAITLISTED]
    return min(waiting, key=lambda p: (p.waitlisted_at or now(), p.user_id), default=None)


def _touch(p: Participation, principal: Principal, **changes: object) -> Participation:
    return p.model_copy(
        update={
            **changes,
            "updated_at": now(),
            "updated_by": principal.user_id,
            "version": p.version + 1,
        }
    )


def change_participation(
    principal: Principal, target_id: str, data: ParticipationChange, store: RideStore
) -> Participation:
    ride_id, user_id = split_participation_id(target_id)
    for _ in range(MAX_ATTEMPTS):
        try:
            if data.status is not None:
                return _leave(principal, ride_id, user_id, target_id, data, store)
            return _manage(principal, ride_id, user_id, target_id, data, store)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(0):
                raise Conflict(
                    "The participation changed meanwhile; read it again.", code="version_conflict"
                ) from None
            # The ride's counters moved meanwhile: decide again.
        except Conflict as conflict:
            if conflict.code != "concurrent_update":
                raise
    raise _too_busy()


def _check_version(target: Participation, data: ParticipationChange) -> None:
    if data.version != target.version:
        raise Conflict(
            f"The participation is at version {target.version}, not {data.version}.",
            code="version_conflict",
        )


def _leave(
    principal: Principal,
    ride_id: str,
    user_id: str,
    target_id: str,
    data: ParticipationChange,
    store: RideStore,
) -> Participation:
    """Withdraw (the rider) or remove (a ride manager); a freed seat goes to the oldest
    waitlisted rider in the same transaction."""
    ride, party = store.read_party(ride_id)
    ride = ride_or_404(ride, ride_id)
    target = _find(party, user_id, target_id)
    if data.status is ParticipationStatus.WITHDRAWN:
        require(Capability.WITHDRAW, principal, None, ride_context(ride, subject_id=user_id))
    else:
        _, _, membership = store.read_ride(ride_id, user_id, principal.user_id)
        require(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    _check_version(target, data)
    if target.status not in _TAKING_PART:
        raise Conflict(f"The participation is already {target.status}.", code="not_participating")
    scheduled = ride.status is RideStatus.SCHEDULED
    if target.is_leading and scheduled and ride.leader_count <= 1:
        raise Conflict("A scheduled ride keeps at least one leader.", code="last_leader")
    after = _touch(target, principal, status=data.status, role=ParticipationRole.RIDER)
    changes = [(target, after)]
    deltas = {"participant_count": 0, "waitlist_count": 0, "leader_count": 0}
    if target.holds_seat:
        deltas["participant_count"] -= 1
        deltas["leader_count"] -= int(target.role is ParticipationRole.LEADER)
        promoted = _next_in_line(party) if scheduled and ride.start_at > now() else None
        if promoted is not None:
            changes.append(
                (
                    promoted,
                    _touch(promoted, principal, status=ParticipationStatus.JOINED, joined_at=now()),
                )
            )
            deltas["participant_count"] += 1
            deltas["waitlist_count"] -= 1
    else:
        deltas["waitlist_count"] -= 1
    keep_leader = scheduled and deltas["leader_count"] < 0
    store.rewrite(changes, ride, deltas, keep_a_leader=keep_leader)
    return after


def _manage(
    principal: Principal,
    ride_id: str,
    user_id: str,
    target_id: str,
    data: ParticipationChange,
    store: RideStore,
) -> Participation:
    """Assign or remove leader/sweep roles, or mark attendance once the ride has started."""
    ride, target, membership = store.read_ride(ride_id, user_id, principal.user_id)
    ride = ride_or_404(ride, ride_id)
    if target is None:
        raise NotFound(f"No participation with id '{target_id}'.", code="participation_not_found")
    require(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    _check_version(target, data)
    if target.status is not ParticipationStatus.JOINED:
        raise Conflict("Only joined riders lead, sweep or attend.", code="not_participating")
    if data.attendance is not None:
        if ride.start_at > now():
            raise Conflict(
                "Attendance is marked once the ride has started.", code="ride_not_started"
            )
        after = _touch(target, principal, attendance=data.attendance)
        store.rewrite([(target, after)], ride, {}, keep_a_leader=False)
        return after
    assert data.role is not None
    if data.role is target.role:
        return target
    delta = int(data.role is ParticipationRole.LEADER) - int(
        target.role is ParticipationRole.LEADER
    )
    scheduled = ride.status is RideStatus.SCHEDULED
    if delta < 0 and scheduled and ride.leader_count <= 1:
        raise Conflict("A scheduled ride keeps at least one leader.", code="last_leader")
    after = _touch(target, principal, role=data.role)
    store.rewrite(
        [(target, after)], ride, {"leader_count": delta}, keep_a_leader=scheduled and delta < 0
    )
    return after


def list_participants(principal: Principal, ride_id: str, store: RideStore) -> ParticipationList:
    """Riders and the waitlist in order: for the club's active members and SiteAdmins."""
    ride, party = store.read_party(ride_id)
    ride = ride_or_404(ride, ride_id)
    membership = None
    if not principal.is_site_admin:
        _, _, membership = store.read_ride(ride_id, principal.user_id, principal.user_id)
    require(Capability.VIEW_MEMBERS, principal, membership, AuthzContext(club_id=ride.club_id))
    joined = [p for p in party if p.status is ParticipationStatus.JOINED]
    waiting = [p for p in party if p.status is ParticipationStatus.WAITLISTED]
    # The domain shows emergency contacts to the leaders of the ride a user joined.
    leads = any(p.user_id == principal.user_id and p.is_leading for p in party)
    contacts = None
    if leads or principal.is_site_admin:
        contacts = store.emergency_contacts([p.user_id for p in joined])
    return ParticipationList(
        joined=sorted(joined, key=lambda p: (p.joined_at or now(), p.user_id)),
        waitlist=sorted(waiting, key=lambda p: (p.waitlisted_at or now(), p.user_id)),
        emergency_contacts=contacts,
    )
