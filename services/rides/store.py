"""Ride and participation persistence, and what each refused transaction means.

Every write is one transaction with the ride's counters, under conditions that keep
`participant_count <= capacity` whatever the concurrency. A transaction the ride's state
refused raises `RideMoved`: the logic reads again and decides again. Every other refusal
becomes a named domain error here, so the logic never sees DynamoDB's cancellation codes.
"""

from datetime import datetime
from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.enums import ParticipationStatus, RideStatus
from shared.domain.errors import Conflict, Forbidden
from shared.domain.ride import TAKING_PART, Participation, Ride, club_of_ride, utc_text
from shared.domain.user import EmergencyContact
from shared.store import keys
from shared.store.clubs import club_active_check, read_club_and_membership, to_club
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.memberships import active_membership_check, membership_view
from shared.store.rides import (
    START_AT_UTC,
    participation_item,
    ride_item,
    ride_partition,
    ride_start_check,
    start_unchanged,
    to_participation,
    to_ride,
)
from shared.store.schema import GSI2, PK, SK
from shared.store.table import ConditionFailed, Table, TransactionCancelled
from shared.store.updates import put_if_version, versioned_update

_PAGE_KEYS = (PK, SK, GSI2.partition_key, GSI2.sort_key)
COUNTERS = ("participant_count", "waitlist_count", "leader_count")
# What an edit may change: everything but identity, provenance, the route and attachments
# (set by their own flows) and the counters kept by participation transactions; plus the
# start-time keys.
_FIXED = frozenset(
    {
        "ride_id",
        "club_id",
        "route_key",
        "route",
        "attachments",
        "version",
        "series_id",
        "occurrence_date",
        *COUNTERS,
    }
)
EDITABLE = (
    *(f for f in Ride.model_fields if f not in _FIXED and not f.startswith("created_")),
    START_AT_UTC,
    GSI2.sort_key,
)
# Placeholders for attribute names DynamoDB reserves.
NAMES = {"#status": "status", "#capacity": "capacity"}


class RideMoved(Exception):
    """The ride changed since it was read (seats taken or freed, a leader left, an
    edit): the step is decided again from a fresh read."""


def _counter_moves(ride: Ride, deltas: dict[str, int], keep_a_leader: bool) -> dict[str, Any]:
    """Move the ride's counters by `deltas`, only if they are still the values read (and
    the ride's start too)."""
    moved = {k: v for k, v in deltas.items() if v}
    start_check, values = start_unchanged(ride)
    values |= {f":d{i}": delta for i, delta in enumerate(moved.values())}
    checks = [start_check]
    for name in COUNTERS:
        values[f":{name}"] = getattr(ride, name)
        checks.append(f"{name} = :{name}")
    if keep_a_leader:
        checks.append("leader_count > :one")
        values[":one"] = 1
    return {
        "Update": {
            "Key": keys.ride_key(ride.ride_id),
            "UpdateExpression": "SET "
            + ", ".join(f"{n} = {n} + :d{i}" for i, n in enumerate(moved)),
            "ConditionExpression": " AND ".join(checks),
            "ExpressionAttributeValues": values,
        }
    }


def _count_on_ride(participation: Participation, ride: Ride, now: datetime) -> dict[str, Any]:
    """Count a new seat (while there is room) or a new place on the waitlist (while the
    ride is full and keeps one) on a scheduled ride that has not started (nor moved)."""
    seat = participation.status is ParticipationStatus.JOINED
    counter = "participant_count" if seat else "waitlist_count"
    start_check, values = start_unchanged(ride)
    values |= {":one": 1, ":scheduled": RideStatus.SCHEDULED.value, ":now": utc_text(now)}
    if seat:
        room = "(attribute_not_exists(#capacity) OR participant_count < #capacity)"
    else:
        room = "waitlist_enabled = :true AND participant_count >= #capacity"
        values[":true"] = True
    return {
        "Update": {
            "Key": keys.ride_key(participation.ride_id),
            "UpdateExpression": f"SET {counter} = {counter} + :one",
            "ConditionExpression": (
                f"#status = :scheduled AND {START_AT_UTC} > :now AND {start_check} AND {room}"
            ),
            "ExpressionAttributeNames": NAMES,
            "ExpressionAttributeValues": values,
        }
    }


class RideStore:
    """The reads, and the writes: each one transaction whose refusal is named here."""

    def __init__(self, table: Table) -> None:
        self.table = table

    # Reads: consistent reads of what a decision needs, and the club's ride listing. A
    # ride and its participations share one partition (`RIDE#{ride_id}`), so one
    # consistent Query reads a ride with everyone on it; a ride id names its club, so the
    # ride and the caller's membership of the club come back in one round trip.

    def club_and_caller(
        self, club_id: str, user_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, user_id)

    def get_club(self, club_id: str) -> Club | None:
        item = self.table.get(keys.club_key(club_id), consistent=False)
        return to_club(item) if item else None

    def emergency_contacts(self, user_ids: list[str]) -> dict[str, EmergencyContact]:
        """Riders' emergency contacts from their profiles (at most 100 a request)."""
        found: dict[str, EmergencyContact] = {}
        for start in range(0, len(user_ids), 100):
            wanted = [keys.user_key(u) for u in user_ids[start : start + 100]]
            for item in self.table.batch_get(wanted):
                if item.get("emergency_contact"):
                    found[item["user_id"]] = EmergencyContact(**item["emergency_contact"])
        return found

    def read_ride(
        self, ride_id: str, subject_id: str, caller_id: str
    ) -> tuple[Ride | None, Participation | None, MembershipView | None]:
        """The ride, the subject's participation and the caller's membership of the
        ride's club: one consistent round trip (the ride id names the club)."""
        items = self.table.batch_get(
            [
                keys.ride_key(ride_id),
                keys.participation_key(ride_id, subject_id),
                keys.membership_key(club_of_ride(ride_id), caller_id),
            ]
        )
        by_entity = {i.get("entity"): i for i in items}
        ride = by_entity.get("ride")
        participation = by_entity.get("participation")
        return (
            to_ride(ride) if ride else None,
            to_participation(participation) if participation else None,
            membership_view(by_entity.get("membership")),
        )

    def read_ride_and_participants(self, ride_id: str) -> tuple[Ride | None, list[Participation]]:
        """The ride and all its participations, consistently, in one Query."""
        items = ride_partition(self.table, ride_id)
        ride = next((to_ride(i) for i in items if i.get("entity") == "ride"), None)
        party = [to_participation(i) for i in items if i.get("entity") == "participation"]
        return ride, party

    def list_club(
        self,
        club_id: str,
        *,
        start: datetime,
        end: datetime | None,
        status: RideStatus | None,
        public_only: bool,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Ride], str | None]:
        partition = keys.club_rides_pk(club_id)
        values: dict[str, Any] = {":pk": partition, ":from": utc_text(start)}
        condition = f"{GSI2.partition_key} = :pk AND {GSI2.sort_key} >= :from"
        if end is not None:
            condition = f"{GSI2.partition_key} = :pk AND {GSI2.sort_key} BETWEEN :from AND :to"
            values[":to"] = utc_text(end) + "~"  # after every ride id at that second
        filters, names = [], {}
        if status is not None:
            filters.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = status.value
        if public_only:
            filters.append("visibility = :public")
            values[":public"] = "public"
        items, last = self.table.query_page(
            index=GSI2.name,
            key_condition=condition,
            values=values,
            limit=limit,
            start_key=decode_cursor(
                cursor, key_names=_PAGE_KEYS, fixed={GSI2.partition_key: partition}
            ),
            filter_expression=" AND ".join(filters) or None,
            names=names or None,
        )
        return [to_ride(i) for i in items], encode_cursor(last)

    def upcoming_places(self, club_id: str, user_id: str, start: datetime) -> list[str]:
        """Ids of the club's scheduled rides from `start` on where the user is joined or
        waitlisted: the club's upcoming rides (GSI2), then the user's participation in
        each, 100 a round trip."""
        ride_ids: list[str] = []
        cursor: str | None = None
        while True:
            rides, cursor = self.list_club(
                club_id,
                start=start,
                end=None,
                status=RideStatus.SCHEDULED,
                public_only=False,
                limit=100,
                cursor=cursor,
            )
            ride_ids += [r.ride_id for r in rides]
            if cursor is None:
                break
        found: list[str] = []
        for offset in range(0, len(ride_ids), 100):
            wanted = [keys.participation_key(r, user_id) for r in ride_ids[offset : offset + 100]]
            found += [
                item["ride_id"]
                for item in self.table.batch_get(wanted)
                if item.get("status") in TAKING_PART
            ]
        return sorted(found)

    # Writes.

    def create(self, ride: Ride, leader: Participation) -> None:
        """The ride and its first leader, if the club is still active."""
        try:
            self.table.transact_write(
                [
                    club_active_check(ride.club_id),
                    put_if_version(ride_item(ride), None),
                    {"Put": {"Item": participation_item(leader, ride.start_at)}},
                ]
            )
        except TransactionCancelled:
            raise Conflict("The club changed meanwhile; try again.", code="club_changed") from None

    def update_ride(
        self,
        before: Ride,
        after: Ride,
        promoted: list[tuple[Participation, Participation]] | None = None,
    ) -> None:
        """Edit the ride. With `promoted` (more seats for the waitlist) the counters are
        set from the values read, conditional on them being unchanged, and the promoted
        participations are written in the same transaction."""
        item = ride_item(after)
        fields = {f: item.get(f) for f in EDITABLE}
        checks, values = [], {}
        if after.capacity is not None:
            # Never below the seats already taken, whatever joined since the read.
            checks.append("participant_count <= :capacity")
            values[":capacity"] = after.capacity
        promotions = []
        if promoted:
            fields["participant_count"] = after.participant_count
            fields["waitlist_count"] = after.waitlist_count
            checks.append("participant_count = :seats AND waitlist_count = :waiting")
            values[":seats"] = before.participant_count
            values[":waiting"] = before.waitlist_count
            promotions = [
                put_if_version(participation_item(new, after.start_at), old.version)
                for old, new in promoted
            ]
        ride_update = versioned_update(
            keys.ride_key(after.ride_id),
            fields,
            before.version,
            condition=" AND ".join(checks) or None,
            values=values,
        )
        try:
            self.table.transact_write([ride_update, *promotions])
        except (TransactionCancelled, ConditionFailed):
            raise Conflict(
                "The ride changed meanwhile (an edit, or riders joining); read it again.",
                code="version_conflict",
            ) from None

    def add_participant(
        self,
        participation: Participation,
        previous: Participation | None,
        ride: Ride,
        now: datetime,
    ) -> None:
        """Put the participation (a seat or the waitlist) and count it on the ride,
        atomically, while the rider is an active member and the ride open with room.

        Raises Forbidden if the membership is no longer active, Conflict if the rider
        joined meanwhile, and RideMoved if the ride filled, freed a seat or closed."""
        take = put_if_version(
            participation_item(participation, ride.start_at),
            previous.version if previous else None,
        )
        still_member = active_membership_check(participation.club_id, participation.user_id)
        count = _count_on_ride(participation, ride, now)
        try:
            self.table.transact_write([still_member, take, count])
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(0):
                raise Forbidden(
                    "Your membership of the club is no longer active.", code="forbidden"
                ) from None
            if cancelled.failed_condition(1):
                raise Conflict("You joined this ride meanwhile.", code="already_joined") from None
            raise RideMoved from None

    def replace_participations(
        self,
        changes: list[tuple[Participation, Participation]],
        ride: Ride,
        counter_deltas: dict[str, int],
        *,
        keep_a_leader: bool,
    ) -> None:
        """Replace participations and move the ride's counters in one step.

        The first change is the one the caller asked for: if that participation changed
        since it was read the answer is a version conflict. Anything else (a promoted
        rider's item, or counters moved by a concurrent join or withdrawal) raises
        RideMoved."""
        actions = [
            put_if_version(participation_item(after, ride.start_at), before.version)
            for before, after in changes
        ]
        if any(counter_deltas.values()):
            actions.append(_counter_moves(ride, counter_deltas, keep_a_leader))
        else:
            actions.append(ride_start_check(ride))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(0):
                raise Conflict(
                    "The participation changed meanwhile; read it again.", code="version_conflict"
                ) from None
            raise RideMoved from None
