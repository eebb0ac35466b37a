"""A restored table takes over from the stage's own: this prepares it and prints the deploy
that points the stage at it (docs/runbooks/data.md).

    python -m ops.restore_drill --stage prod --at 2026-12-01T06:00 --keep   # restore, check
    python -m ops.restore_cutover --stage prod --table sydney-cycling-prod-drill-20261204T0612

A restore brings back the items and the indexes, not the table's settings: this turns on
its stream (the publisher's source, new and old images), TTL on `expires_at`, point-in-time
recovery and deletion protection, and tags it as the stage's. It refuses a table that is
not one of the stage's (`sydney-cycling-{stage}-...`) or whose items break the platform's
invariants (`ops/invariants.py`). Each step is skipped when already done, so it can be run
again. Nothing of the stage's current table is touched; the deploy it prints does the rest:
every function, grant, alarm, backup and the publisher then use the restored table, and the
data stack keeps the old one (retained) for forensics.
"""

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import boto3

from ops.invariants import problems
from ops.restore_drill import scan
from shared.names import PROJECT
from shared.store.schema import TTL_ATTRIBUTE, is_stage_table, table_name


class NotReady(Exception):
    """The table cannot take over (why is the message)."""


@dataclass(frozen=True)
class Cutover:
    table: str
    stream_arn: str
    done: list[str]

    def deploy_command(self, stage: str) -> str:
        return (
            f"npx cdk deploy --all -c stage={stage} -c restored_table={self.table} "
            f"-c restored_table_stream={self.stream_arn}"
        )


def prepare(dynamodb: Any, stage: str, table: str, *, check: bool = True) -> Cutover:
    if not is_stage_table(stage, table):
        raise NotReady(f"{table} is not one of stage {stage}'s tables ({table_name(stage)}-...).")
    described = dynamodb.describe_table(TableName=table)["Table"]
    if described["TableStatus"] != "ACTIVE":
        raise NotReady(f"{table} is {described['TableStatus']}, not ACTIVE yet.")
    if check and (found := problems(scan(dynamodb, table))):
        raise NotReady(f"{table} breaks {len(found)} invariants, first: {found[0]}")
    done = [
        step
        for step, needed in (
            ("stream", _stream(dynamodb, table, described)),
            ("ttl", _ttl(dynamodb, table)),
            ("point-in-time recovery", _pitr(dynamodb, table)),
            ("deletion protection", _protection(dynamodb, table, described)),
            ("tags", _tags(dynamodb, described["TableArn"], stage)),
        )
        if needed
    ]
    stream = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    return Cutover(table, stream, done)


def _stream(dynamodb: Any, table: str, described: dict[str, Any]) -> bool:
    wanted = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if described.get("StreamSpecification") == wanted:
        return False
    dynamodb.update_table(TableName=table, StreamSpecification=wanted)
    dynamodb.get_waiter("table_exists").wait(TableName=table)
    return True


def _ttl(dynamodb: Any, table: str) -> bool:
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return False
    dynamodb.update_time_to_live(
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    return True


def _pitr(dynamodb: Any, table: str) -> bool:
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    status = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if status == "ENABLED":
        return False
    dynamodb.update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    return True


def _protection(dynamodb: Any, table: str, described: dict[str, Any]) -> bool:
    if described.get("DeletionProtectionEnabled"):
        return False
    dynamodb.update_table(TableName=table, DeletionProtectionEnabled=True)
    return True


def _tags(dynamodb: Any, arn: str, stage: str) -> bool:
    wanted = {"project": PROJECT, "stage": stage}
    present = {
        t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    }
    if all(present.get(k) == v for k, v in wanted.items()):
        return False
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in wanted.items()])
    return True


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.restore_cutover", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--table", required=True, help="the restored table (restore_drill --keep)")
    parser.add_argument("--region", default="ap-southeast-2")
    parser.add_argument(
        "--skip-check", action="store_true", help="do not scan for the invariants (checked)"
    )
    args = parser.parse_args()
    dynamodb = boto3.client("dynamodb", region_name=args.region)
    try:
        cutover = prepare(dynamodb, args.stage, args.table, check=not args.skip_check)
    except NotReady as refused:
        print(refused, file=sys.stderr)
        return 1
    print(f"{cutover.table} prepared: {', '.join(cutover.done) or 'nothing left to do'}")
    print("Point the stage at it (the pipeline: RESTORED_TABLE and RESTORED_TABLE_STREAM):")
    print(f"  {cutover.deploy_command(args.stage)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
