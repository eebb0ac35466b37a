"""Rides across clubs near a point: their discovery entries (one per grid level in the cell
of the meeting point, by start), filed by the event path, and the reads a search makes.

An entry carries what a search narrows by before any ride is read (the point, pace class,
surface, the club's disciplines, visibility); what a search must get right (the ride
still scheduled, still visible to the caller, places left) is read from the rides and the
caller's memberships themselves, consistently.
"""

from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.enums import RideStatus
from shared.domain.geo import cells
from shared.domain.ride import Ride, utc_text
from shared.store import keys
from shared.store.clubs import to_club
from shared.store.rides import read_rides_and_memberships, to_ride
from shared.store.schema import GSI1, PK, SK
from shared.store.table import Item, Table, TransactionCancelled

Key = tuple[str, str]


class FiledMeanwhile(Exception):
    """The ride's entries were filed from a newer read meanwhile: nothing to do."""


def ride_entries(ride: Ride, club: Club | None) -> dict[Key, dict[str, Any]]:
    """The entries a ride should have: none unless it is scheduled."""
    if ride.status is not RideStatus.SCHEDULED:
        return {}
    point = ride.meeting_point
    sort_key = keys.ride_start_sk(utc_text(ride.start_at), ride.ride_id)
    entries: dict[Key, dict[str, Any]] = {}
    for level, cell in cells(point.lat, point.lon).items():
        partition = keys.ride_places_pk(level, cell)
        entries[(partition, sort_key)] = {
            PK: partition,
            SK: sort_key,
            "entity": "ride_place",
            "ride_id": ride.ride_id,
            "club_id": ride.club_id,
            "lat": point.lat,
            "lon": point.lon,
            "pace_class": ride.pace_class.value,
            "surface": ride.surface.value,
            "visibility": ride.visibility.value,
            "disciplines": [d.value for d in club.disciplines] if club else [],
        }
    return entries


class DiscoveryStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # Filing (the Discovery consumer).

    def filing_state(self, ride_id: str) -> tuple[Ride | None, Club | None, Item | None]:
        """The ride, its club and its record of filed entries: one consistent round trip."""
        wanted = [keys.ride_key(ride_id), keys.ride_discovery_key(ride_id)]
        found = self.table.batch_get(wanted)
        ride_item = next((i for i in found if i.get("entity") == "ride"), None)
        record = next((i for i in found if i.get("entity") == "ride_discovery"), None)
        if ride_item is None:
            return None, None, record
        ride = to_ride(ride_item)
        club_item = self.table.get(keys.club_key(ride.club_id))
        return ride, to_club(club_item) if club_item else None, record

    def file(
        self,
        ride: Ride,
        club: Club | None,
        entries: dict[Key, dict[str, Any]],
        record: Item | None,
    ) -> None:
        """Replace the entries `record` lists by `entries`, and the record, if no newer
        read of the ride (or its club) has filed them meanwhile."""
        old = {(str(k[0]), str(k[1])) for k in (record or {}).get("entries", [])}
        club_version = club.version if club else 0
        actions: list[dict[str, Any]] = [
            {"Delete": {"Key": {PK: pk, SK: sk}}} for pk, sk in old - entries.keys()
        ]
        actions += [{"Put": {"Item": item}} for item in entries.values()]
        actions.append(
            {
                "Put": {
                    "Item": {
                        **keys.ride_discovery_key(ride.ride_id),
                        "entity": "ride_discovery",
                        "entries": [list(k) for k in sorted(entries)],
                        "ride_version": ride.version,
                        "club_version": club_version,
                    },
                    "ConditionExpression": (
                        "attribute_not_exists(PK) OR ride_version < :ride "
                        "OR (ride_version = :ride AND club_version < :club)"
                    ),
                    "ExpressionAttributeValues": {":ride": ride.version, ":club": club_version},
                }
            }
        )
        try:
            self.table.transact_write(actions)
        except TransactionCancelled:
            raise FiledMeanwhile from None

    def upcoming_ride_ids(self, club_id: str, start: str) -> list[str]:
        """The club's rides from `start` on (GSI2), every page."""
        found: list[str] = []
        last: dict[str, Any] | None = None
        while True:
            items, last = self.table.query_page(
                index="GSI2",
                key_condition="GSI2PK = :pk AND GSI2SK >= :from",
                values={":pk": keys.club_rides_pk(club_id), ":from": start},
                limit=500,
                start_key=last,
            )
            found += [str(i["ride_id"]) for i in items]
            if not last:
                return found

    # Searching (GET /rides).

    def active_club_ids(self, user_id: str) -> list[str]:
        """The clubs the user is an active member of (GSI1: eventually consistent, so a
        narrowing only; what is shown is checked against consistent reads)."""
        found: list[str] = []
        last: dict[str, Any] | None = None
        while True:
            items, last = self.table.query_page(
                index=GSI1.name,
                key_condition=f"{GSI1.partition_key} = :pk",
                values={":pk": keys.user_memberships_pk(user_id), ":active": "active"},
                limit=200,
                start_key=last,
                filter_expression="#status = :active",
                names={"#status": "status"},
            )
            found += [str(i["club_id"]) for i in items]
            if not last:
                return found

    def entries_page(
        self,
        level: str,
        cell: str,
        low: str,
        high: str,
        filters: tuple[str, dict[str, Any], dict[str, str]] | None,
        start_key: dict[str, Any] | None,
        limit: int,
    ) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of a cell's entries starting between `low` and `high`."""
        condition, values, names = filters or (None, {}, {})
        return self.table.query_page(
            index=None,
            key_condition="PK = :pk AND SK BETWEEN :low AND :high",
            values={":pk": keys.ride_places_pk(level, cell), ":low": low, ":high": high, **values},
            limit=limit,
            start_key=start_key,
            filter_expression=condition,
            names=names or None,
        )

    def rides_and_memberships(
        self, ride_ids: list[str], club_ids: list[str], user_id: str
    ) -> tuple[dict[str, Ride], dict[str, MembershipView]]:
        return read_rides_and_memberships(self.table, ride_ids, club_ids, user_id)
