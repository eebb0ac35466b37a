"""Strava links (with the athlete -> user index item), single-use OAuth states, and the
matches between activities and participations."""

from contextlib import suppress
from datetime import datetime
from typing import Any

from shared.domain.errors import Conflict
from shared.domain.ride import Participation, Ride, utc_text
from shared.domain.strava import StravaLink
from shared.store import keys
from shared.store.rides import (
    participation_item,
    ride_start_check,
    to_participation,
    to_ride,
)
from shared.store.schema import GSI1, GSI2, TTL_ATTRIBUTE
from shared.store.table import Table, TransactionCancelled

_LINK_FIELDS = frozenset(StravaLink.model_fields)


def link_item(link: StravaLink) -> dict[str, Any]:
    return {
        **keys.strava_link_key(link.user_id),
        "entity": "strava_link",
        **link.model_dump(mode="json"),
    }


def _lost_race() -> Conflict:
    return Conflict("The Strava link changed meanwhile; try again.", code="version_conflict")


class StravaStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # OAuth states: single use, expiring.

    def put_state(self, nonce: str, user_id: str, expires: int) -> None:
        self.table.put(
            {**keys.strava_state_key(nonce), "user_id": user_id, TTL_ATTRIBUTE: expires},
            condition="attribute_not_exists(PK)",
        )

    def consume_state(self, nonce: str, user_id: str, now: int) -> bool:
        """Delete the state if it is this user's and unexpired; False if it was used,
        expired (TTL deletes late, so the time is checked too) or never issued."""
        try:
            self.table.transact_write(
                [
                    {
                        "Delete": {
                            "Key": keys.strava_state_key(nonce),
                            "ConditionExpression": "user_id = :user AND #expires > :now",
                            "ExpressionAttributeNames": {"#expires": TTL_ATTRIBUTE},
                            "ExpressionAttributeValues": {":user": user_id, ":now": now},
                        }
                    }
                ]
            )
        except TransactionCancelled:
            return False
        return True

    # Links.

    def link(self, user_id: str) -> StravaLink | None:
        item = self.table.get(keys.strava_link_key(user_id))
        if item is None:
            return None
        return StravaLink.model_validate({k: v for k, v in item.items() if k in _LINK_FIELDS})

    def user_of_athlete(self, athlete_id: int) -> str | None:
        item = self.table.get(keys.strava_athlete_key(athlete_id))
        return str(item["user_id"]) if item else None

    def save_link(self, link: StravaLink, previous: StravaLink | None) -> None:
        """Create the link (or replace `previous`) with the athlete's index item; an
        athlete linked to another user is refused."""
        put: dict[str, Any] = {"Item": link_item(link)}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = {":expected": previous.version}
        actions: list[dict[str, Any]] = [
            {"Put": put},
            {
                "Put": {
                    "Item": {
                        **keys.strava_athlete_key(link.athlete_id),
                        "entity": "strava_athlete",
                        "user_id": link.user_id,
                    },
                    "ConditionExpression": "attribute_not_exists(PK) OR user_id = :user",
                    "ExpressionAttributeValues": {":user": link.user_id},
                }
            },
        ]
        if previous is not None and previous.athlete_id != link.athlete_id:
            actions.append({"Delete": {"Key": keys.strava_athlete_key(previous.athlete_id)}})
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise Conflict(
                    "This Strava athlete is linked to another rider.",
                    code="strava_athlete_linked_elsewhere",
                ) from None
            raise _lost_race() from None

    def replace_tokens(
        self, link: StravaLink, sealed: str, expires_at: int, now: datetime
    ) -> StravaLink:
        """After a refresh; a concurrent refresh wins and this one is a conflict."""
        after = link.model_copy(
            update={
                "sealed_tokens": sealed,
                "token_expires_at": expires_at,
                "updated_at": now,
                "version": link.version + 1,
            }
        )
        try:
            self.table.transact_write(
                [
                    {
                        "Put": {
                            "Item": link_item(after),
                            "ConditionExpression": "version = :expected",
                            "ExpressionAttributeValues": {":expected": link.version},
                        }
                    }
                ]
            )
        except TransactionCancelled:
            raise _lost_race() from None
        return after

    def delete_link(self, link: StravaLink) -> None:
        with suppress(TransactionCancelled):  # gone already: deleting twice is harmless
            self.table.transact_write(
                [
                    {
                        "Delete": {
                            "Key": keys.strava_link_key(link.user_id),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {
                        "Delete": {
                            "Key": keys.strava_athlete_key(link.athlete_id),
                            "ConditionExpression": "attribute_not_exists(PK) OR user_id = :user",
                            "ExpressionAttributeValues": {":user": link.user_id},
                        }
                    },
                ]
            )

    # What push events may cost.

    def first_sighting(
        self, object_type: str, object_id: int, change: str, now: int, window_seconds: int
    ) -> bool:
        """Claim one change to one object for the window; False when it was seen already
        (Strava's redelivery, or the same forged event again)."""
        try:
            self.table.put(
                {
                    **keys.strava_event_key(object_type, object_id, change),
                    TTL_ATTRIBUTE: now + window_seconds,
                },
                condition="attribute_not_exists(PK) OR #expires <= :now",
                values={":now": now},
                names={"#expires": TTL_ATTRIBUTE},
            )
        except Conflict:
            return False
        return True

    def forget_sighting(self, object_type: str, object_id: int, change: str) -> None:
        self.table.delete(keys.strava_event_key(object_type, object_id, change))

    def spend_read(self, athlete_id: int, window: int, cap: int, expires: int) -> bool:
        """Count one Strava read for this athlete in this window; False once `cap` are
        spent (the read must not be made)."""
        try:
            self.table.update(
                keys.strava_budget_key(athlete_id, window),
                "ADD #spent :one SET #expires = :expires",
                condition="attribute_not_exists(#spent) OR #spent < :cap",
                values={":one": 1, ":cap": cap, ":expires": expires},
                names={"#expires": TTL_ATTRIBUTE, "#spent": "reads_spent"},
            )
        except Conflict:
            return False
        return True

    # Matching activities to rides.

    def active_club_ids(self, user_id: str) -> list[str]:
        items, _ = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk",
            values={":pk": keys.user_memberships_pk(user_id), ":active": "active"},
            filter_expression="#status = :active",
            names={"#status": "status"},
            limit=100,
        )
        return [str(i["club_id"]) for i in items if i.get("entity") == "membership"]

    def rides_starting_between(self, club_id: str, start: datetime, end: datetime) -> list[Ride]:
        """The club's rides starting in [start, end] (GSI2; their items are read again
        consistently before anything is written)."""
        items, _ = self.table.query_page(
            index=GSI2.name,
            key_condition=f"{GSI2.partition_key} = :pk AND {GSI2.sort_key} BETWEEN :from AND :to",
            values={
                ":pk": keys.club_rides_pk(club_id),
                ":from": utc_text(start),
                ":to": f"{utc_text(end)}#~",
            },
            limit=20,
        )
        return [to_ride(i) for i in items]

    def ride_and_participation(
        self, ride_id: str, user_id: str
    ) -> tuple[Ride | None, Participation | None]:
        items = self.table.batch_get(
            [keys.ride_key(ride_id), keys.participation_key(ride_id, user_id)]
        )
        ride = next((i for i in items if i.get("entity") == "ride"), None)
        mine = next((i for i in items if i.get("entity") == "participation"), None)
        return (to_ride(ride) if ride else None), (to_participation(mine) if mine else None)

    def match_of(self, activity_id: int) -> tuple[str, str] | None:
        """(ride id, user id) an activity was matched to."""
        item = self.table.get(keys.strava_activity_key(activity_id))
        return (str(item["ride_id"]), str(item["user_id"])) if item else None

    def record_match(
        self, ride: Ride, before: Participation, after: Participation, activity_id: int
    ) -> None:
        self._replace(
            ride,
            before,
            after,
            {
                "Put": {
                    "Item": {
                        **keys.strava_activity_key(activity_id),
                        "entity": "strava_activity",
                        "ride_id": after.ride_id,
                        "user_id": after.user_id,
                    }
                }
            },
        )

    def clear_match(
        self, ride: Ride, before: Participation, after: Participation, activity_id: int
    ) -> None:
        self._replace(
            ride, before, after, {"Delete": {"Key": keys.strava_activity_key(activity_id)}}
        )

    def forget_match(self, activity_id: int) -> None:
        self.table.delete(keys.strava_activity_key(activity_id))

    def _replace(
        self, ride: Ride, before: Participation, after: Participation, other: dict[str, Any]
    ) -> None:
        """The participation, if unchanged since read, with the match's own item, while
        the ride starts when it did (the rider's schedule files it under that time)."""
        put = {
            "Put": {
                "Item": participation_item(after, ride.start_at),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": before.version},
            }
        }
        try:
            self.table.transact_write([put, other, ride_start_check(ride)])
        except TransactionCancelled:
            raise Conflict(
                "The participation changed meanwhile.", code="version_conflict"
            ) from None
