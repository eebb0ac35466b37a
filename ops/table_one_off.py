"""The command line every one-off table migration shares: a stage, a dry run by default,
`--apply` to write, and one line per item it looked at."""

import argparse
from collections.abc import Callable

import boto3

from ops.stage_table import add_table_argument, stage_table_name
from shared.store.table import Table

Migration = Callable[..., list[tuple[str, str]]]


def run(argv: list[str], prog: str, doc: str | None, migrate: Migration, counted: str) -> int:
    """Parse `argv`, run `migrate(table, apply=...)` on the stage's table and print what
    happened to each item, then `N {counted}`."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--stage", choices=["dev", "staging", "prod"], required=True)
    parser.add_argument("--region", default="ap-southeast-2")
    parser.add_argument("--apply", action="store_true", help="write (default: a dry run)")
    add_table_argument(parser)
    args = parser.parse_args(argv)
    dynamodb = boto3.Session(region_name=args.region).client("dynamodb")
    outcomes = migrate(Table(dynamodb, stage_table_name(args.stage, args.table)), apply=args.apply)
    for item_id, outcome in outcomes:
        print(f"{item_id}: {outcome}")
    print(f"{len(outcomes)} {counted}{'' if args.apply else ' (dry run)'}")
    return 0
