"""One construct that builds every service Lambda the same way.

Python 3.12 on arm64 with the two layers, active tracing, JSON logs into its own log group
with the stage's retention, its own least-privilege role, and a `live` alias whose new
versions CodeDeploy shifts traffic to gradually, rolling back when the alias errors.
"""

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.config import StageConfig
from stacks.constructs.function_basics import logs_and_role, service_code
from stacks.constructs.layers import ARCHITECTURE, RUNTIME, LambdaLayers
from stacks.constructs.pre_traffic_hook import stack_hook
from stacks.nag import OUTSIDE_VPC_REASON, acknowledge, acknowledge_guard
from stacks.runbooks import with_runbook


@dataclass(frozen=True)
class FunctionNetwork:
    """Where a function that talks to third parties runs: private subnets, one group."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup


_DEPLOYMENTS = {
    "all_at_once": codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    "canary": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    "linear": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE,
}


# The namespace of every function's custom metrics (the dashboard searches it).
METRICS_NAMESPACE = "SydneyCycling"


class ServiceFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        package: str,
        handler: str,
        description: str,
        layers: LambdaLayers,
        environment: dict[str, str] | None = None,
        timeout: Duration | None = None,
        network: FunctionNetwork | None = None,
        memory_mb: int | None = None,
        reserved_concurrency: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.timeout = timeout or Duration.seconds(10)
        # A fixed name (plain text, never a token): the observability stack watches the
        # function by it, so no stack exports the name.
        self.name = f"{config.prefix}-{construct_id}"
        self.log_group, self.role = logs_and_role(
            self, config, f"{config.prefix} {package}: runs the function, nothing else by default"
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=self.name,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=service_code(package),
            handler=handler,
            layers=layers.all,
            role=self.role,
            memory_size=memory_mb or config.lambda_memory_mb,
            reserved_concurrent_executions=reserved_concurrency,
            # The `live` alias points at published versions: those are what SnapStart
            # snapshots (`shared/snapstart.py` reseeds randomness after a restore).
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
            timeout=self.timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            vpc=network.vpc if network else None,
            vpc_subnets=network.subnets if network else None,
            security_groups=[network.security_group] if network else None,
            environment={
                "POWERTOOLS_SERVICE_NAME": package,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                # No pydantic plugins are used; skip scanning installed packages for them.
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
                **(environment or {}),
            },
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and, for stream "
            "consumers, dynamodb:ListStreams support no resource-level permissions; only "
            "those are granted on '*' (asserted by the infra tests).",
        )
        if network is not None:
            self._may_manage_network_interfaces()
        else:
            acknowledge_guard(self.function, "lambda_inside_vpc_check", OUTSIDE_VPC_REASON)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.12 is the platform's pinned runtime: the dependencies layer is built "
            "for cp312 wheels and local development matches it; upgrades are deliberate.",
        )
        self.alias = lambda_.Alias(
            self, "Live", alias_name="live", version=self.function.current_version
        )
        self._deploy_blue_green(config, layers, package)

    def _may_manage_network_interfaces(self) -> None:
        # Lambda refuses to create a function in a VPC whose role cannot manage its
        # network interfaces; CDK attaches this policy only to roles it makes itself.
        self.role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name(
                "service-role/AWSLambdaVPCAccessExecutionRole"
            )
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaVPCAccessExecutionRole]",
            "Lambda's own policy for the network interfaces of a function in a VPC: "
            "EC2 lets those ENI actions be granted on no narrower resource.",
        )

    def _deploy_blue_green(self, config: StageConfig, layers: LambdaLayers, package: str) -> None:
        """CodeDeploy shifts the `live` alias to each new version, tried first by the stack's
        hook and rolled back by any of its alarms."""
        self.errors_alarm = cloudwatch.Alarm(
            self,
            "AliasErrors",
            alarm_description=with_runbook(
                f"{package} errors on the live alias: rolls back a deployment", "functions"
            ),
            metric=self.alias.metric_errors(period=Duration.minutes(1)),
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # What the new version alone does while traffic shifts to it: its failed
        # invocations through the alias, and the unhandled errors the API resolver counts
        # with the version as a dimension (`shared.api.resolver.count_unhandled_error`).
        new_version = self.function.current_version.version
        self.version_alarms = [
            self._alarm(
                "NewVersionErrors",
                f"{package}: failed invocations of the version being deployed",
                cloudwatch.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions_map={
                        "FunctionName": self.name,
                        "Resource": f"{self.name}:{self.alias.alias_name}",
                        "ExecutedVersion": new_version,
                    },
                ),
            ),
            self._alarm(
                "NewVersionUnhandledErrors",
                f"{package}: unhandled errors in the version being deployed",
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name="UnhandledError",
                    dimensions_map={"service": package, "version": new_version},
                ),
            ),
        ]
        # Before any traffic moves, the stack's hook tries the new version (a smoke test).
        hook = stack_hook(self, config, layers)
        self.deployment_group = codedeploy.LambdaDeploymentGroup(
            self,
            "Deployment",
            alias=self.alias,
            deployment_config=_DEPLOYMENTS[config.deployment],
            alarms=[self.errors_alarm, *self.version_alarms],
            pre_hook=hook.function,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        hook.watch(self.function, self.deployment_group)
        for alarm in (self.errors_alarm, *self.version_alarms):
            acknowledge_guard(
                alarm,
                "cloudwatch_alarm_action_check",
                "CodeDeploy watches this alarm and rolls the deployment back; the "
                "function's errors also raise the observability stack's alarm, which notifies.",
            )
        acknowledge(
            self.deployment_group,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSCodeDeployRoleForLambdaLimited]",
            "CodeDeploy's own service role uses the AWS-maintained policy scoped to Lambda "
            "traffic shifting; it is the documented minimum for Lambda deployments.",
        )

    def _alarm(self, construct_id: str, why: str, metric: cloudwatch.Metric) -> cloudwatch.Alarm:
        """An alarm that rolls a deployment back on one occurrence within a minute."""
        return cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=with_runbook(f"{why}: rolls the deployment back", "functions"),
            metric=metric.with_(period=Duration.minutes(1), statistic="Sum"),
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
