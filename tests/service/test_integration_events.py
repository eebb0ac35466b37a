"""The event path: table change -> domain event on the bus -> counts consumer."""

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from clubs.counts import apply_event, counter_delta
from publisher.stream import PublishFailed, publish_record
from publisher.translate import events_from_change
from shared.events import DomainEvent
from shared.store import keys
from shared.store.table import Table, serialize

pytestmark = pytest.mark.service

CLUB_ID = "c0ffee00-0000-4000-8000-000000000001"
NOW = "2026-11-25T10:00:00Z"


def club_image(**changes: Any) -> dict[str, Any]:
    image = {
        **keys.club_key(CLUB_ID),
        "entity": "club",
        "club_id": CLUB_ID,
        "name": "Inner West Riders",
        "join_policy": "open",
        "city": "Sydney",
        "created_by": "admin-1",
        "updated_by": "admin-1",
        "updated_at": NOW,
        "version": 1,
        "member_count": 0,
    }
    return {**image, **changes}


def stream_record(
    kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> DynamoDBRecord:
    dynamodb: dict[str, Any] = {"Keys": serialize(keys.club_key(CLUB_ID))}
    if old:
        dynamodb["OldImage"] = serialize(old)
    if new:
        dynamodb["NewImage"] = serialize(new)
    return DynamoDBRecord(
        {"eventID": "evt-1", "eventName": kind, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}
    )


def test_a_new_club_is_club_created() -> None:
    (event,) = events_from_change("INSERT", None, club_image(), "evt-1")

    assert event.event_type == "club_created"
    assert event.source == "sydney-cycling.clubs"
    assert event.actor == "admin-1"
    assert event.data == {"club_id": CLUB_ID, "name": "Inner West Riders", "join_policy": "open"}
    assert event.version == 1


def test_an_edit_is_club_updated_with_the_changed_fields() -> None:
    old = club_image()
    new = club_image(city="Newcastle", version=2, updated_by="admin-2")

    (event,) = events_from_change("MODIFY", old, new, "evt-2")

    assert event.event_type == "club_updated"
    assert event.actor == "admin-2"
    assert event.data["changed"] == ["city"]


def test_counter_updates_and_other_items_publish_nothing() -> None:
    assert events_from_change("MODIFY", club_image(), club_image(member_count=3), "e") == []
    assert events_from_change("INSERT", None, {"entity": "club_name", "club_id": "x"}, "e") == []
    assert events_from_change("REMOVE", club_image(), None, "e") == []


@pytest.fixture
def bus_to_queue(aws: None) -> tuple[Any, str]:
    events = boto3.client("events")
    sqs = boto3.client("sqs")
    events.create_event_bus(Name="bus")
    queue_url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="all",
        EventBusName="bus",
        EventPattern=json.dumps({"source": [{"prefix": "sydney-cycling."}]}),
    )
    events.put_targets(Rule="all", EventBusName="bus", Targets=[{"Id": "q", "Arn": queue_arn}])
    return events, queue_url


def test_publisher_puts_the_event_on_the_bus(bus_to_queue: tuple[Any, str]) -> None:
    events, queue_url = bus_to_queue

    published = publish_record(stream_record("INSERT", None, club_image()), events, "bus")

    assert published == 1
    (message,) = boto3.client("sqs").receive_message(QueueUrl=queue_url)["Messages"]
    envelope = json.loads(message["Body"])
    assert envelope["detail-type"] == "club_created"
    assert envelope["source"] == "sydney-cycling.clubs"
    assert DomainEvent.from_eventbridge(envelope).data["club_id"] == CLUB_ID


def test_publisher_fails_the_record_when_the_bus_refuses() -> None:
    class RefusingBus:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
            return {"FailedEntryCount": len(Entries), "Entries": []}

    with pytest.raises(PublishFailed):
        publish_record(stream_record("INSERT", None, club_image()), RefusingBus(), "bus")


def membership_event(event_id: str, status: str, previous: str | None) -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        event_type="user_joined_club",
        context="memberships",
        occurred_at=datetime(2026, 11, 25, tzinfo=UTC),
        data={"club_id": CLUB_ID, "status": status, "previous_status": previous},
    )


@pytest.mark.parametrize(
    ("status", "previous", "delta"),
    [
        ("active", None, 1),
        ("active", "pending", 1),
        ("left", "active", -1),
        ("rejected", "pending", 0),
    ],
)
def test_member_count_follows_transitions_into_and_out_of_active(
    status: str, previous: str | None, delta: int
) -> None:
    change = counter_delta(membership_event("e", status, previous))
    assert (change[1] if change else 0) == delta


def test_counts_apply_each_event_exactly_once(table: Table) -> None:
    table.client.put_item(TableName=table.name, Item=serialize(club_image()))
    joined = membership_event("evt-join", "active", None)

    assert apply_event(table, joined) is True
    assert apply_event(table, joined) is False  # redelivered by SQS: no double count
    assert apply_event(table, membership_event("evt-join-2", "active", "pending")) is True

    club = table.get(keys.club_key(CLUB_ID))
    assert club is not None
    assert club["member_count"] == 2
    assert club["version"] == 1  # counters never bump the version clients edit with


def test_counts_ignore_events_for_unknown_clubs(table: Table) -> None:
    assert apply_event(table, membership_event("evt-x", "active", None)) is False
    assert table.get(keys.club_key(CLUB_ID)) is None


def membership_image(status: str, role: str = "member", version: int = 1) -> dict[str, Any]:
    return {
        "entity": "membership",
        "club_id": CLUB_ID,
        "user_id": "u1",
        "membership_id": f"{CLUB_ID}_u1",
        "status": status,
        "club_role": role,
        "updated_by": "admin-1",
        "updated_at": NOW,
        "version": version,
    }


@pytest.mark.parametrize(
    ("old", "new", "types"),
    [
        (None, "active", ["user_joined_club"]),
        (None, "pending", ["membership_requested"]),
        ("pending", "active", ["membership_approved"]),
        ("pending", "rejected", ["membership_rejected"]),
        ("active", "suspended", ["membership_suspended"]),
        ("suspended", "active", ["membership_reinstated"]),
        ("active", "left", ["membership_ended"]),
        ("active", "removed", ["membership_ended"]),
        ("left", "active", ["user_joined_club"]),
    ],
)
def test_membership_changes_become_domain_events(
    old: str | None, new: str, types: list[str]
) -> None:
    before = membership_image(old) if old else None
    events = events_from_change(
        "MODIFY" if old else "INSERT", before, membership_image(new, version=2), "e"
    )

    assert [e.event_type for e in events] == types
    assert all(e.source == "sydney-cycling.memberships" for e in events)
    assert events[0].data["previous_status"] == old


def test_role_changes_are_membership_role_changed() -> None:
    events = events_from_change(
        "MODIFY", membership_image("active"), membership_image("active", "admin", version=2), "e"
    )

    assert [e.event_type for e in events] == ["membership_role_changed"]
    assert events[0].data["previous_role"] == "member"


def ride_image(status: str = "scheduled", version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "entity": "ride",
        "ride_id": f"{CLUB_ID}_r1",
        "club_id": CLUB_ID,
        "title": "Saturday Bay Run",
        "meeting_point": {"name": "Centennial Park", "lat": -33.9, "lon": 151.2},
        "start_at": "2026-12-01T06:00:00+11:00",
        "status": status,
        "visibility": "public",
        "updated_by": "leader-1",
        "updated_at": NOW,
        "version": version,
        **extra,
    }


def test_ride_lifecycle_events() -> None:
    created = events_from_change("INSERT", None, ride_image(), "e1")
    edited = events_from_change("MODIFY", ride_image(), ride_image(version=2), "e2")
    cancelled = events_from_change(
        "MODIFY", ride_image(version=2), ride_image("cancelled", 3), "e3"
    )
    counted = events_from_change("MODIFY", ride_image(), ride_image(participant_count=5), "e4")

    assert [e.event_type for e in created + edited + cancelled] == [
        "ride_created",
        "ride_updated",
        "ride_cancelled",
    ]
    assert counted == []
    assert counter_delta(created[0]) == ("ride_count", 1)
    assert counter_delta(cancelled[0]) == ("ride_count", -1)


def participation_image(status: str, role: str = "rider", version: int = 1) -> dict[str, Any]:
    return {
        "entity": "participation",
        "participation_id": f"{CLUB_ID}_r1_u1",
        "ride_id": f"{CLUB_ID}_r1",
        "club_id": CLUB_ID,
        "user_id": "u1",
        "status": status,
        "role": role,
        "updated_by": "u1",
        "updated_at": NOW,
        "version": version,
    }


@pytest.mark.parametrize(
    ("old", "new", "types"),
    [
        (None, ("joined", "rider"), ["participation_joined"]),
        (None, ("waitlisted", "rider"), ["participation_waitlisted"]),
        (("waitlisted", "rider"), ("joined", "rider"), ["participation_promoted"]),
        (("joined", "rider"), ("withdrawn", "rider"), ["participation_withdrawn"]),
        (("joined", "rider"), ("joined", "leader"), ["ride_leader_assigned"]),
    ],
)
def test_participation_events(
    old: tuple[str, str] | None, new: tuple[str, str], types: list[str]
) -> None:
    before = participation_image(*old) if old else None
    events = events_from_change(
        "MODIFY" if old else "INSERT", before, participation_image(*new, version=2), "e"
    )

    assert [e.event_type for e in events] == types
