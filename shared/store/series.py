"""Ride series and regulars items, shared by the rides context (which writes them) and
the notifications consumer (which tells regulars about their new rides).

A series and its regulars share one partition (`SERIES#{series_id}`). An active series
with occurrences still to make is in GSI1's `SERIESDUE` partition under its next date
(sparse: an ended or finished series leaves it); a club's series are in GSI2 by first date.
"""

from typing import Any

from shared.domain.series import Regular, RideSeries
from shared.store import keys
from shared.store.schema import GSI1, GSI2
from shared.store.table import Item, Table

_SERIES_FIELDS = frozenset(RideSeries.model_fields)
_REGULAR_FIELDS = frozenset(Regular.model_fields)


def due_keys(series: RideSeries) -> dict[str, str | None]:
    """GSI1's keys while the series has an occurrence to make; None removes them."""
    upcoming = series.next_occurrence_date()
    if upcoming is None or series.status != "active":
        return {GSI1.partition_key: None, GSI1.sort_key: None}
    return {
        GSI1.partition_key: keys.SERIES_DUE_PK,
        GSI1.sort_key: keys.series_due_sk(upcoming.isoformat(), series.series_id),
    }


def series_item(series: RideSeries) -> dict[str, Any]:
    return {
        **keys.series_key(series.series_id),
        GSI2.partition_key: keys.club_series_pk(series.club_id),
        GSI2.sort_key: f"{series.recurrence.first_date.isoformat()}#{series.series_id}",
        **{k: v for k, v in due_keys(series).items() if v is not None},
        "entity": "series",
        **series.model_dump(mode="json"),
    }


def to_series(item: Item) -> RideSeries:
    return RideSeries.model_validate({k: v for k, v in item.items() if k in _SERIES_FIELDS})


def regular_item(regular: Regular) -> dict[str, Any]:
    return {
        **keys.regular_key(regular.series_id, regular.user_id),
        # The rider's regular places (GSI1), for deleting an account.
        GSI1.partition_key: keys.user_regulars_pk(regular.user_id),
        GSI1.sort_key: regular.series_id,
        "entity": "regular",
        **regular.model_dump(mode="json"),
    }


def read_regulars(table: Table, series_id: str) -> list[Regular]:
    """A series' regulars, longest-standing first (consistent; at most `MAX_REGULARS`)."""
    found: list[Regular] = []
    start: dict[str, Any] | None = None
    while True:
        page, start = table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :regular)",
            values={":pk": keys.series_key(series_id)["PK"], ":regular": keys.REGULAR_PREFIX},
            limit=500,
            start_key=start,
            consistent=True,
        )
        found += [
            Regular.model_validate({k: v for k, v in i.items() if k in _REGULAR_FIELDS})
            for i in page
        ]
        if not start:
            return sorted(found, key=lambda r: (r.since, r.user_id))


def regular_removal(series_id: str, user_id: str) -> list[dict[str, Any]]:
    """A transaction taking a regular off a series, with the series' count: the regular
    must exist (a repeat is refused at action 0)."""
    return [
        {
            "Delete": {
                "Key": keys.regular_key(series_id, user_id),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        {
            "Update": {
                "Key": keys.series_key(series_id),
                "UpdateExpression": "SET regular_count = regular_count - :one",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {":one": 1},
            }
        },
    ]
