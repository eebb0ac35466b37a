"""Feature flags in AWS AppConfig: an application per stage, an environment whose monitor
is the platform's composite health alarm (a flags deployment rolls back when it goes off),
a gradual deployment strategy, and the committed document (`shared/flags/`) as a hosted
freeform configuration (data stack), deployed by the observability stack after the alarm
it is watched by exists (`FlagsDeployment`). `FlagsReaders` gives a function what it
needs to read them with Powertools (names in its environment, ids through SSM)."""

import hashlib

from aws_cdk import Aws, Duration
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from shared.flags import DOCUMENT
from shared.names import feature_flags_parameter, platform_health_alarm_name
from stacks.config import StageConfig
from stacks.constructs.service_function import ServiceFunction

PROFILE_NAME = "feature-flags"
# How a new flags document reaches a stage's functions: at once in dev; in steps in
# staging and prod, watched for a bake time during which the health alarm rolls it back.
ROLLOUTS = {
    "dev": appconfig.RolloutStrategy.linear(
        growth_factor=100, deployment_duration=Duration.minutes(0)
    ),
    "staging": appconfig.RolloutStrategy.linear(
        growth_factor=50,
        deployment_duration=Duration.minutes(4),
        final_bake_time=Duration.minutes(5),
    ),
    "prod": appconfig.RolloutStrategy.linear(
        growth_factor=20,
        deployment_duration=Duration.minutes(10),
        final_bake_time=Duration.minutes(10),
    ),
}
_PARTS = ("application", "environment", "profile")


class FeatureFlagsConfig(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.application = appconfig.Application(
            self,
            "Application",
            application_name=config.prefix,
            description=f"Sydney Cycling Platform ({config.name}): feature flags",
        )
        monitor_role = iam.Role(
            self,
            "MonitorRole",
            assumed_by=iam.ServicePrincipal("appconfig.amazonaws.com"),
            description="Lets AppConfig read the platform health alarm during deployments",
        )
        health_alarm = (
            f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:"
            f"{platform_health_alarm_name(config.name)}"
        )
        monitor_role.add_to_policy(
            iam.PolicyStatement(actions=["cloudwatch:DescribeAlarms"], resources=[health_alarm])
        )
        self.environment = appconfig.Environment(
            self,
            "Environment",
            application=self.application,
            environment_name=config.name,
            description="Where the stage's functions read their flags",
            monitors=[
                appconfig.Monitor.from_cfn_monitors_property(
                    alarm_arn=health_alarm, alarm_role_arn=monitor_role.role_arn
                )
            ],
        )
        strategy = appconfig.DeploymentStrategy(
            self,
            "Rollout",
            deployment_strategy_name=f"{config.prefix}-flags",
            rollout_strategy=ROLLOUTS.get(config.name, ROLLOUTS["prod"]),
            description="Gradual, watched by the platform health alarm",
        )
        self.profile = appconfig.HostedConfiguration(
            self,
            "FeatureFlags",
            application=self.application,
            name=PROFILE_NAME,
            description="shared/flags/feature-flags.json, read by Powertools FeatureFlags",
            type=appconfig.ConfigurationType.FREEFORM,
            content=appconfig.ConfigurationContent.from_file(
                str(DOCUMENT), content_type="application/json"
            ),
            deployment_strategy=strategy,
        )
        # Deployed by the observability stack (`FlagsDeployment`), once the health alarm
        # that watches the rollout exists.
        ids = {
            "application": self.application.application_id,
            "environment": self.environment.environment_id,
            "profile": self.profile.configuration_profile_id,
            "version": self.profile.version_number or "",
            "strategy": strategy.deployment_strategy_id,
        }
        for part in (*_PARTS, "version", "strategy"):
            ssm.StringParameter(
                self,
                f"{part.title()}Id",
                parameter_name=feature_flags_parameter(config.name, part),
                string_value=ids[part],
                description=f"AppConfig {part} id of the stage's feature flags",
            )


def _document_digest() -> str:
    return hashlib.sha256(DOCUMENT.read_bytes()).hexdigest()[:16]


class FlagsDeployment(Construct):
    """The deployment of the flags' current version to the stage's environment. Its
    description carries the document's digest, so a changed document changes this
    template and the deploy resolves the new version from SSM (an unchanged template
    would be skipped, and the rollout with it)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, after: Construct
    ) -> None:
        super().__init__(scope, construct_id)
        value = {
            part: ssm.StringParameter.value_for_string_parameter(
                self, feature_flags_parameter(config.name, part)
            )
            for part in (*_PARTS, "version", "strategy")
        }
        self.deployment = appconfig.CfnDeployment(
            self,
            "Deployment",
            application_id=value["application"],
            environment_id=value["environment"],
            configuration_profile_id=value["profile"],
            configuration_version=value["version"],
            deployment_strategy_id=value["strategy"],
            description=f"feature-flags.json sha256:{_document_digest()}",
        )
        self.deployment.node.add_dependency(after)


class FlagsReaders(Construct):
    """Per stack: the flags' ids resolved from SSM at deploy time, and `grant(function)`."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        ids = {
            part: ssm.StringParameter.value_for_string_parameter(
                self, feature_flags_parameter(config.name, part)
            )
            for part in _PARTS
        }
        self.configuration_arn = (
            f"arn:{Aws.PARTITION}:appconfig:{Aws.REGION}:{Aws.ACCOUNT_ID}:application/"
            f"{ids['application']}/environment/{ids['environment']}/configuration/{ids['profile']}"
        )

    def grant(self, function: ServiceFunction) -> None:
        environment = {
            "FEATURE_FLAGS_APPLICATION": self.config.prefix,
            "FEATURE_FLAGS_ENVIRONMENT": self.config.name,
            "FEATURE_FLAGS_PROFILE": PROFILE_NAME,
        }
        for name, value in environment.items():
            function.function.add_environment(name, value)
        function.role.add_to_policy(
            iam.PolicyStatement(
                actions=["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"],
                resources=[self.configuration_arn],
            )
        )
