"""A rider's data export, in-process against moto: asked for once a day, built by the
export consumer into a zip of what is held about them, downloaded through a short-lived
link, and the rider e-mailed when it is ready (through the publisher's event)."""

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from notifications.planner import plan
from notifications.store import NotificationStore
from publisher.translate import events_from_change
from shared.adapters.media import MediaBucket
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import ADMIN, Invoke, add_profiles, make_invoker
from users import handler as users_api
from users.export_builder import build
from users.export_store import ExportStore

pytestmark = pytest.mark.service

BUCKET = "export-assets"
RIDER = {"sub": "66666666-6666-4666-8666-666666666666", "given_name": "Ria"}


@pytest.fixture
def world(table: Table, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Invoke, MediaBucket]]:
    monkeypatch.setenv("ASSETS_BUCKET_NAME", BUCKET)
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    media = MediaBucket(s3, BUCKET)
    add_profiles(table, ADMIN["sub"], RIDER["sub"])
    overrides = (
        (clubs_api, clubs_api.get_store, lambda: ClubStore(table)),
        (memberships_api, memberships_api.get_store, lambda: MembershipStore(table)),
        (users_api, users_api.get_export_store, lambda: ExportStore(table)),
        (users_api, users_api.get_media, lambda: media),
    )
    for module, dependency, store in overrides:
        module.app.dependency_overrides[dependency] = store
    club = make_invoker(clubs_api.handler)(
        "POST", "/clubs", body={"name": "Export CC", "disciplines": ["road"]}, claims=ADMIN
    )
    joined = make_invoker(memberships_api.handler)(
        "POST",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club.body["club_id"]},
        body={},
        claims=RIDER,
    )
    assert joined.status == 201, joined.body
    s3.put_object(Bucket=BUCKET, Key=f"public/avatars/{RIDER['sub']}/u1/256.webp", Body=b"webp")
    yield make_invoker(users_api.handler), media
    for module, _, _ in overrides:
        module.app.dependency_overrides.clear()


def test_an_export_is_asked_for_once_a_day_built_and_downloaded(
    world: tuple[Invoke, MediaBucket], table: Table
) -> None:
    users, media = world
    assert users("GET", "/users/me/export", claims=RIDER).body["status"] == "none"
    asked = users("POST", "/users/me/export", claims=RIDER)
    assert asked.status == 202 and asked.body["status"] == "requested"
    again = users("POST", "/users/me/export", claims=RIDER)
    assert again.status == 202 and again.body["requested_on"] == asked.body["requested_on"]
    day = asked.body["requested_on"]
    record = table.get(keys.data_export_key(RIDER["sub"], day))
    assert record is not None
    (requested,) = events_from_change("INSERT", None, record, "x1")
    assert requested.event_type == "user_export_requested"

    assert build(RIDER["sub"], day, ExportStore(table), media) is True
    assert build(RIDER["sub"], day, ExportStore(table), media) is False  # a redelivery
    ready = table.get(keys.data_export_key(RIDER["sub"], day))
    assert ready is not None
    (event,) = events_from_change("MODIFY", record, ready, "x2")
    assert event.event_type == "user_export_ready"
    (notice,) = plan(event, NotificationStore(table))
    assert notice.user_ids == [RIDER["sub"]] and "http" not in json.dumps(notice.values)

    state = users("GET", "/users/me/export", claims=RIDER)
    assert state.status == 200 and state.body["status"] == "ready"
    assert state.headers["Cache-Control"] == "no-store"
    link = urlsplit(state.body["download_url"])
    key = f"private/exports/{RIDER['sub']}/{day}.zip"
    query = parse_qs(link.query)
    assert link.path.endswith(key), link
    assert query.get("X-Amz-Expires") == ["900"] or "Expires" in query, query
    body = media.read(key, 10_000_000)
    assert body is not None
    archive = zipfile.ZipFile(io.BytesIO(body))
    data: dict[str, Any] = json.loads(archive.read("data.json"))
    assert data["user_id"] == RIDER["sub"]
    assert [m["status"] for m in data["memberships"]] == ["active"]
    assert any(name.startswith("uploads/avatar/") for name in archive.namelist())
    assert "sealed" not in json.dumps(data) and "PK" not in data["profile"]
    # Someone else sees only their own (none).
    other = users("GET", "/users/me/export", claims=ADMIN)
    assert other.body["status"] == "none"
