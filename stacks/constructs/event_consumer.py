"""The pattern every domain-event consumer follows: rule -> SQS queue (+ DLQ) -> Lambda.

The queue absorbs bursts and retries; after `max_receive_count` failures a message moves to
the dead-letter queue, whose depth the observability stack alarms on.
"""

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.events import SOURCE_PREFIX
from stacks.constructs.queues import secure_queue
from stacks.constructs.service_function import ServiceFunction


class EventConsumer(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        event_types: Sequence[str],
        function: ServiceFunction,
        max_receive_count: int = 5,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = secure_queue(self, "DeadLetters", removal_policy=removal_policy)
        self.queue = secure_queue(
            self,
            "Queue",
            removal_policy=removal_policy,
            # Six times the function timeout, as Lambda's SQS integration recommends.
            visibility_timeout=Duration.seconds(6 * function.timeout.to_seconds()),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=max_receive_count
            ),
        )
        if event_types:
            events.Rule(
                self,
                "Rule",
                event_bus=bus,
                event_pattern=events.EventPattern(
                    source=events.Match.prefix(f"{SOURCE_PREFIX}."),
                    detail_type=list(event_types),
                ),
                targets=[targets.SqsQueue(self.queue)],
            )
        # Through the alias: CodeDeploy shifts these invocations too, and its alarms see them.
        function.alias.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )
