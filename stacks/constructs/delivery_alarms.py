"""Alarms that live beside the queues and rules they watch (in the integration stack), with
fixed names (`stacks.consumers`) the observability stack's composite alarm refers to, so
no stack exports a queue or rule name. They have no actions of their own: the composite
alarm notifies, once, whichever of them went off."""

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.nag import acknowledge_guard
from stacks.runbooks import with_runbook


def _reported_by_the_composite(alarm: cloudwatch.Alarm) -> cloudwatch.Alarm:
    acknowledge_guard(
        alarm,
        "cloudwatch_alarm_action_check",
        "A member of the stage's platform-health composite alarm, which notifies the "
        "operations topic once for whichever member went off (no duplicate pages).",
    )
    return alarm


def oldest_message_alarm(
    scope: Construct, name: str, queue: sqs.IQueue, minutes: int
) -> cloudwatch.Alarm:
    """The queue's consumer is behind: its oldest message has waited `minutes`."""
    alarm = cloudwatch.Alarm(
        scope,
        "OldestMessage",
        alarm_name=name,
        alarm_description=with_runbook(
            f"A message has waited {minutes} min on {queue.node.path}", "dead-letters"
        ),
        metric=queue.metric_approximate_age_of_oldest_message(
            period=Duration.minutes(5), statistic="Maximum"
        ),
        threshold=minutes * 60,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=2,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return _reported_by_the_composite(alarm)


def rule_failures_alarm(scope: Construct, name: str, rule: events.IRule) -> cloudwatch.Alarm:
    """EventBridge could not put an event on the rule's target (after its retries; the
    event is then in the target's dead-letter queue)."""
    metric = cloudwatch.Metric(
        namespace="AWS/Events",
        metric_name="FailedInvocations",
        dimensions_map={"RuleName": rule.rule_name},
        period=Duration.minutes(5),
        statistic="Sum",
    )
    alarm = cloudwatch.Alarm(
        scope,
        "RuleFailures",
        alarm_name=name,
        alarm_description=with_runbook(
            f"Events the rule {rule.node.path} could not deliver", "dead-letters"
        ),
        metric=metric,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return _reported_by_the_composite(alarm)


def any_of_alarm(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    description: str,
    runbook_page: str,
    metrics: list[cloudwatch.IMetric],
    threshold: float = 0,
) -> cloudwatch.Alarm:
    """An alarm on the sum of several metrics (one per NAT gateway, or one per kind of
    failure) over five minutes, above `threshold`."""
    terms = {f"m{i}": metric for i, metric in enumerate(metrics)}
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_name=name,
        alarm_description=with_runbook(description, runbook_page),
        metric=cloudwatch.MathExpression(
            expression=" + ".join(f"FILL({key}, 0)" for key in terms),
            using_metrics=terms,
            period=Duration.minutes(5),
        ),
        threshold=threshold,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    return _reported_by_the_composite(alarm)
