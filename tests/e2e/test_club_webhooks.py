"""Club webhooks over the local platform: a club admin registers the local receiver, a
new ride reaches it signed, a failing receiver gets the same event again after a backoff,
and the delivery log says what happened."""

import time
import uuid
from collections.abc import Iterator

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from local.webhook_receiver import WebhookReceiver
from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import eventually, new_club, person

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


def register(api: Api, club_id: str, token: str, url: str) -> dict[str, str]:
    answer = api.call(
        "POST",
        f"/clubs/{club_id}/webhooks",
        token,
        json={"url": url, "event_types": ["ride_created", "ride_cancelled"]},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_new_ride_reaches_the_clubs_endpoint_signed_and_retried_after_failures(
    api: Api, receiver: WebhookReceiver
) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "hooks-admin")
    club_id = new_club(api, admin_sub, site_admin)
    hook = register(api, club_id, admin, f"{receiver.url}/club-{uuid.uuid4().hex[:6]}")
    assert hook["secret"].startswith("whsec_")
    listed = api.call("GET", f"/clubs/{club_id}/webhooks", admin).json()["items"]
    assert [h["webhook_id"] for h in listed] == [hook["webhook_id"]]
    assert "secret" not in listed[0] and "sealed_secret" not in listed[0]

    receiver.fail_next(2)
    started = time.monotonic()
    ride = api.call("POST", f"/clubs/{club_id}/rides", admin, json=criterium("Hooked", 10))
    assert ride.status_code == 201, ride.text

    arrivals = eventually(
        lambda: [r for r in receiver.received if r.answered == 204] or None, seconds=40
    )
    elapsed = time.monotonic() - started
    attempts = [r for r in receiver.received if r.event_id == arrivals[0].event_id]
    assert [r.answered for r in attempts] == [500, 500, 204]
    # Retries wait: 1 s then 4 s (+-10%) locally, as 1 min then 4 min do in AWS.
    assert elapsed > 4
    delivered = arrivals[0]
    # Verified as a club's receiver would: the standardwebhooks package, from the docs alone.
    event = Webhook(hook["secret"]).verify(delivered.body, delivered.standard_headers())
    assert event["type"] == "ride_created"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 44).verify(delivered.body, delivered.standard_headers())
    body = delivered.as_json(None)["body"]
    assert body["type"] == "ride_created" and body["club_id"] == club_id
    assert body["data"]["ride_id"] == ride.json()["ride_id"] and body["attempt"] == 3
    # The same event id on every attempt: the receiver deduplicates with it.
    assert {r.event_id for r in attempts} == {body["id"]}

    log = api.call(
        "GET", f"/clubs/{club_id}/webhooks/{hook['webhook_id']}/deliveries", admin
    ).json()["items"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [
        ("ride_created", "delivered", 3)
    ]
    assert log[0]["last_status_code"] == 204


def test_only_the_clubs_admins_manage_its_webhooks_and_private_urls_are_refused(
    api: Api, receiver: WebhookReceiver
) -> None:
    _, _, site_admin = person(api, "site", SystemRole.SITE_ADMIN)
    admin_sub, _, admin = person(api, "hooks-admin")
    _, _, rider = person(api, "hooks-rider")
    club_id = new_club(api, admin_sub, site_admin)
    refused = api.call(
        "POST",
        f"/clubs/{club_id}/webhooks",
        rider,
        json={"url": f"{receiver.url}/x", "event_types": ["ride_created"]},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["capability"] == "manage_webhooks"
    hook = register(api, club_id, admin, f"{receiver.url}/gone")
    assert (
        api.call("DELETE", f"/clubs/{club_id}/webhooks/{hook['webhook_id']}", admin).status_code
        == 204
    )
    assert api.call("GET", f"/clubs/{club_id}/webhooks", admin).json()["items"] == []
