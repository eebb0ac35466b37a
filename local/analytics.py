"""The event lake's named queries (`shared/lake_queries/`), answered by DuckDB over the
running local platform's lake: the Parquet objects the EventLake consumer wrote under
`lake/events/` of the local assets bucket, read as Athena reads them in AWS
(`docs/event-lake.md`).

    python -m local.analytics                          # the named queries
    python -m local.analytics club_activity_by_month   # one of them, as a table
    python -m local.analytics monthly_active_riders --json
"""

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import duckdb

from local.address_file import find_platform
from local.provision import LOCAL_CREDENTIALS
from shared.lake import COLUMNS, DUCKDB_OFFLINE, EVENTS_FOLDER, PARTITIONS, named_queries


def download_lake(s3: Any, bucket: str, into: Path) -> int:
    """Copies the lake's objects under `into`, keys kept (their partitions); returns how many."""
    copied = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=EVENTS_FOLDER):
        for item in page.get("Contents", []):
            target = into / item["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(target))
            copied += 1
    return copied


@contextmanager
def lake_database(folder: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB with the view `events` over the lake copied under `folder`: partitions read
    from the keys as the strings Glue declares them (Athena's partition projection)."""
    with duckdb.connect(":memory:", config=DUCKDB_OFFLINE) as db:
        db.execute("SET TimeZone = 'UTC'")
        pattern = folder / EVENTS_FOLDER / "*" / "*" / "*.parquet"
        types = ", ".join(f"'{name}': 'VARCHAR'" for name in PARTITIONS)
        if any(folder.glob(f"{EVENTS_FOLDER}*/*/*.parquet")):
            source = (
                f"read_parquet('{pattern}', hive_partitioning = true, hive_types = {{{types}}})"
            )
        else:  # an empty lake still answers, with no rows
            source = _empty_events()
        db.execute(f"CREATE VIEW events AS SELECT * FROM {source}")
        yield db


def _empty_events() -> str:
    columns = ", ".join(f"CAST(NULL AS {c.duckdb}) AS {c.name}" for c in COLUMNS)
    partitions = ", ".join(f"CAST(NULL AS VARCHAR) AS {name}" for name in PARTITIONS)
    return f"(SELECT {columns}, {partitions} WHERE false)"


def answer(db: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    """The named query's rows, as column -> value."""
    cursor = db.execute(named_queries()[query].sql)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("(no rows)")
        return
    names = list(rows[0])
    cells = [[str(row[n]) for n in names] for row in rows]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for line in cells:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


def main(argv: list[str]) -> int:
    queries = named_queries()
    parser = argparse.ArgumentParser(prog="python -m local.analytics", description=__doc__)
    parser.add_argument("query", nargs="?", choices=sorted(queries), help="a named query")
    parser.add_argument("--api", help="the local platform's API URL (with several running)")
    parser.add_argument("--json", action="store_true", help="rows as JSON lines")
    args = parser.parse_args(argv)
    if args.query is None:
        for query in queries.values():
            print(f"{query.name}: {query.description}")
        return 0
    platform = find_platform(args.api)
    s3 = boto3.client(
        "s3",
        endpoint_url=platform["moto_url"],
        region_name=platform["region"],
        **LOCAL_CREDENTIALS,
    )
    with tempfile.TemporaryDirectory() as folder:
        download_lake(s3, platform["resources"]["bucket_name"], Path(folder))
        with lake_database(Path(folder)) as db:
            rows = answer(db, args.query)
    if args.json:
        for row in rows:
            print(json.dumps(row, default=str))
    else:
        _print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
