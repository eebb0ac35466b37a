"""How the stacks other than the data stack reach the table: by its name, and (the
publisher) its stream's ARN from an SSM parameter the data stack writes; never by a
CloudFormation export. An export cannot change while another stack imports it, so with
exports a restored table could never take over by a deploy; by name, a deploy with
`-c restored_table=... -c restored_table_stream=...` points every function, grant, the
publisher's stream, the backups and the alarms at it (docs/runbooks/data.md).
"""

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from shared.names import table_stream_parameter
from stacks.config import StageConfig


def active_table(scope: Construct, config: StageConfig, *, stream: bool = False) -> dynamodb.ITable:
    """The stage's table as `scope`'s stack reaches it; with `stream`, its stream too (the
    stage's own table's from the data stack's parameter, resolved at deploy time)."""
    stream_arn: str | None = None
    if stream:
        stream_arn = config.restored_table_stream or ssm.StringParameter.value_for_string_parameter(
            scope, table_stream_parameter(config.name)
        )
    return dynamodb.Table.from_table_attributes(
        scope, "ActiveTable", table_name=config.table_name, table_stream_arn=stream_arn
    )
