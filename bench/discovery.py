"""What a discovery query costs as the catalogue grows: DynamoDB round trips and items read
per `GET /clubs` search, against moto in-process, with 1,000 and 10,000 clubs seeded
(homes spread over greater Sydney, denser near the city, as clubs are).

The claim to hold: the cost follows the results (clubs within the radius, or with the
name word), not the catalogue. Items read are what DynamoDB would bill: every item a
Query evaluated (`ScannedCount`) and every item a BatchGetItem returned.
"""

import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws

from local.provision import create_table
from local.proxy_event import build_proxy_event

ADMIN = {"sub": "11111111-1111-4111-8111-111111111111", "custom:system_role": "SiteAdmin"}
CENTENNIAL_PARK = "-33.8988,151.2335"
WORDS = ("Riders", "Wheelers", "Cycling", "Velo", "Pedallers", "Bunch", "Club", "Spokes")
SUBURBS = ("Inner West", "Eastern", "Northern", "Hills", "Shire", "Harbour", "Bay", "Valley")
SEARCHES = (
    ("near, 2 km", {"near": CENTENNIAL_PARK, "radius_km": "2"}),
    ("near, 10 km", {"near": CENTENNIAL_PARK, "radius_km": "10"}),
    ("near, 10 km, mtb", {"near": CENTENNIAL_PARK, "radius_km": "10", "discipline": "mtb"}),
    ("near, 50 km", {"near": CENTENNIAL_PARK, "radius_km": "50"}),
    ("q=velo (page of 20)", {"q": "velo"}),
    ("q=club 17 (one club)", {"q": "club 17"}),
)


@dataclass
class Cost:
    catalogue: int
    search: str
    results: int
    round_trips: int
    items_read: int


def measure(catalogues: tuple[int, ...] = (1_000, 10_000)) -> list[Cost]:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_DISABLED": "1",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "STAGE": "bench",
            "TABLE_NAME": "bench",
        }
    )
    from clubs import handler as clubs_api
    from clubs.store import ClubStore
    from shared.store.table import Table

    costs: list[Cost] = []
    for catalogue in catalogues:
        with mock_aws():
            client = boto3.client("dynamodb")
            create_table(client, "bench")
            resource_table = boto3.resource("dynamodb").Table("bench")
            _write(resource_table, catalogue, random.Random(20261204))
            table = Table(client, "bench")
            clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda t=table: ClubStore(t)
            reads = {"calls": 0, "items": 0}

            def count(parsed: Any, model: Any, reads: dict[str, int] = reads, **_: Any) -> None:
                reads["calls"] += 1
                if model.name == "Query":
                    reads["items"] += int(parsed.get("ScannedCount", 0))
                elif model.name == "BatchGetItem":
                    reads["items"] += sum(len(v) for v in parsed.get("Responses", {}).values())
                elif model.name == "GetItem" and "Item" in parsed:
                    reads["items"] += 1

            client.meta.events.register("after-call.dynamodb.*", count)
            for name, query in SEARCHES:
                reads.update(calls=0, items=0)
                event = build_proxy_event(
                    method="GET",
                    resource="/clubs",
                    path="/clubs",
                    query={k: [v] for k, v in query.items()},
                    claims=ADMIN,
                )
                answer = clubs_api.handler(event, _Context())
                assert answer["statusCode"] == 200, answer["body"]
                found = len(json.loads(answer["body"])["items"])
                costs.append(Cost(catalogue, name, found, reads["calls"], reads["items"]))
            clubs_api.app.dependency_overrides.clear()
    return costs


def _write(resource_table: Any, count: int, rng: random.Random) -> None:
    from shared.domain.club import Club
    from shared.domain.enums import Discipline
    from shared.domain.geo import GeoPoint
    from shared.store.clubs import discovery_items

    now = datetime.now(UTC)
    disciplines = list(Discipline)
    with resource_table.batch_writer() as batch:
        for n in range(count):
            spread = 0.15 if n % 3 == 0 else 0.6  # a third within ~15 km of the city
            club = Club(
                club_id=f"00000000-0000-4000-8000-{n:012d}",
                name=f"{rng.choice(SUBURBS)} {rng.choice(WORDS)} Club {n}",
                home=GeoPoint(
                    lat=round(-33.87 + rng.gauss(0, spread), 6),
                    lon=round(151.1 + rng.gauss(0, spread), 6),
                ),
                disciplines=rng.sample(disciplines, rng.randint(1, 2)),
                created_by=ADMIN["sub"],
                created_at=now,
                updated_at=now,
            )
            batch.put_item(
                Item=_decimals(
                    {
                        "PK": f"CLUB#{club.club_id}",
                        "SK": "METADATA",
                        "entity": "club",
                        **club.model_dump(mode="json"),
                    }
                )
            )
            for item in discovery_items(club).values():
                batch.put_item(Item=_decimals(item))


def _decimals(item: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    return json.loads(json.dumps(item), parse_float=Decimal)


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-2:000000000000:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def report(costs: list[Cost]) -> str:
    lines = [f"{'clubs':>7} {'search':<22} {'results':>7} {'round trips':>11} {'items read':>10}"]
    for c in costs:
        lines.append(
            f"{c.catalogue:>7} {c.search:<22} {c.results:>7} {c.round_trips:>11} {c.items_read:>10}"
        )
    return "\n".join(lines)
