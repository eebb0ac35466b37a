"""Observability: one dashboard and the alarms operators act on, sent to an SNS topic."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Aws, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from cdk_monitoring_constructs import (
    AlarmFactoryDefaults,
    CustomMetricGroup,
    DefaultDashboardFactory,
    ErrorCountThreshold,
    ErrorRateThreshold,
    LatencyThreshold,
    MaxAgeThreshold,
    MaxMessageCountThreshold,
    MonitoringFacade,
    SnsAlarmActionStrategy,
    ThrottledEventsThreshold,
)
from constructs import Construct

from shared.names import (
    api_canary_alarm_name,
    ops_topic_parameter,
    platform_health_alarm_name,
)
from stacks.config import StageConfig
from stacks.constructs.business_kpis import BusinessKpis
from stacks.constructs.feature_flags import FlagsDeployment
from stacks.constructs.service_function import METRICS_NAMESPACE as NAMESPACE
from stacks.constructs.service_function import ServiceFunction
from stacks.consumers import integration_alarm_names
from stacks.runbooks import runbook, with_runbook

# Events older than this on the table's stream mean notifications and counts run late.
STREAM_LAG_MS = 60_000
# Blocked requests in five minutes that say something is going on at the edge.
WAF_BLOCKS = 500
# Where SES puts an account under review (bounces) or may pause its sending (complaints).
BOUNCE_RATE = 0.05
COMPLAINT_RATE = 0.001
# An invocation taking this share of its timeout is close to failing.
NEAR_TIMEOUT = 0.8
# Alarms per part of the platform health alarm (composite rules are limited in length).
HEALTH_GROUP = 40


def _near_timeout(timeout: Duration) -> Duration:
    return Duration.millis(int(timeout.to_milliseconds() * NEAR_TIMEOUT))


@dataclass(frozen=True)
class WatchedFunction:
    """A function the observability stack alarms on, by its fixed name."""

    name: str
    label: str
    timeout: Duration

    @classmethod
    def of(cls, function: ServiceFunction) -> "WatchedFunction":
        return cls(function.name, function.node.id, function.timeout)


def _search_group(title: str, search: str, minutes: int) -> CustomMetricGroup:
    """A graph of every metric a CloudWatch SEARCH finds (summed per period): for metrics
    whose dimension values are only known at run time (canary stage, category, channel)."""
    return CustomMetricGroup(
        title=title,
        metrics=[
            cloudwatch.MathExpression(
                label=title,
                expression=f"SEARCH('{search}', 'Sum', {minutes * 60})",
                using_metrics={},
                period=Duration.minutes(minutes),
            )
        ],
    )


class ObservabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        api: apigw.RestApi,
        api_stage: str,
        functions: Sequence[WatchedFunction],
        stream_reader: str,
        dead_letter_queues: Mapping[str, str],
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.topic = self._ops_topic(config)
        monitoring = self._monitoring(config)
        self._watch_api_functions_and_table(
            monitoring, config, api, api_stage, functions, stream_reader
        )
        self._watch_releases_and_deliveries(monitoring, config)
        self._watch_dead_letters(monitoring, dead_letter_queues)
        edge_and_mail = self._watch_edge_and_mail(config)
        self.health = self._platform_health(monitoring, config, edge_and_mail)
        # What riders and clubs do: a dashboard and alarms of their own (not in the health).
        self.kpis = BusinessKpis(self, "BusinessKpis", config=config, topic=self.topic)
        # The flags' rollout, watched by the alarm just made (it must exist first).
        FlagsDeployment(self, "FeatureFlagsRollout", config=config, after=self.health)

    def _ops_topic(self, config: StageConfig) -> sns.Topic:
        """Where the stage's alarms notify (TLS only), with its ARN in SSM for run-time alarms."""
        topic = sns.Topic(self, "OpsTopic", display_name=f"{config.prefix} operations")
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"Bool": {"aws:SecureTransport": "false"}},
            )
        )
        if config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        # For alarms made at run time (the API canary's): a parameter, not an export.
        ssm.StringParameter(
            self,
            "OpsTopicArn",
            parameter_name=ops_topic_parameter(config.name),
            string_value=topic.topic_arn,
            description="Where the stage's alarms notify (read by ops/api_canary.py)",
        )
        return topic

    def _monitoring(self, config: StageConfig) -> MonitoringFacade:
        """Alarms through the ops topic (2 of 3 datapoints) and the stage's dashboards."""
        return MonitoringFacade(
            self,
            "Monitoring",
            alarm_factory_defaults=AlarmFactoryDefaults(
                actions_enabled=True,
                alarm_name_prefix=config.prefix,
                # The index of runbooks, for an alarm whose threshold names no page.
                runbook_link=runbook("README"),
                action=SnsAlarmActionStrategy(on_alarm_topic=self.topic),
                datapoints_to_alarm=2,
                evaluation_periods=3,
            ),
            dashboard_factory=DefaultDashboardFactory(
                self, "Dashboards", dashboard_name_prefix=config.prefix
            ),
        )

    def _watch_api_functions_and_table(
        self,
        monitoring: MonitoringFacade,
        config: StageConfig,
        api: apigw.RestApi,
        api_stage: str,
        functions: Sequence[WatchedFunction],
        stream_reader: str,
    ) -> None:
        """The API's errors and latency, each function, and the table."""
        monitoring.monitor_api_gateway(
            api=api,
            api_stage=api_stage,
            alarm_friendly_name="api",
            add5_xx_fault_rate_alarm={
                "Warning": ErrorRateThreshold(max_error_rate=0.01, runbook_link=runbook("api"))
            },
            add_latency_p99_alarm={
                "Warning": LatencyThreshold(
                    max_latency=Duration.seconds(2), runbook_link=runbook("api")
                )
            },
        )
        function_runbook = runbook("functions")
        # Functions, the table and queues by their fixed names: nothing is imported from the
        # stacks that own them (renaming or replacing one never blocks their update).
        for service in functions:
            monitoring.monitor_lambda_function(
                lambda_function=lambda_.Function.from_function_name(
                    self, f"{service.label}Function", service.name
                ),
                alarm_friendly_name=service.label,
                human_readable_name=service.label,
                add_fault_count_alarm={
                    "Warning": ErrorCountThreshold(max_error_count=1, runbook_link=function_runbook)
                },
                add_throttles_count_alarm={
                    "Warning": ErrorCountThreshold(max_error_count=1, runbook_link=function_runbook)
                },
                # Slow work is seen before it becomes a timeout (an error, a retried batch).
                add_max_latency_alarm={
                    "Warning": LatencyThreshold(
                        max_latency=_near_timeout(service.timeout), runbook_link=function_runbook
                    )
                },
                # Only the stream reader has an iterator: its age is how far events lag.
                add_max_iterator_age_alarm=(
                    {
                        "Warning": MaxAgeThreshold(
                            max_age_in_millis=STREAM_LAG_MS, runbook_link=runbook("data")
                        )
                    }
                    if service.name == stream_reader
                    else None
                ),
            )
        monitoring.monitor_dynamo_table(
            table=dynamodb.Table.from_table_name(self, "Table", config.table_name),
            add_read_throttled_events_count_alarm={
                "Warning": ThrottledEventsThreshold(
                    max_throttled_events_threshold=1, runbook_link=runbook("data")
                )
            },
            add_write_throttled_events_count_alarm={
                "Warning": ThrottledEventsThreshold(
                    max_throttled_events_threshold=1, runbook_link=runbook("data")
                )
            },
        )

    def _watch_releases_and_deliveries(
        self, monitoring: MonitoringFacade, config: StageConfig
    ) -> None:
        """API releases side by side, the canary's alarm, and what notifications deliver."""
        # API releases: the stage and, during a canary release, the canary side by side
        # (`ops/api_canary.py`); SEARCH finds whatever Stage values API Gateway reports.
        api_name = f"{config.prefix}-api"
        monitoring.monitor_custom(
            alarm_friendly_name="ApiReleases",
            human_readable_name="API releases: stage and canary",
            metric_groups=[
                _search_group(
                    title,
                    f'{{AWS/ApiGateway,ApiName,Stage}} ApiName="{api_name}" MetricName="{metric}"',
                    minutes=1,
                )
                for title, metric in (("Requests", "Count"), ("5XX errors", "5XXError"))
            ],
        )
        # The canary's own alarm exists only during a release: `ops/api_canary.py status`
        # makes it under this fixed name on the canary's Stage value (`v1/Canary`), and
        # promote or rollback removes it.
        canary_alarm = cloudwatch.Alarm.from_alarm_arn(
            self,
            "ApiCanaryAlarm",
            self.format_arn(
                service="cloudwatch",
                resource="alarm",
                resource_name=api_canary_alarm_name(config.name),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
        )
        monitoring.add_widget(
            cloudwatch.AlarmStatusWidget(
                title="API canary 5XX rate (during a release)", alarms=[canary_alarm], width=24
            )
        )
        monitoring.add_large_header("Notifications")
        monitoring.monitor_custom(
            alarm_friendly_name="Notifications",
            human_readable_name="Notifications by category and channel",
            metric_groups=[
                _search_group(
                    title, f'{{{NAMESPACE},category,channel}} MetricName="{metric}"', minutes=5
                )
                for title, metric in (
                    ("Sent", "NotificationSent"),
                    ("Suppressed (bounced or complained)", "NotificationSuppressed"),
                    ("Opted out", "NotificationOptedOut"),
                    ("Failed sends (retried)", "NotificationFailed"),
                    ("Push devices pruned", "PushDevicePruned"),
                )
            ],
        )

    def _watch_dead_letters(
        self, monitoring: MonitoringFacade, dead_letter_queues: Mapping[str, str]
    ) -> None:
        """Any message in a dead-letter queue is an alarm."""
        for name, queue_name in dead_letter_queues.items():
            queue = sqs.Queue.from_queue_attributes(
                self,
                f"{name}Queue",
                queue_arn=f"arn:{Aws.PARTITION}:sqs:{Aws.REGION}:{Aws.ACCOUNT_ID}:{queue_name}",
                queue_name=queue_name,
            )
            monitoring.monitor_sqs_queue(
                queue=queue,
                alarm_friendly_name=name,
                human_readable_name=f"{name} (dead letters)",
                add_queue_max_size_alarm={
                    "Warning": MaxMessageCountThreshold(
                        max_message_count=0, runbook_link=runbook("dead-letters")
                    )
                },
            )

    def _watch_edge_and_mail(self, config: StageConfig) -> list[cloudwatch.Alarm]:
        """WAF blocking a surge of requests (an attack, or real clients refused), and the
        stage's mail reputation before SES pauses sending (bounces 5%, complaints 0.1%
        are where SES starts reviewing an account)."""
        blocked = cloudwatch.Metric(
            namespace="AWS/WAFV2",
            metric_name="BlockedRequests",
            dimensions_map={"WebACL": f"{config.prefix}-api", "Region": Aws.REGION, "Rule": "ALL"},
            statistic="Sum",
            period=Duration.minutes(5),
        )
        watched: list[tuple[str, str, cloudwatch.Metric, float, str, str]] = [
            ("WafBlocks", "waf-blocks", blocked, WAF_BLOCKS, "edge",
             f"WAF blocked more than {WAF_BLOCKS} requests in 5 minutes, twice in 15"),
        ]  # fmt: skip
        for metric_name, limit, label in (
            ("Reputation.BounceRate", BOUNCE_RATE, "bounce"),
            ("Reputation.ComplaintRate", COMPLAINT_RATE, "complaint"),
        ):
            rate = cloudwatch.Metric(
                namespace="AWS/SES",
                metric_name=metric_name,
                dimensions_map={"ses:configuration-set": f"{config.prefix}-notifications"},
                statistic="Maximum",
                period=Duration.minutes(15),
            )
            watched.append(
                (f"Mail{label.title()}Rate", f"mail-{label}-rate", rate, limit, "mail",
                 f"The stage's mail {label} rate is above {limit:.1%}")
            )  # fmt: skip
        alarms = []
        for construct_id, name, metric, threshold, page, description in watched:
            alarm = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_name=f"{config.prefix}-{name}",
                alarm_description=with_runbook(description, page),
                metric=metric,
                threshold=threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.topic))
            alarms.append(alarm)
        return alarms

    def _platform_health(
        self,
        monitoring: MonitoringFacade,
        config: StageConfig,
        extra: Sequence[cloudwatch.IAlarm],
    ) -> cloudwatch.CompositeAlarm:
        """One alarm over every alarm of the stage, in groups (a composite rule is limited)."""
        # One signal for "something is wrong": AppConfig watches it during a flags rollout
        # (and rolls back), and operators can page on it alone.
        alarms: list[cloudwatch.IAlarm] = [c.alarm for c in monitoring.created_alarms()]
        alarms += extra
        # ...and those beside the integration stack's queues and rules, by their names.
        alarms += [
            cloudwatch.Alarm.from_alarm_name(self, f"Integration{i}", name)
            for i, name in enumerate(integration_alarm_names(config.prefix))
        ]
        # A composite alarm's rule holds at most 10,240 characters (about 90 alarm ARNs):
        # groups of 40, then one alarm over the groups.
        groups = [
            cloudwatch.CompositeAlarm(
                self,
                f"PlatformHealth{n}",
                composite_alarm_name=f"{platform_health_alarm_name(config.name)}-{n}",
                alarm_description=with_runbook(
                    "Part of the platform health alarm", "platform-health"
                ),
                alarm_rule=cloudwatch.AlarmRule.any_of(*alarms[start : start + HEALTH_GROUP]),
            )
            for n, start in enumerate(range(0, len(alarms), HEALTH_GROUP), start=1)
        ]
        health = cloudwatch.CompositeAlarm(
            self,
            "PlatformHealth",
            composite_alarm_name=platform_health_alarm_name(config.name),
            alarm_description=with_runbook(
                "In ALARM while any of the stage's alarms is; a feature-flags deployment "
                "in AppConfig rolls back when it goes off",
                "platform-health",
            ),
            alarm_rule=cloudwatch.AlarmRule.any_of(*groups),
        )
        health.add_alarm_action(cloudwatch_actions.SnsAction(self.topic))
        return health
