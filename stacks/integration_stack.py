"""Integration: the domain-event bus (with archive), the publisher that feeds it from the
table's change stream, and the consumers, each behind its own queue."""

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.events import SOURCE_PREFIX
from stacks.config import StageConfig
from stacks.constructs.delivery_alarms import oldest_message_alarm, rule_failures_alarm
from stacks.constructs.egress_network import EgressNetwork
from stacks.constructs.event_consumer import EventConsumer, queue_target, recurring_job
from stacks.constructs.feature_flags import FlagsReaders
from stacks.constructs.layers import LambdaLayers
from stacks.constructs.notifications import (
    NotificationChannels,
    acknowledge_push_endpoints,
    push_endpoint_arns,
)
from stacks.constructs.queues import dead_letter_queue, secure_queue
from stacks.constructs.reach import grant_declared, grant_named, stage_values
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.strava_secrets import StravaSecrets
from stacks.constructs.table_reference import active_table
from stacks.consumers import (
    CLUB_WEBHOOKS,
    CONSUMERS,
    COUNTS,
    NOTIFICATIONS,
    PUBLISHER_HANDLER,
    PUBLISHER_SETTINGS,
    STRAVA_SYNC,
    UPLOADS_RULE,
    WEBHOOK_DELIVERY,
    WORKERS,
    Consumer,
    QueueWorker,
    dead_letter_queue_name,
    failed_deliveries_alarm_name,
    oldest_message_alarm_name,
)
from stacks.environment import function_environment, queue_url_field
from stacks.nag import acknowledge


def _removal(config: StageConfig) -> RemovalPolicy:
    return config.removal_policy


class IntegrationStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        secrets_key: kms.IKey,
        bucket_arn: str,
        user_pool: cognito.IUserPool,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        table = active_table(self, config, stream=True)
        self.bus = self._bus(config)
        layers = LambdaLayers(self, "Layers")
        values = stage_values(
            config,
            table_name=table.table_name,
            secrets_key_id=secrets_key.key_arn,
            event_bus_name=self.bus.event_bus_name,
            user_pool_id=user_pool.user_pool_id,
        )
        self.user_pool_arn = user_pool.user_pool_arn
        self.publisher = self._publisher(config, layers, table, values)
        self.egress = EgressNetwork(
            self, "Egress", config=config, table_arn=table.table_arn, bucket_arn=bucket_arn
        )
        self.strava = StravaSecrets(self, "Strava", config=config)
        self.consumers: dict[str, ServiceFunction] = {}
        flags = FlagsReaders(self, "FeatureFlags", config=config)
        # Label -> name of every dead-letter queue (the observability stack alarms on them).
        self.dead_letter_queues: dict[str, str] = {
            "StreamFailures": dead_letter_queue_name(config.prefix, "StreamFailures")
        }
        for consumer in CONSUMERS:
            self._consumer(consumer, config, layers, flags, values, table.table_arn)
        self.counts = self.consumers[COUNTS.name]
        self._webhook_delivery(config, layers, values)
        # Every queue exists now: each function gets its environment and grants.
        declarations: tuple[Consumer | QueueWorker, ...] = (*CONSUMERS, *WORKERS)
        for declared in declarations:
            grant_declared(self.consumers[declared.name], declared, values, config, table.table_arn)

    def _bus(self, config: StageConfig) -> events.EventBus:
        """The domain-event bus and its archive (replays after a consumer bug)."""
        bus = events.EventBus(self, "Bus", event_bus_name=config.prefix)
        # Outside dev the bus, its archive and every queue outlive the stack (messages kept).
        bus.apply_removal_policy(_removal(config))
        archive = bus.archive(
            "Archive",
            description="Every domain event, for replay after a consumer bug",
            event_pattern=events.EventPattern(source=events.Match.prefix(f"{SOURCE_PREFIX}.")),
            retention=Duration.days(365 if config.retain_data else 30),
        )
        archive.apply_removal_policy(_removal(config))
        return bus

    def _publisher(
        self,
        config: StageConfig,
        layers: LambdaLayers,
        table: dynamodb.ITable,
        values: dict[str, object],
    ) -> ServiceFunction:
        """The table stream -> the bus, with failed batches kept in a dead-letter queue."""
        publisher = ServiceFunction(
            self,
            "EventPublisher",
            config=config,
            package="publisher",
            handler=PUBLISHER_HANDLER,
            description=f"Publishes domain events from the table stream ({config.name})",
            layers=layers,
            environment=function_environment(PUBLISHER_SETTINGS, values),
            timeout=Duration.seconds(30),
            reserved_concurrency=config.publisher_concurrency,
        )
        grant_named(publisher, function_environment(PUBLISHER_SETTINGS, values))
        self.stream_failures = dead_letter_queue(
            self,
            "StreamFailures",
            removal_policy=_removal(config),
            queue_name=dead_letter_queue_name(config.prefix, "StreamFailures"),
        )
        acknowledge(
            self.stream_failures,
            "AwsSolutions-SQS3",
            "This queue is itself the failure destination of the stream's event source "
            "mapping (a dead-letter queue for stream batches), alarmed on by depth.",
        )
        # Through the alias: CodeDeploy shifts these invocations too, and its alarms see them.
        publisher.alias.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                bisect_batch_on_error=True,
                retry_attempts=10,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(self.stream_failures),
            )
        )
        return publisher

    def _consumer(
        self,
        consumer: Consumer,
        config: StageConfig,
        layers: LambdaLayers,
        flags: FlagsReaders,
        values: dict[str, object],
        table_arn: str,
    ) -> None:
        """Its function behind rule -> SQS (+ DLQ); its queue's URL joins the values."""
        function = ServiceFunction(
            self,
            f"{consumer.name}Consumer",
            config=config,
            package=consumer.handler.split(".")[0],
            handler=consumer.handler,
            description=f"{consumer.name} consumer of domain events ({config.name})",
            layers=layers,
            timeout=Duration.seconds(30),
            network=self.egress.network if consumer.egress else None,
            memory_mb=consumer.memory_mb,
        )
        wiring = EventConsumer(
            self,
            consumer.name,
            bus=self.bus,
            event_types=consumer.event_types,
            function=function,
            max_receive_count=consumer.max_receive_count,
            removal_policy=_removal(config),
            alarm_prefix=config.prefix,
            max_message_age_minutes=consumer.max_message_age_minutes,
            max_concurrency=consumer.max_concurrency,
            batch_size=consumer.batch_size,
            batching_window_seconds=consumer.batching_window_seconds,
        )
        self.consumers[consumer.name] = function
        self.dead_letter_queues[f"{consumer.name}DeadLetters"] = wiring.dead_letter_queue_name
        values[queue_url_field(consumer.name)] = wiring.queue.queue_url
        if consumer is NOTIFICATIONS:
            self.notifications = NotificationChannels(
                self,
                "NotificationChannels",
                config=config,
                queue=wiring.queue,
                dead_letters=wiring.dead_letter_queue,
            )
            values.update(self.notifications.values)
            self.notifications.grant_consumer(function.role, config, table_arn)
        if consumer.uploads_prefix:
            self._uploads(config, consumer.uploads_prefix, wiring)
        if consumer.feature_flags:
            flags.grant(function)
        if consumer.job:
            recurring_job(self, consumer, config, wiring)
        if consumer.user_pool_actions:
            function.role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=list(consumer.user_pool_actions), resources=[self.user_pool_arn]
                )
            )
        if consumer.push_endpoints:
            function.role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["sns:DeleteEndpoint"],
                    resources=[push_endpoint_arns(config, p) for p in ("apns", "fcm")],
                )
            )
            acknowledge_push_endpoints(function.role, config)
        if consumer is STRAVA_SYNC:
            # Rate-limited messages are postponed on its own queue.
            wiring.queue.grant(function.role, "sqs:ChangeMessageVisibility")

    def _uploads(self, config: StageConfig, prefix: str, wiring: EventConsumer) -> None:
        """S3's events for new objects under `prefix` (default bus) -> the queue."""
        rule = events.Rule(
            self,
            UPLOADS_RULE,
            description=f"New objects under {prefix} of the assets bucket -> their validation",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [config.assets_bucket_name]},
                    "object": {"key": [{"prefix": prefix}]},
                },
            ),
            targets=[queue_target(wiring.queue, wiring.dead_letter_queue)],
        )
        rule_failures_alarm(rule, failed_deliveries_alarm_name(config.prefix, UPLOADS_RULE), rule)

    def _webhook_delivery(
        self, config: StageConfig, layers: LambdaLayers, values: dict[str, object]
    ) -> None:
        """The delivery queue the fan-out feeds, and the worker that posts to clubs'
        endpoints from inside the egress VPC."""
        worker = WEBHOOK_DELIVERY
        dead_letters = dead_letter_queue(
            self,
            "WebhookDeliveryDeadLetters",
            removal_policy=_removal(config),
            queue_name=dead_letter_queue_name(config.prefix, worker.name),
        )
        function = ServiceFunction(
            self,
            f"{worker.name}Worker",
            config=config,
            package=worker.handler.split(".")[0],
            handler=worker.handler,
            description=f"Delivers club webhooks ({config.name})",
            layers=layers,
            timeout=Duration.seconds(30),
            network=self.egress.network,
        )
        queue = secure_queue(
            self,
            "WebhookDeliveries",
            removal_policy=_removal(config),
            visibility_timeout=Duration.seconds(6 * function.timeout.to_seconds()),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letters, max_receive_count=worker.max_receive_count
            ),
        )
        function.alias.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=worker.batch_size,
                report_batch_item_failures=True,
                max_concurrency=worker.max_concurrency,
            )
        )
        oldest_message_alarm(
            queue,
            oldest_message_alarm_name(config.prefix, worker.name),
            queue,
            worker.max_message_age_minutes,
        )
        # Postponing a failed delivery is a visibility change of its own message.
        queue.grant(function.role, "sqs:ChangeMessageVisibility")
        queue.grant_send_messages(self.consumers[CLUB_WEBHOOKS.name].role)
        values[queue_url_field(worker.name)] = queue.queue_url
        values["webhook_max_attempts"] = worker.attempts
        self.consumers[worker.name] = function
        self.dead_letter_queues[f"{worker.name}DeadLetters"] = dead_letter_queue_name(
            config.prefix, worker.name
        )
        self.webhook_deliveries = queue
