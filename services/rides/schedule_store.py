"""A rider's schedule and personal calendar feed: the places they take (GSI1, filed under
each ride's start), the rides and memberships that decide what they may see, and the
feed's secret token.

The schedule is an index (eventually consistent, like any listing); what a rider may see
is decided from consistent reads of the rides and of their memberships, so a ride of a
club they left, or one made members-only since, drops out at once.
"""

from datetime import datetime
from typing import Any

from rides.store import RideMoved
from shared.authz import MembershipView
from shared.domain.enums import ParticipationRole, ParticipationStatus
from shared.domain.errors import Conflict
from shared.domain.ride import Participation, Ride, utc_text
from shared.store import keys
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.deletion import account_deleted, account_open
from shared.store.rides import (
    read_rides_and_memberships,
    ride_partition,
    ride_start_check,
    to_participation,
    to_ride,
)
from shared.store.schema import GSI1, PK, SK
from shared.store.table import Item, Table, TransactionCancelled

_PAGE_KEYS = (PK, SK, GSI1.partition_key, GSI1.sort_key)


class ScheduleStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # The schedule.

    def places(
        self,
        user_id: str,
        *,
        now: datetime,
        past: bool,
        status: ParticipationStatus | None,
        leading: bool,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Participation], str | None]:
        """One page of the rider's places, by the ride's start: upcoming (soonest first)
        or past (latest first). One Query."""
        partition = keys.user_rides_pk(user_id)
        bound = "<" if past else ">="
        values: dict[str, Any] = {":pk": partition, ":now": utc_text(now)}
        names: dict[str, str] = {}
        filters = []
        if status is not None:
            filters.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = status.value
        if leading:
            filters.append("#role = :leader")
            names["#role"] = "role"
            values[":leader"] = ParticipationRole.LEADER.value
        items, last = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk AND {GSI1.sort_key} {bound} :now",
            values=values,
            limit=limit,
            forward=not past,
            start_key=decode_cursor(
                cursor, key_names=_PAGE_KEYS, fixed={GSI1.partition_key: partition}
            ),
            filter_expression=" AND ".join(filters) or None,
            names=names or None,
        )
        return [to_participation(i) for i in items], encode_cursor(last)

    def rides_and_memberships(
        self, places: list[Participation], user_id: str
    ) -> tuple[dict[str, Ride], dict[str, MembershipView]]:
        """The places' rides and the rider's memberships of their clubs, consistently, in
        one round trip for a page."""
        clubs = sorted({p.club_id for p in places})
        return read_rides_and_memberships(self.table, [p.ride_id for p in places], clubs, user_id)

    def schedule_entries(self, ride_id: str) -> tuple[Ride | None, list[tuple[Participation, str]]]:
        """The ride, and each participation that takes part with the sort key it is filed
        under in its rider's schedule (GSI1), consistently, in one Query."""
        items = ride_partition(self.table, ride_id)
        ride = next((to_ride(i) for i in items if i.get("entity") == "ride"), None)
        filed = [
            (to_participation(i), str(i.get(GSI1.sort_key, "")))
            for i in items
            if i.get("entity") == "participation"
        ]
        return ride, [(p, key) for p, key in filed if p.takes_part]

    def refile(self, ride: Ride, participations: list[Participation]) -> None:
        """File participations under the ride's start in their riders' schedules, each if
        unchanged since read, while the ride still starts then (99 and the ride's check
        to a transaction). Raises RideMoved when anything moved: read again."""
        sort_key = keys.ride_start_sk(utc_text(ride.start_at), ride.ride_id)
        for offset in range(0, len(participations), 99):
            updates = [
                {
                    "Update": {
                        "Key": keys.participation_key(p.ride_id, p.user_id),
                        "UpdateExpression": "SET #sk = :sk",
                        "ConditionExpression": "version = :version",
                        "ExpressionAttributeNames": {"#sk": GSI1.sort_key},
                        "ExpressionAttributeValues": {":sk": sort_key, ":version": p.version},
                    }
                }
                for p in participations[offset : offset + 99]
            ]
            try:
                self.table.transact_write([*updates, ride_start_check(ride)])
            except TransactionCancelled:
                raise RideMoved from None

    # The personal calendar feed's token.

    def feed_owner(self, token_hash: str) -> str | None:
        """Whose feed a token opens, read consistently: a rotated or revoked token stops
        working the moment the change commits."""
        item = self.table.get(keys.calendar_feed_key(token_hash))
        return str(item["user_id"]) if item else None

    def current_feed(self, user_id: str) -> Item | None:
        return self.table.get(keys.user_calendar_feed_key(user_id))

    def replace_feed(
        self, user_id: str, current: Item | None, token_hash: str | None, now: datetime
    ) -> None:
        """Put a new token in place of `current` (None: revoke it), deleting the old
        token's item in the same transaction, if the rider's feed is still `current`."""
        actions: list[dict[str, Any]] = []
        record = keys.user_calendar_feed_key(user_id)
        if current is not None:
            actions.append({"Delete": {"Key": keys.calendar_feed_key(current["token_hash"])}})
        if token_hash is None:
            if current is None:
                return
            actions.append(
                {
                    "Delete": {
                        "Key": record,
                        "ConditionExpression": "token_hash = :old",
                        "ExpressionAttributeValues": {":old": current["token_hash"]},
                    }
                }
            )
        else:
            created = utc_text(now)
            new_record = {**record, "entity": "calendar_feed", "token_hash": token_hash}
            put: dict[str, Any] = {"Item": {**new_record, "created_at": created}}
            if current is None:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            else:
                put["ConditionExpression"] = "token_hash = :old"
                put["ExpressionAttributeValues"] = {":old": current["token_hash"]}
            token_item = {
                **keys.calendar_feed_key(token_hash),
                "entity": "calendar_feed_token",
                "user_id": user_id,
                "created_at": created,
            }
            actions += [
                {"Put": put},
                {"Put": {"Item": token_item, "ConditionExpression": "attribute_not_exists(PK)"}},
            ]
        actions.append(account_open(user_id))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(len(actions) - 1):
                raise account_deleted() from None
            raise Conflict(
                "Your calendar feed changed meanwhile; read it again.", code="feed_changed"
            ) from None
