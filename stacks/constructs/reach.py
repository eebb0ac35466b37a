"""What a declared function may reach, applied in one place for every stack: its
environment from the stage's values, the parameters, secrets and bus that environment names,
its table actions, its bucket folders and its sealing purposes (`stacks/contexts.py`,
`stacks/consumers.py`)."""

from collections.abc import Mapping
from typing import Protocol, cast

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager

from shared.names import (
    api_url_parameter,
    cdn_domain_parameter,
    reminder_group_name,
    signing_secret_name,
    strava_app_secret_name,
    strava_state_key_name,
)
from shared.settings import EnvironmentSettings
from stacks.config import StageConfig
from stacks.constructs.notifications import push_application_arns
from stacks.constructs.sealing import grant_sealing
from stacks.constructs.service_function import ServiceFunction
from stacks.contexts import BucketAccess, Sealing
from stacks.environment import function_environment
from stacks.nag import acknowledge


class Declared(Protocol):
    """What `grant_declared` reads of a declaration (an API context, a consumer, a worker)."""

    @property
    def all_settings(self) -> tuple[type[EnvironmentSettings], ...]: ...
    @property
    def table_actions(self) -> tuple[str, ...]: ...
    @property
    def table_indexes(self) -> tuple[str, ...]: ...
    @property
    def bucket_access(self) -> tuple[BucketAccess, ...]: ...
    @property
    def sealing(self) -> tuple[Sealing, ...]: ...


def stage_values(config: StageConfig, **resources: object) -> dict[str, object]:
    """A stage's values by settings field name: those its names decide, and the resources a
    stack passes in (tokens: the table's name, the key's ARN, queue URLs)."""
    return {
        "stage": config.name,
        "assets_bucket_name": config.assets_bucket_name,
        "api_url_parameter": api_url_parameter(config.name),
        "cdn_domain_parameter": cdn_domain_parameter(config.name),
        "signing_secret_name": signing_secret_name(config.name),
        "strava_app_secret_name": strava_app_secret_name(config.name),
        "strava_state_key_name": strava_state_key_name(config.name),
        "strava_app_redirect_url": config.strava_app_redirect_url,
        # The bus is named after the stage (no export from the integration stack).
        "event_bus_name": config.prefix,
        "push_applications": push_application_arns(config),
        "email_sender": config.email_sender,
        "reminder_group": reminder_group_name(config.name),
        "reminder_lead_hours": config.reminder_lead_hours,
        **({"site_admin_mfa_required": True} if config.site_admin_mfa else {}),
        **resources,
    }


def grant_declared(
    function: ServiceFunction,
    declared: Declared,
    values: Mapping[str, object],
    config: StageConfig,
    table_arn: str,
) -> None:
    """The function's environment from its declared settings, and everything it may reach."""
    environment = function_environment(declared.all_settings, values)
    for name, value in environment.items():
        function.function.add_environment(name, value)
    grant_named(function, environment)
    role = function.role
    if declared.table_actions:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(declared.table_actions),
                resources=[table_arn, *(f"{table_arn}/index/{i}" for i in declared.table_indexes)],
            )
        )
    for access in declared.bucket_access:
        grant_folder(role, config, access)
    for sealing in declared.sealing:
        grant_sealing(role, str(values["secrets_key_id"]), sealing.purpose, *sealing.actions)


def grant_named(function: ServiceFunction, environment: Mapping[str, str]) -> None:
    """A function reads the SSM parameters and secrets its environment names, and may put
    events on the bus it names; nothing it does not name."""
    stack = Stack.of(function)
    role = function.role
    for name, value in environment.items():
        if name.endswith("_PARAMETER"):
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["ssm:GetParameter"],
                    resources=[
                        f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{value}"
                    ],
                )
            )
        elif name.endswith(("_SECRET_NAME", "_KEY_NAME")):
            # One import per secret and stack, however many functions read it.
            found = stack.node.try_find_child(f"Secret{value}")
            secret = cast(secretsmanager.ISecret, found) or (
                secretsmanager.Secret.from_secret_name_v2(stack, f"Secret{value}", value)
            )
            secret.grant_read(role)
        elif name == "EVENT_BUS_NAME":
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["events:PutEvents"],
                    resources=[
                        f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:event-bus/"
                        f"{value}"
                    ],
                )
            )


def grant_folder(role: iam.IRole, config: StageConfig, access: BucketAccess) -> None:
    """Its actions under one folder of the assets bucket (listing: under it only)."""
    bucket = f"arn:{Aws.PARTITION}:s3:::{config.assets_bucket_name}"
    object_actions = [a for a in access.actions if a != "s3:ListBucket"]
    if object_actions:
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=object_actions, resources=[f"{bucket}/{access.folder}*"])
        )
    if "s3:ListBucket" in access.actions:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket],
                conditions={"StringLike": {"s3:prefix": [f"{access.folder}*"]}},
            )
        )
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
        f"{config.prefix}-assets-<AWS::AccountId>/{access.folder}*]",
        f"{access.why[0].upper()}{access.why[1:]}.",
    )
