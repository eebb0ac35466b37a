"""What brings the data back when point-in-time recovery cannot: AWS Backup's daily
recovery points of the table and the assets bucket, in a vault of the stage (locked in
compliance mode in prod: no one, an attacker with the account's keys included, deletes a
point before its time), copied to a vault in a second region. PITR (35 days, the table
only) stays the first way back from a bad write; these are for losing the table, the
bucket or the region."""

from aws_cdk import Aws, Duration
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from shared.names import backup_copy_vault_name, backup_vault_name
from stacks.config import StageConfig
from stacks.nag import acknowledge

# AWS Backup's own policies: backup and restore of DynamoDB tables, and of S3 buckets.
_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


class Backups(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        keep = Duration.days(config.backup_retention_days or 35)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=backup_vault_name(config.name),
            removal_policy=config.removal_policy,
            # Compliance mode once the grace period ends: it cannot be undone.
            lock_configuration=backup.LockConfiguration(
                min_retention=Duration.days(7), changeable_for=Duration.days(3)
            )
            if config.backup_vault_lock
            else None,
        )
        copies = []
        if config.backup_copy_region:
            arn = (
                f"arn:{Aws.PARTITION}:backup:{config.backup_copy_region}:{Aws.ACCOUNT_ID}:"
                f"backup-vault:{backup_copy_vault_name(config.name)}"
            )
            copies.append(
                backup.BackupPlanCopyActionProps(
                    destination_backup_vault=backup.BackupVault.from_backup_vault_arn(
                        self, "CopyVault", arn
                    ),
                    delete_after=keep,
                )
            )
        self.plan = backup.BackupPlan(
            self, "Plan", backup_plan_name=f"{config.prefix}-data", backup_vault=self.vault
        )
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Daily",
                # 15:00 UTC is 01:00 or 02:00 in Sydney: the quietest hours of a ride app.
                schedule_expression=events.Schedule.cron(minute="0", hour="15"),
                start_window=Duration.hours(1),
                completion_window=Duration.hours(8),
                delete_after=keep,
                copy_actions=copies or None,
            )
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description=f"{config.prefix} AWS Backup of the table and the assets bucket",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(p) for p in _POLICIES],
        )
        for policy in _POLICIES:
            acknowledge(
                role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]",
                "AWS Backup's documented service policy for DynamoDB and S3 backup and "
                "restore; it tracks the actions AWS Backup needs as its services change.",
            )
        self.plan.add_selection(
            "Data",
            resources=[
                backup.BackupResource.from_dynamo_db_table(table),
                backup.BackupResource.from_arn(bucket.bucket_arn),
            ],
            role=role,
        )
