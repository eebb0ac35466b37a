"""`ops/restore_drill.py` against moto's DynamoDB: the stage's table restored to a point in
time into a new table, checked against the invariants, the copy deleted; a restored table
with a counter that disagrees with its items fails the drill. And the invariants
themselves (`ops/invariants.py`), each seen failing."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.provision import create_table
from ops.invariants import problems
from ops.restore_cutover import NotReady, prepare
from ops.restore_drill import drill
from ops.stage_table import stage_table_name
from shared.store import keys
from shared.store.table import serialize
from stacks.config import load_stage

pytestmark = pytest.mark.unit

TABLE = "sydney-cycling-prod"


def consistent() -> list[dict[str, Any]]:
    return [
        {**keys.club_key("c1"), "entity": "club", "club_id": "c1", "member_count": 1},
        {
            **keys.membership_key("c1", "u1"),
            "entity": "membership",
            "club_id": "c1",
            "user_id": "u1",
            "status": "active",
        },
        {
            **keys.ride_key("r1"),
            "entity": "ride",
            "ride_id": "r1",
            "club_id": "c1",
            "participant_count": 1,
            "waitlist_count": 0,
            "capacity": 10,
        },
        {
            **keys.participation_key("r1", "u1"),
            "entity": "participation",
            "participation_id": "p1",
            "ride_id": "r1",
            "club_id": "c1",
            "user_id": "u1",
            "status": "joined",
            "role": "rider",
        },
    ]


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-2")
        create_table(client, TABLE)
        client.update_continuous_backups(
            TableName=TABLE,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
        yield client


def put(dynamodb: Any, items: list[dict[str, Any]]) -> None:
    for item in items:
        dynamodb.put_item(TableName=TABLE, Item=serialize(item))


def test_a_consistent_table_restores_and_holds_its_invariants(dynamodb: Any) -> None:
    put(dynamodb, consistent())
    result = drill(dynamodb, "prod", poll_seconds=0.1)
    assert result.problems == [] and result.items == 4
    assert result.restored.startswith(f"{TABLE}-drill-")
    assert dynamodb.list_tables()["TableNames"] == [TABLE]  # the copy is gone
    assert dynamodb.scan(TableName=TABLE)["Count"] == 4  # the live table untouched


def test_a_counter_that_disagrees_fails_the_drill_and_keep_keeps_the_copy(dynamodb: Any) -> None:
    items = consistent()
    items[2]["participant_count"] = 2
    put(dynamodb, items)
    result = drill(dynamodb, "prod", keep=True, poll_seconds=0.1)
    assert result.problems == ["r1: counters 2/0, items 1/0"]
    assert result.restored in dynamodb.list_tables()["TableNames"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda items: items[0].update(member_count=3), "c1: member_count 3, active members 1"),
        (lambda items: items[1].update(status="left"), "p1: on a ride of a club they are not in"),
        (lambda items: items.pop(2), "p1: no such ride"),
        (lambda items: items.pop(0), "c1/u1: a membership of no club"),
        (lambda items: items[2].update(capacity=0.5), "r1: 1 joined over capacity 0.5"),
    ],
    ids=["member-count", "not-a-member", "no-ride", "no-club", "over-capacity"],
)
def test_each_invariant_is_checked(change: Any, problem: str) -> None:
    items = consistent()
    assert problems(items) == []
    change(items)
    assert problem in problems(items)


def test_a_kept_restore_is_prepared_to_take_over_once(dynamodb: Any) -> None:
    """`ops/restore_cutover.py` on the drill's kept copy: the settings a restore does not
    carry turned on, the stage's tags, and the deploy that points the stage at it; a second
    run finds nothing left to do."""
    put(dynamodb, consistent())
    restored = drill(dynamodb, "prod", keep=True, poll_seconds=0.1).restored

    first = prepare(dynamodb, "prod", restored)
    again = prepare(dynamodb, "prod", restored)

    assert first.done == ["stream", "ttl", "point-in-time recovery", "deletion protection", "tags"]
    assert again.done == [] and again.stream_arn == first.stream_arn
    table = dynamodb.describe_table(TableName=restored)["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["LatestStreamArn"] == first.stream_arn
    assert table.get("DeletionProtectionEnabled") is True
    ttl = dynamodb.describe_time_to_live(TableName=restored)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    command = first.deploy_command("prod")
    assert f"-c restored_table={restored} -c restored_table_stream={first.stream_arn}" in command
    # What it prints is what the app accepts.
    config = load_stage(
        "prod", {"restored_table": restored, "restored_table_stream": first.stream_arn}
    )
    assert config.table_name == restored


def test_a_table_that_is_not_the_stages_or_breaks_an_invariant_does_not_take_over(
    dynamodb: Any,
) -> None:
    items = consistent()
    items[2]["participant_count"] = 2
    put(dynamodb, items)
    restored = drill(dynamodb, "prod", keep=True, poll_seconds=0.1).restored

    with pytest.raises(NotReady, match="breaks 1 invariants"):
        prepare(dynamodb, "prod", restored)
    with pytest.raises(NotReady, match="not one of stage staging's"):
        prepare(dynamodb, "staging", restored)
    assert "StreamSpecification" not in dynamodb.describe_table(TableName=restored)["Table"]
    with pytest.raises(ValueError, match="not a stream of table"):
        load_stage("prod", {"restored_table": restored, "restored_table_stream": "arn:x"})


def test_after_a_cut_over_the_ops_commands_take_the_table_serving_the_stage(
    dynamodb: Any,
) -> None:
    """`--table` (`ops/stage_table.py`): the drill restores from the restored table that
    serves the stage, not the stage's old one; another stage's table is refused."""
    serving = f"{TABLE}-restored"
    create_table(dynamodb, serving)
    dynamodb.update_continuous_backups(
        TableName=serving, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for item in consistent():
        dynamodb.put_item(TableName=serving, Item=serialize(item))

    result = drill(dynamodb, "prod", poll_seconds=0.1, source=stage_table_name("prod", serving))

    assert result.items == 4 and result.problems == []  # the old table is empty
    assert stage_table_name("prod", None) == TABLE
    with pytest.raises(SystemExit, match="not one of stage prod's"):
        stage_table_name("prod", "sydney-cycling-staging-restored")
