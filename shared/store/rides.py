"""Ride and participation items, shared by every service that reads or writes them.

A ride and its participations share one partition (`RIDE#{ride_id}`), so one consistent
Query reads a ride with everyone on it. Seats are counted on the ride item, in the same
transaction as the participation that takes or frees them.
"""

from datetime import datetime
from typing import Any

from shared.authz import MembershipView
from shared.domain.ride import Participation, Ride, club_of_ride, utc_text
from shared.store import keys
from shared.store.memberships import membership_view
from shared.store.schema import GSI1, GSI2
from shared.store.table import Item, Table

_RIDE_FIELDS = frozenset(Ride.model_fields)
_PARTICIPATION_FIELDS = frozenset(Participation.model_fields)
# The ride item's start time in UTC: sortable, and compared in join conditions.
START_AT_UTC = "start_at_utc"


def ride_item(ride: Ride) -> dict[str, Any]:
    start = utc_text(ride.start_at)
    return {
        **keys.ride_key(ride.ride_id),
        GSI2.partition_key: keys.club_rides_pk(ride.club_id),
        GSI2.sort_key: keys.ride_start_sk(start, ride.ride_id),
        "entity": "ride",
        START_AT_UTC: start,
        **ride.model_dump(mode="json"),
    }


def participation_item(participation: Participation, ride_start: datetime) -> dict[str, Any]:
    """The item; one that takes part is also in its rider's schedule (GSI1, sparse), under
    the ride's start. Every write of a participation is a whole Put from here, so leaving
    the ride takes it out of the schedule in the same write."""
    item = {
        **keys.participation_key(participation.ride_id, participation.user_id),
        "entity": "participation",
        **participation.model_dump(mode="json"),
    }
    if participation.takes_part:
        item |= schedule_keys(participation, ride_start)
    return item


def schedule_keys(participation: Participation, ride_start: datetime) -> dict[str, str]:
    return {
        GSI1.partition_key: keys.user_rides_pk(participation.user_id),
        GSI1.sort_key: keys.ride_start_sk(utc_text(ride_start), participation.ride_id),
    }


def start_unchanged(ride: Ride) -> tuple[str, dict[str, Any]]:
    """A condition that the ride still starts when it did when read: a participation
    written with it is filed in its rider's schedule under the right time (an edit that
    moves the start re-files the ones written before it: `services/rides/schedule_keys.py`)."""
    return f"{START_AT_UTC} = :start", {":start": utc_text(ride.start_at)}


def ride_start_check(ride: Ride) -> dict[str, Any]:
    """`start_unchanged` as a transaction's condition check on the ride item."""
    condition, values = start_unchanged(ride)
    return {
        "ConditionCheck": {
            "Key": keys.ride_key(ride.ride_id),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def to_ride(item: Item) -> Ride:
    return Ride.model_validate({k: v for k, v in item.items() if k in _RIDE_FIELDS})


def to_participation(item: Item) -> Participation:
    return Participation.model_validate(
        {k: v for k, v in item.items() if k in _PARTICIPATION_FIELDS}
    )


def read_ride_and_membership(
    table: Table, ride_id: str, user_id: str
) -> tuple[Ride | None, MembershipView | None]:
    """The ride and the user's membership of its club, in one consistent round trip (the
    ride id names the club)."""
    items = table.batch_get(
        [keys.ride_key(ride_id), keys.membership_key(club_of_ride(ride_id), user_id)]
    )
    ride = next((to_ride(i) for i in items if i.get("entity") == "ride"), None)
    membership = next((membership_view(i) for i in items if i.get("entity") == "membership"), None)
    return ride, membership


def ride_partition(table: Table, ride_id: str) -> list[Item]:
    """Everything in a ride's partition (the ride, its participations, its records),
    consistently, in one Query (more pages only for a very large ride)."""
    items: list[Item] = []
    start: dict[str, Any] | None = None
    while True:
        page, start = table.query_page(
            index=None,
            key_condition="PK = :pk",
            values={":pk": keys.ride_key(ride_id)["PK"]},
            limit=500,
            start_key=start,
            consistent=True,
        )
        items += page
        if not start:
            return items


def read_rides_and_memberships(
    table: Table, ride_ids: list[str], club_ids: list[str], user_id: str
) -> tuple[dict[str, Ride], dict[str, MembershipView]]:
    """Rides, and the user's memberships of the clubs named, consistently: what decides
    whether the user may see each ride (one round trip per 100 keys)."""
    wanted = [keys.ride_key(r) for r in ride_ids]
    wanted += [keys.membership_key(c, user_id) for c in club_ids]
    rides: dict[str, Ride] = {}
    memberships: dict[str, MembershipView] = {}
    for offset in range(0, len(wanted), 100):
        for item in table.batch_get(wanted[offset : offset + 100]):
            if item.get("entity") == "ride":
                ride = to_ride(item)
                rides[ride.ride_id] = ride
            elif (view := membership_view(item)) is not None:
                memberships[view.club_id] = view
    return rides, memberships
