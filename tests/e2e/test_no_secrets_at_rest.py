"""Secrets, tokens and e-mail addresses stay where they are meant to be: after flows that
handle them (a webhook registered and replayed with an Idempotency-Key, its secret rotated,
a phone registered, Strava linked and synced), the whole local table is scanned."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e

# Items that hold an address by design: a profile (the user's own); and idempotency records,
# which keep for 24 hours the answer a retry gets back; of those, only the users API's
# (an invitation names the invited address) hold one (docs/decisions.md, 18).
MAY_HOLD_EMAIL = {"user"}
MAY_HOLD_EMAIL_PARTITIONS = ("IDEMPOTENCY#",)


def _items(api: Api) -> list[dict[str, Any]]:
    table = api.platform.table()
    pages = table.client.get_paginator("scan").paginate(TableName=table.name, ConsistentRead=True)
    return [item for page in pages for item in page["Items"]]


def test_no_secret_token_or_address_lies_outside_its_own_item(api: Api) -> None:
    _, _, site_admin = person(api, "audit-site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "audit-admin")
    club_id = new_club(api, admin_sub, site_admin)
    hooks = "http://127.0.0.1:3001"
    body = {"url": f"{hooks}/audit", "event_types": ["ride_created"]}
    key = {"Idempotency-Key": f"audit-{uuid.uuid4().hex}"}
    created = api.call("POST", f"/clubs/{club_id}/webhooks", admin, json=body, headers=key)
    assert created.status_code == 201, created.text
    replay = api.call("POST", f"/clubs/{club_id}/webhooks", admin, json=body, headers=key)
    assert replay.json()["error"]["code"] == "secret_shown_once"
    hook = created.json()
    rotated = api.call(
        "POST",
        f"/clubs/{club_id}/webhooks/{hook['webhook_id']}/secret",
        admin,
        json={"version": hook["version"]},
        headers={"Idempotency-Key": f"rotate-{uuid.uuid4().hex}"},
    ).json()
    phone = f"audit-phone-{uuid.uuid4().hex}" * 2
    device = api.call("POST", "/users/me/devices", admin, json={"platform": "fcm", "token": phone})
    assert device.status_code == 201, device.text

    # Strava linked, and an activity synced (tokens sealed, refreshed).
    athlete = 8_000_000 + int(time.time()) % 1_000_000
    connect = api.call("POST", "/integrations/strava/connect", admin).json()
    at_strava = requests.get(
        f"{connect['authorize_url']}&athlete_id={athlete}", allow_redirects=False, timeout=5
    )
    requests.get(at_strava.headers["Location"], allow_redirects=False, timeout=5)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        admin,
        json=criterium("Audit", 10, start_at=start.isoformat()),
    )
    strava = api.platform.strava
    strava.record_activity(athlete, (start + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    eventually(lambda: any("STRAVA#ACTIVITY#" in json.dumps(i) for i in _items(api)) or None)

    items = _items(api)
    secrets = [hook["secret"], rotated["secret"], phone, *strava.access, *strava.refresh]
    # Every rider's address, as their profile holds it (fuzzed text elsewhere may look like
    # an address; what matters is that no real one leaks).
    addresses = {
        item["email"]["S"]
        for item in items
        if item.get("entity", {}).get("S") == "user" and "S" in item.get("email", {})
    }
    assert addresses
    found: list[str] = []
    for item in items:
        text = json.dumps(item)
        found += [f"{item['PK']['S']}: a secret" for s in secrets if s in text]
        entity = item.get("entity", {}).get("S")
        allowed = entity in MAY_HOLD_EMAIL or item["PK"]["S"].startswith(MAY_HOLD_EMAIL_PARTITIONS)
        if not allowed and any(address in text for address in addresses):
            found.append(f"{item['PK']['S']}/{item['SK']['S']} ({entity}): an e-mail address")
    assert found == []
