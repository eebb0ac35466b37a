"""AWS Backup on the prod synth: daily recovery points of the table and the assets bucket
kept a year, in a vault locked in compliance mode, copied to a vault in a second region;
none in dev, whose stack must delete cleanly. AWS's create-time rule: a rule may not keep
recovery points for less than the vault lock's minimum retention."""

from typing import Any

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _one(synth: Synth, stage: str, kind: str) -> dict[str, Any]:
    (found,) = synth.resources(stage, "Data", kind).values()
    return found


def test_prod_backs_up_the_table_and_the_bucket_daily_into_a_locked_vault(synth: Synth) -> None:
    vault = _one(synth, "prod", "AWS::Backup::BackupVault")
    assert vault["Properties"]["BackupVaultName"] == "sydney-cycling-prod-backups"
    lock = vault["Properties"]["LockConfiguration"]
    assert lock["ChangeableForDays"] == 3  # then compliance mode: no one deletes early
    (rule,) = _one(synth, "prod", "AWS::Backup::BackupPlan")["Properties"]["BackupPlan"][
        "BackupPlanRule"
    ]
    assert rule["ScheduleExpression"] == "cron(0 15 * * ? *)"
    assert rule["Lifecycle"]["DeleteAfterDays"] == 365
    assert rule["Lifecycle"]["DeleteAfterDays"] >= lock["MinRetentionDays"]
    (copy,) = rule["CopyActions"]
    destination = "".join(
        p for p in copy["DestinationBackupVaultArn"]["Fn::Join"][1] if isinstance(p, str)
    )
    assert ":backup:ap-southeast-4:" in destination
    assert destination.endswith(":backup-vault:sydney-cycling-prod-backups-copy")
    assert copy["Lifecycle"]["DeleteAfterDays"] == 365

    selection = _one(synth, "prod", "AWS::Backup::BackupSelection")["Properties"]
    chosen = {r["Fn::GetAtt"][0] for r in selection["BackupSelection"]["Resources"]}
    kinds = {synth.template_json("prod", "Data")["Resources"][r]["Type"] for r in chosen}
    assert kinds == {"AWS::DynamoDB::Table", "AWS::S3::Bucket"}
    role = selection["BackupSelection"]["IamRoleArn"]["Fn::GetAtt"][0]
    policies = str(synth.template_json("prod", "Data")["Resources"][role]["Properties"])
    assert "AWSBackupServiceRolePolicyForS3Backup" in policies
    assert "AWSBackupServiceRolePolicyForRestores" in policies


def test_dev_has_no_backups(synth: Synth) -> None:
    kinds = {r["Type"] for r in synth.template_json("dev", "Data")["Resources"].values()}
    assert not any(kind.startswith("AWS::Backup::") for kind in kinds)
