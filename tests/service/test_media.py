"""Media in-process against moto: what a presigned POST allows, what the processor
publishes, refuses or deletes, and what each caller may confirm and read."""

import json
from typing import Any

import pytest

from shared.domain.enums import RideVisibility
from shared.store import keys
from tests.service.conftest import RIDER, snapshot
from tests.service.media_world import BUCKET, FIXTURES, OWNER, World, world_fixture  # noqa: F401

pytestmark = pytest.mark.service


def logo_ticket(world: World, content_type: str = "image/png") -> dict[str, Any]:
    answer = world.api(
        "POST",
        "/clubs/{club_id}/logo",
        path_params={"club_id": world.club_id},
        body={"content_type": content_type},
        claims=OWNER,
    )
    assert answer.status == 200, answer.body
    return dict(answer.body)


def confirm_logo(world: World, upload_id: str, claims: dict[str, str] = OWNER) -> Any:
    return world.api(
        "PUT",
        "/clubs/{club_id}/logo",
        path_params={"club_id": world.club_id},
        body={"upload_id": upload_id},
        claims=claims,
    )


def test_the_post_policy_fixes_the_key_the_type_and_the_size(world: World) -> None:
    ticket = logo_ticket(world)

    key = ticket["fields"]["key"]
    assert key == f"incoming/club_logo/{world.club_id}/{ticket['upload_id']}.png"
    policy = json.loads(__import__("base64").b64decode(ticket["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": key} in conditions and {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 5 * 1024 * 1024] in conditions
    assert ticket["max_bytes"] == 5 * 1024 * 1024 and ticket["expires_in"] == 300


def test_a_valid_logo_is_published_and_confirmed(world: World) -> None:
    ticket = logo_ticket(world)
    assert confirm_logo(world, ticket["upload_id"]).body["error"]["code"] == "upload_processing"
    world.put(ticket, "logo.png")

    assert world.process_all() == ["published"]
    published = world.s3.list_objects_v2(Bucket=BUCKET, Prefix="public/")["Contents"]
    assert len(published) == 6
    assert not world.s3.list_objects_v2(Bucket=BUCKET, Prefix="incoming/").get("Contents")
    answer = confirm_logo(world, ticket["upload_id"])
    assert answer.status == 200
    assert answer.body["urls"]["256.webp"] == (
        f"https://cdn.example.net/clubs/{world.club_id}/logo/{ticket['upload_id']}/256.webp"
    )
    club = world.table.get(keys.club_key(world.club_id))
    assert club is not None and club["logo_key"].endswith(f"{ticket['upload_id']}/")


@pytest.mark.parametrize(
    ("fixture", "content_type", "reason"),
    [
        ("truncated.jpg", "image/jpeg", "corrupt_image"),
        ("really_a_jpeg.png", "image/png", "type_mismatch"),
        ("huge.png", "image/png", "image_too_large"),
        ("really_a_pdf.png", "image/png", "not_an_image"),
    ],
)
def test_a_refused_logo_goes_to_quarantine_and_the_confirmation_says_why(
    world: World, fixture: str, content_type: str, reason: str
) -> None:
    ticket = logo_ticket(world, content_type)
    world.put(ticket, fixture)

    assert world.process_all() == ["refused"]
    assert not world.s3.list_objects_v2(Bucket=BUCKET, Prefix="public/").get("Contents")
    quarantined = world.s3.list_objects_v2(Bucket=BUCKET, Prefix="quarantine/")["Contents"]
    assert [o["Key"] for o in quarantined] == [
        ticket["fields"]["key"].replace("incoming/", "quarantine/")
    ]
    before = snapshot(world.table)
    answer = confirm_logo(world, ticket["upload_id"])
    assert (answer.status, answer.body["error"]["code"]) == (422, "upload_refused")
    assert answer.body["error"]["details"]["reason"] == reason
    assert snapshot(world.table) == before


def test_an_object_nobody_announced_is_deleted_not_published(world: World) -> None:
    key = f"incoming/club_logo/{world.club_id}/00000000-0000-4000-8000-000000000000.png"
    world.s3.put_object(Bucket=BUCKET, Key=key, Body=(FIXTURES / "logo.png").read_bytes())
    world.s3.put_object(Bucket=BUCKET, Key="incoming/elsewhere.png", Body=b"x")

    assert world.process_all() == ["ignored", "ignored"]
    assert not world.s3.list_objects_v2(Bucket=BUCKET).get("Contents")


def test_a_second_event_for_the_same_upload_changes_nothing(world: World) -> None:
    ticket = logo_ticket(world)
    world.put(ticket, "logo.png")
    world.process_all()
    settled = world.store.upload(ticket["upload_id"])
    world.put(ticket, "really_a_pdf.png")  # the same key written again after judgement

    assert world.process_all() == ["ignored"]
    assert world.store.upload(ticket["upload_id"]) == settled


def test_a_new_logo_replaces_the_old_ones_files(world: World) -> None:
    first, second = logo_ticket(world), logo_ticket(world)
    for ticket in (first, second):
        world.put(ticket, "logo.png")
    world.process_all()
    assert confirm_logo(world, first["upload_id"]).status == 200

    assert confirm_logo(world, second["upload_id"]).status == 200
    remaining = world.s3.list_objects_v2(Bucket=BUCKET, Prefix="public/")["Contents"]
    assert len(remaining) == 6 and all(second["upload_id"] in o["Key"] for o in remaining)


def test_only_the_clubs_admins_upload_or_confirm_a_logo(world: World) -> None:
    ticket = logo_ticket(world)
    world.put(ticket, "logo.png")
    world.process_all()
    before = snapshot(world.table)

    refused = world.api(
        "POST",
        "/clubs/{club_id}/logo",
        path_params={"club_id": world.club_id},
        body={"content_type": "image/png"},
        claims=RIDER,
    )
    assert refused.status == 403
    assert confirm_logo(world, ticket["upload_id"], RIDER).status == 403
    assert snapshot(world.table) == before
    # An upload of another club (or kind) cannot be confirmed here.
    other = world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"]},
        claims=OWNER,
    )
    assert (other.status, other.body["error"]["code"]) == (404, "upload_not_found")


def route_ticket(world: World) -> dict[str, Any]:
    answer = world.api(
        "POST", "/rides/{ride_id}/route", path_params={"ride_id": world.ride_id}, claims=OWNER
    )
    assert answer.status == 200, answer.body
    return dict(answer.body)


@pytest.mark.parametrize(("keep_stats", "distance"), [(False, 3.8), (True, 40)])
def test_a_route_fills_distance_and_climbing_unless_the_leader_keeps_theirs(
    world: World, keep_stats: bool, distance: float
) -> None:
    ticket = route_ticket(world)
    world.put(ticket, "centennial_park.gpx")
    assert world.process_all() == ["published"]

    answer = world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"], "keep_stats": keep_stats},
        claims=OWNER,
    )
    assert answer.status == 200, answer.body
    ride = world.table.get(keys.ride_key(world.ride_id))
    assert ride is not None and float(ride["distance_km"]) == pytest.approx(distance, abs=0.15)
    assert ride["route_key"] == f"private/rides/{world.ride_id}/route/{ticket['upload_id']}.gpx"
    assert answer.body["url"].startswith("https://") and answer.body["expires_in"] == 300


def test_a_public_rides_gpx_link_redirects_to_its_cdn_copy_and_a_members_only_one_is_not_found(
    world: World,
) -> None:
    ticket = route_ticket(world)
    world.put(ticket, "centennial_park.gpx")
    world.process_all()
    world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"]},
        claims=OWNER,
    )

    public = world.api("GET", "/rides/{ride_id}/route.gpx", path_params={"ride_id": world.ride_id})
    assert public.status == 302
    assert public.headers["Location"] == (
        f"https://cdn.example.net/routes/{world.ride_id}/{ticket['upload_id']}.gpx"
    )
    world.table.update(
        keys.ride_key(world.ride_id),
        "SET visibility = :members",
        values={":members": RideVisibility.MEMBERS.value},
    )
    hidden = world.api("GET", "/rides/{ride_id}/route.gpx", path_params={"ride_id": world.ride_id})
    assert (hidden.status, hidden.body["error"]["code"]) == (404, "route_not_found")
    outsider = world.api(
        "GET", "/rides/{ride_id}/route", path_params={"ride_id": world.ride_id}, claims=RIDER
    )
    assert outsider.status == 403


SYDNEY_TO_PERTH = (
    b'<?xml version="1.0"?><gpx version="1.1" creator="x" '
    b'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    b'<trkpt lat="-33.87" lon="151.21"/><trkpt lat="-31.95" lon="115.86"/>'
    b"</trkseg></trk></gpx>"
)


def test_a_route_beyond_what_a_ride_may_be_never_writes_its_figures(world: World) -> None:
    ticket = route_ticket(world)
    world.s3.put_object(Bucket=BUCKET, Key=ticket["fields"]["key"], Body=SYDNEY_TO_PERTH)
    assert world.process_all() == ["published"]
    before = world.table.get(keys.ride_key(world.ride_id))

    refused = world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"]},
        claims=OWNER,
    )

    assert (refused.status, refused.body["error"]["code"]) == (422, "route_figures_out_of_range")
    assert "keep_stats" in refused.body["error"]["message"]
    assert world.table.get(keys.ride_key(world.ride_id)) == before
    kept = world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"], "keep_stats": True},
        claims=OWNER,
    )
    assert kept.status == 200
    ride = world.table.get(keys.ride_key(world.ride_id))
    assert ride is not None and ride["distance_km"] == before["distance_km"]  # type: ignore[index]


FLAT_NO_ELEVATION = (
    b'<?xml version="1.0"?><gpx version="1.1" creator="x" '
    b'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    b'<trkpt lat="-33.898" lon="151.240"/><trkpt lat="-33.890" lon="151.243"/>'
    b'<trkpt lat="-33.880" lon="151.246"/></trkseg></trk></gpx>'
)


def test_a_route_without_elevation_never_sets_climbing_to_zero(world: World) -> None:
    before = world.table.get(keys.ride_key(world.ride_id))
    assert before is not None and int(before["elevation_gain_m"]) > 0
    ticket = route_ticket(world)
    world.s3.put_object(Bucket=BUCKET, Key=ticket["fields"]["key"], Body=FLAT_NO_ELEVATION)
    assert world.process_all() == ["published"]

    answer = world.api(
        "PUT",
        "/rides/{ride_id}/route",
        path_params={"ride_id": world.ride_id},
        body={"upload_id": ticket["upload_id"]},
        claims=OWNER,
    )

    assert answer.status == 200, answer.body
    assert answer.body["route"]["elevation_gain_m"] is None
    ride = world.table.get(keys.ride_key(world.ride_id))
    assert ride is not None
    assert ride["elevation_gain_m"] == before["elevation_gain_m"]  # unknown, so kept
    assert float(ride["distance_km"]) == pytest.approx(2.1, abs=0.2)  # the route's distance
