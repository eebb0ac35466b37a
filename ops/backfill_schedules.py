"""File every place taken before riders' schedules existed, once, when a stage gets them.

A participation that takes part (joined or waitlisted) is in its rider's schedule (GSI1)
under its ride's start (`shared/store/rides.py::participation_item`); participations
written by earlier releases have no schedule keys, so `GET /users/me/rides` and the
personal feed would not list them until this runs:

    python -m ops.backfill_schedules --stage prod            # what it would do
    python -m ops.backfill_schedules --stage prod --apply    # AWS credentials

It finds them with a Scan (an operator's one-off, never a request path), reads each ride's
start, and files each place if it is unchanged since read (its version) and still has no
schedule keys: a place written meanwhile by the new release was filed by that write, and
running it twice changes nothing.
"""

import sys
from collections.abc import Iterator
from datetime import datetime

from ops.table_one_off import run
from shared.domain.enums import ParticipationStatus
from shared.store import keys
from shared.store.rides import schedule_keys, to_participation, to_ride
from shared.store.schema import GSI1
from shared.store.table import ConditionFailed, Item, Table, deserialize


def unfiled_places(table: Table) -> Iterator[Item]:
    pages = table.client.get_paginator("scan").paginate(
        TableName=table.name,
        FilterExpression=(
            "entity = :participation AND #status IN (:joined, :waitlisted) "
            "AND attribute_not_exists(#gsi)"
        ),
        ExpressionAttributeNames={"#status": "status", "#gsi": GSI1.partition_key},
        ExpressionAttributeValues={
            ":participation": {"S": "participation"},
            ":joined": {"S": ParticipationStatus.JOINED.value},
            ":waitlisted": {"S": ParticipationStatus.WAITLISTED.value},
        },
        ConsistentRead=True,
    )
    for page in pages:
        for item in page.get("Items", []):
            yield deserialize(item)


def backfill(table: Table, *, apply: bool) -> list[tuple[str, str]]:
    """(participation id, what happened) for each place without schedule keys."""
    outcomes: list[tuple[str, str]] = []
    starts: dict[str, datetime | None] = {}
    for item in unfiled_places(table):
        place = to_participation(item)
        if place.ride_id not in starts:
            ride_item = table.get(keys.ride_key(place.ride_id))
            starts[place.ride_id] = to_ride(ride_item).start_at if ride_item else None
        start = starts[place.ride_id]
        if start is None:
            outcomes.append((place.participation_id, "its ride is gone"))
            continue
        if not apply:
            outcomes.append((place.participation_id, "would be filed"))
            continue
        filed = schedule_keys(place, start)
        try:
            table.update(
                keys.participation_key(place.ride_id, place.user_id),
                "SET #pk = :pk, #sk = :sk",
                condition="version = :version AND attribute_not_exists(#pk)",
                names={"#pk": GSI1.partition_key, "#sk": GSI1.sort_key},
                values={
                    ":pk": filed[GSI1.partition_key],
                    ":sk": filed[GSI1.sort_key],
                    ":version": place.version,
                },
            )
            outcomes.append((place.participation_id, "filed"))
        except ConditionFailed:
            outcomes.append((place.participation_id, "written meanwhile (filed by that write)"))
    return outcomes


def main(argv: list[str]) -> int:
    return run(
        argv,
        "python -m ops.backfill_schedules",
        __doc__,
        backfill,
        "place(s) without schedule keys",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
