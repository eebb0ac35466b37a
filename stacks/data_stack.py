"""Data: the single DynamoDB table (with its stream), the S3 assets bucket, and the event
lake's catalogue and Athena workgroup over the bucket's `lake/` folder."""

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from shared.domain.export import EXPORT_KEPT, EXPORTS
from shared.domain.media import INCOMING, QUARANTINE
from shared.lake import EVENTS_FOLDER, RESULTS_FOLDER
from shared.names import table_stream_parameter
from shared.store.schema import GLOBAL_INDEXES, PK, SK, TTL_ATTRIBUTE, table_name
from stacks.config import StageConfig
from stacks.constructs.asset_delivery import AssetDelivery
from stacks.constructs.backups import Backups
from stacks.constructs.event_lake import EventLake
from stacks.constructs.feature_flags import FeatureFlagsConfig
from stacks.nag import OUTSIDE_VPC_REASON, acknowledge, acknowledge_guard


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class DataStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.table = self._table(config)
        # Seals the small secrets kept in the table: club webhooks' signing secrets and
        # riders' Strava tokens (shared/adapters/sealed_secrets.py). Each function is
        # granted only the direction it needs (encrypt at registration, decrypt to use).
        self.secrets_key = kms.Key(
            self,
            "IntegrationSecretsKey",
            alias=f"alias/{config.prefix}-integration-secrets",
            description="Seals third-party secrets stored in the table (webhooks, Strava)",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        # The functions encrypt and decrypt with the key itself; only AWS services may be
        # given grants on it (no one can hand the key's use on to a principal of their own).
        self.secrets_key.add_to_resource_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:CreateGrant"],
                resources=["*"],
                conditions={
                    "BoolIfExists": {
                        "kms:GrantIsForAWSResource": "false",
                        "aws:PrincipalIsAWSService": "false",
                    }
                },
            )
        )

        self.access_logs = self._access_logs(config)
        self.assets = self._assets(config, self.access_logs)
        self.delivery = AssetDelivery(
            self, "AssetDelivery", config=config, bucket=self.assets, logs=self.access_logs
        )
        self._publish_table(config)
        if config.backup_retention_days:
            # The table the stage uses: its own, or a restored one that took over.
            backed_up = (
                dynamodb.Table.from_table_name(self, "RestoredTable", config.table_name)
                if config.restored_table
                else self.table
            )
            Backups(self, "Backups", config=config, table=backed_up, bucket=self.assets)
        self.lake = EventLake(self, "EventLake", config=config, bucket=self.assets)
        # Before the api and integration stacks: their functions read the flags' ids.
        self.feature_flags = FeatureFlagsConfig(self, "FeatureFlags", config=config)

    def _publish_table(self, config: StageConfig) -> None:
        """The other stacks reach the table by name and its stream through a parameter
        (`stacks/constructs/table_reference.py`), not by exports. The exports they imported
        before stay for one release, so the deploy that stops importing them can go
        first: a stack cannot drop an export another still imports. Remove these three
        once every stage has deployed the release that added them (docs/runbooks/data.md)."""
        ssm.StringParameter(
            self,
            "TableStreamParameter",
            parameter_name=table_stream_parameter(config.name),
            string_value=self.table.table_stream_arn or "",
            description="The table's stream ARN, for the publisher's event source",
        )
        for value in (self.table.table_arn, self.table.table_name, self.table.table_stream_arn):
            self.export_value(value)

    def _table(self, config: StageConfig) -> dynamodb.Table:
        """The single table: on demand, PITR, its stream, TTL, the global indexes."""
        table = dynamodb.Table(
            self,
            "Table",
            table_name=table_name(config.name),
            partition_key=_string(PK),
            sort_key=_string(SK),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # Change feed for domain events and derived data.
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            deletion_protection=config.retain_data,
            # Idempotency markers of applied events expire by themselves.
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=config.removal_policy,
        )
        for index in GLOBAL_INDEXES:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.partition_key),
                sort_key=_string(index.sort_key),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    def _access_logs(self, config: StageConfig) -> s3.Bucket:
        """Where the assets bucket's server access logs go."""
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=config.removal_policy,
        )
        acknowledge(
            access_logs,
            "AwsSolutions-S1",
            "This bucket receives the assets bucket's server access logs; logging it "
            "into itself would loop.",
        )
        return access_logs

    def _assets(self, config: StageConfig, access_logs: s3.Bucket) -> s3.Bucket:
        """Media: private, versioned, uploads judged on S3's events and expired if not."""
        assets = s3.Bucket(
            self,
            "Assets",
            bucket_name=config.assets_bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="assets/",
            # Browsers upload avatars, logos and GPX files straight to S3 with presigned POSTs.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_origins=list(config.cors_allowed_origins) or ["https://localhost"],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                # Uploads not yet judged, and refused ones, are kept a day at most.
                *(
                    s3.LifecycleRule(
                        prefix=prefix, expiration=Duration.days(1), id=f"expire-{prefix[:-1]}"
                    )
                    for prefix in (INCOMING, QUARANTINE)
                ),
                # A rider's data export is kept a week (docs/privacy.md).
                s3.LifecycleRule(
                    prefix=EXPORTS,
                    expiration=Duration.days(EXPORT_KEPT.days),
                    id="expire-exports",
                ),
                # The event lake keeps the stage's retention; Athena's results a week.
                s3.LifecycleRule(
                    prefix=EVENTS_FOLDER,
                    expiration=Duration.days(config.lake_retention_days),
                    id="expire-lake-events",
                ),
                s3.LifecycleRule(
                    prefix=RESULTS_FOLDER, expiration=Duration.days(7), id="expire-query-results"
                ),
            ],
            # Uploads into incoming/ are validated on S3's "Object Created" events.
            event_bridge_enabled=True,
            removal_policy=config.removal_policy,
        )
        # CDK turns on the bucket's EventBridge notifications with its own custom resource.
        notifications = next(
            child
            for child in self.node.children
            if child.node.id.startswith("BucketNotificationsHandler")
        )
        acknowledge(
            notifications,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "CDK's own handler that switches on the bucket's EventBridge notifications at "
            "deploy time; it writes only its logs, and CDK owns its role.",
        )
        acknowledge_guard(notifications, "lambda_inside_vpc_check", OUTSIDE_VPC_REASON)
        self._acknowledge_bucket_rules(assets, access_logs)
        return assets

    def _acknowledge_bucket_rules(self, assets: s3.Bucket, access_logs: s3.Bucket) -> None:
        """cfn-guard's S3 rules these two buckets do not follow, each with its reason."""
        for bucket in (assets, access_logs):
            acknowledge_guard(
                bucket,
                "s3_bucket_default_encryption_kms_check",
                "SSE-S3 (AES-256) at rest; SSE-KMS would need CloudFront's origin access "
                "and every reader granted on a key, and a KMS request per object read.",
            )
            acknowledge_guard(
                bucket,
                "s3_bucket_object_lock_enabled_check",
                "Objects are deleted on purpose: an account's deletion removes the rider's "
                "files and lifecycle rules expire exports and logs (docs/privacy.md); object "
                "lock would forbid that. AWS Backup keeps the history (locked in prod).",
            )
        acknowledge_guard(
            assets,
            "s3_event_notifications_enabled_check",
            "Uploads are announced through the bucket's EventBridge notifications "
            "(`event_bridge_enabled`), which the rule does not read as notifications.",
        )
        acknowledge_guard(
            access_logs,
            "s3_event_notifications_enabled_check",
            "Nothing acts on server access logs as they arrive; they are read when needed.",
        )
        acknowledge_guard(
            access_logs,
            "s3_bucket_versioning_enabled_check",
            "Log objects are written once by S3 and CloudFront and expire after a year; "
            "no one overwrites them.",
        )
        acknowledge_guard(
            access_logs,
            "s3_bucket_acl_prohibited_check",
            "CloudFront's standard logs are delivered under the bucket's ACL (its log "
            "delivery account is granted through it), which needs ACLs enabled "
            "(BucketOwnerPreferred); no user's access is managed by ACL.",
        )
        acknowledge_guard(
            access_logs,
            "s3_bucket_logging_enabled_check",
            "This bucket receives the assets bucket's access logs; logging it into itself "
            "would loop.",
        )
