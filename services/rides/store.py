"""Ride and participation persistence.

A ride and its participations share one partition (`RIDE#{ride_id}`), so one consistent
Query reads a ride with everyone on it. Seats are counted on the ride item, in the same
transaction as the participation that takes or frees them, under conditions that keep
`participant_count <= capacity` whatever the concurrency.
"""

from datetime import datetime
from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.enums import ParticipationStatus, RideStatus
from shared.domain.ride import Participation, Ride, club_of_ride, utc_text
from shared.domain.user import EmergencyContact
from shared.store import keys
from shared.store.clubs import to_club
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.memberships import membership_view
from shared.store.schema import GSI2, PK, SK
from shared.store.table import Item, Table
from shared.store.updates import versioned_update

_RIDE_FIELDS = frozenset(Ride.model_fields)
_PARTICIPATION_FIELDS = frozenset(Participation.model_fields)
_PAGE_KEYS = (PK, SK, GSI2.partition_key, GSI2.sort_key)
# What an edit may change; counters and identity are not among them.
EDITABLE = (
    "title",
    "description",
    "start_at",
    "estimated_duration_min",
    "meeting_point",
    "distance_km",
    "elevation_gain_m",
    "surface",
    "pace_class",
    "pace_kph",
    "drop_policy",
    "capacity",
    "waitlist_enabled",
    "visibility",
    "status",
    "cancel_reason",
    "updated_at",
    "updated_by",
    "start_at_utc",
    GSI2.sort_key,
)
# Placeholders for attribute names DynamoDB reserves.
NAMES = {"#status": "status", "#capacity": "capacity"}


def ride_item(ride: Ride) -> dict[str, Any]:
    start = utc_text(ride.start_at)
    return {
        **keys.ride_key(ride.ride_id),
        GSI2.partition_key: keys.club_rides_pk(ride.club_id),
        GSI2.sort_key: keys.ride_start_sk(start, ride.ride_id),
        "entity": "ride",
        "start_at_utc": start,
        **ride.model_dump(mode="json"),
    }


def participation_item(participation: Participation) -> dict[str, Any]:
    return {
        **keys.participation_key(participation.ride_id, participation.user_id),
        "entity": "participation",
        **participation.model_dump(mode="json"),
    }


def to_ride(item: Item) -> Ride:
    return Ride.model_validate({k: v for k, v in item.items() if k in _RIDE_FIELDS})


def to_participation(item: Item) -> Participation:
    return Participation.model_validate(
        {k: v for k, v in item.items() if k in _PARTICIPATION_FIELDS}
    )


class RideStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def read_club(self, club_id: str, user_id: str) -> tuple[Club | None, MembershipView | None]:
        items = self.table.batch_get(
            [keys.club_key(club_id), keys.membership_key(club_id, user_id)]
        )
        club = next((i for i in items if i.get("entity") == "club"), None)
        member = next((i for i in items if i.get("entity") == "membership"), None)
        return (
            to_club(club) if club else None,
            membership_view(member),
        )

    def emergency_contacts(self, user_ids: list[str]) -> dict[str, EmergencyContact]:
        """Riders' emergency contacts from their profiles (at most 100 a request)."""
        found: dict[str, EmergencyContact] = {}
        for start in range(0, len(user_ids), 100):
            keys_ = [keys.user_key(u) for u in user_ids[start : start + 100]]
            for item in self.table.batch_get(keys_):
                if item.get("emergency_contact"):
                    found[item["user_id"]] = EmergencyContact(**item["emergency_contact"])
        return found

    def get_club(self, club_id: str) -> Club | None:
        item = self.table.get(keys.club_key(club_id), consistent=False)
        return to_club(item) if item else None

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

    def read_party(self, ride_id: str) -> tuple[Ride | None, list[Participation]]:
        """The ride and all its participations, consistently, in one Query."""
        items: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            page, start = self.table.query_page(
                index=None,
                key_condition="PK = :pk",
                values={":pk": keys.ride_key(ride_id)["PK"]},
                limit=500,
                start_key=start,
                consistent=True,
            )
            items += page
            if not start:
                break
        ride = next((to_ride(i) for i in items if i.get("entity") == "ride"), None)
        party = [to_participation(i) for i in items if i.get("entity") == "participation"]
        return ride, party

    def create(self, ride: Ride, leader: Participation) -> None:
        self.table.transact_write(
            [
                {
                    "ConditionCheck": {
                        "Key": keys.club_key(ride.club_id),
                        "ConditionExpression": "attribute_exists(PK) AND #status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":active": "active"},
                    }
                },
                {
                    "Put": {
                        "Item": ride_item(ride),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {"Put": {"Item": participation_item(leader)}},
            ]
        )

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
        actions: list[dict[str, Any]] = []
        if promoted:
            fields["participant_count"] = after.participant_count
            fields["waitlist_count"] = after.waitlist_count
            checks.append("participant_count = :seats AND waitlist_count = :waiting")
            values[":seats"] = before.participant_count
            values[":waiting"] = before.waitlist_count
            actions = [
                {
                    "Put": {
                        "Item": participation_item(new),
                        "ConditionExpression": "version = :expected",
                        "ExpressionAttributeValues": {":expected": old.version},
                    }
                }
                for old, new in promoted
            ]
        ride_update = versioned_update(
            keys.ride_key(after.ride_id),
            fields,
            before.version,
            condition=" AND ".join(checks) or None,
            values=values,
        )
        self.table.transact_write([ride_update, *actions])

    def take_place(
        self,
        participation: Participation,
        previous: Participation | None,
        ride: Ride,
        now: datetime,
        membership_version_check: dict[str, Any],
    ) -> None:
        """Put the participation and count it on the ride, atomically. Action 0 is the
        membership check, 1 the participation, 2 the ride."""
        seat = participation.status is ParticipationStatus.JOINED
        counter = "participant_count" if seat else "waitlist_count"
        if seat:
            room = "(attribute_not_exists(#capacity) OR participant_count < #capacity)"
        else:
            room = "waitlist_enabled = :true AND participant_count >= #capacity"
        put: dict[str, Any] = {"Item": participation_item(participation)}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": previous.version}
        values: dict[str, Any] = {
            ":one": 1,
            ":scheduled": RideStatus.SCHEDULED.value,
            ":now": utc_text(now),
        }
        if not seat:
            values[":true"] = True
        self.table.transact_write(
            [
                membership_version_check,
                {"Put": put},
                {
                    "Update": {
                        "Key": keys.ride_key(ride.ride_id),
                        "UpdateExpression": f"SET {counter} = {counter} + :one",
                        "ConditionExpression": (
                            f"#status = :scheduled AND start_at_utc > :now AND {room}"
                        ),
                        "ExpressionAttributeNames": NAMES,
                        "ExpressionAttributeValues": values,
                    }
                },
            ]
        )

    def rewrite(
        self,
        changes: list[tuple[Participation, Participation]],
        ride: Ride,
        counter_deltas: dict[str, int],
        keep_a_leader: bool,
    ) -> None:
        """Replace participations (each conditional on the version read) and move the
        ride's counters, conditional on the counters read: a concurrent join or
        withdrawal makes the whole step fail and the caller reads again."""
        actions: list[dict[str, Any]] = []
        for before, after in changes:
            actions.append(
                {
                    "Put": {
                        "Item": participation_item(after),
                        "ConditionExpression": "version = :expected",
                        "ExpressionAttributeValues": {":expected": before.version},
                    }
                }
            )
        moved = {k: v for k, v in counter_deltas.items() if v}
        if moved:
            sets = ", ".join(f"{name} = {name} + :d{i}" for i, name in enumerate(moved))
            values: dict[str, Any] = {f":d{i}": delta for i, delta in enumerate(moved.values())}
            checks = []
            for name in ("participant_count", "waitlist_count", "leader_count"):
                values[f":{name}"] = getattr(ride, name)
                checks.append(f"{name} = :{name}")
            if keep_a_leader:
                checks.append("leader_count > :one")
                values[":one"] = 1
            actions.append(
                {
                    "Update": {
                        "Key": keys.ride_key(ride.ride_id),
                        "UpdateExpression": f"SET {sets}",
                        "ConditionExpression": " AND ".join(checks),
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        self.table.transact_write(actions)

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
