"""A restore drill: the stage's table restored to a point in time into a new table, its
items checked against the platform's invariants (`ops/invariants.py`), the time it took
reported, and the copy deleted. It touches nothing of the live table.

    python -m ops.restore_drill --stage prod                          # the latest point
    python -m ops.restore_drill --stage prod --at 2026-12-01T06:00    # a moment (UTC)
    python -m ops.restore_drill --stage prod --keep                   # keep the copy

Exit 0 when the restored data holds the invariants, 1 when it does not (each problem is
printed), so the drill can run on a schedule. The copy is named
`sydney-cycling-{stage}-drill-<time>`; what a real restore does next (the cut-over) is in
docs/runbooks/data.md.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from ops.invariants import problems
from ops.replay import when
from ops.stage_table import add_table_argument, stage_table_name
from shared.store.schema import table_name
from shared.store.table import deserialize


@dataclass(frozen=True)
class Drill:
    restored: str
    seconds_to_restore: float
    items: int
    problems: list[str]


def restore(
    dynamodb: Any,
    stage: str,
    at: datetime | None,
    poll_seconds: float = 20,
    source: str | None = None,
) -> str:
    """The name of a new table holding the stage's table (or `source`, a restored one
    serving it) as it was `at` (or at the latest restorable time), once it is ACTIVE."""
    source = source or table_name(stage)
    target = f"{table_name(stage)}-drill-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    moment: dict[str, Any] = {"RestoreDateTime": at} if at else {"UseLatestRestorableTime": True}
    dynamodb.restore_table_to_point_in_time(
        SourceTableName=source,
        TargetTableName=target,
        BillingModeOverride="PAY_PER_REQUEST",
        **moment,
    )
    dynamodb.get_waiter("table_exists").wait(
        TableName=target, WaiterConfig={"Delay": poll_seconds, "MaxAttempts": 360}
    )
    return target


def scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items += [deserialize(item) for item in page["Items"]]
    return items


def drill(
    dynamodb: Any,
    stage: str,
    at: datetime | None = None,
    keep: bool = False,
    poll_seconds: float = 20,
    source: str | None = None,
) -> Drill:
    started = time.monotonic()
    restored = restore(dynamodb, stage, at, poll_seconds, source)
    took = time.monotonic() - started
    try:
        items = scan(dynamodb, restored)
        return Drill(restored, took, len(items), problems(items))
    finally:
        if not keep:
            dynamodb.delete_table(TableName=restored)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.restore_drill", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--at", type=when, help="ISO time, UTC (default: latest restorable)")
    parser.add_argument("--keep", action="store_true", help="keep the restored copy")
    parser.add_argument("--region", default="ap-southeast-2")
    add_table_argument(parser)
    args = parser.parse_args()
    result = drill(
        boto3.client("dynamodb", region_name=args.region),
        args.stage,
        args.at,
        args.keep,
        source=stage_table_name(args.stage, args.table),
    )
    print(f"restored {result.restored} in {result.seconds_to_restore:.0f} s, {result.items} items")
    for problem in result.problems:
        print(f"  {problem}")
    print("invariants hold" if not result.problems else f"{len(result.problems)} problems")
    if not args.keep:
        print(f"{result.restored} deleted")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
