"""Integration: the domain-event bus (with archive), the publisher that feeds it from the
table's change stream, and the consumers, each behind its own queue."""

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.events import SOURCE_PREFIX
from stacks.config import StageConfig
from stacks.constructs.event_consumer import EventConsumer
from stacks.constructs.layers import LambdaLayers
from stacks.constructs.queues import secure_queue
from stacks.constructs.service_function import ServiceFunction
from stacks.nag import acknowledge

COUNTED_EVENTS = (
    "user_joined_club",
    "membership_approved",
    "membership_ended",
    "membership_suspended",
    "membership_reinstated",
    "ride_created",
    "ride_cancelled",
)


class IntegrationStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.bus = events.EventBus(self, "Bus", event_bus_name=config.prefix)
        self.bus.archive(
            "Archive",
            description="Every domain event, for replay after a consumer bug",
            event_pattern=events.EventPattern(source=events.Match.prefix(f"{SOURCE_PREFIX}.")),
            retention=Duration.days(365 if config.retain_data else 30),
        )
        layers = LambdaLayers(self, "Layers")

        self.publisher = ServiceFunction(
            self,
            "EventPublisher",
            config=config,
            package="integration",
            handler="integration.publisher.handler",
            description=f"Publishes domain events from the table stream ({config.name})",
            layers=layers,
            environment={"TABLE_NAME": table.table_name, "EVENT_BUS_NAME": self.bus.event_bus_name},
            timeout=Duration.seconds(30),
        )
        self.bus.grant_put_events_to(self.publisher.role)
        self.stream_failures = secure_queue(self, "StreamFailures")
        acknowledge(
            self.stream_failures,
            "AwsSolutions-SQS3",
            "This queue is itself the failure destination of the stream's event source "
            "mapping (a dead-letter queue for stream batches), alarmed on by depth.",
        )
        self.publisher.function.add_event_source(
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

        self.counts = ServiceFunction(
            self,
            "CountsConsumer",
            config=config,
            package="integration",
            handler="integration.counts.handler",
            description=f"Maintains member and ride counts from domain events ({config.name})",
            layers=layers,
            environment={"TABLE_NAME": table.table_name},
            timeout=Duration.seconds(30),
        )
        # Only the idempotency marker put and the counter update, inside one transaction.
        self.counts.role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem", "dynamodb:UpdateItem"], resources=[table.table_arn]
            )
        )
        self.counts_consumer = EventConsumer(
            self, "Counts", bus=self.bus, event_types=COUNTED_EVENTS, function=self.counts
        )
        self.dead_letter_queues: dict[str, sqs.IQueue] = {
            "StreamFailures": self.stream_failures,
            "CountsDeadLetters": self.counts_consumer.dead_letter_queue,
        }
