"""What a discovery query costs as the catalogue grows: DynamoDB round trips and items read
per `GET /clubs` search, against moto in-process, with 1,000 and 10,000 clubs seeded
(homes spread over greater Sydney, denser near the city, as clubs are).

The claim to hold: the cost follows the results (clubs within the radius, or with the
name word), not the catalogue. Items read are what DynamoDB would bill: every item a
Query evaluated (`ScannedCount`) and every item a BatchGetItem returned.
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from bench.in_process import LambdaContext, use_bench_environment
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


def _search(
    client: Any, api: Any, path: str, query: dict[str, str], claims: dict[str, str]
) -> tuple[int, int, int]:
    """Results, round trips and items read of one search."""
    reads = {"calls": 0, "items": 0}

    def count(parsed: Any, model: Any, **_: Any) -> None:
        reads["calls"] += 1
        if model.name == "Query":
            reads["items"] += int(parsed.get("ScannedCount", 0))
        elif model.name == "BatchGetItem":
            reads["items"] += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem" and "Item" in parsed:
            reads["items"] += 1

    client.meta.events.register("after-call.dynamodb.*", count, unique_id="bench-count")
    event = build_proxy_event(
        method="GET",
        resource=path,
        path=path,
        query={k: [v] for k, v in query.items()},
        claims=claims,
    )
    answer = api.handler(event, LambdaContext())
    client.meta.events.unregister("after-call.dynamodb.*", unique_id="bench-count")
    assert answer["statusCode"] == 200, answer["body"]
    return len(json.loads(answer["body"])["items"]), reads["calls"], reads["items"]


def measure(catalogues: tuple[int, ...] = (1_000, 10_000)) -> list[Cost]:
    """`GET /clubs` searches against catalogues of clubs."""
    use_bench_environment()
    from clubs import handler as clubs_api
    from clubs.store import ClubStore
    from shared.store.table import Table

    costs: list[Cost] = []
    for catalogue in catalogues:
        with mock_aws():
            client = boto3.client("dynamodb")
            create_table(client, "bench")
            _write(boto3.resource("dynamodb").Table("bench"), catalogue, random.Random(20261204))
            table = Table(client, "bench")
            clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda t=table: ClubStore(t)
            for name, query in SEARCHES:
                found, calls, items = _search(client, clubs_api, "/clubs", query, ADMIN)
                costs.append(Cost(catalogue, name, found, calls, items))
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


def report(costs: list[Cost], what: str = "clubs") -> str:
    lines = [f"{what:>7} {'search':<24} {'results':>7} {'round trips':>11} {'items read':>10}"]
    for c in costs:
        lines.append(
            f"{c.catalogue:>7} {c.search:<24} {c.results:>7} {c.round_trips:>11} {c.items_read:>10}"
        )
    return "\n".join(lines)


RIDER = {"sub": "77777777-7777-4777-8777-777777777777"}


def _ride_searches(now: datetime) -> tuple[tuple[str, dict[str, str]], ...]:
    saturday = now + timedelta(days=(5 - now.weekday()) % 7 or 7)
    morning = saturday.replace(hour=19, minute=0, second=0, microsecond=0)  # 6 am AEDT
    week = (now + timedelta(days=7)).isoformat()
    return (
        ("2 km, next 7 days", {"near": CENTENNIAL_PARK, "radius_km": "2", "to": week}),
        ("10 km, 7 days, pace B", {"near": CENTENNIAL_PARK, "to": week, "pace_class": "B"}),
        (
            "25 km, Saturday 6-10 am",
            {
                "near": CENTENNIAL_PARK,
                "radius_km": "25",
                "from": (morning - timedelta(days=1)).isoformat(),
                "to": (morning - timedelta(days=1) + timedelta(hours=4)).isoformat(),
            },
        ),
        (
            "50 km, 14 days, places",
            {"near": CENTENNIAL_PARK, "radius_km": "50", "has_places": "true"},
        ),
    )


def _seed_rides(count: int, rng: random.Random, now: datetime) -> None:
    """`count` rides of 500 clubs over the next 180 days, meeting all over greater Sydney
    (a third within ~15 km of the city), written straight into moto's table with their
    discovery entries (as the RideDiscovery consumer files them); the rider is a member
    of ten clubs."""
    from moto.dynamodb.models import dynamodb_backends

    from rides.discovery_store import ride_entries
    from shared.domain.club import Club
    from shared.domain.enums import (
        Discipline,
        DropPolicy,
        MembershipStatus,
        PaceClass,
        RideVisibility,
        Surface,
    )
    from shared.domain.membership import Membership, membership_id
    from shared.domain.ride import MeetingPoint, Ride
    from shared.store.memberships import membership_item
    from shared.store.rides import ride_item
    from shared.store.table import serialize

    backend = dynamodb_backends["123456789012"]["ap-southeast-2"]
    clubs = [
        Club(
            club_id=f"00000000-0000-4000-8000-{n:012d}",
            name=f"Club {n}",
            disciplines=rng.sample(list(Discipline), rng.randint(1, 2)),
            created_by=ADMIN["sub"],
            created_at=now,
            updated_at=now,
        )
        for n in range(500)
    ]
    for club in clubs[:10]:
        member = Membership(
            membership_id=membership_id(club.club_id, RIDER["sub"]),
            club_id=club.club_id,
            user_id=RIDER["sub"],
            status=MembershipStatus.ACTIVE,
            updated_at=now,
            updated_by=RIDER["sub"],
        )
        backend.put_item("bench", serialize(membership_item(member)))
    for n in range(count):
        club = clubs[n % len(clubs)]
        spread = 0.15 if n % 3 == 0 else 0.6
        ride = Ride(
            ride_id=f"{club.club_id}_00000000-0000-4000-9000-{n:012d}",
            club_id=club.club_id,
            title=f"Ride {n}",
            start_at=now + timedelta(minutes=rng.randint(60, 180 * 24 * 60)),
            estimated_duration_min=120,
            meeting_point=MeetingPoint(
                name="Somewhere",
                lat=-33.87 + rng.gauss(0, spread),
                lon=151.1 + rng.gauss(0, spread),
            ),
            distance_km=60,
            surface=rng.choice(list(Surface)),
            pace_class=rng.choice(list(PaceClass)),
            drop_policy=DropPolicy.REGROUP,
            capacity=rng.choice((None, 10, 20)),
            participant_count=rng.randint(1, 20),
            visibility=RideVisibility.PUBLIC if rng.random() < 0.8 else RideVisibility.MEMBERS,
            created_by=ADMIN["sub"],
            created_at=now,
            updated_at=now,
            updated_by=ADMIN["sub"],
        )
        backend.put_item("bench", serialize(_decimals(ride_item(ride))))
        for entry in ride_entries(ride, club).values():
            backend.put_item("bench", serialize(_decimals(entry)))


def measure_rides(catalogues: tuple[int, ...] = (20_000, 200_000)) -> list[Cost]:
    """`GET /rides` searches against catalogues of rides of every club."""
    use_bench_environment()
    from rides import handler as rides_api
    from rides.discovery_store import DiscoveryStore
    from shared.store.table import Table

    costs: list[Cost] = []
    now = datetime.now(UTC)
    for catalogue in catalogues:
        with mock_aws():
            client = boto3.client("dynamodb")
            create_table(client, "bench")
            _seed_rides(catalogue, random.Random(20261204), now)
            table = Table(client, "bench")
            rides_api.app.dependency_overrides[rides_api.get_discovery_store] = lambda t=table: (
                DiscoveryStore(t)
            )
            for name, query in _ride_searches(now):
                found, calls, items = _search(client, rides_api, "/rides", query, RIDER)
                costs.append(Cost(catalogue, name, found, calls, items))
            rides_api.app.dependency_overrides.clear()
    return costs
