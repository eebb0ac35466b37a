"""The event lake (`docs/event-lake.md`): every domain event as a row of Parquet under
`lake/events/` of the assets bucket, partitioned Hive-style by event type and UTC day, so
Athena (and DuckDB locally) prune to the partitions a question names.

A row carries ids, states and the event's time only: never a name, a title, a reason or
anything a rider typed. The columns are declared once here: the writer
(`services/lake/writer.py`) makes its Parquet from them and the data stack its Glue table.
"""

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from shared.events import DomainEvent

LAKE_FOLDER = "lake/"
EVENTS_FOLDER = f"{LAKE_FOLDER}events/"
# Where Athena writes query results (expired after a week).
RESULTS_FOLDER = f"{LAKE_FOLDER}athena-results/"
# DuckDB never installs or loads an extension at run time (Parquet and JSON are built in).
DUCKDB_OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# The Glue table's partition columns, in the objects' keys.
PARTITIONS = ("event_type", "dt")


@dataclass(frozen=True)
class Column:
    name: str
    # Its type in DuckDB (the writer's) and in Glue (Athena's), which read it alike.
    duckdb: str
    glue: str
    # Where it comes from: the envelope's field, or the event's `data` field.
    source: str


COLUMNS: tuple[Column, ...] = (
    Column("event_id", "VARCHAR", "string", "envelope"),
    Column("context", "VARCHAR", "string", "envelope"),
    # UTC, without a zone (Athena's `timestamp`).
    Column("occurred_at", "TIMESTAMP", "timestamp", "envelope"),
    Column("actor_id", "VARCHAR", "string", "envelope"),
    Column("club_id", "VARCHAR", "string", "data"),
    Column("ride_id", "VARCHAR", "string", "data"),
    Column("series_id", "VARCHAR", "string", "data"),
    Column("user_id", "VARCHAR", "string", "data"),
    Column("status", "VARCHAR", "string", "data"),
    Column("previous_status", "VARCHAR", "string", "data"),
    Column("role", "VARCHAR", "string", "data"),
    Column("club_role", "VARCHAR", "string", "data"),
    Column("attendance", "VARCHAR", "string", "data"),
    Column("previous_attendance", "VARCHAR", "string", "data"),
    Column("source", "VARCHAR", "string", "data"),
    Column("pace_class", "VARCHAR", "string", "data"),
    Column("join_policy", "VARCHAR", "string", "data"),
)


def lake_row(event: DomainEvent) -> dict[str, Any]:
    """The event's row: its ids and states, nothing else."""
    occurred = event.occurred_at.astimezone(UTC).replace(tzinfo=None)
    envelope = {
        "event_id": event.event_id,
        "context": event.context,
        "occurred_at": occurred,
        "actor_id": event.actor,
    }
    return {
        column.name: envelope[column.name]
        if column.source == "envelope"
        else _text(event.data.get(column.name))
        for column in COLUMNS
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def partition_of(event: DomainEvent) -> tuple[str, str]:
    """(event type, UTC day): the partition its row lands in."""
    return event.event_type, event.occurred_at.astimezone(UTC).date().isoformat()


def object_key(event_type: str, day: str, name: str) -> str:
    return f"{EVENTS_FOLDER}event_type={event_type}/dt={day}/{name}.parquet"


@dataclass(frozen=True)
class NamedQuery:
    """A question the lake answers: Athena's named query in each stage, and the same SQL
    locally through DuckDB (`local/analytics.py`). The SQL reads one table, `events`."""

    name: str
    description: str
    sql: str


QUERIES_DIR = Path(__file__).parent / "lake_queries"


def named_queries() -> dict[str, NamedQuery]:
    """The `.sql` files of `shared/lake_queries/`; each file's opening comment says what
    it answers."""
    found: dict[str, NamedQuery] = {}
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        text = path.read_text()
        comment = [line[2:].strip() for line in text.splitlines() if line.startswith("--")]
        found[path.stem] = NamedQuery(path.stem, " ".join(comment), text)
    return found
