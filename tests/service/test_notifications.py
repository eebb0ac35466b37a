"""Notifications against moto in-process: who gets which message on which channel, once;
preferences, suppression, pruning, reminders, unsubscribe links, and no addresses in logs."""

import email
import email.policy
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from clubs.store import ClubStore
from notifications import handler as notifications_api
from notifications.dispatch import Dispatcher, UnsubscribeLinks
from notifications.logic import device_id, token_ref
from notifications.messages import Kind, local_time, render
from notifications.planner import NOTIFIED_EVENTS
from notifications.reactions import react, suppress_after_ses_event
from notifications.store import NotificationStore
from notifications.tokens import make_token, read_token
from shared.adapters.delivery_errors import RetryLater
from shared.adapters.email import EmailSender
from shared.adapters.push import PushGateway
from shared.adapters.reminders import ReminderScheduler, schedule_name
from shared.domain.club import Club
from shared.domain.enums import (
    ClubRole,
    DropPolicy,
    MembershipStatus,
    PaceClass,
    ParticipationStatus,
    Surface,
)
from shared.domain.errors import BadRequest
from shared.domain.membership import Membership, membership_id
from shared.domain.notifications import Category, Channel, Device, Preferences, PushPlatform
from shared.domain.ride import MeetingPoint, Participation, Ride, participation_id
from shared.domain.series import REGULARS_ACTOR, Regular
from shared.domain.user import new_profile
from shared.event_catalog import (
    ClubWebhookDisabled,
    MembershipChanged,
    ParticipationChanged,
    RideChanged,
    RideReminderDue,
)
from shared.events import DomainEvent
from shared.flags import club_bucket
from shared.store import keys
from shared.store.memberships import membership_item
from shared.store.rides import participation_item, ride_item
from shared.store.series import regular_item
from shared.store.table import Table
from shared.store.users import create_profile
from stacks.consumers import NOTIFICATIONS
from tests.service.conftest import Invoke, make_invoker, snapshot

pytestmark = pytest.mark.service

REGION = "ap-southeast-2"
SENDER = "notifications@sydneycycling.test"
SECRET = "test-signing-key"
API = "https://api.test/v1"
DEAD_LETTERS_ARN = "arn:aws:sqs:ap-southeast-2:123456789012:notifications-dead-letters"
CLUB = "c1ab0000-0000-4000-8000-000000000001"
ADMIN, MEMBER, RIDER, WAITING, OUTSIDER = (
    f"{n}{n}{n}{n}{n}{n}{n}{n}-0000-4000-8000-00000000000{n}" for n in "12345"
)
NAMES = {ADMIN: "Ada Admin", MEMBER: "Mel Member", RIDER: "Rob Rider", WAITING: "Wes Waiting"}


class World:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.store = NotificationStore(table)
        ses = boto3.client("ses")
        ses.verify_domain_identity(Domain="sydneycycling.test")
        self.sns = boto3.client("sns")
        self.apps = {
            "fcm": self.sns.create_platform_application(
                Name="test-fcm", Platform="GCM", Attributes={"PlatformCredential": "k"}
            )["PlatformApplicationArn"]
        }
        self.sqs = boto3.client("sqs")
        self.queue_url = self.sqs.create_queue(QueueName="notifications")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.scheduler_client = boto3.client("scheduler")
        self.scheduler_client.create_schedule_group(Name="reminders")
        self.scheduler = ReminderScheduler(
            self.scheduler_client,
            group="reminders",
            queue_arn=queue_arn,
            role_arn="arn:aws:iam::123456789012:role/scheduler",
            dead_letter_arn=DEAD_LETTERS_ARN,
        )
        self.outcomes: list[tuple[str, Category, Channel]] = []
        self.email_client: Any = boto3.client("sesv2")
        self.push = PushGateway(self.sns, self.apps)
        self.dispatcher = Dispatcher(
            store=self.store,
            email=EmailSender(self.email_client, SENDER),
            push=self.push,
            links=UnsubscribeLinks(
                lambda user, category: (
                    f"{API}/notifications/unsubscribe?token=" + make_token(SECRET, user, category)
                )
            ),
            record=lambda *outcome: self.outcomes.append(outcome),
        )
        self.start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        self.ride_id = f"{CLUB}_77777777-0000-4000-8000-000000000007"
        self._build()

    def _build(self) -> None:
        moment = datetime.now(UTC)
        memberships = {}
        for user, name in NAMES.items():
            given, family = name.split()
            create_profile(
                self.table,
                new_profile(
                    user,
                    f"{given.lower()}@example.com",
                    moment,
                    given_name=given,
                    family_name=family,
                ),
            )
            memberships[user] = Membership(
                membership_id=membership_id(CLUB, user),
                club_id=CLUB,
                user_id=user,
                club_role=ClubRole.ADMIN if user == ADMIN else ClubRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                updated_at=moment,
                updated_by=ADMIN,
            )
        club = Club(
            club_id=CLUB,
            name="Inner West <Riders> & Co",
            created_by=ADMIN,
            created_at=moment,
            updated_at=moment,
        )
        ClubStore(self.table).create(club, memberships.pop(ADMIN))
        for membership in memberships.values():
            self.table.put(membership_item(membership))
        self.table.put(
            ride_item(
                Ride(
                    ride_id=self.ride_id,
                    club_id=CLUB,
                    title="Saturday Bay Run",
                    start_at=self.start,
                    estimated_duration_min=120,
                    meeting_point=MeetingPoint(name="Centennial Park", lat=-33.9, lon=151.2),
                    distance_km=60,
                    surface=Surface.ROAD,
                    pace_class=PaceClass.B,
                    drop_policy=DropPolicy.REGROUP,
                    capacity=2,
                    created_by=ADMIN,
                    created_at=moment,
                    updated_at=moment,
                    updated_by=ADMIN,
                )
            )
        )
        for user, status in (
            (ADMIN, ParticipationStatus.JOINED),
            (RIDER, ParticipationStatus.JOINED),
            (WAITING, ParticipationStatus.WAITLISTED),
        ):
            self.table.put(
                participation_item(
                    Participation(
                        participation_id=participation_id(self.ride_id, user),
                        ride_id=self.ride_id,
                        club_id=CLUB,
                        user_id=user,
                        status=status,
                        joined_at=moment,
                        waitlisted_at=moment,
                        updated_at=moment,
                        updated_by=user,
                    ),
                    self.start,
                )
            )

    def react(self, event: DomainEvent) -> int:
        return react(event, self.store, self.dispatcher, self.scheduler, 24)

    def device(self, user: str, token: str = "device-token-" + "x" * 40) -> str:
        arn = self.push.register(PushPlatform.FCM, token, user)
        device = Device(
            device_id=device_id(user, PushPlatform.FCM, token),
            user_id=user,
            platform=PushPlatform.FCM,
            endpoint_arn=arn,
            created_at=datetime.now(UTC).isoformat(),
            token_ref=token_ref(PushPlatform.FCM, token),
        )
        assert self.store.add_device(device, 0, self.store.token_owner(device.token_ref))
        return arn

    def prefer(self, user: str, **choices: dict[str, bool]) -> None:
        current = self.store.preferences(user)
        updated = current.model_copy(
            update={
                **{k: getattr(current, k).model_copy(update=v) for k, v in choices.items()},
                "version": current.version + 1,
            }
        )
        self.store.save_preferences(user, current, updated)


@pytest.fixture
def world(table: Table) -> World:
    return World(table)


def sent_mail() -> list[EmailMessage]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [
        email.message_from_string(m.raw_data, policy=email.policy.default)
        for m in backend.sent_messages
    ]


def recipients() -> list[str]:
    return sorted(str(m["To"]) for m in sent_mail())


def pushes(world: World, user: str) -> list[dict[str, Any]]:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
    theirs = {device.endpoint_arn for device in world.store.devices(user)}
    return [
        json.loads(json.loads(message)["GCM"])
        for arn, endpoint in backend.platform_endpoints.items()
        if arn in theirs
        for message in endpoint.messages.values()
    ]


def membership_event(kind: str, user: str, **extra: Any) -> DomainEvent:
    data = MembershipChanged(
        club_id=CLUB,
        user_id=user,
        membership_id=membership_id(CLUB, user),
        status=extra.pop("status", "active"),
        club_role=extra.pop("club_role", "member"),
        **extra,
    )
    return DomainEvent(
        event_id=f"evt-{kind}-{user}",
        event_type=kind,
        context="memberships",
        occurred_at=datetime.now(UTC),
        actor=ADMIN,
        data=data.model_dump(mode="json"),
    )


def ride_event(world: World, kind: str, changed: tuple[str, ...] = (), **extra: Any) -> DomainEvent:
    data = RideChanged(
        ride_id=world.ride_id,
        club_id=CLUB,
        title="Saturday Bay Run",
        start_at=extra.pop("start_at", world.start),
        status=extra.pop("status", "scheduled"),
        visibility="members",
        meeting_point="Centennial Park",
        changed=list(changed),
        **extra,
    )
    return DomainEvent(
        event_id=f"evt-{kind}-{len(changed)}",
        event_type=kind,
        context="rides",
        occurred_at=datetime.now(UTC),
        actor=ADMIN,
        data=data.model_dump(mode="json"),
    )


def test_every_notified_event_is_routed_to_the_consumer() -> None:
    assert set(NOTIFIED_EVENTS) == set(NOTIFICATIONS.event_types)


def test_joining_an_open_club_sends_a_welcome_with_a_working_unsubscribe(world: World) -> None:
    assert world.react(membership_event("user_joined_club", MEMBER)) == 1

    (mail,) = sent_mail()
    assert mail["To"] == "mel@example.com"
    assert mail["Subject"] == "Welcome to Inner West <Riders> & Co"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlparse(link).query)["token"][0]
    assert read_token(SECRET, token) == (MEMBER, Category.MEMBERSHIP)
    parts = {p.get_content_type(): p.get_content() for p in mail.walk() if not p.is_multipart()}
    assert "Hi Mel Member," in parts["text/plain"]
    assert "Inner West &lt;Riders&gt; &amp; Co" in parts["text/html"]
    assert "<Riders>" not in parts["text/html"]
    assert ("sent", Category.MEMBERSHIP, Channel.EMAIL) in world.outcomes


def test_a_redelivered_event_is_not_sent_twice(world: World) -> None:
    event = membership_event("user_joined_club", MEMBER)
    world.react(event)
    world.react(event)

    assert recipients() == ["mel@example.com"]


def test_applications_go_to_the_club_admins_only(world: World) -> None:
    world.react(membership_event("membership_requested", OUTSIDER, status="pending"))

    assert recipients() == ["ada@example.com"]


def test_a_disabled_webhook_is_told_to_the_club_admins_by_email_only(world: World) -> None:
    world.device(ADMIN)
    disabled = ClubWebhookDisabled(
        club_id=CLUB,
        webhook_id="77777777-0000-4000-8000-000000000077",
        host="hooks.example.com",
        reason="HTTP 500",
        consecutive_failures=15,
    )
    world.react(
        DomainEvent(
            event_id="evt-webhook-disabled",
            event_type="club_webhook_disabled",
            context="webhooks",
            occurred_at=datetime.now(UTC),
            actor="system",
            data=disabled.model_dump(mode="json"),
        )
    )

    (mail,) = sent_mail()
    assert mail["To"] == "ada@example.com"
    assert str(mail["Subject"]).startswith("A webhook of Inner West")
    body = mail.get_body(("plain",))
    assert body is not None and "hooks.example.com" in body.get_content()
    assert "15 times" in body.get_content() and "HTTP 500" in body.get_content()
    # Club administration alerts default to e-mail only.
    assert pushes(world, ADMIN) == []


@pytest.mark.parametrize(
    ("kind", "fields", "subject"),
    [
        ("membership_approved", {}, "Inner West <Riders> & Co approved your application"),
        ("membership_rejected", {"status": "rejected"}, "Your application to Inner West"),
        (
            "membership_role_changed",
            {"club_role": "ride_leader"},
            "You are now a ride leader of Inner West",
        ),
    ],
)
def test_decisions_and_role_changes_go_to_the_member(
    world: World, kind: str, fields: dict[str, str], subject: str
) -> None:
    world.react(membership_event(kind, MEMBER, **fields))

    (mail,) = sent_mail()
    assert mail["To"] == "mel@example.com"
    assert str(mail["Subject"]).startswith(subject)


def test_new_rides_reach_only_members_who_opted_in(world: World) -> None:
    world.prefer(MEMBER, new_rides={"email": True})

    world.react(ride_event(world, "ride_created"))

    assert recipients() == ["mel@example.com"]  # not the creator, not the default opt-out
    schedule = world.scheduler_client.get_schedule(
        Name=schedule_name(world.ride_id), GroupName="reminders"
    )
    # One Scheduler could not deliver goes to the consumer's dead letters (alarmed), and
    # not after the ride has long been reminded of.
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": DEAD_LETTERS_ARN}
    assert schedule["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"] == 7200


def test_a_moved_ride_tells_joined_and_waitlisted_riders_and_moves_its_reminder(
    world: World,
) -> None:
    world.react(ride_event(world, "ride_created"))
    later = world.start + timedelta(hours=2)

    world.react(ride_event(world, "ride_updated", ("start_at",), start_at=later))
    world.react(ride_event(world, "ride_updated", ("description",)))

    assert recipients() == ["rob@example.com", "wes@example.com"]
    schedule = world.scheduler_client.get_schedule(
        Name=schedule_name(world.ride_id), GroupName="reminders"
    )
    fire_at = later - timedelta(hours=24)
    assert schedule["ScheduleExpression"] == f"at({fire_at:%Y-%m-%dT%H:%M:%S})"
    envelope = json.loads(schedule["Target"]["Input"])
    assert envelope["detail-type"] == "ride_reminder_due"


def test_a_cancelled_ride_gives_the_reason_and_drops_its_reminder(world: World) -> None:
    world.react(ride_event(world, "ride_created"))
    world.table.update(
        keys.ride_key(world.ride_id),
        "SET cancel_reason = :why, #status = :cancelled",
        values={":why": "Storm <warning>", ":cancelled": "cancelled"},
        names={"#status": "status"},
    )

    world.react(ride_event(world, "ride_cancelled", ("status",), status="cancelled"))

    mails = sent_mail()
    assert sorted(str(m["To"]) for m in mails) == ["rob@example.com", "wes@example.com"]
    html = next(p for p in mails[0].walk() if p.get_content_type() == "text/html").get_content()
    assert "Storm &lt;warning&gt;" in html
    with pytest.raises(ClientError):
        world.scheduler_client.get_schedule(
            Name=schedule_name(world.ride_id), GroupName="reminders"
        )


def test_promotion_from_the_waitlist_is_an_email_and_a_push(world: World) -> None:
    world.device(WAITING)
    data = ParticipationChanged(
        participation_id=participation_id(world.ride_id, WAITING),
        ride_id=world.ride_id,
        club_id=CLUB,
        user_id=WAITING,
        status="joined",
        role="rider",
        previous_status="waitlisted",
    )
    event = DomainEvent(
        event_id="evt-promoted",
        event_type="participation_promoted",
        context="rides",
        occurred_at=datetime.now(UTC),
        actor=RIDER,
        data=data.model_dump(mode="json"),
    )

    world.react(event)
    world.react(event)  # redelivered

    assert recipients() == ["wes@example.com"]
    (push,) = pushes(world, WAITING)
    assert push["notification"]["title"] == "You have a seat on Saturday Bay Run"
    assert push["data"] == {"ride_id": world.ride_id, "club_id": CLUB}


def test_reminders_go_to_joined_riders_unless_the_ride_moved(world: World) -> None:
    def reminder(start: datetime) -> DomainEvent:
        data = RideReminderDue(ride_id=world.ride_id, club_id=CLUB, start_at=start, lead_hours=24)
        return DomainEvent(
            event_id=f"reminder:{start.isoformat()}",
            event_type="ride_reminder_due",
            context="notifications",
            occurred_at=datetime.now(UTC),
            data=data.model_dump(mode="json"),
        )

    world.react(reminder(world.start - timedelta(hours=1)))  # made for an older start time
    assert sent_mail() == []

    world.react(reminder(world.start))

    assert recipients() == ["ada@example.com", "rob@example.com"]


def test_opted_out_and_suppressed_users_get_nothing_on_that_channel(world: World) -> None:
    world.prefer(MEMBER, membership={"email": False})
    world.device(MEMBER)
    world.react(membership_event("user_joined_club", MEMBER))
    assert sent_mail() == [] and len(pushes(world, MEMBER)) == 1
    assert ("opted_out", Category.MEMBERSHIP, Channel.EMAIL) in world.outcomes

    world.store.suppress_email(RIDER)
    world.react(membership_event("membership_approved", RIDER))
    assert sent_mail() == []
    assert ("suppressed", Category.MEMBERSHIP, Channel.EMAIL) in world.outcomes


def test_a_user_with_no_device_gets_no_push_and_no_error(world: World) -> None:
    world.prefer(MEMBER, membership={"email": False})

    assert world.react(membership_event("user_joined_club", MEMBER)) == 1
    assert pushes(world, MEMBER) == [] and sent_mail() == []


class ThrottledOnce:
    """SES refusing the first send with a throttle, then accepting (a provider fault)."""

    def __init__(self, client: Any) -> None:
        self.client, self.calls = client, 0

    def send_email(self, **request: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            error = {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}
            raise ClientError(error, "SendEmail")
        return self.client.send_email(**request)


def test_a_throttled_send_is_retried_and_then_sent_once(world: World) -> None:
    world.dispatcher.email = EmailSender(ThrottledOnce(world.email_client), SENDER)
    event = membership_event("user_joined_club", MEMBER)

    with pytest.raises(RetryLater):
        world.react(event)
    assert sent_mail() == []
    world.react(event)  # the queue redelivers the message
    world.react(event)

    assert recipients() == ["mel@example.com"]
    assert ("failed", Category.MEMBERSHIP, Channel.EMAIL) in world.outcomes


def test_a_disabled_push_endpoint_is_pruned(world: World) -> None:
    world.prefer(MEMBER, membership={"email": False})
    arn = world.device(MEMBER)
    world.sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})

    world.react(membership_event("user_joined_club", MEMBER))

    assert world.store.devices(MEMBER) == []
    assert ("pruned", Category.MEMBERSHIP, Channel.PUSH) in world.outcomes


@pytest.mark.parametrize(
    ("detail", "suppressed"),
    [
        ({"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}, True),
        ({"eventType": "Complaint", "complaint": {}}, True),
        ({"eventType": "Bounce", "bounce": {"bounceType": "Transient"}}, False),
        ({"eventType": "Delivery"}, False),
    ],
)
def test_permanent_bounces_and_complaints_suppress_email(
    world: World, detail: dict[str, Any], suppressed: bool
) -> None:
    detail = {**detail, "mail": {"tags": {"user_id": [MEMBER]}}}

    assert suppress_after_ses_event(detail, world.store) is suppressed
    (recipient,) = world.store.recipients([MEMBER])
    assert recipient.email_suppressed is suppressed


def test_templates_escape_user_text_in_html_only() -> None:
    values = {
        "recipient_name": "<b>Sam</b>",
        "club_name": "A & B",
        "applicant_name": "Eve",
        "message": "<script>alert(1)</script>",
        "unsubscribe_url": "https://x/u?token=a&b",
    }
    rendered = render(Kind.APPLICATION_RECEIVED, Category.MEMBERSHIP, values)

    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "&lt;b&gt;Sam&lt;/b&gt;" in rendered.html
    assert 'href="https://x/u?token=a&amp;b"' in rendered.html
    assert "<script>alert(1)</script>" in rendered.text
    assert rendered.subject == "Eve applied to join A & B"


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_with_its_values(kind: Kind) -> None:
    values = {
        "recipient_name": "Sam",
        "club_name": "Club",
        "applicant_name": "Eve",
        "message": None,
        "role_label": "a ride leader",
        "ride_title": "Bay Run",
        "ride_start": "Sat 6 Dec, 6:00 am",
        "meeting_point": "Centennial Park",
        "reason": "Storm",
        "unsubscribe_url": "https://x/u",
        "host": "hooks.example.com",
        "failures": 15,
        "waitlisted": False,
        "requested_on": "2026-12-04",
    }
    rendered = render(kind, Category.RIDE_CHANGES, values)

    assert rendered.subject and rendered.push_body
    assert "https://x/u" in rendered.text and "https://x/u" in rendered.html


def test_unsubscribe_tokens_cannot_be_forged_or_redirected() -> None:
    token = make_token(SECRET, MEMBER, Category.REMINDERS)
    payload, _, mac = token.partition(".")
    other = make_token(SECRET, RIDER, Category.REMINDERS).partition(".")[0]

    assert read_token(SECRET, token) == (MEMBER, Category.REMINDERS)
    for forged in (f"{other}.{mac}", f"{payload}.{mac[:-2]}AA", "garbage", f"{payload}."):
        with pytest.raises(BadRequest):
            read_token(SECRET, forged)
    with pytest.raises(BadRequest):
        read_token("another-key", token)


def test_no_address_reaches_the_logs(
    world: World, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    world.react(membership_event("user_joined_club", MEMBER))
    suppress_after_ses_event(
        {"eventType": "Complaint", "mail": {"tags": {"user_id": [MEMBER]}}}, world.store
    )

    records = " ".join(str(r.__dict__) for r in caplog.records)
    logged = caplog.text + records + capsys.readouterr().out
    assert "@example.com" not in logged
    assert MEMBER in records  # user ids are how logs name people


# The API


@pytest.fixture
def api(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    app = notifications_api.app
    app.dependency_overrides[notifications_api.get_store] = lambda: world.store
    app.dependency_overrides[notifications_api.get_push] = lambda: world.push
    monkeypatch.setattr(notifications_api, "signing_secret", lambda: SECRET)
    yield make_invoker(notifications_api.handler)
    app.dependency_overrides.clear()


def claims(user: str) -> dict[str, str]:
    return {"sub": user, "custom:system_role": "User"}


def test_preferences_start_at_the_defaults_and_change_by_version(api: Invoke) -> None:
    first = api("GET", "/users/me/notification-preferences", claims=claims(MEMBER))
    assert first.status == 200
    assert first.body == Preferences().model_dump()

    changed = api(
        "PUT",
        "/users/me/notification-preferences",
        body={"version": 0, "new_rides": {"push": True}, "reminders": {"email": False}},
        claims=claims(MEMBER),
    )
    assert changed.status == 200, changed.body
    assert changed.body["new_rides"] == {"email": False, "push": True}
    assert changed.body["reminders"] == {"email": False, "push": True}
    assert changed.body["version"] == 1

    stale = api(
        "PUT",
        "/users/me/notification-preferences",
        body={"version": 0, "waitlist": {"push": False}},
        claims=claims(MEMBER),
    )
    assert stale.status == 409
    again = api("GET", "/users/me/notification-preferences", claims=claims(MEMBER))
    assert again.body == changed.body


@pytest.mark.parametrize(
    "body",
    [
        {"version": -1},
        {"version": 0, "new_rides": {"sms": True}},
        {"version": 0, "holidays": {"email": True}},
        {"version": 0, "reminders": {"email": "yes"}},
    ],
)
def test_bad_preference_changes_are_422_and_write_nothing(
    api: Invoke, world: World, body: dict[str, Any]
) -> None:
    answer = api("PUT", "/users/me/notification-preferences", body=body, claims=claims(MEMBER))

    assert answer.status == 422
    assert world.table.get(keys.preferences_key(MEMBER)) is None


def test_devices_register_once_list_and_delete(api: Invoke, world: World) -> None:
    body = {"platform": "fcm", "token": "f" * 64}
    first = api("POST", "/users/me/devices", body=body, claims=claims(MEMBER))
    again = api("POST", "/users/me/devices", body=body, claims=claims(MEMBER))

    assert first.status == 201 and again.status == 200
    assert first.body["device_id"] == again.body["device_id"]
    assert "token" not in first.body and "endpoint_arn" not in first.body
    listed = api("GET", "/users/me/devices", claims=claims(MEMBER)).body["items"]
    assert [d["device_id"] for d in listed] == [first.body["device_id"]]
    assert api("GET", "/users/me/devices", claims=claims(RIDER)).body["items"] == []

    path = {"device_id": first.body["device_id"]}
    assert (
        api(
            "DELETE", "/users/me/devices/{device_id}", path_params=path, claims=claims(RIDER)
        ).status
        == 404
    )
    gone = api("DELETE", "/users/me/devices/{device_id}", path_params=path, claims=claims(MEMBER))
    assert gone.status == 204
    assert world.store.devices(MEMBER) == []
    assert (
        world.sns.list_endpoints_by_platform_application(PlatformApplicationArn=world.apps["fcm"])[
            "Endpoints"
        ]
        == []
    )


def test_push_to_an_unconfigured_platform_is_503(api: Invoke, world: World) -> None:
    answer = api(
        "POST",
        "/users/me/devices",
        body={"platform": "apns", "token": "a" * 64},
        claims=claims(MEMBER),
    )

    assert answer.status == 503
    assert world.store.devices(MEMBER) == []


def test_at_most_ten_devices(api: Invoke) -> None:
    for i in range(10):
        body = {"platform": "fcm", "token": f"{i:02d}" + "t" * 62}
        assert api("POST", "/users/me/devices", body=body, claims=claims(MEMBER)).status == 201
    extra = api(
        "POST",
        "/users/me/devices",
        body={"platform": "fcm", "token": "z" * 64},
        claims=claims(MEMBER),
    )

    assert extra.status == 409
    assert extra.body["error"]["code"] == "too_many_devices"


def test_one_click_unsubscribe_stops_that_category_only(api: Invoke, world: World) -> None:
    token = make_token(SECRET, MEMBER, Category.REMINDERS)

    answer = api("POST", "/notifications/unsubscribe", query={"token": token})
    page = api("GET", "/notifications/unsubscribe", query={"token": token})

    assert answer.status == 200
    assert answer.body == {"category": "reminders", "email": False}
    assert page.status == 200
    preferences = world.store.preferences(MEMBER)
    assert preferences.reminders.email is False
    assert preferences.reminders.push is True and preferences.membership.email is True


def test_a_forged_unsubscribe_link_is_400_and_changes_nothing(api: Invoke, world: World) -> None:
    forged = make_token("not-the-key", MEMBER, Category.REMINDERS)

    answer = api("POST", "/notifications/unsubscribe", query={"token": forged})

    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_token"
    assert world.table.get(keys.preferences_key(MEMBER)) is None


def test_a_subject_is_one_line_whatever_the_names_hold() -> None:
    values = {
        "recipient_name": "Sam",
        "club_name": "Club\r\nBcc: victim@example.com",
        "unsubscribe_url": "https://x/u",
    }

    rendered = render(Kind.WELCOME, Category.MEMBERSHIP, values)

    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject == "Welcome to Club Bcc: victim@example.com"


def scheduled_lead(world: World, start: datetime) -> timedelta:
    schedule = world.scheduler_client.get_schedule(
        Name=schedule_name(world.ride_id), GroupName="reminders"
    )
    fire_at = datetime.strptime(schedule["ScheduleExpression"], "at(%Y-%m-%dT%H:%M:%S)")
    return start.replace(tzinfo=None) - fire_at


def test_the_reminder_lead_time_follows_the_flag_rollout_for_the_club(
    world: World, flags: Callable[..., None]
) -> None:
    flags()  # the document as committed: a quarter of clubs try 12 hours
    world.react(ride_event(world, "ride_created"))
    expected = 12 if club_bucket(CLUB) < 25 else 24
    assert scheduled_lead(world, world.start) == timedelta(hours=expected)

    flags(reminder_lead_hours=2)  # an operator's value for every club
    later = world.start + timedelta(hours=1)
    world.react(ride_event(world, "ride_updated", ("start_at",), start_at=later))
    assert scheduled_lead(world, later) == timedelta(hours=2)


def test_with_club_admin_notifications_off_a_disabled_webhook_tells_nobody(
    world: World, flags: Callable[..., None]
) -> None:
    flags(club_admin_notifications=False)
    disabled = ClubWebhookDisabled(
        club_id=CLUB,
        webhook_id="77777777-0000-4000-8000-000000000078",
        host="hooks.example.com",
        reason="HTTP 500",
        consecutive_failures=15,
    )
    world.react(
        DomainEvent(
            event_id="evt-webhook-disabled-off",
            event_type="club_webhook_disabled",
            context="webhooks",
            occurred_at=datetime.now(UTC),
            actor="system",
            data=disabled.model_dump(mode="json"),
        )
    )

    assert sent_mail() == []


def _register(api: Invoke, user: str, token: str) -> Any:
    return api(
        "POST", "/users/me/devices", body={"platform": "fcm", "token": token}, claims=claims(user)
    )


def test_the_device_limit_holds_when_the_list_read_is_stale(
    api: Invoke, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two registrations that both read nine devices: the count written with each device
    refuses the eleventh, whatever the read said."""
    for i in range(10):
        assert _register(api, MEMBER, f"{i:02d}" + "s" * 62).status == 201
    nine = world.store.devices(MEMBER)[:9]
    monkeypatch.setattr(world.store, "devices", lambda user: list(nine))

    late = _register(api, MEMBER, "late" + "s" * 60)

    assert (late.status, late.body["error"]["code"]) == (409, "too_many_devices")
    monkeypatch.undo()
    assert len(world.store.devices(MEMBER)) == 10
    assert (world.table.get(keys.device_count_key(MEMBER)) or {})["device_count"] == 10


def test_a_phone_moves_to_the_account_that_registers_it(api: Invoke, world: World) -> None:
    phone = "handed-down-" + "p" * 52
    first = _register(api, MEMBER, phone)
    second = _register(api, RIDER, phone)

    assert (first.status, second.status) == (201, 201)
    # Device ids are per account: one account's id never names another's device.
    assert first.body["device_id"] != second.body["device_id"]
    assert world.store.devices(MEMBER) == []
    (moved,) = world.store.devices(RIDER)
    endpoints = world.sns.list_endpoints_by_platform_application(
        PlatformApplicationArn=world.apps["fcm"]
    )["Endpoints"]
    assert [e["EndpointArn"] for e in endpoints] == [moved.endpoint_arn]
    assert endpoints[0]["Attributes"]["Enabled"] == "true"
    assert endpoints[0]["Attributes"]["CustomUserData"] == RIDER
    assert (world.table.get(keys.device_count_key(MEMBER)) or {})["device_count"] == 0
    # The former owner's DELETE of their old id finds nothing and removes nothing.
    gone = api(
        "DELETE",
        "/users/me/devices/{device_id}",
        path_params={"device_id": first.body["device_id"]},
        claims=claims(MEMBER),
    )
    assert gone.status == 404
    assert len(world.store.devices(RIDER)) == 1
    # And back again: the same endpoint, never a 5xx.
    back = _register(api, MEMBER, phone)
    assert back.status == 201 and world.store.devices(RIDER) == []


def test_a_phone_whose_endpoint_sns_already_has_with_other_attributes_is_taken_over(
    api: Invoke, world: World
) -> None:
    """An endpoint made before (with user data, or disabled by the provider) for the same
    token: SNS refuses a second one and names the first, which is taken over."""
    phone = "legacy-" + "q" * 57
    old = world.sns.create_platform_endpoint(
        PlatformApplicationArn=world.apps["fcm"], Token=phone, CustomUserData="someone-else"
    )["EndpointArn"]
    world.sns.set_endpoint_attributes(EndpointArn=old, Attributes={"Enabled": "false"})

    answer = _register(api, MEMBER, phone)

    assert answer.status == 201, answer.body
    (device,) = world.store.devices(MEMBER)
    assert device.endpoint_arn == old
    attributes = world.sns.get_endpoint_attributes(EndpointArn=old)["Attributes"]
    assert attributes["Enabled"] == "true"


def test_a_token_sns_refuses_is_422_not_a_5xx(
    api: Invoke, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def refuse(**_: Any) -> Any:
        error = {"Error": {"Code": "InvalidParameter", "Message": "Invalid token"}}
        raise ClientError(error, "CreatePlatformEndpoint")

    monkeypatch.setattr(world.sns, "create_platform_endpoint", refuse)
    before = snapshot(world.table)

    answer = _register(api, MEMBER, "bad-" + "r" * 60)

    assert (answer.status, answer.body["error"]["code"]) == (422, "invalid_device_token")
    assert snapshot(world.table) == before


MULTIPART = (
    "--boundary42\r\n"
    'Content-Disposition: form-data; name="List-Unsubscribe"\r\n'
    "\r\n"
    "One-Click\r\n"
    "--boundary42--\r\n"
)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # Gmail and Yahoo: RFC 8058 §3.1's form, urlencoded.
        ("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"),
        # RFC 8058 also allows multipart/form-data.
        ("multipart/form-data; boundary=boundary42", MULTIPART),
        # The page's own button (a browser adds nothing else).
        ("application/x-www-form-urlencoded; charset=UTF-8", "List-Unsubscribe=One-Click"),
    ],
)
def test_one_click_unsubscribe_as_mail_providers_post_it(
    api: Invoke, world: World, content_type: str, body: str
) -> None:
    token = make_token(SECRET, MEMBER, Category.NEW_RIDES)

    answer = api(
        "POST",
        "/notifications/unsubscribe",
        query={"token": token},
        raw_body=body,
        headers={"Content-Type": content_type},
    )

    assert answer.status == 200, answer.body
    assert answer.body == {"category": "new_rides", "email": False}
    assert world.store.preferences(MEMBER).new_rides.email is False


def test_a_form_without_the_one_click_pair_or_on_another_route_is_refused(
    api: Invoke, world: World
) -> None:
    token = make_token(SECRET, MEMBER, Category.NEW_RIDES)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    other = api(
        "POST", "/notifications/unsubscribe", query={"token": token}, raw_body="a=b", headers=form
    )
    assert (other.status, other.body["error"]["code"]) == (400, "not_one_click")
    # Everywhere else the API stays JSON-only.
    devices = api(
        "POST",
        "/users/me/devices",
        raw_body="List-Unsubscribe=One-Click",
        headers=form,
        claims=claims(MEMBER),
    )
    assert devices.status == 415
    assert world.table.get(keys.preferences_key(MEMBER)) is None


def test_the_links_page_asks_and_changes_nothing(api: Invoke, world: World) -> None:
    """Scanners and link previews GET the link: only the POST acts (RFC 8058 §3.2)."""
    token = make_token(SECRET, MEMBER, Category.REMINDERS)

    page = api("GET", "/notifications/unsubscribe", query={"token": token})

    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    assert 'method="post"' in page.body and 'name="List-Unsubscribe" value="One-Click"' in page.body
    assert world.table.get(keys.preferences_key(MEMBER)) is None
    forged = api("GET", "/notifications/unsubscribe", query={"token": token[:-2] + "xx"})
    assert forged.status == 400
    # A browser pressing the button gets a page back.
    done = api(
        "POST",
        "/notifications/unsubscribe",
        query={"token": token},
        raw_body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
    )
    assert done.status == 200 and "<h1>Done</h1>" in done.body
    assert world.store.preferences(MEMBER).reminders.email is False


def _placed(world: World, user: str, status: str, actor: str) -> DomainEvent:
    data = ParticipationChanged(
        participation_id=participation_id(world.ride_id, user),
        ride_id=world.ride_id,
        club_id=CLUB,
        user_id=user,
        status=status,
        role="rider",
    )
    return DomainEvent(
        event_id=f"evt-placed-{user}-{actor}",
        event_type=f"participation_{status}",
        context="rides",
        occurred_at=datetime.now(UTC),
        actor=actor,
        data=data.model_dump(mode="json"),
    )


def test_a_series_regular_hears_where_the_new_ride_put_them(world: World) -> None:
    world.react(_placed(world, RIDER, "joined", REGULARS_ACTOR))
    world.react(_placed(world, WAITING, "waitlisted", REGULARS_ACTOR))
    # A rider's own join tells nobody anything.
    world.react(_placed(world, MEMBER, "joined", MEMBER))

    mails = {str(m["To"]): str(m["Subject"]) for m in sent_mail()}
    assert mails == {
        "rob@example.com": f"You're on: Saturday Bay Run, {local_time(world.start)}",
        "wes@example.com": f"On the waitlist: Saturday Bay Run, {local_time(world.start)}",
    }
    # Regulars turn these off on their own (their category), not with the ride changes.
    world.prefer(RIDER, regular_rides={"email": False})
    world.react(
        _placed(world, RIDER, "joined", REGULARS_ACTOR).model_copy(update={"event_id": "x"})
    )
    assert len(sent_mail()) == 2


def test_a_series_ride_is_announced_to_members_but_not_to_its_regulars(world: World) -> None:
    series_id = f"{CLUB}_88888888-0000-4000-8000-000000000008"
    world.table.update(keys.ride_key(world.ride_id), "SET series_id = :s", values={":s": series_id})
    world.table.put(
        regular_item(Regular(series_id=series_id, user_id=RIDER, since=datetime.now(UTC)))
    )
    for user in (MEMBER, RIDER):
        world.prefer(user, new_rides={"email": True})

    world.react(ride_event(world, "ride_created"))

    assert recipients() == ["mel@example.com"]
