"""Creates in moto the resources the stacks define, from the same definitions."""

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from shared.events import SOURCE_PREFIX
from shared.names import (
    api_url_parameter,
    push_application_name,
    reminder_group_name,
    resource_prefix,
    signing_secret_name,
    strava_app_secret_name,
    strava_state_key_name,
)
from shared.store.schema import (
    GLOBAL_INDEXES,
    PK,
    SK,
    TTL_ATTRIBUTE,
    attribute_definitions,
    table_name,
)
from stacks.consumers import (
    CONSUMERS,
    SES_EVENT_PATTERN,
    WORKERS,
    Consumer,
    QueueWorker,
    dead_letter_queue_name,
    job_schedule_name,
)

REGION = "ap-southeast-2"
LOCAL_STAGE = "local"
# moto accepts any credentials; these make sure nothing ever reaches real AWS.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
SYSTEM_ROLE_ATTRIBUTE = "system_role"
# What the app client may write (the identity stack's client too): never the role.
CLIENT_WRITABLE_ATTRIBUTES = ("email", "given_name", "family_name")


# Locally a failed message is visible again after seconds, not the deployed 3 minutes, so
# redeliveries can be watched.
LOCAL_VISIBILITY_TIMEOUT_SECONDS = 5
EMAIL_DOMAIN = "sydneycycling.local"
EMAIL_SENDER = f"notifications@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class ConsumerQueue:
    name: str
    handler: str
    queue_url: str
    queue_arn: str
    dead_letter_url: str
    max_receive_count: int
    dead_letter_arn: str = ""
    # The declaration's cap on batches in flight (SQS's MaximumConcurrency in AWS), and
    # its records per batch.
    max_concurrency: int = 5
    batch_size: int = 10


@dataclass(frozen=True)
class LocalResources:
    table_name: str
    user_pool_id: str
    client_id: str
    bucket_name: str
    event_bus_name: str
    stream_arn: str = ""
    stream_failures_url: str = ""
    consumers: tuple[ConsumerQueue, ...] = ()
    signing_secret_name: str = ""
    api_url_parameter: str = ""
    push_applications: dict[str, str] = field(default_factory=dict)
    reminder_group: str = ""
    # Queues fed by another function (club webhook deliveries).
    workers: tuple[ConsumerQueue, ...] = ()
    secrets_key_id: str = ""
    # The Strava app's credentials as the stage's secret holds them (the fake Strava
    # server is configured with the same).
    strava_app: dict[str, str | int] = field(default_factory=dict)

    def consumer(self, name: str) -> ConsumerQueue:
        return next(c for c in (*self.consumers, *self.workers) if c.name == name)


def create_table(dynamodb: Any, name: str, *, stream: bool = False) -> str:
    """The application table; with `stream`, a NEW_AND_OLD_IMAGES stream as deployed
    (the local platform reads it like Lambda's event source mapping). Returns the stream's
    ARN (empty without one)."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attribute_definitions(),
        KeySchema=[
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in GLOBAL_INDEXES
        ],
        StreamSpecification=(
            {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            if stream
            else {"StreamEnabled": False}
        ),
    )
    dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    return str(dynamodb.describe_table(TableName=name)["Table"].get("LatestStreamArn", ""))


def create_user_pool(cognito: Any, stage: str) -> tuple[str, str]:
    """A pool shaped like the identity stack's; returns (pool id, public client id)."""
    pool = cognito.create_user_pool(
        PoolName=resource_prefix(stage),
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
        Schema=[
            {
                "Name": SYSTEM_ROLE_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
            }
        ],
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web",
        GenerateSecret=False,
        # The deployed client allows SRP and refresh only; locally password auth is also
        # allowed so that scripts and tests can sign in without an SRP implementation.
        ExplicitAuthFlows=[
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
        ReadAttributes=["email", "given_name", "family_name", f"custom:{SYSTEM_ROLE_ATTRIBUTE}"],
        WriteAttributes=list(CLIENT_WRITABLE_ATTRIBUTES),
    )["UserPoolClient"]
    return pool["Id"], client["ClientId"]


# moto's Scheduler does not check the role; in AWS it is the job's role in the stack.
LOCAL_JOB_ROLE = "arn:aws:iam::123456789012:role/local-job-scheduler"


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(url), str(arn["QueueArn"])


def _queue_with_dead_letters(
    sqs: Any, name: str, dead_letters: str, visibility_seconds: int, max_receive_count: int
) -> tuple[str, str, str, str]:
    """A queue whose messages move to the queue `dead_letters` after `max_receive_count`
    receives; returns its URL, its ARN and the dead-letter queue's URL and ARN."""
    dlq_url, dlq_arn = _queue(sqs, dead_letters)
    url, arn = _queue(
        sqs,
        name,
        VisibilityTimeout=str(visibility_seconds),
        RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
        ),
    )
    return url, arn, dlq_url, dlq_arn


def _consumer_queue(
    session: Any, bus: str, prefix: str, consumer: Consumer, visibility_seconds: int
) -> ConsumerQueue:
    """rule -> queue (+ DLQ after `max_receive_count` receives), as EventConsumer makes."""
    events = session.client("events")
    base = f"{prefix}-{consumer.name.lower()}"
    url, arn, dlq_url, dlq_arn = _queue_with_dead_letters(
        session.client("sqs"),
        base,
        dead_letter_queue_name(prefix, consumer.name),
        visibility_seconds,
        consumer.max_receive_count,
    )
    pattern = {
        "source": [{"prefix": f"{SOURCE_PREFIX}."}],
        "detail-type": list(consumer.event_types),
    }
    if consumer.event_types:
        events.put_rule(Name=base, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=base, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    if consumer.ses_events:
        events.put_rule(Name=f"{base}-ses", EventPattern=json.dumps(SES_EVENT_PATTERN))
        events.put_targets(Rule=f"{base}-ses", Targets=[{"Id": "queue", "Arn": arn}])
    if consumer.job:
        # As the integration stack's schedule (`recurring_job`); local/scheduler.py fires it.
        session.client("scheduler").create_schedule(
            Name=job_schedule_name(prefix, consumer.name),
            ScheduleExpression=consumer.job.expression,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": arn,
                "RoleArn": LOCAL_JOB_ROLE,
                "Input": consumer.job.message,
                "DeadLetterConfig": {"Arn": dlq_arn},
            },
        )
    return ConsumerQueue(
        consumer.name,
        consumer.handler,
        url,
        arn,
        dlq_url,
        consumer.max_receive_count,
        dlq_arn,
        consumer.max_concurrency,
        consumer.batch_size,
    )


def _worker_queue(
    session: Any, prefix: str, worker: QueueWorker, visibility_seconds: int
) -> ConsumerQueue:
    """A queue (+ DLQ) that another function feeds, as the integration stack makes."""
    url, arn, dlq_url, dlq_arn = _queue_with_dead_letters(
        session.client("sqs"),
        f"{prefix}-{worker.name.lower()}",
        dead_letter_queue_name(prefix, worker.name),
        visibility_seconds,
        worker.max_receive_count,
    )
    return ConsumerQueue(
        worker.name,
        worker.handler,
        url,
        arn,
        dlq_url,
        worker.max_receive_count,
        dlq_arn,
        worker.max_concurrency,
        worker.batch_size,
    )


def _notification_channels(session: Any, stage: str, api_url: str) -> dict[str, str]:
    """The sender domain, the link-signing secret, the API URL parameter, the push
    platform applications and the reminders' schedule group; returns the push ARNs."""
    session.client("ses").verify_domain_identity(Domain=EMAIL_DOMAIN)
    session.client("secretsmanager").create_secret(
        Name=signing_secret_name(stage), SecretString=secrets.token_urlsafe(32)
    )
    session.client("ssm").put_parameter(
        Name=api_url_parameter(stage), Value=api_url, Type="String", Overwrite=True
    )
    session.client("scheduler").create_schedule_group(Name=reminder_group_name(stage))
    sns = session.client("sns")
    platforms = {"apns": "APNS_SANDBOX", "fcm": "GCM"}
    return {
        name: sns.create_platform_application(
            Name=push_application_name(stage, name),
            Platform=platform,
            Attributes={"PlatformCredential": "local", "PlatformPrincipal": "local"},
        )["PlatformApplicationArn"]
        for name, platform in platforms.items()
    }


def _strava_secrets(session: Any, stage: str) -> dict[str, str | int]:
    """What an operator puts in the Strava secret, and the state key the stack generates."""
    app: dict[str, str | int] = {
        "client_id": "local-client",
        "client_secret": secrets.token_urlsafe(24),
        "verify_token": secrets.token_urlsafe(12),
        "subscription_id": 1,
        "callback_secret": secrets.token_urlsafe(32),
    }
    client = session.client("secretsmanager")
    client.create_secret(Name=strava_app_secret_name(stage), SecretString=json.dumps(app))
    client.create_secret(Name=strava_state_key_name(stage), SecretString=secrets.token_urlsafe(32))
    return app


def provision(
    session: Any,
    stage: str = LOCAL_STAGE,
    api_url: str = "",
    visibility_seconds: int = LOCAL_VISIBILITY_TIMEOUT_SECONDS,
) -> LocalResources:
    """Create table (with its stream), user pool and client, bucket, bus, the consumers'
    queues and rules, and the notification channels; `session` is a boto3 Session (or
    anything with `client(name)`) pointed at moto."""
    name = table_name(stage)
    stream_arn = create_table(session.client("dynamodb"), name, stream=True)
    pool_id, client_id = create_user_pool(session.client("cognito-idp"), stage)
    bucket = f"{resource_prefix(stage)}-assets"
    session.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    bus = resource_prefix(stage)
    session.client("events").create_event_bus(Name=bus)
    # Named as in AWS (stacks/consumers.py), so ops/redrive.py finds them on `make run` too.
    failures_url, _ = _queue(
        session.client("sqs"), dead_letter_queue_name(resource_prefix(stage), "StreamFailures")
    )
    consumers = tuple(
        _consumer_queue(session, bus, resource_prefix(stage), consumer, visibility_seconds)
        for consumer in CONSUMERS
    )
    workers = tuple(
        _worker_queue(session, resource_prefix(stage), worker, visibility_seconds)
        for worker in WORKERS
    )
    push = _notification_channels(session, stage, api_url)
    strava_app = _strava_secrets(session, stage)
    secrets_key = session.client("kms").create_key(
        Description="Seals third-party secrets stored in the table (webhooks, Strava)"
    )["KeyMetadata"]["Arn"]
    return LocalResources(
        name,
        pool_id,
        client_id,
        bucket,
        bus,
        stream_arn=stream_arn,
        stream_failures_url=failures_url,
        consumers=consumers,
        signing_secret_name=signing_secret_name(stage),
        api_url_parameter=api_url_parameter(stage),
        push_applications=push,
        reminder_group=reminder_group_name(stage),
        workers=workers,
        secrets_key_id=secrets_key,
        strava_app=strava_app,
    )
