"""Participation rules: joining (seat or waitlist), withdrawing with promotion, leaders,
sweeps and attendance. Every change is one transaction with the ride's counters; when a
concurrent request moved them first, the step is decided again from a fresh read."""

import random
import time
from datetime import datetime

from rides.ride_logic import ride_context
from rides.schemas import JoinedRide, ParticipationChange, ParticipationList
from rides.store import RideMoved, RideStore
from shared.authz import AuthzContext, Capability, Principal, holds, require
from shared.domain.clock import utc_now
from shared.domain.enums import ParticipationRole, ParticipationStatus, RideStatus
from shared.domain.errors import Conflict, Forbidden, NotFound, ServiceUnavailable
from shared.domain.ride import (
    Participation,
    Ride,
    existing_ride,
    participation_id,
    seat_order,
    split_participation_id,
    waitlist_order,
)
from shared.domain.strava import AttendanceSource
from shared.kpis import ATTENDANCE_MARKED
from shared.observability import count

# Attempts at a contended step before answering 503 `contended`; each is a fresh decision.
MAX_ATTEMPTS = 25


def _too_busy() -> ServiceUnavailable:
    return ServiceUnavailable("The ride is very busy right now; retry shortly.", code="contended")


def _pause(attempt: int) -> None:
    """A short random pause before deciding again, so racing requests spread out."""
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))


def _check_open(ride: Ride, moment: datetime) -> None:
    if ride.status is not RideStatus.SCHEDULED:
        raise Conflict(f"The ride is {ride.status}.", code="ride_not_open")
    if ride.start_at <= moment:
        raise Conflict("The ride has already started.", code="ride_started")


def join_ride(
    principal: Principal,
    ride_id: str,
    store: RideStore,
    display_name: str | None = None,
    by: str | None = None,
) -> JoinedRide:
    """A seat, or the waitlist when the ride is full. `by` records who asked when it is
    not the rider (a series' standing order for its regulars)."""
    for attempt in range(MAX_ATTEMPTS):
        ride, mine, membership = store.read_ride(ride_id, principal.user_id, principal.user_id)
        ride = existing_ride(ride, ride_id)
        require(Capability.JOIN_RIDE, principal, membership, ride_context(ride))
        moment = utc_now()
        _check_open(ride, moment)
        if mine is not None and mine.takes_part:
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
            updated_by=by or principal.user_id,
            version=mine.version + 1 if mine else 1,
        )
        try:
            store.add_participant(joined, mine, ride, moment)
        except RideMoved:  # the ride filled up, freed a seat, or closed meanwhile
            _pause(attempt)
            continue
        taken = ride.participant_count + int(not full)
        left = None if ride.capacity is None else max(ride.capacity - taken, 0)
        return JoinedRide(**joined.model_dump(), places_left=left)
    raise _too_busy()


def _find(party: list[Participation], user_id: str, target_id: str) -> Participation:
    found = next((p for p in party if p.user_id == user_id), None)
    if found is None:
        raise NotFound(f"No participation with id '{target_id}'.", code="participation_not_found")
    return found


def _next_in_line(party: list[Participation]) -> Participation | None:
    waiting = [p for p in party if p.status is ParticipationStatus.WAITLISTED]
    return min(waiting, key=waitlist_order, default=None)


def change_participation(
    principal: Principal, target_id: str, data: ParticipationChange, store: RideStore
) -> Participation:
    change = _withdraw_or_remove if data.status is not None else _assign_role_or_attendance
    for attempt in range(MAX_ATTEMPTS):
        try:
            return change(principal, target_id, data, store)
        except RideMoved:  # the ride's counters moved meanwhile
            _pause(attempt)
    raise _too_busy()


def _check_version(target: Participation, data: ParticipationChange) -> None:
    if data.version != target.version:
        raise Conflict(
            f"The participation is at version {target.version}, not {data.version}.",
            code="version_conflict",
        )


def _withdraw_or_remove(
    principal: Principal, target_id: str, data: ParticipationChange, store: RideStore
) -> Participation:
    """Withdraw (the rider) or remove (a ride manager); a freed seat goes to the oldest
    waitlisted rider in the same transaction."""
    assert data.status is not None  # the caller chose this path for a status change
    ride_id, user_id = split_participation_id(target_id)
    ride, party = store.read_ride_and_participants(ride_id)
    ride = existing_ride(ride, ride_id)
    target = _find(party, user_id, target_id)
    if data.status is ParticipationStatus.WITHDRAWN:
        require(Capability.WITHDRAW, principal, None, ride_context(ride, subject_id=user_id))
    else:
        _, _, membership = store.read_ride(ride_id, user_id, principal.user_id)
        require(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    _check_version(target, data)
    if not target.takes_part:
        raise Conflict(f"The participation is already {target.status}.", code="not_participating")
    if target.is_leading and ride.status is RideStatus.SCHEDULED and ride.leader_count <= 1:
        raise Conflict("A scheduled ride keeps at least one leader.", code="last_leader")
    return vacate(ride, party, target, principal.user_id, data.status, store)


def vacate(
    ride: Ride,
    party: list[Participation],
    target: Participation,
    by: str,
    status: ParticipationStatus,
    store: RideStore,
) -> Participation:
    """Take `target` off the ride (withdrawn or removed) in one transaction with the
    ride's counters; a freed seat goes to the oldest waitlisted rider in the same step.
    Raises RideMoved when the ride changed since it was read."""
    scheduled = ride.status is RideStatus.SCHEDULED
    after = target.revised(by, status=status, role=ParticipationRole.RIDER)
    changes = [(target, after)]
    deltas = {"participant_count": 0, "waitlist_count": 0, "leader_count": 0}
    if target.holds_seat:
        deltas["participant_count"] -= 1
        deltas["leader_count"] -= int(target.role is ParticipationRole.LEADER)
        promoted = _next_in_line(party) if scheduled and ride.start_at > utc_now() else None
        if promoted is not None:
            seated = promoted.revised(by, status=ParticipationStatus.JOINED, joined_at=utc_now())
            changes.append((promoted, seated))
            deltas["participant_count"] += 1
            deltas["waitlist_count"] -= 1
    else:
        deltas["waitlist_count"] -= 1
    keep_leader = scheduled and deltas["leader_count"] < 0
    store.replace_participations(changes, ride, deltas, keep_a_leader=keep_leader)
    return after


def _assign_role_or_attendance(
    principal: Principal, target_id: str, data: ParticipationChange, store: RideStore
) -> Participation:
    """Assign or remove leader/sweep roles, or mark attendance once the ride has started."""
    ride_id, user_id = split_participation_id(target_id)
    ride, target, membership = store.read_ride(ride_id, user_id, principal.user_id)
    ride = existing_ride(ride, ride_id)
    if target is None:
        raise NotFound(f"No participation with id '{target_id}'.", code="participation_not_found")
    require(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    _check_version(target, data)
    if target.status is not ParticipationStatus.JOINED:
        raise Conflict("Only joined riders lead, sweep or attend.", code="not_participating")
    if data.attendance is not None:
        if ride.start_at > utc_now():
            raise Conflict(
                "Attendance is marked once the ride has started.", code="ride_not_started"
            )
        after = target.revised(
            principal.user_id,
            attendance=data.attendance,
            attendance_source=AttendanceSource.LEADER,
        )
        store.replace_participations([(target, after)], ride, {}, keep_a_leader=False)
        count(ATTENDANCE_MARKED, source="leader")
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
    after = target.revised(principal.user_id, role=data.role)
    store.replace_participations(
        [(target, after)], ride, {"leader_count": delta}, keep_a_leader=scheduled and delta < 0
    )
    return after


def list_participants(principal: Principal, ride_id: str, store: RideStore) -> ParticipationList:
    """Riders and the waitlist in order: for the club's active members and SiteAdmins."""
    ride, party = store.read_ride_and_participants(ride_id)
    ride = existing_ride(ride, ride_id)
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
    # Strava activities: for those who manage the ride, and each rider's own.
    manages = holds(Capability.MANAGE_RIDES, principal, membership, ride_context(ride))
    joined = [
        p
        if manages or p.user_id == principal.user_id
        else p.model_copy(update={"strava_activity": None})
        for p in joined
    ]
    return ParticipationList(
        joined=sorted(joined, key=seat_order),
        waitlist=sorted(waiting, key=waitlist_order),
        emergency_contacts=contacts,
    )
