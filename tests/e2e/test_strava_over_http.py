"""Strava over the local platform, end to end: a rider links Strava through the browser
redirects, records an activity for a ride they joined, Strava's push event arrives at the
public webhook, and the ride's leader sees the attendance and the activity."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from shared.domain.enums import SystemRole
from stacks.consumers import STRAVA_SYNC
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e


def test_connect_record_push_and_attendance_is_marked(api: Api) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    leader_sub, _, leader = person(api, "strava-leader")
    _, _, rider = person(api, "strava-rider")
    _, _, member = person(api, "strava-member")
    club_id = new_club(api, leader_sub, site_admin)
    for token in (rider, member):
        assert api.call("POST", f"/clubs/{club_id}/memberships", token, json={}).status_code == 201
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    ride = api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        leader,
        json=criterium("Strava test ride", 10, start_at=start.isoformat()),
    ).json()
    joined = api.call("POST", f"/rides/{ride['ride_id']}/participations", rider)
    assert joined.status_code == 201, joined.text

    # Link: the app sends the browser to Strava, which sends it back to the callback.
    athlete = 7_000_000 + int(time.time()) % 1_000_000
    connect = api.call("POST", "/integrations/strava/connect", rider).json()
    at_strava = requests.get(
        f"{connect['authorize_url']}&athlete_id={athlete}", allow_redirects=False, timeout=5
    )
    back = requests.get(at_strava.headers["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    assert parse_qs(urlsplit(back.headers["Location"]).query) == {"strava": ["connected"]}
    assert api.call("GET", "/integrations/strava", rider).json()["athlete_id"] == athlete

    # The rider records the ride; Strava pushes the event to the public webhook.
    strava = api.platform.strava
    recorded = requests.post(
        f"{strava.url}/_fake/activities",
        json={
            "athlete_id": athlete,
            "start_date": (start + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "distance": 48_250.0,
            "total_elevation_gain": 512.0,
        },
        timeout=10,
    ).json()
    assert recorded["push"] == 200

    def rider_entry() -> dict[str, object] | None:
        answer = api.call("GET", f"/rides/{ride['ride_id']}/participations", leader).json()
        mine = [p for p in answer["joined"] if p.get("strava_activity")]
        return mine[0] if mine else None

    entry = eventually(rider_entry, seconds=20)
    assert entry["attendance"] == "attended" and entry["attendance_source"] == "strava"
    activity = entry["strava_activity"]
    assert isinstance(activity, dict)
    assert activity["distance_km"] == 48.25 and activity["elevation_gain_m"] == 512.0
    # Other members see the attendance, not the rider's activity.
    seen = api.call("GET", f"/rides/{ride['ride_id']}/participations", member).json()
    assert all(p.get("strava_activity") is None for p in seen["joined"])

    # A forged delete, even at the secret callback URL, takes nothing back while the
    # activity is still at Strava (a different `updates` so it is not a repeat).
    forged = {**strava.pushes[-1], "aspect_type": "delete", "updates": {"forged": "1"}}
    sync = api.platform.queue_mappings[STRAVA_SYNC.name].stats
    handled = sync.succeeded
    assert requests.post(strava.callback_url, json=forged, timeout=5).status_code == 200
    eventually(lambda: sync.succeeded > handled or None)  # the sync consumer took the push
    still = rider_entry()
    assert still is not None and still["attendance"] == "attended"

    # Deleting the activity at Strava takes back what it added.
    gone = requests.delete(f"{strava.url}/_fake/activities/{recorded['id']}", timeout=10)
    assert gone.json()["push"] == 200
    eventually(lambda: rider_entry() is None or None, seconds=20)

    # Unlinking revokes the app at Strava.
    assert api.call("DELETE", "/integrations/strava", rider).status_code == 204
    assert api.call("GET", "/integrations/strava", rider).json()["connected"] is False


def test_a_push_needs_the_secret_url_and_the_handshake_our_token(api: Api) -> None:
    strava = api.platform.strava
    event: dict[str, Any] = {
        "object_type": "activity",
        "aspect_type": "create",
        "object_id": 1,
        "owner_id": 1,
        "subscription_id": strava.subscription_id,
        "event_time": int(time.time()),
        "updates": {},
    }
    for guess in ("/webhooks/strava", "/webhooks/strava/1", "/webhooks/strava/guess"):
        forged = requests.post(f"{api.endpoints.api_url}{guess}", json=event, timeout=5)
        assert forged.status_code in (403, 404), guess
        assert forged.json()["error"]["code"] in ("not_found", "route_not_found"), guess
    other = requests.post(strava.callback_url, json={**event, "subscription_id": 999}, timeout=5)
    assert other.status_code == 403
    wrong = requests.get(
        strava.callback_url,
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "abc"},
        timeout=5,
    )
    assert wrong.status_code == 403
