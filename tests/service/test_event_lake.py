"""The event lake (`docs/event-lake.md`), in-process against moto: the EventLake consumer
writes a scripted history of domain events as Parquet partitions into the assets bucket;
DuckDB reads them back as Athena would and the named queries answer what the club
statistics route answers for the same history."""

from pathlib import Path
from typing import Any

import boto3
import pytest
from lake import writer

from clubs import counts
from local.analytics import answer, download_lake, lake_database
from shared.lake import COLUMNS, EVENTS_FOLDER, named_queries
from shared.store.table import Table
from tests.service.conftest import LambdaContextStub, sqs_batch
from tests.service.test_club_stats import WHOLE_RANGE, Club, events_of, make_club  # noqa: F401

pytestmark = pytest.mark.service

BUCKET = "sydney-cycling-test-assets"


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    return client


def test_the_named_queries_answer_what_the_club_statistics_answer(
    table: Table,
    make_club: type[Club],  # noqa: F811 (pytest's fixture by name)
    s3: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSETS_BUCKET_NAME", BUCKET)
    clubs = [make_club(table), make_club(table)]
    history = [event for club in clubs for event in events_of(club.club_id)]
    for event in history:
        counts.apply_event(table, event)
    # Two batches, the second a redelivery of part of the first split differently.
    answered = writer.handler(sqs_batch(*history), LambdaContextStub())
    writer.handler(sqs_batch(*history[5:20]), LambdaContextStub())

    assert answered == {"batchItemFailures": []}
    assert download_lake(s3, BUCKET, tmp_path) > 0
    with lake_database(tmp_path) as db:
        months = answer(db, "club_activity_by_month")
        for query in named_queries():
            answer(db, query)  # each one runs on DuckDB
        rows = db.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
    assert rows == (len(history) + 15, len(history))  # repeated rows, counted once
    for club in clubs:
        totals = club.stats(WHOLE_RANGE).body["totals"]
        mine = [m for m in months if m["club_id"] == club.club_id]
        for figure in ("members_joined", "members_left", "riders_attended", "riders_no_show"):
            assert sum(m[figure] for m in mine) == totals[figure], figure


def test_a_row_holds_ids_and_states_only(
    table: Table,
    make_club: type[Club],  # noqa: F811
    s3: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No title, name, reason or free text reaches the lake, whatever the event carries."""
    monkeypatch.setenv("ASSETS_BUCKET_NAME", BUCKET)
    history = events_of(make_club(table).club_id)
    writer.handler(sqs_batch(*history), LambdaContextStub())
    download_lake(s3, BUCKET, tmp_path)

    with lake_database(tmp_path) as db:
        columns = [r[0] for r in db.execute("DESCRIBE events").fetchall()]
        cells = {str(v) for row in db.execute("SELECT * FROM events").fetchall() for v in row}
    assert sorted(columns) == sorted([*(c.name for c in COLUMNS), "event_type", "dt"])
    typed = {str(v) for e in history for v in e.data.values() if isinstance(v, str)}
    assert {"Rain", "Ride A", "Centennial Park"} <= typed  # what the events carry...
    assert not {"Rain", "Ride A", "Centennial Park"} & cells  # ...and the lake does not
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert all(k.startswith(EVENTS_FOLDER + "event_type=") and "/dt=2026-" in k for k in keys)


def test_a_partition_that_cannot_be_written_fails_its_records_only(
    monkeypatch: pytest.MonkeyPatch,
    s3: Any,
    table: Table,
    make_club: type[Club],  # noqa: F811
) -> None:
    monkeypatch.setenv("ASSETS_BUCKET_NAME", BUCKET)
    history = events_of(make_club(table).club_id)
    real_put = s3.put_object

    def put_refusing_rides(**kwargs: Any) -> Any:
        if "event_type=ride_created/" in kwargs["Key"]:
            raise RuntimeError("S3 is down for this key")
        return real_put(**kwargs)

    monkeypatch.setattr(s3, "put_object", put_refusing_rides)
    failed = writer.write_partitions(s3, BUCKET, [(f"m{n}", e) for n, e in enumerate(history)])

    assert sorted(failed) == sorted(
        f"m{n}" for n, e in enumerate(history) if e.event_type == "ride_created"
    )
    written = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert written and not any("ride_created" in k for k in written)
