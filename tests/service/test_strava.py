"""Strava in-process against moto and the fake Strava server (real HTTP on this machine):
the OAuth flow and its state, tokens (sealed, refreshed, revoked), rate limits, the push
endpoint, and matching activities to rides."""

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from local.fake_strava import FakeStrava
from shared.adapters.event_bus import EventBus
from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.strava import RateLimited, StravaClient, pool_manager
from shared.adapters.work_queue import WorkQueue
from shared.domain import signed_tokens
from shared.domain.enums import (
    Attendance,
    ClubRole,
    DropPolicy,
    MembershipStatus,
    PaceClass,
    ParticipationStatus,
    RideStatus,
    Surface,
)
from shared.domain.errors import ServiceUnavailable
from shared.domain.membership import Membership, membership_id
from shared.domain.ride import MeetingPoint, Participation, Ride, participation_id
from shared.domain.strava import AttendanceSource
from shared.settings import StravaSyncSettings
from shared.store import keys
from shared.store.deletion import strava_unlinked
from shared.store.memberships import membership_item
from shared.store.rides import participation_item, ride_item, to_participation
from shared.store.table import Table
from strava import handler as strava_api
from strava import sync as sync_module
from strava.credentials import StravaApp, read_app
from strava.logic import OAuth
from strava.schemas import StravaPush
from strava.store import StravaStore
from strava.sync import Postponed, Sync, forget_deleted_account
from tests.service.conftest import Invoke, emitted_metrics, make_invoker, snapshot

pytestmark = pytest.mark.service

RIDER = {"sub": "22222222-2222-4222-8222-222222222222"}
OTHER = {"sub": "33333333-3333-4333-8333-333333333333"}
CLUB = "c1ab0000-0000-4000-8000-000000000001"
APP_URL = "https://app.test/strava"
API = "https://api.test/v1"
SUBSCRIPTION = 120475
STATE_KEY = "test-state-key"
CALLBACK_SECRET = "cb-" + "k" * 40
CALLBACK = f"/webhooks/strava/{CALLBACK_SECRET}"
# A new activity's event, as Strava's documentation shows it.
PUSHED_EVENT = {
    "aspect_type": "create",
    "event_time": 1796018550,
    "object_id": 16234567890,
    "object_type": "activity",
    "owner_id": 134815,
    "subscription_id": SUBSCRIPTION,
    "updates": {},
}


@dataclass
class World:
    api: Invoke
    table: Table
    store: StravaStore
    fake: FakeStrava
    sealer: SecretSealer
    oauth: OAuth
    sync: Sync
    bus_queue: str

    def connect(self, claims: dict[str, str], athlete_id: int, **authorize: str) -> str:
        """The whole browser round trip; returns where the rider lands in the app."""
        start = self.api("POST", "/integrations/strava/connect", claims=claims)
        assert start.status == 200, start.body
        extra = "".join(f"&{k}={v}" for k, v in {"athlete_id": athlete_id, **authorize}.items())
        at_strava = requests.get(start.body["authorize_url"] + extra, allow_redirects=False)
        back = urlsplit(at_strava.headers["Location"])
        assert f"{API}/integrations/strava/callback".endswith(back.path)
        query = {k: v[0] for k, v in parse_qs(back.query).items()}
        return self.callback(query)

    def callback(self, query: dict[str, str]) -> str:
        answer = self.api("GET", "/integrations/strava/callback", query=query)
        assert answer.status == 302, answer.body
        return answer.headers["Location"]

    def ride(self, title: str, start: datetime, status: RideStatus = RideStatus.SCHEDULED) -> str:
        moment = datetime.now(UTC)
        ride_id = f"{CLUB}_{uuid.uuid5(uuid.NAMESPACE_URL, title)}"
        self.table.put(
            ride_item(
                Ride(
                    ride_id=ride_id,
                    club_id=CLUB,
                    title=title,
                    start_at=start,
                    estimated_duration_min=120,
                    meeting_point=MeetingPoint(name="Centennial Park", lat=-33.9, lon=151.2),
                    distance_km=60,
                    surface=Surface.ROAD,
                    pace_class=PaceClass.B,
                    drop_policy=DropPolicy.REGROUP,
                    status=status,
                    created_by=OTHER["sub"],
                    created_at=moment,
                    updated_at=moment,
                    updated_by=OTHER["sub"],
                )
            )
        )
        self.table.put(
            participation_item(
                Participation(
                    participation_id=participation_id(ride_id, RIDER["sub"]),
                    ride_id=ride_id,
                    club_id=CLUB,
                    user_id=RIDER["sub"],
                    status=ParticipationStatus.JOINED,
                    joined_at=moment,
                    updated_at=moment,
                    updated_by=RIDER["sub"],
                ),
                start,
            )
        )
        return ride_id

    def participation(self, ride_id: str) -> Participation:
        item = self.table.get(keys.participation_key(ride_id, RIDER["sub"]))
        assert item is not None
        return to_participation(item)

    def push(
        self, object_type: str, aspect: str, object_id: int, owner: int, **updates: str
    ) -> str:
        return self.sync.handle(
            StravaPush(
                object_type=object_type,  # type: ignore[arg-type]
                aspect_type=aspect,  # type: ignore[arg-type]
                object_id=object_id,
                owner_id=owner,
                subscription_id=SUBSCRIPTION,
                event_time=int(time.time()),
                updates=dict(updates),
            )
        )


@pytest.fixture
def world(table: Table) -> Iterator[World]:
    fake = FakeStrava("local-client", "local-secret", SUBSCRIPTION)
    fake.start()
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    sealer = SecretSealer(boto3.client("kms"), key)
    store = StravaStore(table)
    strava = StravaClient(pool_manager(), fake.client_id, fake.client_secret, fake.url)
    oauth = OAuth(strava, sealer, STATE_KEY, f"{API}/integrations/strava/callback", APP_URL)
    credentials = StravaApp(
        fake.client_id, fake.client_secret, "verify-me", SUBSCRIPTION, (CALLBACK_SECRET,)
    )
    events = boto3.client("events")
    events.create_event_bus(Name="bus")
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="strava")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    events.put_rule(
        Name="strava",
        EventBusName="bus",
        EventPattern=json.dumps({"detail-type": ["strava_webhook_received"]}),
    )
    events.put_targets(
        Rule="strava",
        EventBusName="bus",
        Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}],
    )
    overrides = strava_api.app.dependency_overrides
    overrides[strava_api.get_store] = lambda: store
    overrides[strava_api.get_oauth] = lambda: oauth
    overrides[strava_api.get_app] = lambda: credentials
    overrides[strava_api.get_strava] = lambda: strava
    overrides[strava_api.get_sealer] = lambda: sealer
    overrides[strava_api.get_bus] = lambda: EventBus(events, "bus")
    table.put(
        membership_item(
            Membership(
                membership_id=membership_id(CLUB, RIDER["sub"]),
                club_id=CLUB,
                user_id=RIDER["sub"],
                club_role=ClubRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                updated_at=datetime.now(UTC),
                updated_by=RIDER["sub"],
            )
        )
    )
    sync = Sync(
        store,
        strava,
        sealer,
        StravaSyncSettings(
            strava_app_secret_name="strava-app",
            secrets_key_id="alias/test",
            strava_sync_queue_url=queue_url,
        ),
    )
    yield World(
        make_invoker(strava_api.handler), table, store, fake, sealer, oauth, sync, queue_url
    )
    overrides.clear()
    fake.stop()


def riders_data(table: Table) -> list[dict[str, Any]]:
    """Every item but the push events' own bookkeeping (seen events, read budgets)."""
    bookkeeping = ("STRAVA#EVENT#", "STRAVA#BUDGET#")
    return [i for i in snapshot(table) if not i["PK"]["S"].startswith(bookkeeping)]


def landed(location: str) -> dict[str, str]:
    assert location.startswith(APP_URL)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_a_rider_links_strava_and_the_tokens_are_kept_sealed(world: World) -> None:
    assert landed(world.connect(RIDER, 134815)) == {"strava": "connected"}

    status = world.api("GET", "/integrations/strava", claims=RIDER)
    assert status.body["connected"] is True and status.body["athlete_id"] == 134815
    assert set(status.body["scopes"]) == {"read", "activity:read"}
    everything = json.dumps(snapshot(world.table))
    assert world.fake.access and not any(token in everything for token in world.fake.access)
    assert not any(token in everything for token in world.fake.refresh)
    assert world.store.user_of_athlete(134815) == RIDER["sub"]


def test_the_authorize_url_asks_for_activity_read_with_a_signed_state(world: World) -> None:
    answer = world.api("POST", "/integrations/strava/connect", claims=RIDER)
    query = parse_qs(urlsplit(answer.body["authorize_url"]).query)

    assert query["scope"] == ["read,activity:read"] and query["client_id"] == ["local-client"]
    assert query["redirect_uri"] == [f"{API}/integrations/strava/callback"]
    fields = signed_tokens.read(STATE_KEY, query["state"][0])
    assert fields is not None and fields["u"] == RIDER["sub"]
    assert answer.body["state_expires_at"] - time.time() == pytest.approx(600, abs=5)


def test_state_tampering_replay_and_expiry_are_refused(world: World) -> None:
    start = world.api("POST", "/integrations/strava/connect", claims=RIDER)
    state = parse_qs(urlsplit(start.body["authorize_url"]).query)["state"][0]
    fields = signed_tokens.read(STATE_KEY, state)
    assert fields is not None
    code = "any-code"
    scope = "read,activity:read"

    # Another user's id in the state breaks its signature.
    forged = signed_tokens.sign("not-the-key", {**fields, "u": OTHER["sub"]})
    assert landed(world.callback({"state": forged, "code": code, "scope": scope}))["reason"] == (
        "invalid_state"
    )
    garbage = world.callback({"state": "x.y", "code": code, "scope": scope})
    assert landed(garbage)["reason"] == "invalid_state"
    old = signed_tokens.sign(STATE_KEY, {**fields, "e": int(time.time()) - 1})
    assert landed(world.callback({"state": old, "code": code, "scope": scope}))["reason"] == (
        "expired_state"
    )
    # The genuine state works once (here Strava refuses the made-up code)...
    first = landed(world.callback({"state": state, "code": code, "scope": scope}))
    assert first["reason"] == "strava_unavailable"
    # ...and never again.
    again = landed(world.callback({"state": state, "code": code, "scope": scope}))
    assert again["reason"] == "state_used"
    assert world.store.link(RIDER["sub"]) is None


def test_a_refusal_or_a_missing_scope_links_nothing(world: World) -> None:
    assert landed(world.connect(RIDER, 134815, deny="1"))["reason"] == "access_denied"
    start = world.api("POST", "/integrations/strava/connect", claims=RIDER)
    state = parse_qs(urlsplit(start.body["authorize_url"]).query)["state"][0]
    narrow = world.callback({"state": state, "code": "c", "scope": "read"})
    assert landed(narrow)["reason"] == "missing_scope"
    assert world.store.link(RIDER["sub"]) is None


def test_an_athlete_links_to_one_rider_only(world: World) -> None:
    assert landed(world.connect(RIDER, 134815))["strava"] == "connected"
    taken = landed(world.connect(OTHER, 134815))
    assert taken["reason"] == "strava_athlete_linked_elsewhere"
    assert world.store.link(OTHER["sub"]) is None


def test_unlinking_revokes_at_strava_and_forgets_the_tokens(world: World) -> None:
    world.connect(RIDER, 134815)
    assert world.fake.access

    assert world.api("DELETE", "/integrations/strava", claims=RIDER).status == 204
    assert world.fake.access == {}
    assert world.store.link(RIDER["sub"]) is None and world.store.user_of_athlete(134815) is None
    again = world.api("DELETE", "/integrations/strava", claims=RIDER)
    assert (again.status, again.body["error"]["code"]) == (404, "strava_not_linked")
    assert world.api("GET", "/integrations/strava", claims=RIDER).body == {
        "connected": False,
        "athlete_id": None,
        "scopes": [],
        "connected_at": None,
    }


def sydney_morning(days: int = 3, hour: int = 19, minute: int = 0) -> datetime:
    base = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


def activity(world: World, start: datetime, **fields: Any) -> int:
    recorded = world.fake.record_activity(
        134815, start.strftime("%Y-%m-%dT%H:%M:%SZ"), push=False, **fields
    )
    return int(recorded["id"])


def test_an_activity_marks_attendance_on_the_ride_the_rider_joined(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.connect(RIDER, 134815)
    ride_id = world.ride("Bay Run", sydney_morning())
    activity_id = activity(world, sydney_morning(minute=4), distance=61_234.0)
    capsys.readouterr()

    assert world.push("activity", "create", activity_id, 134815) == "matched"
    kpis = [m for m in emitted_metrics(capsys.readouterr().out) if m[0] != "CounterUpdated"]
    assert [name for name, _ in kpis] == ["StravaSyncLag", "AttendanceMarked"]
    assert kpis[1][1]["source"] == "strava"
    mine = world.participation(ride_id)
    assert (mine.attendance, mine.attendance_source) == (
        Attendance.ATTENDED,
        AttendanceSource.STRAVA,
    )
    assert mine.strava_activity is not None
    assert mine.strava_activity.distance_km == 61.23
    assert mine.strava_activity.url.endswith(f"/activities/{activity_id}")
    # A duplicate delivery changes nothing and reads nothing.
    version, reads = mine.version, world.fake.usage[0]
    assert world.push("activity", "create", activity_id, 134815) == "duplicate"
    assert world.participation(ride_id).version == version
    assert world.fake.usage[0] == reads
    # Deleting the activity at Strava removes what it added.
    del world.fake.activities[activity_id]
    assert world.push("activity", "delete", activity_id, 134815) == "unmatched"
    after = world.participation(ride_id)
    assert (after.attendance, after.attendance_source, after.strava_activity) == (
        Attendance.UNKNOWN,
        None,
        None,
    )


def test_of_two_rides_the_same_morning_the_nearest_start_wins(world: World) -> None:
    world.connect(RIDER, 134815)
    early = world.ride("Dawn patrol", sydney_morning(hour=19))
    later = world.ride("Coffee ride", sydney_morning(hour=20))
    activity_id = activity(world, sydney_morning(hour=19, minute=50))

    assert world.push("activity", "create", activity_id, 134815) == "matched"
    assert world.participation(later).strava_activity is not None
    assert world.participation(early).strava_activity is None


@pytest.mark.parametrize(
    ("start", "status"),
    [
        (sydney_morning(hour=18, minute=20), RideStatus.SCHEDULED),  # 40 min before: a warm-up
        (sydney_morning(hour=20, minute=5), RideStatus.SCHEDULED),  # 65 min late: another ride
        (sydney_morning(minute=2), RideStatus.CANCELLED),
    ],
)
def test_activities_outside_the_window_or_on_a_cancelled_ride_match_nothing(
    world: World, start: datetime, status: RideStatus
) -> None:
    world.connect(RIDER, 134815)
    ride_id = world.ride("Bay Run", sydney_morning(), status=status)
    before = world.participation(ride_id)

    assert world.push("activity", "create", activity(world, start), 134815) == "no ride"
    assert world.participation(ride_id) == before


def test_a_leaders_mark_stands_and_strava_only_adds_the_summary(world: World) -> None:
    world.connect(RIDER, 134815)
    start = sydney_morning()
    ride_id = world.ride("Bay Run", start)
    marked = world.participation(ride_id).revised(
        OTHER["sub"], attendance=Attendance.NO_SHOW, attendance_source=AttendanceSource.LEADER
    )
    world.table.put(participation_item(marked, start))

    world.push("activity", "create", activity(world, sydney_morning()), 134815)
    mine = world.participation(ride_id)
    assert (mine.attendance, mine.attendance_source) == (
        Attendance.NO_SHOW,
        AttendanceSource.LEADER,
    )
    assert mine.strava_activity is not None


def test_a_forged_event_can_only_cause_a_read(world: World) -> None:
    world.connect(RIDER, 134815)
    ride_id = world.ride("Bay Run", sydney_morning())
    someone_elses = int(
        world.fake.record_activity(
            999, sydney_morning().strftime("%Y-%m-%dT%H:%M:%SZ"), push=False
        )["id"]
    )
    before = riders_data(world.table)

    # Claimed for our athlete: Strava answers 404 with their token.
    assert world.push("activity", "create", someone_elses, 134815) == "ignored"
    # An athlete nobody linked: nothing is even read.
    reads = world.fake.usage[0]
    assert world.push("activity", "create", someone_elses, 999) == "unknown_athlete"
    assert world.fake.usage[0] == reads
    assert riders_data(world.table) == before
    assert world.participation(ride_id).strava_activity is None


def test_expired_tokens_are_refreshed_and_stored_sealed(world: World) -> None:
    world.connect(RIDER, 134815)
    world.ride("Bay Run", sydney_morning())
    link = world.store.link(RIDER["sub"])
    assert link is not None
    world.table.update(
        keys.strava_link_key(RIDER["sub"]),
        "SET token_expires_at = :past",
        values={":past": int(time.time()) - 10},
    )
    world.fake.access = {t: (a, 0) for t, (a, _) in world.fake.access.items()}

    assert world.push("activity", "create", activity(world, sydney_morning()), 134815) == "matched"
    refreshed = world.store.link(RIDER["sub"])
    assert refreshed is not None and refreshed.version == link.version + 1
    assert refreshed.token_expires_at > time.time() + 3600


def push_envelope(event_id: str, activity_id: int) -> dict[str, Any]:
    """A Strava push for a new activity of athlete 134815, as the bus hands it on."""
    return {
        "detail": {
            "event_id": event_id,
            "event_type": "strava_webhook_received",
            "context": "strava",
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": {
                "object_type": "activity",
                "aspect_type": "create",
                "object_id": activity_id,
                "owner_id": 134815,
                "subscription_id": SUBSCRIPTION,
                "event_time": int(time.time()),
                "updates": {},
            },
        }
    }


def test_strava_rate_limits_postpone_the_message_to_the_next_window(world: World) -> None:
    world.connect(RIDER, 134815)
    world.ride("Bay Run", sydney_morning())
    activity_id = activity(world, sydney_morning())
    world.fake.rate_limited = 1

    with pytest.raises(RateLimited) as limited:
        world.push("activity", "create", activity_id, 134815)
    assert 0 < limited.value.retry_after <= 15 * 60
    assert world.sync.strava.usage.limit == (200, 2000)

    # Through the consumer: the message is hidden until the window turns, not retried now.
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="sync", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    world.fake.rate_limited = 1
    envelope = push_envelope("strava:1", activity_id)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope))
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    record = sync_module.SQSRecord(
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {},
        }
    )
    sync_module.get_sync.cache_clear()
    sync_module.get_queue.cache_clear()
    original = (sync_module.get_sync, sync_module.get_queue)
    sync_module.get_sync = lambda: world.sync  # type: ignore[assignment]
    sync_module.get_queue = lambda: WorkQueue(sqs, url)  # type: ignore[assignment]
    try:
        with pytest.raises(Postponed):
            sync_module._record_handler(record)
    finally:
        sync_module.get_sync, sync_module.get_queue = original
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None


def test_a_deauthorization_event_deletes_the_link_once_strava_refuses_the_tokens(
    world: World,
) -> None:
    world.connect(RIDER, 134815)
    world.fake.revoke(134815, push=False)

    assert world.push("athlete", "update", 134815, 134815, authorized="false") == "unlinked"
    assert world.store.link(RIDER["sub"]) is None
    assert world.push("athlete", "update", 134815, 134815, authorized="false") == (
        "unknown_athlete"
    )


def test_the_subscription_handshake_echoes_only_to_our_verify_token(world: World) -> None:
    ok = world.api(
        "GET",
        CALLBACK,
        query={
            "hub.mode": "subscribe",
            "hub.verify_token": "verify-me",
            "hub.challenge": "15f7d1a9",
        },
    )
    assert (ok.status, ok.body) == (200, {"hub.challenge": "15f7d1a9"})
    wrong = world.api(
        "GET",
        CALLBACK,
        query={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "x"},
    )
    assert wrong.status == 403
    # A non-ASCII guess is refused like any other, not a 5xx (compare_digest's TypeError).
    accented = world.api(
        "GET",
        CALLBACK,
        query={"hub.mode": "subscribe", "hub.verify_token": "vérify-me", "hub.challenge": "x"},
    )
    assert (accented.status, accented.body["error"]["code"]) == (403, "invalid_verify_token")


def test_push_events_of_our_subscription_go_on_the_bus_and_others_are_refused(
    world: World,
) -> None:
    sqs = boto3.client("sqs")
    event = dict(PUSHED_EVENT)
    before = snapshot(world.table)
    assert world.api("POST", CALLBACK, body=event).status == 200
    (message,) = sqs.receive_message(QueueUrl=world.bus_queue)["Messages"]
    detail = json.loads(message["Body"])["detail"]
    assert detail["event_type"] == "strava_webhook_received"
    assert detail["data"]["object_id"] == 16234567890

    forged = world.api("POST", CALLBACK, body={**event, "subscription_id": 1})
    assert forged.status == 403
    bad = world.api("POST", CALLBACK, body={**event, "object_type": "club"})
    assert bad.status == 422
    assert sqs.receive_message(QueueUrl=world.bus_queue).get("Messages") is None
    assert snapshot(world.table) == before


def test_no_token_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world.connect(RIDER, 134815)
    world.ride("Bay Run", sydney_morning())
    world.push("activity", "create", activity(world, sydney_morning()), 134815)
    world.api("DELETE", "/integrations/strava", claims=RIDER)

    for token in [*world.fake.refresh, "local-secret"]:
        assert token not in caplog.text


def test_with_strava_sync_off_pushes_are_acknowledged_and_not_applied(
    flags: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sync() -> None:
        raise AssertionError("the sync ran while switched off")

    monkeypatch.setattr(sync_module, "get_sync", no_sync)
    flags(strava_sync=False)
    body = json.dumps(push_envelope("strava:off", 1))
    record = sync_module.SQSRecord(
        {"messageId": "m", "receiptHandle": "r", "body": body, "attributes": {}}
    )

    sync_module._record_handler(record)  # returns: the message is done with
    flags(strava_sync=True)
    with pytest.raises(AssertionError, match="while switched off"):
        sync_module._record_handler(record)


def test_a_forged_delete_of_an_activity_still_at_strava_takes_nothing_back(world: World) -> None:
    world.connect(RIDER, 134815)
    ride_id = world.ride("Bay Run", sydney_morning())
    activity_id = activity(world, sydney_morning(minute=3))
    assert world.push("activity", "create", activity_id, 134815) == "matched"
    riders_data_before = riders_data(world.table)

    assert world.push("activity", "delete", activity_id, 134815) == "kept"
    # Naming another athlete as the owner: their link (none) reads nothing.
    assert world.push("activity", "delete", activity_id, 777) == "unknown_athlete"
    mine = world.participation(ride_id)
    assert mine.attendance == Attendance.ATTENDED and mine.strava_activity is not None
    assert riders_data(world.table) == riders_data_before


def test_a_forged_deauthorization_leaves_a_working_link_alone(world: World) -> None:
    world.connect(RIDER, 134815)

    outcome = world.push("athlete", "update", 134815, 134815, authorized="false")
    assert outcome == "still_authorized"
    assert world.store.link(RIDER["sub"]) is not None
    # Other athlete updates (a name change) are not even read.
    reads = world.fake.usage[0]
    assert world.push("athlete", "update", 134815, 134815, title="New name") == "ignored"
    assert world.fake.usage[0] == reads


def test_a_flood_of_events_for_one_athlete_spends_a_bounded_number_of_reads(
    world: World,
) -> None:
    world.connect(RIDER, 134815)
    cap = world.sync.settings.reads_per_athlete_window
    reads = world.fake.usage[0]

    outcomes = [world.push("activity", "create", 5_000_000 + n, 134815) for n in range(cap + 5)]
    # Each distinct forged activity costs one read (Strava: 404), up to the cap.
    assert outcomes[:cap] == ["ignored"] * cap
    assert outcomes[cap:] == ["over_budget"] * 5
    assert world.fake.usage[0] - reads == cap


def test_the_callback_url_needs_its_secret_before_anything_else(world: World) -> None:
    event = dict(PUSHED_EVENT)
    sqs = boto3.client("sqs")
    # The last one is non-ASCII (fuzzing found it a 5xx: compare_digest refuses such `str`).
    for path in (
        "/webhooks/strava/guess",
        f"/webhooks/strava/{CALLBACK_SECRET[:-1]}",
        "/webhooks/strava/þ(",
    ):
        answer = world.api("POST", path, body=event)
        assert (answer.status, answer.body["error"]["code"]) == (404, "not_found")
        # The handshake too: the same answer whatever the subscription or verify token.
        handshake = world.api(
            "GET",
            path,
            query={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "x"},
        )
        assert handshake.status == 404
    wrong_subscription = world.api(
        "POST", "/webhooks/strava/guess", body={**event, "subscription_id": 1}
    )
    assert wrong_subscription.status == 404
    assert sqs.receive_message(QueueUrl=world.bus_queue).get("Messages") is None


def test_a_rotated_callback_secret_keeps_the_previous_one_until_it_is_removed(aws: None) -> None:
    fields = {
        "client_id": "1",
        "client_secret": "s",
        "verify_token": "v",
        "subscription_id": 1,
        "callback_secret": "n" * 32,
        "previous_callback_secret": "o" * 32,
    }
    client = boto3.client("secretsmanager")
    client.create_secret(Name="strava-app", SecretString=json.dumps(fields))
    app = read_app("strava-app")
    assert app.knows_callback("n" * 32) and app.knows_callback("o" * 32)
    assert not app.knows_callback("n" * 31)
    # A short (guessable) secret is a configuration error, not an open door.
    short = json.dumps({**fields, "callback_secret": "short"})
    client.create_secret(Name="strava-app-short", SecretString=short)
    with pytest.raises(ServiceUnavailable):
        read_app("strava-app-short")


def test_a_deleted_account_is_unlinked_at_strava_and_its_tokens_forgotten(world: World) -> None:
    world.connect(RIDER, 134815)
    assert any(owner[0] == 134815 for owner in world.fake.access.values())

    forget_deleted_account(RIDER["sub"], world.sync)
    forget_deleted_account(RIDER["sub"], world.sync)  # a redelivery: nothing more to do

    assert world.store.link(RIDER["sub"]) is None
    # Strava revoked every token it gave the platform for the athlete.
    assert not any(owner[0] == 134815 for owner in world.fake.access.values())
    assert strava_unlinked(world.table, RIDER["sub"])
