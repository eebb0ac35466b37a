"""The event path on the local platform, as in AWS: table stream -> publisher -> bus ->
rules -> queues -> consumers. Counts and notifications follow a request within seconds."""

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.outbox import Sent, sent
from shared.domain.enums import SystemRole
from shared.events import DomainEvent
from stacks.consumers import COUNTS
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

PASSWORD = "Events-Local-2026!"


def eventually[T](check: Callable[[], T | None], seconds: float = 15) -> T:
    """The first truthy answer of `check`, polled until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {seconds} s")
        time.sleep(0.2)


def person(api: Api, name: str, role: SystemRole = SystemRole.USER) -> tuple[str, str, str]:
    email = f"{name}-{uuid.uuid4().hex[:6]}@events.local"
    sub = api.platform.create_user(email, PASSWORD, role)
    return sub, email, api.token(email, PASSWORD)


def new_club(api: Api, admin_sub: str, admin_token: str) -> str:
    answer = api.call(
        "POST",
        "/clubs",
        admin_token,
        json={
            "name": f"Events {uuid.uuid4().hex[:8]}",
            "disciplines": ["road"],
            "initial_admin_id": admin_sub,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["club_id"])


def mail_to(api: Api, address: str) -> list[Sent]:
    return [m for m in sent(api.endpoints.moto_url) if m.channel == "email" and address in m.to]


def test_joining_an_open_club_updates_the_count_and_sends_a_welcome(api: Api) -> None:
    admin_sub, _, admin = person(api, "boss", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    _, email, rider = person(api, "joiner")
    counted = eventually(
        lambda: api.call("GET", f"/clubs/{club_id}", rider).json()["member_count"] == 1
    )
    assert counted  # the initial admin

    started = time.monotonic()
    assert api.call("POST", f"/clubs/{club_id}/memberships", rider).status_code == 201

    eventually(lambda: api.call("GET", f"/clubs/{club_id}", rider).json()["member_count"] == 2)
    (welcome,) = eventually(lambda: mail_to(api, email))
    assert welcome.subject.startswith("Welcome to Events ")
    assert time.monotonic() - started < 15


def _counts_queue(api: Api) -> Any:
    return api.endpoints.resources.consumer(COUNTS.name)


def _envelope(event: DomainEvent) -> str:
    return json.dumps(
        {
            "source": event.source,
            "detail-type": event.event_type,
            "detail": json.loads(event.model_dump_json()),
        }
    )


def test_a_batch_that_fails_midway_is_redelivered_without_counting_twice(api: Api) -> None:
    admin_sub, _, admin = person(api, "counter", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    eventually(lambda: api.call("GET", f"/clubs/{club_id}", admin).json()["member_count"] == 1)
    joined = DomainEvent(
        event_id=f"manual-{uuid.uuid4().hex}:user_joined_club",
        event_type="user_joined_club",
        context="memberships",
        occurred_at=datetime.now(UTC),
        data={
            "club_id": club_id,
            "user_id": str(uuid.uuid4()),
            "membership_id": "m",
            "status": "active",
            "club_role": "member",
            "previous_status": None,
        },
    )
    queue = _counts_queue(api)
    sqs = api.platform.client("sqs")
    before = api.platform.queue_mappings[COUNTS.name].stats.failed
    # One batch: the event, a record the consumer cannot read, and the event again (SQS
    # delivers at least once).
    sqs.send_message_batch(
        QueueUrl=queue.queue_url,
        Entries=[
            {"Id": "1", "MessageBody": _envelope(joined)},
            {"Id": "2", "MessageBody": "{not json"},
            {"Id": "3", "MessageBody": _envelope(joined)},
        ],
    )

    eventually(lambda: api.call("GET", f"/clubs/{club_id}", admin).json()["member_count"] == 2)
    parked = eventually(
        lambda: sqs.receive_message(QueueUrl=queue.dead_letter_url, WaitTimeSeconds=1).get(
            "Messages"
        ),
        seconds=30,
    )
    assert parked[0]["Body"] == "{not json"
    assert api.platform.queue_mappings[COUNTS.name].stats.failed - before >= queue.max_receive_count
    time.sleep(1.5)  # any redelivery would have landed by now
    assert api.call("GET", f"/clubs/{club_id}", admin).json()["member_count"] == 2


def test_a_promotion_from_the_waitlist_sends_email_and_push(api: Api) -> None:
    admin_sub, _, admin = person(api, "lead", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    first_sub, _, first = person(api, "first")
    second_sub, second_email, second = person(api, "second")
    for token in (first, second):
        assert api.call("POST", f"/clubs/{club_id}/memberships", token).status_code == 201
    device = api.call(
        "POST", "/users/me/devices", second, json={"platform": "fcm", "token": uuid.uuid4().hex * 2}
    )
    assert device.status_code == 201, device.text
    start = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    ride = api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        admin,
        json={
            "title": "Waitlist Loop",
            "start_at": start,
            "estimated_duration_min": 90,
            "meeting_point": {"name": "Bicentennial Park", "lat": -33.85, "lon": 151.07},
            "distance_km": 40,
            "surface": "road",
            "pace_class": "C",
            "drop_policy": "no_drop",
            "capacity": 2,
        },
    ).json()
    ride_id = ride["ride_id"]
    assert api.call("POST", f"/rides/{ride_id}/participations", first).json()["status"] == "joined"
    assert (
        api.call("POST", f"/rides/{ride_id}/participations", second).json()["status"]
        == "waitlisted"
    )

    withdrawn = api.call(
        "PUT",
        f"/participations/{ride_id}_{first_sub}",
        first,
        json={"version": 1, "status": "withdrawn"},
    )
    assert withdrawn.status_code == 200, withdrawn.text

    (mail,) = eventually(lambda: [m for m in mail_to(api, second_email) if "seat" in m.subject])
    assert mail.subject == "You have a seat on Waitlist Loop"
    pushes = eventually(
        lambda: [
            m
            for m in sent(api.endpoints.moto_url)
            if m.channel == "push" and second_sub in m.to and "seat" in m.subject
        ]
    )
    assert len(pushes) == 1


def test_a_bounced_address_is_suppressed(api: Api) -> None:
    admin_sub, _, admin = person(api, "bouncer", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    bounce = "bounce@simulator.amazonses.com"
    sub = api.platform.create_user(bounce, PASSWORD)
    token = api.token(bounce, PASSWORD)

    assert api.call("POST", f"/clubs/{club_id}/memberships", token).status_code == 201

    suppressed = eventually(
        lambda: api.call("GET", "/users/me", token).json()["profile"]["email_suppressed"]
    )
    assert suppressed is True
    assert api.call("GET", f"/users/{sub}", token).json()["email_suppressed"] is True


def test_leaving_the_club_frees_the_seat_for_the_waitlist(api: Api) -> None:
    admin_sub, _, admin = person(api, "seatkeeper", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    leaver_sub, _, leaver = person(api, "leaver")
    _, _, waiting = person(api, "waiting")
    for token in (leaver, waiting):
        assert api.call("POST", f"/clubs/{club_id}/memberships", token).status_code == 201
    start = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    ride_id = api.call(
        "POST",
        f"/clubs/{club_id}/rides",
        admin,
        json={
            "title": "Seat Loop",
            "start_at": start,
            "estimated_duration_min": 90,
            "meeting_point": {"name": "Cook Park", "lat": -33.98, "lon": 151.15},
            "distance_km": 30,
            "surface": "road",
            "pace_class": "social",
            "drop_policy": "no_drop",
            "capacity": 2,
        },
    ).json()["ride_id"]
    assert api.call("POST", f"/rides/{ride_id}/participations", leaver).json()["status"] == "joined"
    assert (
        api.call("POST", f"/rides/{ride_id}/participations", waiting).json()["status"]
        == "waitlisted"
    )

    left = api.call("DELETE", f"/memberships/{club_id}_{leaver_sub}", leaver)
    assert left.status_code == 200, left.text

    def seated() -> list[str] | None:
        party = api.call("GET", f"/rides/{ride_id}/participations", admin).json()
        joined = [p["user_id"] for p in party["joined"]]
        return joined if leaver_sub not in joined and not party["waitlist"] else None

    assert len(eventually(seated)) == 2  # the leader and the promoted rider
