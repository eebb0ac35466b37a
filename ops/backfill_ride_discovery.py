"""File every upcoming scheduled ride for discovery, once, when a stage gets `GET /rides`.

Rides are filed by the event path when they are created or edited
(`services/rides/discovery_filing.py`); rides scheduled before this release have no
entries until an edit. This hands each of them to that consumer, on its own queue only (no
other consumer hears it), as a `ride_updated` event naming the ride: the consumer files
the ride as it is when the message is taken, exactly as for an edit.

    python -m ops.backfill_ride_discovery --stage prod          # what it would do
    python -m ops.backfill_ride_discovery --stage prod --go     # AWS credentials

It finds them with a Scan (an operator's one-off, never a request path): scheduled rides
starting from now on with no discovery record. The consumer refuses a filing older than
the record, so a ride filed meanwhile keeps its filing and running it twice changes
nothing.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

import boto3

from ops.redrive import find
from ops.stage_table import add_table_argument, stage_table_name
from shared.domain.clock import utc_now
from shared.domain.ride import utc_text
from shared.events import DomainEvent
from shared.store import keys
from shared.store.table import Table, deserialize
from stacks.consumers import RIDE_DISCOVERY


def unfiled_rides(table: Table) -> Iterator[str]:
    pages = table.client.get_paginator("scan").paginate(
        TableName=table.name,
        FilterExpression="entity = :ride AND #status = :scheduled AND start_at_utc >= :now",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":ride": {"S": "ride"},
            ":scheduled": {"S": "scheduled"},
            ":now": {"S": utc_text(utc_now())},
        },
        ProjectionExpression="ride_id",
        ConsistentRead=True,
    )
    for page in pages:
        for item in page.get("Items", []):
            ride_id = str(deserialize(item)["ride_id"])
            if table.get(keys.ride_discovery_key(ride_id)) is None:
                yield ride_id


def envelope(ride_id: str) -> str:
    """What EventBridge would deliver to the consumer's queue for an edit of the ride."""
    event = DomainEvent(
        event_id=f"discovery-backfill-{ride_id}",
        event_type="ride_updated",
        context="rides",
        occurred_at=utc_now(),
        data={"ride_id": ride_id},
    )
    return json.dumps({"detail-type": "ride_updated", "detail": event.model_dump(mode="json")})


def backfill(table: Table, sqs: Any, stage: str, *, go: bool) -> list[str]:
    """The ids of the upcoming rides without entries; handed to the consumer if `go`."""
    rides = list(unfiled_rides(table))
    if go and rides:
        queue = find(sqs, stage, RIDE_DISCOVERY.name).source_url
        if queue is None:
            raise SystemExit(f"{RIDE_DISCOVERY.name}: its queue was not found")
        for offset in range(0, len(rides), 10):
            batch = rides[offset : offset + 10]
            sqs.send_message_batch(
                QueueUrl=queue,
                Entries=[{"Id": str(n), "MessageBody": envelope(r)} for n, r in enumerate(batch)],
            )
    return rides


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.backfill_ride_discovery", description=__doc__
    )
    # `local`: the rides of `make run` (AWS_ENDPOINT_URL=<its moto URL>).
    parser.add_argument("--stage", choices=["dev", "staging", "prod", "local"], required=True)
    parser.add_argument("--region", default="ap-southeast-2")
    parser.add_argument("--go", action="store_true", help="send (default: a dry run)")
    add_table_argument(parser)
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    table = Table(session.client("dynamodb"), stage_table_name(args.stage, args.table))
    rides = backfill(table, session.client("sqs"), args.stage, go=args.go)
    for ride_id in rides:
        print(ride_id)
    done = "handed to the RideDiscovery consumer" if args.go else "unfiled (dry run)"
    print(f"{len(rides)} upcoming ride(s) {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
