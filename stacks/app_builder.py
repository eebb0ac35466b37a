"""Builds the five stacks of one stage; used by app.py and by the infra tests."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, Aspects, Aws, Environment, Stack, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from shared.names import API_STAGE, PROJECT
from stacks.api_stack import ApiStack
from stacks.config import StageConfig
from stacks.consumers import AUDIT_TRAIL
from stacks.data_stack import DataStack
from stacks.guard import guard_validator
from stacks.identity_stack import IdentityStack
from stacks.integration_stack import IntegrationStack
from stacks.item_guard import AUDIT, AUTHORITY, ItemGuard
from stacks.nag import acknowledge_guard
from stacks.observability_stack import ObservabilityStack, WatchedFunction
from stacks.paths import REPO_ROOT


def cdk_json_context() -> dict[str, Any]:
    """The context cdk.json gives the CLI, for synths that do not go through the CLI."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class PlatformStacks:
    identity: IdentityStack
    data: DataStack
    integration: IntegrationStack
    api: ApiStack
    observability: ObservabilityStack

    def all(self) -> list[Stack]:
        return [self.identity, self.data, self.integration, self.api, self.observability]


# cfn-guard's minimum retention for log groups; prod keeps a year.
YEAR_OF_LOGS = 365


def add_security_checks(app: App, *, guard: bool = False) -> None:
    """cdk-nag AwsSolutions on everything, and with `guard` cfn-guard's Control Tower rules
    (`stacks/guard.py`; app.py always, the test session's synth not, for its time): a
    finding without an acknowledgement (which always carries a reason) fails synthesis; the
    report lands in the cloud assembly."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    if guard:
        # The plugin implements the "Beta1" form of the same interface (jsii accepts it).
        Validations.of(app).add_plugins(guard_validator())  # type: ignore[arg-type]


def unacknowledged_findings(assembly_dir: str) -> list[str]:
    """The validation report's findings no acknowledgement covers ("rule: construct").

    Read from the report rather than trusted to CDK's verdict: run by the CLI, CDK fails a
    synth only by setting the exit code of its own Node process, which a Python app's exit
    ignores; and the guard plugin concluded "success" on a prod synth whose report listed
    two findings. Either way a finding would pass silently."""
    report = Path(assembly_dir) / "validation-report.json"
    if not report.exists():
        return []
    plugins = json.loads(report.read_text()).get("pluginReports", [])
    return [
        f"{plugin['pluginName']} {violation['ruleName']}: {construct['constructPath']}"
        for plugin in plugins
        for violation in plugin.get("violations", [])
        if violation.get("severity") in ("error", "fatal")
        for construct in violation.get("violatingConstructs", []) or [{"constructPath": "?"}]
    ]


def build_platform(app: App, config: StageConfig) -> PlatformStacks:
    env = Environment(account=config.account, region=config.region)
    name = f"SydneyCycling-{config.name}"
    data = DataStack(app, f"{name}-Data", config=config, env=env)
    identity = IdentityStack(app, f"{name}-Identity", config=config, env=env)
    integration = IntegrationStack(
        app,
        f"{name}-Integration",
        config=config,
        secrets_key=data.secrets_key,
        bucket_arn=f"arn:{Aws.PARTITION}:s3:::{config.assets_bucket_name}",
        user_pool=identity.user_pool,
        env=env,
    )
    api = ApiStack(
        app,
        f"{name}-Api",
        config=config,
        user_pool=identity.user_pool,
        secrets_key=data.secrets_key,
        env=env,
    )
    observability = ObservabilityStack(
        app,
        f"{name}-Observability",
        config=config,
        api=api.api,
        api_stage=API_STAGE,
        functions=[
            WatchedFunction.of(function)
            for function in (
                *api.functions.values(),
                *identity.triggers.values(),
                integration.publisher,
                *integration.consumers.values(),
            )
        ],
        stream_reader=integration.publisher.name,
        dead_letter_queues=integration.dead_letter_queues,
        env=env,
    )
    # The observability stack names what the others make without references (fixed names):
    # its composite alarms need the integration stack's alarms to exist when CloudFormation
    # creates them, and its flags deployment reads the data stack's parameters. Deployed
    # last, always, rather than in whatever order the CLI picks.
    for watched in (data, identity, integration, api):
        observability.add_stack_dependency(watched, "watches its resources by their fixed names")
    stacks = PlatformStacks(identity, data, integration, api, observability)
    # Only the users API writes SiteAdmin role items (and the operators, outside CDK); only
    # the audit consumer and the webhooks API (a deletion's entry) write the audit log.
    # The stacks reach the table by name (a restored one can take over): after the data
    # stack, which makes it and publishes its stream.
    for user in (identity, integration, api):
        user.add_stack_dependency(data, "reaches the table by its name and stream parameter")
    table = config.table_name
    guards = (
        ItemGuard(table, AUTHORITY, writers=[api.functions["users"].role]),
        ItemGuard(
            table,
            AUDIT,
            writers=[integration.consumers[AUDIT_TRAIL.name].role, api.functions["webhooks"].role],
        ),
    )
    for stack in stacks.all():
        for guard in guards:
            Aspects.of(stack).add(guard)
        Tags.of(stack).add("project", PROJECT)
        Tags.of(stack).add("stage", config.name)
        if config.log_retention_days < YEAR_OF_LOGS:
            acknowledge_guard(
                stack,
                "cloudwatch_log_group_retention_period_check",
                f"Stage {config.name} keeps its logs {config.log_retention_days} days: a "
                "test stage's logs serve debugging, not audit; prod keeps a year.",
            )
    return stacks
