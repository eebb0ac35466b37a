"""The media tests' world, in-process against moto: a club whose admin is OWNER, a public
ride of it, the assets bucket, and the media API wired to them."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from media import handler as media_api
from media.processor import process
from media.store import MediaStore
from media.urls import AssetUrls
from shared.adapters.media import MediaBucket
from shared.domain.enums import DropPolicy, PaceClass, RideVisibility, Surface
from shared.domain.ride import MeetingPoint, Ride
from shared.store.rides import ride_item
from shared.store.table import Table
from tests.service.conftest import ADMIN, RIDER, Invoke, add_profiles, make_invoker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "media"
OWNER = {"sub": "44444444-4444-4444-8444-444444444444"}
BUCKET = "sydney-cycling-test-assets"


@dataclass
class World:
    api: Invoke
    table: Table
    store: MediaStore
    bucket: MediaBucket
    s3: Any
    club_id: str
    ride_id: str

    def process_all(self) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix="incoming/")
        return [process(o["Key"], self.store, self.bucket) for o in listing.get("Contents", [])]

    def put(self, ticket: dict[str, Any], name: str) -> None:
        self.s3.put_object(
            Bucket=BUCKET, Key=ticket["fields"]["key"], Body=(FIXTURES / name).read_bytes()
        )


@pytest.fixture(name="world")
def world_fixture(table: Table) -> Iterator[World]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"], RIDER["sub"])
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    bucket = MediaBucket(s3, BUCKET)
    store = MediaStore(table)
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
    overrides = media_api.app.dependency_overrides
    overrides[media_api.get_store] = lambda: store
    overrides[media_api.get_bucket] = lambda: bucket
    overrides[media_api.get_urls] = lambda: AssetUrls(bucket, lambda: "cdn.example.net")
    club = make_invoker(clubs_api.handler)(
        "POST",
        "/clubs",
        body={"name": "Logo CC", "disciplines": ["road"], "initial_admin_id": OWNER["sub"]},
        claims=ADMIN,
    ).body
    moment = datetime.now(UTC)
    ride_id = f"{club['club_id']}_55555555-0000-4000-8000-000000000005"
    table.put(
        ride_item(
            Ride(
                ride_id=ride_id,
                club_id=club["club_id"],
                title="Grand Drive laps",
                start_at=moment + timedelta(days=3),
                estimated_duration_min=90,
                meeting_point=MeetingPoint(name="Centennial Park", lat=-33.9, lon=151.23),
                distance_km=40,
                elevation_gain_m=100,
                surface=Surface.ROAD,
                pace_class=PaceClass.B,
                drop_policy=DropPolicy.REGROUP,
                visibility=RideVisibility.PUBLIC,
                created_by=OWNER["sub"],
                created_at=moment,
                updated_at=moment,
                updated_by=OWNER["sub"],
            )
        )
    )
    yield World(make_invoker(media_api.handler), table, store, bucket, s3, club["club_id"], ride_id)
    clubs_api.app.dependency_overrides.clear()
    overrides.clear()
