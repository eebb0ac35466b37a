"""The pattern every domain-event consumer follows: rule -> SQS queue (+ DLQ) -> Lambda.

The queue absorbs bursts and retries; after `max_receive_count` failures a message moves to
the dead-letter queue, whose depth the observability stack alarms on.
"""

from collections.abc import Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.events import SOURCE_PREFIX
from stacks.config import StageConfig
from stacks.constructs.delivery_alarms import oldest_message_alarm, rule_failures_alarm
from stacks.constructs.queues import dead_letter_queue, secure_queue
from stacks.constructs.service_function import ServiceFunction
from stacks.consumers import (
    Consumer,
    dead_letter_queue_name,
    failed_deliveries_alarm_name,
    job_schedule_name,
    oldest_message_alarm_name,
)


def queue_target(queue: sqs.IQueue, dead_letters: sqs.IQueue) -> targets.SqsQueue:
    """A rule's SQS target with retries of its own for a day, then the dead-letter queue
    (an event EventBridge cannot put on the queue is kept, not dropped)."""
    return targets.SqsQueue(
        queue,
        dead_letter_queue=dead_letters,
        retry_attempts=185,
        max_event_age=Duration.hours(24),
    )


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
        alarm_prefix: str,
        max_message_age_minutes: int = 15,
        max_concurrency: int = 5,
        batch_size: int = 10,
        batching_window_seconds: int = 0,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue_name = dead_letter_queue_name(alarm_prefix, construct_id)
        self.dead_letter_queue = dead_letter_queue(
            self,
            "DeadLetters",
            removal_policy=removal_policy,
            queue_name=self.dead_letter_queue_name,
        )
        self.queue = secure_queue(
            self,
            "Queue",
            removal_policy=removal_policy,
            # Six times the function timeout, plus the batching window, as Lambda's SQS
            # integration recommends.
            visibility_timeout=Duration.seconds(
                6 * function.timeout.to_seconds() + batching_window_seconds
            ),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=max_receive_count
            ),
        )
        oldest_message_alarm(
            self,
            oldest_message_alarm_name(alarm_prefix, construct_id),
            self.queue,
            max_message_age_minutes,
        )
        if event_types:
            rule = events.Rule(
                self,
                "Rule",
                event_bus=bus,
                event_pattern=events.EventPattern(
                    source=events.Match.prefix(f"{SOURCE_PREFIX}."),
                    detail_type=list(event_types),
                ),
                targets=[queue_target(self.queue, self.dead_letter_queue)],
            )
            rule_failures_alarm(
                self, failed_deliveries_alarm_name(alarm_prefix, construct_id), rule
            )
        # Through the alias: CodeDeploy shifts these invocations too, and its alarms see them.
        function.alias.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=batch_size,
                max_batching_window=Duration.seconds(batching_window_seconds)
                if batching_window_seconds
                else None,
                report_batch_item_failures=True,
                max_concurrency=max_concurrency,
            )
        )


def recurring_job(
    scope: Construct, consumer: Consumer, config: StageConfig, wiring: "EventConsumer"
) -> scheduler.CfnSchedule:
    """The consumer's recurring job: an EventBridge Scheduler schedule that puts its message
    on the queue, with a role that may send there and to the dead letters (where Scheduler
    puts a message it could not deliver after its retries: alarmed there)."""
    assert consumer.job is not None
    role = iam.Role(
        scope,
        f"{consumer.name}JobRole",
        assumed_by=iam.ServicePrincipal(
            "scheduler.amazonaws.com",
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        ),
        description=f"{config.prefix} {consumer.name} job: send to its queue only",
    )
    wiring.queue.grant_send_messages(role)
    wiring.dead_letter_queue.grant_send_messages(role)
    return scheduler.CfnSchedule(
        scope,
        f"{consumer.name}Job",
        name=job_schedule_name(config.prefix, consumer.name),
        description=f"{consumer.name}: {consumer.job.message}",
        schedule_expression=consumer.job.expression,
        flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
        target=scheduler.CfnSchedule.TargetProperty(
            arn=wiring.queue.queue_arn,
            role_arn=role.role_arn,
            input=consumer.job.message,
            retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                maximum_event_age_in_seconds=3600, maximum_retry_attempts=10
            ),
            dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                arn=wiring.dead_letter_queue.queue_arn
            ),
        ),
    )
