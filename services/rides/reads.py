"""Ride reads: consistent reads of what a decision needs, and the club's ride listing.

A ride and its participations share one partition (`RIDE#{ride_id}`), so one consistent
Query reads a ride with everyone on it; a ride id names its club, so the ride and the
caller's membership of the club come back in one round trip.
"""

from datetime import datetime
from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.enums import RideStatus
from shared.domain.ride import Participation, Ride, club_of_ride, utc_text
from shared.domain.user import EmergencyContact
from shared.store import keys
from shared.store.clubs import read_club_and_membership, to_club
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.memberships import membership_view
from shared.store.rides import to_participation, to_ride
from shared.store.schema import GSI2, PK, SK
from shared.store.table import Item, Table

_PAGE_KEYS = (PK, SK, GSI2.partition_key, GSI2.sort_key)


class RideReads:
    def __init__(self, table: Table) -> None:
        self.table = table

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
        items: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            page, start = self.table.query_page(
                index=None,
                key_condition="PK = :pk",
                values={":pk": keys.ride_key(ride_id)[PK]},
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
        taking_part = {"joined", "waitlisted"}
        found: list[str] = []
        for offset in range(0, len(ride_ids), 100):
            wanted = [keys.participation_key(r, user_id) for r in ride_ids[offset : offset + 100]]
            found += [
                item["ride_id"]
                for item in self.table.batch_get(wanted)
                if item.get("status") in taking_part
            ]
        return sorted(found)
