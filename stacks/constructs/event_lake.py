"""The event lake's catalogue and query engine (`docs/event-lake.md`): a Glue table over
the Parquet the EventLake consumer writes under `lake/events/` of the assets bucket, and an
Athena workgroup with the platform's named queries (`shared/lake_queries/`).

The table finds its partitions by projection (event types from the event catalog, days
from the lake's first): no crawler to run, no partitions to add as days pass. The
workgroup's settings hold for every query run in it: results encrypted under
`lake/athena-results/` (expired after a week), and a query that would scan more than
`SCAN_LIMIT_BYTES` is cancelled, so a careless question costs cents, not dollars.
"""

from aws_cdk import Aws
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_s3 as s3
from constructs import Construct

from shared.event_catalog import CATALOG
from shared.lake import COLUMNS, EVENTS_FOLDER, PARTITIONS, RESULTS_FOLDER, named_queries
from stacks.config import StageConfig
from stacks.nag import acknowledge_guard

# Athena bills $5 a terabyte scanned: 1 GB is half a cent, and years of this platform's
# events (Parquet, pruned by partition) are far less.
SCAN_LIMIT_BYTES = 1_000_000_000
# The first day the lake can hold (partition projection's range starts here).
FIRST_DAY = "2026-01-01"
EVENTS_TABLE = "events"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def lake_database_name(config: StageConfig) -> str:
    """Glue database names are lower case, digits and underscores (Athena's rule)."""
    return f"{config.prefix.replace('-', '_')}_lake"


def workgroup_name(config: StageConfig) -> str:
    return f"{config.prefix}-analytics"


class EventLake(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, bucket: s3.IBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.database_name = lake_database_name(config)
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="The platform's domain events, as Parquet (docs/event-lake.md)",
            ),
        )
        self.table = self._table(bucket, database)
        self.workgroup = self._workgroup(config, bucket)
        for query in named_queries().values():
            named = athena.CfnNamedQuery(
                self,
                f"Query-{query.name}",
                name=query.name,
                description=query.description[:1024],
                database=self.database_name,
                query_string=query.sql,
                work_group=self.workgroup.name,
            )
            named.node.add_dependency(self.workgroup)
            named.node.add_dependency(self.table)

    def _table(self, bucket: s3.IBucket, database: glue.CfnDatabase) -> glue.CfnTable:
        location = f"s3://{bucket.bucket_name}/{EVENTS_FOLDER}"
        table = glue.CfnTable(
            self,
            "EventsTable",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=EVENTS_TABLE,
                description="One row per domain event: ids, states and time only",
                table_type="EXTERNAL_TABLE",
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=name, type="string") for name in PARTITIONS
                ],
                parameters={
                    "classification": "parquet",
                    "EXTERNAL": "TRUE",
                    "projection.enabled": "true",
                    "projection.event_type.type": "enum",
                    "projection.event_type.values": ",".join(sorted(CATALOG)),
                    "projection.dt.type": "date",
                    "projection.dt.format": "yyyy-MM-dd",
                    "projection.dt.range": f"{FIRST_DAY},NOW",
                    "projection.dt.interval": "1",
                    "projection.dt.interval.unit": "DAYS",
                    "storage.location.template": location + "event_type=${event_type}/dt=${dt}/",
                },
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    columns=[
                        glue.CfnTable.ColumnProperty(name=c.name, type=c.glue) for c in COLUMNS
                    ],
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=PARQUET_SERDE),
                ),
            ),
        )
        table.node.add_dependency(database)
        return table

    def _workgroup(self, config: StageConfig, bucket: s3.IBucket) -> athena.CfnWorkGroup:
        workgroup = athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=workgroup_name(config),
            description="The event lake's questions (docs/event-lake.md)",
            # Deleting the stage's workgroup takes its saved queries and history with it.
            recursive_delete_option=not config.retain_data,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=SCAN_LIMIT_BYTES,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{bucket.bucket_name}/{RESULTS_FOLDER}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                ),
            ),
        )
        acknowledge_guard(
            workgroup,
            "athena_workgroup_results_encrypted_at_rest_kms_check",
            "Results are encrypted with SSE-S3 in the private assets bucket, as the lake "
            "itself is, and expire after a week; a KMS key would add a key to grant every "
            "analyst and a KMS request per result object, for aggregates of ids.",
        )
        return workgroup
