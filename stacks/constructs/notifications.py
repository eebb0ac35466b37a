"""The notifications context's infrastructure, beside its consumer's rule -> SQS -> Lambda:

- SES: the sender's domain identity and a configuration set whose bounce and complaint
  events go to the default event bus, where a rule sends them to the consumer's queue;
- EventBridge Scheduler: a schedule group for ride reminders, and the role schedules use,
  allowed to send to that one queue and nothing else;
- Secrets Manager: the key that signs unsubscribe links (generated) and the push
  platforms' credentials (created empty; an operator sets them, see the README);
- SNS platform applications cannot be made by CloudFormation: `ops/push_platforms.py`
  makes them from the credentials secret, with the names the functions expect.
"""

from aws_cdk import Aws
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shared.names import (
    push_application_name,
    push_credentials_secret_name,
    reminder_group_name,
    signing_secret_name,
)
from stacks.config import StageConfig
from stacks.constructs.delivery_alarms import any_of_alarm, rule_failures_alarm
from stacks.constructs.event_consumer import queue_target
from stacks.consumers import (
    SES_EVENT_PATTERN,
    SES_FEEDBACK_RULE,
    failed_deliveries_alarm_name,
    lost_reminders_alarm_name,
)
from stacks.nag import acknowledge


def _arn(service: str, resource: str) -> str:
    """An ARN in this stack's account and region."""
    return f"arn:{Aws.PARTITION}:{service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource}"


def push_application_arns(config: StageConfig) -> dict[str, str]:
    """The SNS platform applications' ARNs, known from their names (made by the ops
    script), so no stack or function has to look them up."""
    return {
        "apns": _arn(
            "sns", f"app/{config.apns_platform}/{push_application_name(config.name, 'apns')}"
        ),
        "fcm": _arn("sns", f"app/GCM/{push_application_name(config.name, 'fcm')}"),
    }


def push_endpoint_arns(config: StageConfig, platform: str) -> str:
    """Every endpoint (device) under a platform application of the stage."""
    return _arn("sns", f"endpoint/*/{push_application_name(config.name, platform)}/*")


def acknowledge_push_endpoints(role: iam.IRole, config: StageConfig) -> None:
    for platform in ("apns", "fcm"):
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:<AWS::Region>:"
            f"<AWS::AccountId>:endpoint/*/{push_application_name(config.name, platform)}/*]",
            "Each registered phone is an SNS endpoint with a generated id under the stage's "
            "platform application; the grant is limited to that application's endpoints.",
        )


class NotificationChannels(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        queue: sqs.IQueue,
        dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self._mail(config, queue, dead_letters)
        self._reminders(config, queue, dead_letters)
        self._secrets(config)
        self.push_applications = push_application_arns(config)
        # The consumer's settings (`NotificationDeliverySettings`) this construct decides.
        self.values: dict[str, object] = {
            "email_configuration_set": self.configuration_set.configuration_set_name,
            "reminder_queue_arn": queue.queue_arn,
            "reminder_role_arn": self.scheduler_role.role_arn,
            "reminder_dead_letter_arn": dead_letters.queue_arn,
        }

    def _mail(self, config: StageConfig, queue: sqs.IQueue, dead_letters: sqs.IQueue) -> None:
        """SES: the sender domain, and bounces and complaints back to the queue."""
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"{config.prefix}-notifications",
            reputation_metrics=True,
            sending_enabled=True,
        )
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.event_bus(
                events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
            ),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        self.identity = ses.EmailIdentity(
            self,
            "SenderDomain",
            identity=ses.Identity.domain(config.email_domain),
            configuration_set=self.configuration_set,
        )
        feedback = events.Rule(
            self,
            SES_FEEDBACK_RULE,
            description="SES bounces and complaints -> the notifications queue (suppression)",
            event_pattern=events.EventPattern(
                source=SES_EVENT_PATTERN["source"], detail_type=SES_EVENT_PATTERN["detail-type"]
            ),
            targets=[queue_target(queue, dead_letters)],
        )
        rule_failures_alarm(
            feedback, failed_deliveries_alarm_name(config.prefix, SES_FEEDBACK_RULE), feedback
        )

    def _reminders(self, config: StageConfig, queue: sqs.IQueue, dead_letters: sqs.IQueue) -> None:
        """The stage's reminder schedules, and the role they send to the queue with (and to
        its dead letters, where Scheduler puts a reminder it could not deliver)."""
        self.schedule_group = scheduler.CfnScheduleGroup(
            self, "Reminders", name=reminder_group_name(config.name)
        )
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
            description=f"{config.prefix} ride reminders: send to the notifications queue only",
        )
        queue.grant_send_messages(self.scheduler_role)
        dead_letters.grant_send_messages(self.scheduler_role)
        # A reminder Scheduler gave up on is in the dead letters (alarmed there); one it
        # dropped, or could not put there either, is lost: that is this alarm.
        any_of_alarm(
            self,
            "RemindersLost",
            name=lost_reminders_alarm_name(config.prefix),
            description="Scheduler dropped ride reminders, or could not dead-letter them",
            runbook_page="mail",
            metrics=[
                cloudwatch.Metric(
                    namespace="AWS/Scheduler",
                    metric_name=metric,
                    dimensions_map={"ScheduleGroup": reminder_group_name(config.name)},
                    statistic="Sum",
                )
                for metric in (
                    "InvocationDroppedCount",
                    "InvocationsFailedToBeSentToDeadLetterCount",
                )
            ],
        )

    def _secrets(self, config: StageConfig) -> None:
        """The unsubscribe links' key, and the push platforms' credentials."""
        self.signing_secret = secretsmanager.Secret(
            self,
            "SigningKey",
            secret_name=signing_secret_name(config.name),
            description="Signs one-click unsubscribe links in notification e-mails",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
            removal_policy=config.removal_policy,
        )
        acknowledge(
            self.signing_secret,
            "AwsSolutions-SMG4",
            "An HMAC key for unsubscribe links: rotating it would break the links in every "
            "e-mail already sent, which RFC 8058 asks to keep working.",
        )
        self.push_credentials = secretsmanager.Secret(
            self,
            "PushCredentials",
            secret_name=push_credentials_secret_name(config.name),
            description=(
                "APNs and FCM credentials as JSON {apns: {certificate, private_key}, fcm: "
                "{server_key}}; set by an operator, read by ops/push_platforms.py"
            ),
            removal_policy=config.removal_policy,
        )
        acknowledge(
            self.push_credentials,
            "AwsSolutions-SMG4",
            "Third-party credentials issued by Apple and Google: they are rotated in those "
            "consoles and set here by an operator, not by a Lambda rotation.",
        )

    def grant_consumer(self, role: iam.IRole, config: StageConfig, table_arn: str) -> None:
        """What the consumer does, and nothing else."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    _arn("ses", f"identity/{config.email_domain}"),
                    _arn(
                        "ses",
                        f"configuration-set/{self.configuration_set.configuration_set_name}",
                    ),
                ],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["sns:Publish", "sns:DeleteEndpoint"],
                resources=[push_endpoint_arns(config, platform) for platform in ("apns", "fcm")],
            )
        )
        group = _arn("scheduler", f"schedule/{reminder_group_name(config.name)}/*")
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "scheduler:CreateSchedule",
                    "scheduler:UpdateSchedule",
                    "scheduler:DeleteSchedule",
                ],
                resources=[group],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["iam:PassRole"], resources=[self.scheduler_role.role_arn])
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:"
            f"<AWS::AccountId>:schedule/{reminder_group_name(config.name)}/*]",
            "One reminder schedule per ride, named from the ride's id, inside the stage's "
            "reminder group only: the group is the narrowest fixed resource.",
        )
        acknowledge_push_endpoints(role, config)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[table_arn],
            )
        )
