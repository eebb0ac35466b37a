"""A club's statistics (`GET /clubs/{club_id}/stats`, `docs/club-stats.md`): tallies per
Sydney day, moved by domain events.

Every move is an addition, so the tallies come out the same whatever order the events
arrive in, and an event carries what it changed from as well as what it changed to (a
ride moved to another day takes its count with it). The Counts consumer applies each
event's moves once, in the transaction that records the event as applied
(`services/clubs/counts.py`).

Day of what: a membership change counts on the day it happened; a ride, and its riders'
attendance, on the day the ride starts.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.clock import CLUB_TIMEZONE
from shared.domain.enums import Attendance, PaceClass

SYDNEY = ZoneInfo(CLUB_TIMEZONE)

MEMBERS_JOINED = "members_joined"
MEMBERS_LEFT = "members_left"
# Published and not cancelled (a ride moved to another day moves with it).
RIDES_SCHEDULED = "rides_scheduled"
RIDES_CANCELLED = "rides_cancelled"
ATTENDED = "riders_attended"
NO_SHOWS = "riders_no_show"
# The ride's own distance and climbing, once per rider who attended (rider-kilometres).
RIDDEN_KM = "ridden_km"
CLIMBED_M = "climbed_m"
# What the riders' matched Strava activities recorded.
STRAVA_KM = "strava_km"
STRAVA_CLIMBED_M = "strava_climbed_m"

# The events that move a tally.
STATS_EVENTS = (
    "user_joined_club",
    "membership_approved",
    "membership_ended",
    "ride_created",
    "ride_updated",
    "ride_cancelled",
    "attendance_marked",
)
_JOINS = frozenset({"user_joined_club", "membership_approved"})
_RIDE_CHANGES = frozenset({"ride_created", "ride_updated", "ride_cancelled"})
# An ended membership was a member's (not a withdrawn application) if it was one of these.
_MEMBER_STATUSES = frozenset({"active", "suspended"})

Moves = dict[date, dict[str, float]]


def pace_rides(pace_class: str) -> str:
    return f"pace_{pace_class}_rides"


def pace_riders(pace_class: str) -> str:
    return f"pace_{pace_class}_riders"


PACE_CLASSES = tuple(PaceClass)


@dataclass(frozen=True)
class RideFigures:
    """What attendance on a ride counts towards (read from the ride when it is marked)."""

    start_at: datetime
    pace_class: str
    distance_km: float
    elevation_gain_m: float

    @classmethod
    def of(cls, ride: dict[str, Any]) -> "RideFigures":
        """From a ride's item (or its JSON)."""
        return cls(
            start_at=_moment(ride["start_at"]),
            pace_class=str(ride["pace_class"]),
            distance_km=float(ride["distance_km"]),
            elevation_gain_m=float(ride.get("elevation_gain_m") or 0),
        )


def sydney_day(moment: datetime) -> date:
    return moment.astimezone(SYDNEY).date()


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _add(moves: Moves, day: date, tally: str, amount: float) -> None:
    if amount:
        moves[day][tally] = round(moves[day].get(tally, 0) + amount, 3)


def _ride_moves(event_type: str, data: dict[str, Any], moves: Moves) -> None:
    start, pace = sydney_day(_moment(data["start_at"])), data.get("pace_class")

    def count(day: date, pace_class: str | None, amount: int) -> None:
        _add(moves, day, RIDES_SCHEDULED, amount)
        if pace_class:
            _add(moves, day, pace_rides(pace_class), amount)

    if event_type == "ride_created" and data["status"] != "cancelled":
        count(start, pace, 1)
    elif event_type == "ride_cancelled":
        count(start, pace, -1)
        _add(moves, start, RIDES_CANCELLED, 1)
    elif event_type == "ride_updated" and data["status"] != "cancelled":
        was_start = data.get("previous_start_at")
        before = sydney_day(_moment(was_start)) if was_start else start
        was_pace = data.get("previous_pace_class") or pace
        if (before, was_pace) != (start, pace):
            count(before, was_pace, -1)
            count(start, pace, 1)


def _attendance_side(
    attendance: str, sign: int, ride: RideFigures, day: date, moves: Moves
) -> None:
    if attendance == Attendance.ATTENDED:
        _add(moves, day, ATTENDED, sign)
        _add(moves, day, RIDDEN_KM, sign * ride.distance_km)
        _add(moves, day, CLIMBED_M, sign * ride.elevation_gain_m)
        _add(moves, day, pace_riders(ride.pace_class), sign)
    elif attendance == Attendance.NO_SHOW:
        _add(moves, day, NO_SHOWS, sign)


def _attendance_moves(data: dict[str, Any], ride: RideFigures, moves: Moves) -> None:
    day = sydney_day(ride.start_at)
    if data["attendance"] != data["previous_attendance"]:
        _attendance_side(data["previous_attendance"], -1, ride, day, moves)
        _attendance_side(data["attendance"], 1, ride, day, moves)
    _add(
        moves,
        day,
        STRAVA_KM,
        (data.get("activity_km") or 0) - (data.get("previous_activity_km") or 0),
    )
    _add(
        moves,
        day,
        STRAVA_CLIMBED_M,
        (data.get("activity_climb_m") or 0) - (data.get("previous_activity_climb_m") or 0),
    )


def stats_moves(
    event_type: str, occurred_at: datetime, data: dict[str, Any], ride: RideFigures | None
) -> Moves:
    """How `event_type` moves its club's tallies, by day (empty: it moves none). An
    attendance event needs its ride's figures (`ride`); without them it moves nothing."""
    moves: Moves = defaultdict(dict)
    if event_type in _JOINS:
        _add(moves, sydney_day(occurred_at), MEMBERS_JOINED, 1)
    elif event_type == "membership_ended" and data.get("previous_status") in _MEMBER_STATUSES:
        _add(moves, sydney_day(occurred_at), MEMBERS_LEFT, 1)
    elif event_type in _RIDE_CHANGES and data.get("start_at"):
        _ride_moves(event_type, data, moves)
    elif event_type == "attendance_marked" and ride is not None:
        _attendance_moves(data, ride, moves)
    kept = {day: {t: v for t, v in tallies.items() if v} for day, tallies in moves.items()}
    return {day: tallies for day, tallies in kept.items() if tallies}
