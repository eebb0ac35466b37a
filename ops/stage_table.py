"""Which table an operations command works on: the stage's own, or the restored table
serving the stage since a cut-over (`--table`, docs/runbooks/data.md)."""

import argparse

from shared.store.schema import is_stage_table, table_name


def add_table_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--table", help="the restored table serving the stage, after a cut-over (its name)"
    )


def stage_table_name(stage: str, table: str | None) -> str:
    """`table` if it is one of the stage's tables (`sydney-cycling-{stage}-...`), else the
    stage's own; another stage's table is refused."""
    if not table:
        return table_name(stage)
    if not is_stage_table(stage, table):
        raise SystemExit(f"{table} is not one of stage {stage}'s tables.")
    return table
