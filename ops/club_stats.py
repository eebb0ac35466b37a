"""A club's statistics checked against what the table holds, and put right if they drifted
(docs/club-stats.md).

    python -m ops.club_stats --stage prod --club <club id>          # the differences
    python -m ops.club_stats --stage prod --club <club id> --fix    # add them

What the tallies should be is worked out from the table itself, through the same moves the
Counts consumer makes (`shared/domain/club_stats.py`): the club's rides (their day, pace
and whether cancelled), every place's attendance and matched Strava activity, and the
joins and leaves the club's audit log recorded (kept two years). The fix adds each
difference (never overwrites), so events the consumer applies meanwhile still count; a
second run then shows what is left (nothing, once the club is quiet).
"""

import argparse
import sys
from collections import defaultdict
from datetime import datetime
from typing import Any

import boto3

from ops.stage_table import add_table_argument, stage_table_name
from shared.domain.club_stats import RideFigures, stats_moves
from shared.store import keys
from shared.store.club_stats import club_days, tallies_update
from shared.store.schema import GSI2
from shared.store.table import Table

Tallies = dict[str, dict[str, float]]
# Bookkeeping attributes of a day item, not tallies.
_NOT_TALLIES = frozenset({"PK", "SK", "entity", "club_id", "day"})
_JOINS = ("user_joined_club", "membership_approved")


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _add(total: Tallies, moves: dict[Any, dict[str, float]]) -> None:
    for day, tallies in moves.items():
        for tally, amount in tallies.items():
            total[str(day)][tally] = round(total[str(day)].get(tally, 0) + amount, 3)


def _ride_moves(ride: dict[str, Any], total: Tallies) -> None:
    created = {
        "start_at": ride["start_at"],
        "status": "scheduled",
        "pace_class": ride["pace_class"],
    }
    _add(total, stats_moves("ride_created", _moment(ride["start_at"]), created, None))
    if ride.get("status") == "cancelled":
        _add(total, stats_moves("ride_cancelled", _moment(ride["start_at"]), created, None))


def _attendance_moves(ride: dict[str, Any], place: dict[str, Any], total: Tallies) -> None:
    figures = RideFigures.of(ride)
    activity = place.get("strava_activity") or {}
    marked = {
        "attendance": place.get("attendance", "unknown"),
        "previous_attendance": "unknown",
        "activity_km": activity.get("distance_km"),
        "activity_climb_m": activity.get("elevation_gain_m"),
    }
    _add(total, stats_moves("attendance_marked", figures.start_at, marked, figures))


def _membership_moves(entry: dict[str, Any], total: Tallies) -> None:
    action, before = entry["action"], entry.get("before") or {}
    if action in _JOINS or action == "membership_ended":
        data = {"previous_status": before.get("status")}
        _add(total, stats_moves(action, _moment(entry["occurred_at"]), data, None))


def expected_tallies(table: Table, club_id: str) -> Tallies:
    """The club's tallies by day, from its rides, their places and its audit log."""
    total: Tallies = defaultdict(dict)
    rides = table.query_all(
        GSI2.name, f"{GSI2.partition_key} = :pk", {":pk": keys.club_rides_pk(club_id)}
    )
    for ride in (r for r in rides if r.get("entity") == "ride"):
        _ride_moves(ride, total)
        partition = keys.ride_key(str(ride["ride_id"]))["PK"]
        for place in table.query_all(None, "PK = :pk", {":pk": partition}):
            if place.get("entity") == "participation":
                _attendance_moves(ride, place, total)
    for entry in table.query_all(None, "PK = :pk", {":pk": keys.audit_pk(club_id)}):
        _membership_moves(entry, total)
    return {day: {t: v for t, v in tallies.items() if v} for day, tallies in total.items()}


def differences(expected: Tallies, kept: Tallies) -> Tallies:
    """What to add to `kept` to make it `expected`, by day (days that agree left out)."""
    found: Tallies = {}
    for day in sorted(set(expected) | set(kept)):
        want, have = expected.get(day, {}), kept.get(day, {})
        delta = {
            tally: round(want.get(tally, 0) - have.get(tally, 0), 3)
            for tally in sorted(set(want) | set(have))
        }
        if any(delta.values()):
            found[day] = {t: v for t, v in delta.items() if v}
    return found


def kept_tallies(table: Table, club_id: str) -> Tallies:
    return {
        str(item["SK"]): {k: float(v) for k, v in item.items() if k not in _NOT_TALLIES}
        for item in club_days(table, club_id, "0000", "9999")
    }


def check(table: Table, club_id: str, *, fix: bool = False) -> Tallies:
    """The differences between what the club's tallies are and should be; with `fix`,
    each added to its day."""
    found = differences(expected_tallies(table, club_id), kept_tallies(table, club_id))
    if fix:
        for day, delta in found.items():
            update = tallies_update(club_id, day, delta)["Update"]
            table.update(
                update["Key"],
                update["UpdateExpression"],
                values=update["ExpressionAttributeValues"],
                names=update["ExpressionAttributeNames"],
            )
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.club_stats", description=__doc__)
    parser.add_argument("--stage", choices=["dev", "staging", "prod"], required=True)
    parser.add_argument("--club", required=True, help="the club's id")
    add_table_argument(parser)
    parser.add_argument("--region", default="ap-southeast-2")
    parser.add_argument("--fix", action="store_true", help="add the differences")
    args = parser.parse_args(argv)
    dynamodb = boto3.Session(region_name=args.region).client("dynamodb")
    table = Table(dynamodb, stage_table_name(args.stage, args.table))
    found = check(table, args.club, fix=args.fix)
    for day, delta in found.items():
        print(f"{day}: " + ", ".join(f"{tally} {amount:+g}" for tally, amount in delta.items()))
    print(
        f"{len(found)} days differ"
        + (" (added)" if args.fix and found else "" if found else ": the statistics hold")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
