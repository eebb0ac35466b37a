"""What every function of the platform is made with: its own code asset, log group with the
stage's retention, and a role that may write to that log group and nothing else."""

from aws_cdk import AssetHashType, BundlingOptions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.config import StageConfig
from stacks.constructs.bytecode import NO_DOCKER, CopyAndCompile
from stacks.nag import LOGS_KEY_REASON, acknowledge_guard
from stacks.paths import SERVICES_DIR

_RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTION:
        raise ValueError(f"Log retention of {days} days: choose one of {sorted(_RETENTION)}.")
    return _RETENTION[days]


def service_code(package: str) -> lambda_.Code:
    """Only this service's package, with its bytecode: a change elsewhere never rebuilds
    this function."""
    return lambda_.Code.from_asset(
        str(SERVICES_DIR / package),
        exclude=["**/__pycache__", "**/*.pyc"],
        bundling=BundlingOptions(image=NO_DOCKER, local=CopyAndCompile(SERVICES_DIR / package)),
        # Bytecode is built in the bundle; hash the sources only.
        asset_hash_type=AssetHashType.SOURCE,
    )


def logs_and_role(
    scope: Construct, config: StageConfig, role_description: str
) -> tuple[logs.LogGroup, iam.Role]:
    """The function's log group and role; instead of AWSLambdaBasicExecutionRole, the role
    may write to this log group only."""
    log_group = logs.LogGroup(
        scope,
        "Logs",
        retention=retention(config.log_retention_days),
        removal_policy=config.removal_policy,
    )
    acknowledge_guard(log_group, "cloudwatch_log_group_encrypted_check", LOGS_KEY_REASON)
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=role_description,
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    return log_group, role
