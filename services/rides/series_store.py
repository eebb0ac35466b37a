"""Ride series persistence: the series item, its regulars and the occurrences it makes.

Every write is conditional: a series edit on its version; an occurrence made on the
series' progress (`made_through`) being what was read, with the ride put only if absent,
so two makers (the hourly job and the creation event, or a redelivery) make it once; a
regular added or removed with the series' count, which bounds the job's work.
"""

from datetime import date
from typing import Any

from shared.authz import MembershipView
from shared.domain.club import Club
from shared.domain.enums import ParticipationRole, ParticipationStatus
from shared.domain.errors import Conflict, NotFound
from shared.domain.ride import Participation, Ride, club_of_ride, participation_id
from shared.domain.series import MAX_REGULARS, Regular, RideSeries
from shared.store import keys
from shared.store.clubs import club_active_check, read_club_and_membership
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.deletion import account_deleted, account_open
from shared.store.memberships import active_membership_check, membership_view
from shared.store.rides import participation_item, ride_item, to_ride
from shared.store.schema import GSI1, GSI2, PK, SK
from shared.store.series import (
    due_keys,
    read_regulars,
    regular_item,
    regular_removal,
    series_item,
    to_series,
)
from shared.store.table import ConditionFailed, Table, TransactionCancelled
from shared.store.updates import put_if_version

_PAGE_KEYS = (PK, SK, GSI2.partition_key, GSI2.sort_key)
# The series due in one pass of the hourly job; the rest wait for the next hour.
DUE_PAGE = 100


class SeriesMoved(Exception):
    """Someone else made the occurrence (or changed the series) since it was read."""


class SeriesStopped(Exception):
    """The series cannot make occurrences any more: its organiser is no longer an active
    member of the club, or the club is no longer active."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _progress(series: RideSeries) -> dict[str, Any]:
    """The Update of a series' progress, on condition it is still what was read."""
    names = {"#made": "made_through", "#count": "occurrences_made"}
    values: dict[str, Any] = {":count": series.occurrences_made}
    sets = ["#count = :count"]
    removes = []
    if series.made_through is not None:
        sets.append("#made = :made")
        values[":made"] = series.made_through.isoformat()
    for i, (name, value) in enumerate(due_keys(series).items()):
        names[f"#k{i}"] = name
        if value is None:
            removes.append(f"#k{i}")
        else:
            sets.append(f"#k{i} = :k{i}")
            values[f":k{i}"] = value
    return {"names": names, "values": values, "sets": sets, "removes": removes}


class SeriesStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # Reads.

    def club_and_caller(
        self, club_id: str, user_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, user_id)

    def read(
        self, series_id: str, user_id: str
    ) -> tuple[RideSeries | None, Regular | None, MembershipView | None]:
        """The series, the user as its regular and their membership of its club, in one
        consistent round trip (the series id names the club)."""
        items = self.table.batch_get(
            [
                keys.series_key(series_id),
                keys.regular_key(series_id, user_id),
                keys.membership_key(club_of_ride(series_id), user_id),
            ]
        )
        by_entity = {i.get("entity"): i for i in items}
        series = by_entity.get("series")
        regular = by_entity.get("regular")
        return (
            to_series(series) if series else None,
            Regular.model_validate({k: regular[k] for k in Regular.model_fields if k in regular})
            if regular
            else None,
            membership_view(by_entity.get("membership")),
        )

    def get(self, series_id: str) -> RideSeries | None:
        item = self.table.get(keys.series_key(series_id))
        return to_series(item) if item else None

    def list_club(
        self, club_id: str, *, public_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[RideSeries], str | None]:
        partition = keys.club_series_pk(club_id)
        filters = "#ride.visibility = :public" if public_only else None
        items, last = self.table.query_page(
            index=GSI2.name,
            key_condition=f"{GSI2.partition_key} = :pk",
            values={":pk": partition, **({":public": "public"} if public_only else {})},
            limit=limit,
            start_key=decode_cursor(
                cursor, key_names=_PAGE_KEYS, fixed={GSI2.partition_key: partition}
            ),
            filter_expression=filters,
            names={"#ride": "ride"} if public_only else None,
        )
        return [to_series(i) for i in items], encode_cursor(last)

    def due(self, through: date) -> list[str]:
        """Ids of the active series whose next occurrence falls on or before `through`."""
        items, _ = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk AND {GSI1.sort_key} <= :through",
            values={":pk": keys.SERIES_DUE_PK, ":through": f"{through.isoformat()}~"},
            limit=DUE_PAGE,
        )
        return [i["series_id"] for i in items]

    def regulars(self, series_id: str) -> list[Regular]:
        return read_regulars(self.table, series_id)

    def occurrences(self, ride_ids: list[str]) -> list[Ride]:
        """The rides of these ids that exist, consistently (100 a round trip)."""
        found: list[Ride] = []
        for offset in range(0, len(ride_ids), 100):
            wanted = [keys.ride_key(r) for r in ride_ids[offset : offset + 100]]
            found += [to_ride(i) for i in self.table.batch_get(wanted) if i.get("entity")]
        return sorted(found, key=lambda r: r.occurrence_date or date.min)

    # Writes.

    def create(self, series: RideSeries) -> None:
        """The series, while its club is active."""
        try:
            self.table.transact_write(
                [club_active_check(series.club_id), put_if_version(series_item(series), None)]
            )
        except TransactionCancelled:
            raise Conflict("The club changed meanwhile; try again.", code="club_changed") from None

    def replace(self, before: RideSeries, after: RideSeries) -> None:
        """An edit by a ride manager: the whole item, if still at the version read."""
        try:
            self.table.transact_write([put_if_version(series_item(after), before.version)])
        except (TransactionCancelled, ConditionFailed):
            raise Conflict(
                "The series changed meanwhile; read it again.", code="version_conflict"
            ) from None

    def make_occurrence(self, before: RideSeries, after: RideSeries, made: Ride | None) -> None:
        """Record the series' progress to `after.made_through`, and put its occurrence
        `made` (None: a date passed over) with the organiser as its first leader, while
        the organiser is an active member and the club still active.

        Raises SeriesMoved when the series' progress is not what was read (or the ride
        exists), SeriesStopped when the organiser or the club can no longer hold it."""
        progress = _progress(after)
        names = progress["names"]
        values = progress["values"]
        if before.made_through is None:
            check = "attribute_not_exists(#made)"
        else:
            check = "#made = :was"
            values[":was"] = before.made_through.isoformat()
        expression = "SET " + ", ".join(progress["sets"])
        if progress["removes"]:
            expression += " REMOVE " + ", ".join(progress["removes"])
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": keys.series_key(after.series_id),
                    "UpdateExpression": expression,
                    "ConditionExpression": f"#status = :active AND {check}",
                    "ExpressionAttributeNames": {**names, "#status": "status"},
                    "ExpressionAttributeValues": {**values, ":active": "active"},
                }
            }
        ]
        stops: dict[int, str] = {}
        if made is not None:
            leader = _leader(made, after)
            actions += [
                put_if_version(ride_item(made), None),
                {"Put": {"Item": participation_item(leader, made.start_at)}},
            ]
            stops[len(actions)] = "club_not_active"
            actions.append(club_active_check(after.club_id))
            if after.organiser_is_member:
                stops[len(actions)] = "organiser_left"
                actions.append(active_membership_check(after.club_id, after.organiser_id))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            for index, reason in stops.items():
                if cancelled.failed_condition(index):
                    raise SeriesStopped(reason) from None
            raise SeriesMoved from None

    def end(self, before: RideSeries, after: RideSeries) -> None:
        """Stop the series (leaves the due index), if still at the progress read."""
        try:
            self.table.transact_write([put_if_version(series_item(after), before.version)])
        except (TransactionCancelled, ConditionFailed):
            raise SeriesMoved from None

    def add_regular(self, series: RideSeries, regular: Regular) -> None:
        """The rider becomes a regular, while the series is active and has room."""
        try:
            self.table.transact_write(
                [
                    put_if_version(regular_item(regular), None),
                    {
                        "Update": {
                            "Key": keys.series_key(series.series_id),
                            "UpdateExpression": "SET regular_count = regular_count + :one",
                            "ConditionExpression": "#status = :active AND regular_count < :max",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":one": 1,
                                ":active": "active",
                                ":max": MAX_REGULARS,
                            },
                        }
                    },
                    active_membership_check(series.club_id, regular.user_id),
                    account_open(regular.user_id),
                ]
            )
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(3):
                raise account_deleted() from None
            if cancelled.failed_condition(0):
                return  # a regular already (a retry): nothing to do
            if cancelled.failed_condition(2):
                raise Conflict(
                    "Your membership of the club is no longer active.", code="not_a_member"
                ) from None
            raise Conflict(
                f"The series has ended, or has {MAX_REGULARS} regulars already.",
                code="series_closed",
            ) from None

    def remove_regular(self, series_id: str, user_id: str) -> bool:
        """False when the rider was not a regular."""
        try:
            self.table.transact_write(regular_removal(series_id, user_id))
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(0):
                return False
            raise NotFound(f"No series with id '{series_id}'.", code="series_not_found") from None
        return True


def _leader(ride: Ride, series: RideSeries) -> Participation:
    return Participation(
        participation_id=participation_id(ride.ride_id, series.organiser_id),
        ride_id=ride.ride_id,
        club_id=ride.club_id,
        user_id=series.organiser_id,
        role=ParticipationRole.LEADER,
        status=ParticipationStatus.JOINED,
        display_name=series.organiser_name,
        joined_at=ride.created_at,
        updated_at=ride.created_at,
        updated_by=ride.created_by,
    )
