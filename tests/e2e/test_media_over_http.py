"""Media over the local platform: a club logo uploaded with its presigned POST, checked and
published in every size, read back; a GPX route that fills the ride's distance and
climbing, readable by members and refused to outsiders; refused files say why."""

import io
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from local.flags import reset, set_flag
from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "media"


def upload(ticket: dict[str, Any], name: str, content_type: str) -> None:
    answer = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": (name, (FIXTURES / name).read_bytes(), content_type)},
        timeout=10,
    )
    assert answer.status_code in (200, 201, 204), answer.text


def confirmed(api: Api, method: str, path: str, token: str, body: dict[str, Any]) -> Any:
    """The confirmation's answer once the processor has judged the upload."""

    def attempt() -> list[Any] | None:
        answer = api.call(method, path, token, json=body)
        if answer.status_code == 409 and answer.json()["error"]["code"] == "upload_processing":
            return None
        return [answer]  # (a Response is falsy when it is an error)

    return eventually(attempt, seconds=20)[0]


def test_a_logo_is_published_in_every_size_and_read_back(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "media-admin")
    _, _, rider = person(api, "media-rider")
    club_id = new_club(api, admin_sub, site_admin)
    ticket = api.call("POST", f"/clubs/{club_id}/logo", admin, json={"content_type": "image/png"})
    assert ticket.status_code == 200, ticket.text
    assert ticket.json()["fields"]["key"].startswith(f"incoming/club_logo/{club_id}/")

    upload(ticket.json(), "gps_exif.png", "image/png")
    answer = confirmed(
        api, "PUT", f"/clubs/{club_id}/logo", admin, {"upload_id": ticket.json()["upload_id"]}
    )
    assert answer.status_code == 200, answer.text
    urls = answer.json()["urls"]
    assert sorted(urls) == ["1024.jpg", "1024.webp", "256.jpg", "256.webp", "64.jpg", "64.webp"]
    small = Image.open(io.BytesIO(requests.get(urls["64.webp"], timeout=5).content))
    assert small.format == "WEBP" and max(small.size) == 64
    assert not small.getexif()  # the photo's GPS position is gone
    # Anyone signed in reads it; the club now names it.
    assert api.call("GET", f"/clubs/{club_id}/logo", rider).json()["urls"].keys() == urls.keys()
    assert api.call("GET", f"/clubs/{club_id}", rider).json()["logo_key"]


def test_a_refused_file_says_why_and_nothing_is_published(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "media-admin")
    club_id = new_club(api, admin_sub, site_admin)
    ticket = api.call(
        "POST", f"/clubs/{club_id}/logo", admin, json={"content_type": "image/png"}
    ).json()

    upload(ticket, "really_a_pdf.png", "image/png")
    answer = confirmed(
        api, "PUT", f"/clubs/{club_id}/logo", admin, {"upload_id": ticket["upload_id"]}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "upload_refused"
    assert answer.json()["error"]["details"]["reason"] == "not_an_image"
    assert api.call("GET", f"/clubs/{club_id}/logo", admin).status_code == 404


def test_a_gpx_route_fills_the_ride_and_stays_with_its_members(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    leader_sub, _, leader = person(api, "route-leader")
    _, _, member = person(api, "route-member")
    _, _, outsider = person(api, "route-outsider")
    club_id = new_club(api, leader_sub, site_admin)
    assert api.call("POST", f"/clubs/{club_id}/memberships", member, json={}).status_code == 201
    ride = api.call(
        "POST", f"/clubs/{club_id}/rides", leader, json=criterium("Grand Drive laps", 20)
    ).json()
    ride_id = ride["ride_id"]

    ticket = api.call("POST", f"/rides/{ride_id}/route", leader)
    assert ticket.status_code == 200, ticket.text
    upload(ticket.json(), "centennial_park.gpx", "application/gpx+xml")
    answer = confirmed(
        api, "PUT", f"/rides/{ride_id}/route", leader, {"upload_id": ticket.json()["upload_id"]}
    )
    assert answer.status_code == 200, answer.text
    route = answer.json()["route"]
    assert route["distance_km"] == pytest.approx(3.8, abs=0.15)

    after = api.call("GET", f"/rides/{ride_id}", member).json()
    assert after["distance_km"] == route["distance_km"]
    assert after["elevation_gain_m"] == round(route["elevation_gain_m"])
    assert after["route"]["polyline"] == route["polyline"]
    # Members read the file through a short-lived link; outsiders get nothing.
    link = api.call("GET", f"/rides/{ride_id}/route", member).json()["url"]
    assert b"<gpx" in requests.get(link, timeout=5).content
    assert api.call("GET", f"/rides/{ride_id}/route", outsider).status_code == 403
    # A members-only ride's GPX has no public link either.
    public = requests.get(
        f"{api.endpoints.api_url}/rides/{ride_id}/route.gpx", allow_redirects=False, timeout=5
    )
    assert public.status_code == 404
    # The leader removes it.
    assert api.call("DELETE", f"/rides/{ride_id}/route", leader).status_code == 204
    assert api.call("GET", f"/rides/{ride_id}/route", member).status_code == 404


def test_an_entity_attack_gpx_is_quarantined(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    leader_sub, _, leader = person(api, "route-leader")
    club_id = new_club(api, leader_sub, site_admin)
    ride_id = api.call(
        "POST", f"/clubs/{club_id}/rides", leader, json=criterium("Laughs", 20)
    ).json()["ride_id"]
    ticket = api.call("POST", f"/rides/{ride_id}/route", leader).json()

    upload(ticket, "billion_laughs.gpx", "application/gpx+xml")
    started = time.monotonic()
    answer = confirmed(
        api, "PUT", f"/rides/{ride_id}/route", leader, {"upload_id": ticket["upload_id"]}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["reason"] == "unsafe_xml"
    assert time.monotonic() - started < 15  # refused, not expanded
    s3 = api.platform.client("s3")
    bucket = api.endpoints.resources.bucket_name
    quarantined = s3.list_objects_v2(Bucket=bucket, Prefix="quarantine/").get("Contents") or []
    assert any(ticket["upload_id"] in o["Key"] for o in quarantined)
    assert not (
        s3.list_objects_v2(Bucket=bucket, Prefix=f"private/rides/{ride_id}/").get("Contents")
    )


def test_a_cue_sheet_is_attached_and_downloaded_by_members_only(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    leader_sub, _, leader = person(api, "cue-leader")
    _, _, member = person(api, "cue-member")
    _, _, outsider = person(api, "cue-outsider")
    club_id = new_club(api, leader_sub, site_admin)
    assert api.call("POST", f"/clubs/{club_id}/memberships", member, json={}).status_code == 201
    ride_id = api.call(
        "POST", f"/clubs/{club_id}/rides", leader, json=criterium("Cue sheet ride", 20)
    ).json()["ride_id"]

    ticket = api.call(
        "POST", f"/rides/{ride_id}/attachments", leader, json={"content_type": "application/pdf"}
    )
    assert ticket.status_code == 200, ticket.text
    upload(ticket.json(), "cue_sheet.pdf", "application/pdf")
    upload_id = ticket.json()["upload_id"]
    answer = confirmed(
        api, "PUT", f"/rides/{ride_id}/attachments/{upload_id}", leader, {"title": "Cue sheet"}
    )
    assert answer.status_code == 200, answer.text

    listed = api.call("GET", f"/rides/{ride_id}/attachments", member)
    [sheet] = listed.json()["attachments"]
    download = requests.get(sheet["url"], timeout=5)
    assert download.content.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"] == 'attachment; filename="Cue sheet.pdf"'
    assert api.call("GET", f"/rides/{ride_id}/attachments", outsider).status_code == 403
    assert (
        api.call("DELETE", f"/rides/{ride_id}/attachments/{upload_id}", leader).status_code == 204
    )
    assert api.call("GET", f"/rides/{ride_id}/attachments", member).json()["attachments"] == []


def test_a_public_rides_route_is_served_from_its_public_copy_until_the_ride_is_made_private(
    api: Api,
) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    leader_sub, _, leader = person(api, "public-route-leader")
    club_id = new_club(api, leader_sub, site_admin)
    ride = api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        leader,
        json=criterium("Open Grand Drive", 20, visibility="public"),
    ).json()
    ride_id = ride["ride_id"]
    ticket = api.call("POST", f"/rides/{ride_id}/route", leader).json()
    upload(ticket, "centennial_park.gpx", "application/gpx+xml")
    attached = confirmed(
        api, "PUT", f"/rides/{ride_id}/route", leader, {"upload_id": ticket["upload_id"]}
    )
    assert attached.status_code == 200, attached.text
    public_link = f"{api.endpoints.api_url}/rides/{ride_id}/route.gpx"

    def served() -> list[requests.Response] | None:
        answer = requests.get(public_link, timeout=5)  # follows the redirect, no token
        return [answer] if answer.status_code == 200 else None

    assert b"<gpx" in eventually(served, seconds=20)[0].content
    s3 = api.platform.client("s3")
    bucket = api.endpoints.resources.bucket_name
    copies = f"public/routes/{ride_id}/"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=copies)["KeyCount"] == 1

    version = api.call("GET", f"/rides/{ride_id}", leader).json()["version"]
    edit = {"version": version, "visibility": "members"}
    assert api.call("PUT", f"/rides/{ride_id}", leader, json=edit).status_code == 200
    assert requests.get(public_link, timeout=5).status_code == 404
    eventually(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=copies)["KeyCount"] == 0 or None)


def test_a_flag_flipped_on_the_running_platform_pauses_uploads_and_resumes_them(
    api: Api,
) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "flag-admin")
    club_id = new_club(api, admin_sub, site_admin)
    path = api.platform.flag_overrides
    ask = {"content_type": "image/png"}
    try:
        set_flag("media_uploads", False, path)
        paused = api.call("POST", f"/clubs/{club_id}/logo", admin, json=ask)
        assert paused.status_code == 503 and paused.json()["error"]["code"] == "feature_off"
        assert paused.headers["Retry-After"] == "300"
    finally:
        reset("media_uploads", path)
    assert api.call("POST", f"/clubs/{club_id}/logo", admin, json=ask).status_code == 200
