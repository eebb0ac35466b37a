"""Rows of the lake (`shared/lake.py`) as one Parquet file, written by DuckDB.

DuckDB rather than pyarrow: one engine writes the lake here and answers its named queries
locally (`local/analytics.py`), and its arm64 wheel is a third of pyarrow's. The rows go in
as JSON lines read with the declared column types (a hundred times faster than inserting
them one by one: `make bench`). Parquet and JSON are built into its Python wheel;
extensions are never installed or loaded at run time.
"""

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from shared.lake import COLUMNS, DUCKDB_OFFLINE

_TYPES = "{" + ", ".join(f"'{c.name}': '{c.duckdb}'" for c in COLUMNS) + "}"


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    """`rows` (each with every column of `COLUMNS`) as a ZSTD-compressed Parquet file."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "batch.jsonl", Path(folder) / "batch.parquet"
        source.write_text("\n".join(json.dumps(row, default=str) for row in rows))
        with duckdb.connect(":memory:", config=DUCKDB_OFFLINE) as db:
            db.execute(
                f"COPY (SELECT * FROM read_json('{source}', format = 'newline_delimited', "
                f"columns = {_TYPES})) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD)"
            )
        return target.read_bytes()
