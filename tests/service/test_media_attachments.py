"""Ride attachments (PDF cue sheets, images), users' avatars read back, and the
CloudFront-served copies of public rides' routes, in-process against moto."""

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from media import logic
from media.route_publisher import publish_route
from media.urls import AssetUrls
from shared.authz import Principal
from shared.domain.enums import RideVisibility
from shared.domain.errors import Conflict
from shared.domain.media import MAX_ATTACHMENTS
from shared.store import keys
from tests.service.conftest import RIDER, snapshot
from tests.service.media_world import BUCKET, OWNER, World, world_fixture  # noqa: F401

pytestmark = pytest.mark.service


def ticket(world: World, content_type: str = "application/pdf") -> dict[str, Any]:
    answer = world.api(
        "POST",
        "/rides/{ride_id}/attachments",
        path_params={"ride_id": world.ride_id},
        body={"content_type": content_type},
        claims=OWNER,
    )
    assert answer.status == 200, answer.body
    return dict(answer.body)


def attach(world: World, upload_id: str, title: str = "Cue sheet", claims: Any = OWNER) -> Any:
    return world.api(
        "PUT",
        "/rides/{ride_id}/attachments/{attachment_id}",
        path_params={"ride_id": world.ride_id, "attachment_id": upload_id},
        body={"title": title},
        claims=claims,
    )


def uploaded(world: World, fixture: str, content_type: str = "application/pdf") -> str:
    """An attachment uploaded and judged; its upload id."""
    sent = ticket(world, content_type)
    world.put(sent, fixture)
    world.process_all()
    return str(sent["upload_id"])


def listing(world: World, claims: Any = OWNER) -> Any:
    return world.api(
        "GET", "/rides/{ride_id}/attachments", path_params={"ride_id": world.ride_id}, claims=claims
    )


def test_a_cue_sheet_is_checked_attached_and_read_back_as_a_download(world: World) -> None:
    sent = ticket(world)
    assert sent["fields"]["key"].startswith(f"incoming/ride_attachment/{world.ride_id}/")
    world.put(sent, "cue_sheet.pdf")
    assert world.process_all() == ["published"]

    answer = attach(world, sent["upload_id"], "Grand Drive cue sheet")
    assert answer.status == 200, answer.body
    assert answer.body["content_type"] == "application/pdf" and answer.body["size_bytes"] > 500
    key = f"private/rides/{world.ride_id}/attachments/{sent['upload_id']}.pdf"
    stored = world.s3.head_object(Bucket=BUCKET, Key=key)
    assert stored["ContentType"] == "application/pdf"
    assert stored["ContentDisposition"] == "attachment"
    read = listing(world)
    assert read.status == 200
    [only] = read.body["attachments"]
    assert only["attachment_id"] == sent["upload_id"] and only["title"] == "Grand Drive cue sheet"
    query = parse_qs(urlparse(only["url"]).query)
    assert query["response-content-disposition"] == [
        'attachment; filename="Grand Drive cue sheet.pdf"'
    ]
    assert only["expires_in"] == 300 and "key" not in only


def test_an_image_attachment_is_published_as_a_jpeg_without_its_gps_exif(world: World) -> None:
    upload_id = uploaded(world, "gps_exif.png", "image/png")
    assert attach(world, upload_id, "Meeting point").status == 200

    key = f"private/rides/{world.ride_id}/attachments/{upload_id}.jpg"
    body = world.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    image = Image.open(io.BytesIO(body))
    assert image.format == "JPEG" and not image.getexif()


@pytest.mark.parametrize(
    ("fixture", "content_type", "reason"),
    [
        ("scripted.pdf", "application/pdf", "active_pdf"),
        ("truncated.pdf", "application/pdf", "corrupt_pdf"),
        ("logo.png", "application/pdf", "not_a_pdf"),
        ("cue_sheet.pdf", "image/png", "not_an_image"),
    ],
)
def test_a_refused_attachment_is_quarantined_and_cannot_be_attached(
    world: World, fixture: str, content_type: str, reason: str
) -> None:
    upload_id = uploaded(world, fixture, content_type)
    assert world.s3.list_objects_v2(Bucket=BUCKET, Prefix="quarantine/")["KeyCount"] == 1
    before = snapshot(world.table)

    answer = attach(world, upload_id)
    assert (answer.status, answer.body["error"]["code"]) == (422, "upload_refused")
    assert answer.body["error"]["details"]["reason"] == reason
    assert snapshot(world.table) == before
    assert not world.s3.list_objects_v2(Bucket=BUCKET, Prefix="private/").get("Contents")


def test_a_ride_carries_at_most_five_attachments(world: World) -> None:
    ids = [uploaded(world, "cue_sheet.pdf") for _ in range(MAX_ATTACHMENTS + 1)]
    for upload_id in ids[:MAX_ATTACHMENTS]:
        assert attach(world, upload_id).status == 200

    sixth = attach(world, ids[-1])
    assert (sixth.status, sixth.body["error"]["code"]) == (409, "too_many_attachments")
    refused = world.api(
        "POST",
        "/rides/{ride_id}/attachments",
        path_params={"ride_id": world.ride_id},
        body={"content_type": "application/pdf"},
        claims=OWNER,
    )
    assert (refused.status, refused.body["error"]["code"]) == (409, "too_many_attachments")
    # Retitling one already attached is not a sixth.
    assert attach(world, ids[0], "Cue sheet (v2)").status == 200
    assert len(listing(world).body["attachments"]) == MAX_ATTACHMENTS


def test_two_managers_attaching_at_once_cannot_both_write_over_one_read(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = uploaded(world, "cue_sheet.pdf"), uploaded(world, "cue_sheet.pdf")
    stale, mine = world.store.ride_and_caller(world.ride_id, OWNER["sub"])
    assert attach(world, first).status == 200

    # The second manager read the ride before the first attached: their write loses.
    monkeypatch.setattr(world.store, "ride_and_caller", lambda *_: (stale, mine))
    urls = AssetUrls(world.bucket, lambda: "")
    with pytest.raises(Conflict) as lost:
        logic.confirm_attachment(
            Principal(user_id=OWNER["sub"]), world.ride_id, second, "Map", world.store, urls
        )
    monkeypatch.undo()
    assert lost.value.code == "version_conflict"
    assert [a["attachment_id"] for a in listing(world).body["attachments"]] == [first]


def test_only_those_who_may_see_a_members_only_ride_read_its_attachments(world: World) -> None:
    assert attach(world, uploaded(world, "cue_sheet.pdf")).status == 200
    world.table.update(
        keys.ride_key(world.ride_id),
        "SET visibility = :members",
        values={":members": RideVisibility.MEMBERS.value},
    )

    assert listing(world, RIDER).status == 403
    assert listing(world).status == 200
    assert attach(world, uploaded(world, "cue_sheet.pdf"), claims=RIDER).status == 403


def test_removing_an_attachment_deletes_its_file(world: World) -> None:
    upload_id = uploaded(world, "cue_sheet.pdf")
    attach(world, upload_id)
    path = {"ride_id": world.ride_id, "attachment_id": upload_id}

    assert (
        world.api(
            "DELETE", "/rides/{ride_id}/attachments/{attachment_id}", path_params=path, claims=RIDER
        ).status
        == 403
    )
    assert (
        world.api(
            "DELETE", "/rides/{ride_id}/attachments/{attachment_id}", path_params=path, claims=OWNER
        ).status
        == 204
    )
    assert listing(world).body["attachments"] == []
    assert not world.s3.list_objects_v2(Bucket=BUCKET, Prefix="private/").get("Contents")
    again = world.api(
        "DELETE", "/rides/{ride_id}/attachments/{attachment_id}", path_params=path, claims=OWNER
    )
    assert (again.status, again.body["error"]["code"]) == (404, "attachment_not_found")


def test_an_avatar_is_read_back_in_every_size_through_the_cdn(world: World) -> None:
    path = {"user_id": OWNER["sub"]}
    none = world.api("GET", "/users/{user_id}/avatar", path_params=path, claims=RIDER)
    assert (none.status, none.body["error"]["code"]) == (404, "avatar_not_found")
    world.table.update(
        keys.user_key(OWNER["sub"]),
        "SET avatar_key = :k",
        values={":k": f"public/avatars/{OWNER['sub']}/abc/"},
    )

    answer = world.api("GET", "/users/{user_id}/avatar", path_params=path, claims=RIDER)
    assert answer.status == 200
    assert len(answer.body["urls"]) == 6
    assert answer.body["urls"]["64.webp"] == (
        f"https://cdn.example.net/avatars/{OWNER['sub']}/abc/64.webp"
    )


def test_a_public_rides_route_has_a_cdn_copy_only_while_the_ride_is_public(world: World) -> None:
    sent = world.api(
        "POST", "/rides/{ride_id}/route", path_params={"ride_id": world.ride_id}, claims=OWNER
    ).body
    world.put(sent, "centennial_park.gpx")
    world.process_all()
    world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": sent["upload_id"]},
        claims=OWNER,
    )
    copy = f"public/routes/{world.ride_id}/{sent['upload_id']}.gpx"

    assert publish_route(world.ride_id, world.store, world.bucket) == [copy]
    head = world.s3.head_object(Bucket=BUCKET, Key=copy)
    assert head["CacheControl"] == "public, max-age=300"
    assert head["ContentType"] == "application/gpx+xml"
    assert publish_route(world.ride_id, world.store, world.bucket) == [copy]  # twice: the same
    world.table.update(
        keys.ride_key(world.ride_id),
        "SET visibility = :members",
        values={":members": RideVisibility.MEMBERS.value},
    )
    assert publish_route(world.ride_id, world.store, world.bucket) == []
    assert not world.s3.list_objects_v2(Bucket=BUCKET, Prefix="public/routes/").get("Contents")


def test_with_uploads_off_no_ticket_is_given_and_nothing_is_written(
    world: World, flags: Callable[..., None]
) -> None:
    flags(media_uploads=False)
    before = snapshot(world.table)

    answer = world.api(
        "POST",
        "/rides/{ride_id}/attachments",
        path_params={"ride_id": world.ride_id},
        body={"content_type": "application/pdf"},
        claims=OWNER,
    )
    assert (answer.status, answer.body["error"]["code"]) == (503, "feature_off")
    assert answer.headers["Retry-After"] == "300"
    assert snapshot(world.table) == before
    flags(media_uploads=True)
    assert ticket(world)["upload_id"]
