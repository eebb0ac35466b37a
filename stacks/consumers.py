"""The platform's event consumers: one source for the integration stack (rule -> SQS + DLQ
-> Lambda) and the local platform, which drives the same handlers from the same queues."""

import json
from dataclasses import dataclass

from shared.adapters.sealed_secrets import STRAVA_TOKENS, WEBHOOK_SIGNING
from shared.domain.club_stats import STATS_EVENTS
from shared.domain.export import EXPORTS
from shared.domain.media import INCOMING, PRIVATE, PUBLIC, QUARANTINE
from shared.domain.webhook import WEBHOOK_EVENT_TYPES
from shared.event_catalog import CATALOG
from shared.kpis import EVENT_KPIS
from shared.lake import EVENTS_FOLDER
from shared.names import SERIES_JOB, SERIES_SCHEDULE_RATE
from shared.settings import (
    EnvironmentSettings,
    LakeSettings,
    MediaSettings,
    NotificationDeliverySettings,
    PublisherSettings,
    Settings,
    StravaSyncSettings,
    UsersSettings,
    WebhookDeliverySettings,
    WebhookFanoutSettings,
)
from shared.store.schema import GSI1, GSI2
from stacks.contexts import BucketAccess, Sealing

# The table stream's publisher (DynamoDB stream -> EventBridge).
PUBLISHER_HANDLER = "publisher.stream.handler"
PUBLISHER_SETTINGS: tuple[type[EnvironmentSettings], ...] = (Settings, PublisherSettings)
# SES's bounce and complaint events, as SES publishes them to the default bus.
SES_EVENT_PATTERN = {
    "source": ["aws.ses"],
    "detail-type": ["Email Bounced", "Email Complaint Received"],
}


@dataclass(frozen=True)
class Job:
    """A recurring EventBridge Scheduler schedule that puts `message` on a consumer's queue
    (locally, `local/scheduler.py` fires it)."""

    expression: str
    message: str


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: str
    # The domain events (detail-types) its rule routes to its queue.
    event_types: tuple[str, ...]
    # Deliveries before a message is parked in the dead-letter queue.
    max_receive_count: int = 5
    # Whether it also hears SES's bounce and complaint events (default bus).
    ses_events: bool = False
    # The table actions its code performs, and the indexes it queries (least privilege).
    table_actions: tuple[str, ...] = ()
    table_indexes: tuple[str, ...] = ()
    # Runs in the egress VPC (it holds third-party credentials).
    egress: bool = False
    # Hears S3's "Object Created" events for keys under this prefix of the assets bucket
    # (from the default bus), instead of or besides domain events.
    uploads_prefix: str | None = None
    # Memory beyond the stage's default (image decoding).
    memory_mb: int | None = None
    # Folders of the assets bucket it works in, and what it may do there (least privilege).
    bucket_access: tuple[BucketAccess, ...] = ()
    # Evaluates feature flags (`shared/flags`): gets their names and read access.
    feature_flags: bool = False
    # A message older than this on its queue means the consumer is behind (an alarm).
    max_message_age_minutes: int = 15
    # The most invocations its queue drives at once (SQS's MaximumConcurrency, 2 to 1000):
    # a burst of events waits on the queue instead of taking the account's concurrency
    # from the API, or a third party's rate limit.
    max_concurrency: int = 5
    # Records per invocation, handled one after another within its 30-second timeout.
    batch_size: int = 10
    # How long the queue gathers records into a batch (Lambda's MaximumBatchingWindow,
    # up to 300 s; more than 10 records a batch needs one).
    batching_window_seconds: int = 0
    # What its code reads from the environment besides `Settings` (`shared/settings.py`).
    settings: tuple[type[EnvironmentSettings], ...] = ()
    sealing: tuple[Sealing, ...] = ()
    # A recurring job on its queue, besides the events.
    job: Job | None = None
    # What it does in the user pool (on the identity stack's pool only).
    user_pool_actions: tuple[str, ...] = ()
    # Deletes devices' SNS push endpoints.
    push_endpoints: bool = False

    @property
    def all_settings(self) -> tuple[type[EnvironmentSettings], ...]:
        return (Settings, *self.settings)


_PER_UPLOAD = (
    "media keys are generated per upload and live under their club's, ride's or user's "
    "folder: the function reaches these folders only"
)

_COUNTERS = (
    "user_joined_club",
    "membership_approved",
    "membership_ended",
    "membership_suspended",
    "membership_reinstated",
    "ride_created",
    "ride_cancelled",
)
COUNTS = Consumer(
    "Counts",
    "clubs.counts.handler",
    # The counters' events, the club statistics' and the business KPIs' (`shared/kpis.py`).
    tuple(dict.fromkeys((*_COUNTERS, *STATS_EVENTS, *EVENT_KPIS))),
    # The idempotency markers' puts and the counter and tally updates, inside one
    # transaction; an attendance event's ride is read for its day, pace and distance.
    table_actions=("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
)
NOTIFICATIONS = Consumer(
    "Notifications",
    "notifications.consumer.handler",
    (
        "user_joined_club",
        "membership_requested",
        "membership_approved",
        "membership_rejected",
        "membership_role_changed",
        "ride_created",
        "ride_updated",
        "ride_cancelled",
        "participation_promoted",
        "participation_joined",
        "participation_waitlisted",
        "ride_reminder_due",
        "club_webhook_disabled",
        "user_export_ready",
    ),
    ses_events=True,
    feature_flags=True,
    settings=(NotificationDeliverySettings,),
)
SEATS = Consumer(
    "Seats",
    "rides.seat_release.handler",
    ("membership_ended", "membership_suspended"),
    # The club's upcoming rides (GSI2), the member's places, and one transaction per ride.
    table_actions=(
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ),
    table_indexes=(GSI2.name,),
)
# A ride's new start -> its riders' places re-filed in their schedules (GSI1's sort key).
SCHEDULES = Consumer(
    "Schedules",
    "rides.schedule_keys.handler",
    ("ride_updated",),
    # The ride's partition, then its places updated while the ride's start is unchanged.
    table_actions=("dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"),
)
# Rides filed for discovery near a point (`GET /rides`), as they are now.
RIDE_DISCOVERY = Consumer(
    "RideDiscovery",
    "rides.discovery_filing.handler",
    ("ride_created", "ride_updated", "ride_cancelled", "club_updated"),
    # The ride, its club and its record (one batch read), then one transaction replacing
    # its entries; a club's new disciplines list its upcoming rides (GSI2).
    table_actions=(
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
    ),
    table_indexes=(GSI2.name,),
)
# Ride series: occurrences made weeks ahead (hourly, and when a series starts), kept in
# line with "this and following" edits, and joined by the series' regulars when made.
RIDE_SERIES = Consumer(
    "RideSeries",
    "rides.series_worker.handler",
    ("ride_series_created", "ride_series_updated", "ride_created"),
    job=Job(SERIES_SCHEDULE_RATE, json.dumps({"job": SERIES_JOB})),
    # The due series (GSI1), a series and its regulars, its occurrences (one batch read);
    # each occurrence made in one transaction with the series' progress and its leader;
    # edits and regulars' joins as the rides API makes them.
    table_actions=(
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    ),
    table_indexes=(GSI1.name,),
    # Its work per message is bounded (a page of due series); two at a time is plenty.
    max_concurrency=2,
)
# Deleting an account (decision 37): a saga of idempotent steps, one message per account;
# a step waiting on another consumer sends it back, so it has room for many receives.
ACCOUNT_DELETION = Consumer(
    "AccountDeletion",
    "users.deletion_saga.handler",
    ("user_deletion_requested",),
    max_receive_count=20,
    # The user's memberships (GSI1), their clubs' rides (GSI2), their own items; ends
    # memberships and clears names in transactions; deletes what is theirs alone.
    table_actions=(
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ),
    table_indexes=(GSI1.name, GSI2.name),
    bucket_access=(
        BucketAccess(
            f"{INCOMING}avatar/",
            ("s3:DeleteObject", "s3:ListBucket"),
            "a deleted account's avatar uploads live under its user id in this folder",
        ),
        BucketAccess(
            f"{PUBLIC}avatars/",
            ("s3:DeleteObject", "s3:ListBucket"),
            "a deleted account's avatar sizes live under its user id in this folder",
        ),
        BucketAccess(
            EXPORTS,
            ("s3:DeleteObject", "s3:ListBucket"),
            "a deleted account's data exports live under its user id in this folder",
        ),
    ),
    settings=(UsersSettings,),
    user_pool_actions=("cognito-idp:AdminDeleteUser",),
    push_endpoints=True,
    max_concurrency=2,
)
# A rider's data export: the archive built into private/exports/ (deleted after 7 days).
ACCOUNT_EXPORT = Consumer(
    "AccountExport",
    "users.export_builder.handler",
    ("user_export_requested",),
    # The rider's partition, memberships (GSI1), their clubs' rides (GSI2) and places on
    # them; the export marked ready (a versioned put).
    table_actions=(
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
    ),
    table_indexes=(GSI1.name, GSI2.name),
    bucket_access=(
        BucketAccess(
            f"{PUBLIC}avatars/",
            ("s3:GetObject", "s3:ListBucket"),
            "an archive holds the rider's avatar files, under their user id in this folder",
        ),
        BucketAccess(
            EXPORTS,
            ("s3:PutObject",),
            "archives are written under the rider's user id in this folder",
        ),
    ),
    settings=(UsersSettings,),
    max_concurrency=2,
    batch_size=1,
)
# The audit log: who changed what in a club, and SiteAdmins' role changes (decision 36).
AUDIT_TRAIL = Consumer(
    "Audit",
    "clubs.audit_trail.handler",
    (
        "user_joined_club",
        "membership_requested",
        "membership_approved",
        "membership_rejected",
        "membership_suspended",
        "membership_reinstated",
        "membership_ended",
        "membership_role_changed",
        "club_created",
        "club_updated",
        "club_webhook_changed",
        "club_webhook_disabled",
        "ride_cancelled",
        "user_role_changed",
    ),
    # One conditional put per event (a redelivery writes nothing).
    table_actions=("dynamodb:PutItem",),
)
# Club webhooks, step one: an event -> one delivery message per webhook that wants it.
CLUB_WEBHOOKS = Consumer(
    "ClubWebhooks",
    "webhooks.fanout.handler",
    WEBHOOK_EVENT_TYPES,
    # The club's webhooks: one consistent Query of the club's partition.
    table_actions=("dynamodb:Query",),
    feature_flags=True,
    settings=(WebhookFanoutSettings,),
)
# Strava's push events -> attendance and activity summaries on participations.
STRAVA_SYNC = Consumer(
    "StravaSync",
    "strava.sync.handler",
    # ...and, for an account being deleted, unlinks it (its step of the deletion saga).
    ("strava_webhook_received", "user_deletion_requested"),
    # Rate-limited messages come back after the window turns; give them room.
    max_receive_count=10,
    # ...and a daily limit postpones them until UTC midnight.
    max_message_age_minutes=24 * 60,
    # Strava's limits are per app (100 reads per 15 minutes): two at a time is plenty.
    max_concurrency=2,
    # The match is written while the ride's start is unchanged (a condition check); a
    # deleted account's unlinking is recorded with a put of its own item.
    table_actions=(
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ),
    # The rider's memberships (GSI1) and their clubs' rides by start time (GSI2).
    table_indexes=(GSI1.name, GSI2.name),
    egress=True,
    feature_flags=True,
    settings=(StravaSyncSettings,),
    # Opens riders' tokens, and seals them again after a refresh.
    sealing=(Sealing(STRAVA_TOKENS, ("kms:Encrypt", "kms:Decrypt")),),
)
# Uploads into incoming/ -> validated, published or quarantined.
MEDIA = Consumer(
    "Media",
    "media.processor.handler",
    (),
    table_actions=("dynamodb:GetItem", "dynamodb:UpdateItem"),
    uploads_prefix=INCOMING,
    # The largest image an upload may be (40 MP) takes ~1 s and a peak of ~530 MB here
    # (`bench/media_sizing.py`): 1,536 MB leaves room for the runtime and a second copy,
    # and four to a batch stay inside the 30-second timeout on a slower arm64 core (3x).
    memory_mb=1536,
    max_concurrency=4,
    batch_size=4,
    # Read and delete uploads; write what it publishes or quarantines.
    bucket_access=(
        BucketAccess(INCOMING, ("s3:GetObject", "s3:DeleteObject"), _PER_UPLOAD),
        BucketAccess(QUARANTINE, ("s3:PutObject",), _PER_UPLOAD),
        BucketAccess(f"{PUBLIC}clubs/", ("s3:PutObject",), _PER_UPLOAD),
        BucketAccess(f"{PUBLIC}avatars/", ("s3:PutObject",), _PER_UPLOAD),
        BucketAccess(f"{PRIVATE}rides/", ("s3:PutObject",), _PER_UPLOAD),
    ),
    settings=(MediaSettings,),
)
# Route or visibility changes -> the CloudFront-served copy of public rides' routes.
PUBLIC_ROUTES = Consumer(
    "PublicRoutes",
    "media.route_publisher.handler",
    ("ride_updated",),
    table_actions=("dynamodb:GetItem",),
    bucket_access=(
        BucketAccess(f"{PRIVATE}rides/", ("s3:GetObject",), _PER_UPLOAD),
        BucketAccess(
            f"{PUBLIC}routes/", ("s3:PutObject", "s3:DeleteObject", "s3:ListBucket"), _PER_UPLOAD
        ),
    ),
    settings=(MediaSettings,),
)
# Every domain event, as Parquet in the lake (`docs/event-lake.md`): up to 1,000 events
# gathered for up to five minutes make one object per event type and day, so the lake is
# a few objects an hour, not one per event.
EVENT_LAKE = Consumer(
    "EventLake",
    "lake.writer.handler",
    tuple(CATALOG),
    settings=(LakeSettings,),
    bucket_access=(
        BucketAccess(
            EVENTS_FOLDER,
            ("s3:PutObject",),
            "the lake's objects are named by partition (event type and day) and batch",
        ),
    ),
    # DuckDB builds each batch's Parquet in memory.
    memory_mb=512,
    batch_size=1000,
    batching_window_seconds=300,
    max_concurrency=2,
    # A batch gathered for five minutes is not late until it waits well past that.
    max_message_age_minutes=30,
)

CONSUMERS: tuple[Consumer, ...] = (
    COUNTS,
    NOTIFICATIONS,
    SEATS,
    SCHEDULES,
    RIDE_DISCOVERY,
    RIDE_SERIES,
    AUDIT_TRAIL,
    ACCOUNT_DELETION,
    ACCOUNT_EXPORT,
    CLUB_WEBHOOKS,
    STRAVA_SYNC,
    MEDIA,
    PUBLIC_ROUTES,
    EVENT_LAKE,
)


@dataclass(frozen=True)
class QueueWorker:
    """A queue fed by another function (not by a rule on the bus), and the function that
    works through it."""

    name: str
    handler: str
    # The worker settles a message itself within `attempts`; the dead-letter queue only
    # catches messages whose processing crashed repeatedly.
    attempts: int
    table_actions: tuple[str, ...] = ()
    table_indexes: tuple[str, ...] = ()
    bucket_access: tuple[BucketAccess, ...] = ()
    # Postponed messages wait on the queue by design: only older than this is trouble.
    max_message_age_minutes: int = 24 * 60
    max_concurrency: int = 10
    batch_size: int = 5
    settings: tuple[type[EnvironmentSettings], ...] = ()
    sealing: tuple[Sealing, ...] = ()

    @property
    def all_settings(self) -> tuple[type[EnvironmentSettings], ...]:
        return (Settings, *self.settings)

    @property
    def max_receive_count(self) -> int:
        return self.attempts + 3


# Club webhooks, step two: one signed POST per message, retried with backoff over hours.
WEBHOOK_DELIVERY = QueueWorker(
    "WebhookDelivery",
    "webhooks.delivery.handler",
    attempts=8,
    # Read the webhook, count failures (or disable it), write the delivery log.
    table_actions=("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    settings=(WebhookDeliverySettings,),
    sealing=(Sealing(WEBHOOK_SIGNING, ("kms:Decrypt",)),),
)
WORKERS: tuple[QueueWorker, ...] = (WEBHOOK_DELIVERY,)


# Rules on the default bus (S3's and SES's events), besides each consumer's own.
UPLOADS_RULE = "UploadsCreated"
SES_FEEDBACK_RULE = "SesFeedback"


def dead_letter_queue_name(prefix: str, name: str) -> str:
    """Fixed, so the observability stack alarms on the queue by name, not by an export."""
    return f"{prefix}-{name}-dead-letters"


def job_schedule_name(prefix: str, name: str) -> str:
    """A consumer's recurring job (EventBridge Scheduler, the default group)."""
    return f"{prefix}-{name}-job"


def oldest_message_alarm_name(prefix: str, name: str) -> str:
    return f"{prefix}-{name}-oldest-message"


def failed_deliveries_alarm_name(prefix: str, name: str) -> str:
    return f"{prefix}-{name}-rule-failures"


def nat_alarm_names(prefix: str) -> list[str]:
    """The egress VPC's NAT gateways running out of ports, or dropping packets."""
    return [f"{prefix}-nat-port-allocation-errors", f"{prefix}-nat-dropped-packets"]


def lost_reminders_alarm_name(prefix: str) -> str:
    """Scheduler dropped a reminder, or could not put it in the dead-letter queue."""
    return f"{prefix}-reminders-lost"


def integration_alarm_names(prefix: str) -> list[str]:
    """The alarms the integration stack makes beside its queues and rules. Their names are
    fixed, so the observability stack's composite alarm includes them without an export."""
    names = []
    for consumer in CONSUMERS:
        names.append(oldest_message_alarm_name(prefix, consumer.name))
        if consumer.event_types:
            names.append(failed_deliveries_alarm_name(prefix, consumer.name))
    if any(consumer.uploads_prefix for consumer in CONSUMERS):
        names.append(failed_deliveries_alarm_name(prefix, UPLOADS_RULE))
    if any(consumer.ses_events for consumer in CONSUMERS):
        names.append(failed_deliveries_alarm_name(prefix, SES_FEEDBACK_RULE))
    names += [oldest_message_alarm_name(prefix, worker.name) for worker in WORKERS]
    return [*names, *nat_alarm_names(prefix), lost_reminders_alarm_name(prefix)]
