"""Stage settings: the one typed place where dev, staging and prod differ."""

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aws_cdk import Aws, RemovalPolicy

from shared.names import resource_prefix
from shared.store.schema import is_stage_table, table_name
from stacks.contexts import TRIGGERS

StageName = Literal["dev", "staging", "prod"]
STAGES: tuple[StageName, ...] = ("dev", "staging", "prod")


@dataclass(frozen=True)
class StageConfig:
    name: StageName
    region: str = "ap-southeast-2"
    account: str | None = None
    # Data survives stack deletion (RETAIN, deletion protection) outside dev.
    retain_data: bool = True
    log_retention_days: int = 30
    # Requests per 5 minutes per client IP before WAF blocks it.
    waf_rate_limit: int = 1000
    api_rate_limit: int = 100
    api_burst_limit: int = 200
    lambda_memory_mb: int = 512
    alarm_email: str | None = None
    cors_allowed_origins: tuple[str, ...] = ()
    # CodeDeploy traffic shifting for every service alias (blue-green with rollback).
    deployment: Literal["all_at_once", "canary", "linear"] = "canary"
    # Cognito Plus plan with full-function threat protection (cost; prod only by default).
    threat_protection: bool = False
    # The SES identity notifications are sent from: a domain verified in SES (DKIM records
    # in its DNS, see the README) and an address in it.
    email_domain: str = "sydneycycling.example"
    email_sender: str = "notifications@sydneycycling.example"
    # Cognito's own mail (sign-up codes, invitations) through SES from `email_domain`:
    # turned on once the domain is verified (Cognito refuses an unverified one).
    cognito_ses: bool = False
    # Prod refuses Cognito's own sender (about 50 messages a day) unless this says so:
    # a stage's first deploy, before its SES domain exists to be verified.
    cognito_default_sender: bool = False
    # SiteAdmin tokens only for users with an authenticator app (TOTP) enrolled; dev and
    # the local platform leave it to the SiteAdmin (the seeded one has none).
    site_admin_mfa: bool = True
    # `<live deployment id>:<percent>` while an API canary release is under way
    # (`ops/api_canary.py`); None: a deploy moves the stage to the new API at once.
    api_canary: str | None = None
    # During a canary release, the version each API function's `live` alias keeps serving
    # the stage (`-c live_versions=clubs=12,rides=9`, read by `ops/api_canary.py start`):
    # the new code runs only behind the `canary` alias, for the canary's share.
    live_versions: dict[str, str] = field(default_factory=dict)
    # A table restored from a backup that takes over from the data stack's own
    # (`-c restored_table=<name> -c restored_table_stream=<stream ARN>`, as
    # `ops/restore_cutover.py` prints them; docs/runbooks/data.md): every function, grant,
    # alarm, backup and the publisher's stream then use it; the data stack keeps the old one.
    restored_table: str | None = None
    restored_table_stream: str | None = None
    # Lambda SnapStart on every function's published versions (`-c snap_start=true`):
    # cold starts restore a snapshot taken after init (cost and benefit:
    # docs/decisions.md, 25).
    snap_start: bool = False
    # APNs sandbox for development builds of the app, production APNs elsewhere.
    apns_platform: Literal["APNS", "APNS_SANDBOX"] = "APNS"
    # How long before a ride its joined riders get the reminder.
    reminder_lead_hours: int = 24
    # Where a rider's browser lands after linking Strava (`?strava=connected|error`).
    strava_app_redirect_url: str = "https://sydneycycling.example/settings/strava"
    # NAT gateways of the egress VPC (webhook delivery, Strava): one per AZ in prod so an
    # AZ outage does not stop them; one elsewhere (~US$43 a month each in Sydney).
    nat_gateways: int = 2
    # API Gateway's response cache (GB; None: no cache) for the routes that allow it (the
    # public calendar feed); ~US$0.03 an hour for 0.5 GB.
    api_cache_gb: str | None = "0.5"
    # Concurrency set aside for each Cognito trigger and for the stream publisher, so a
    # burst of API traffic cannot stop sign-in or event delivery (None: none set aside;
    # a new account's concurrency limit may be too small to reserve any).
    trigger_concurrency: int | None = 10
    publisher_concurrency: int | None = 5
    # The Lambda concurrency quota of the stage's account (Service Quotas: "Concurrent
    # executions"). Lambda refuses a reservation that leaves under 100 unreserved, and a new
    # account's quota may be as low as 10: raise it before deploying a stage that reserves.
    account_concurrency: int = 1000
    # AWS Backup (stacks/constructs/backups.py): how long daily recovery points are kept
    # (None: no backups; dev, whose data is disposable and whose stack must delete cleanly,
    # which a vault holding recovery points prevents), the second region they are copied
    # to (None: no copy), and whether the vault is locked (compliance mode: irreversible
    # once its grace period ends).
    backup_retention_days: int | None = 35
    backup_copy_region: str | None = "ap-southeast-4"
    backup_vault_lock: bool = False
    # How long the event lake keeps each day of events (`docs/event-lake.md`): long enough
    # for year-on-year questions in prod, a month where the data is test data.
    lake_retention_days: int = 30
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return resource_prefix(self.name)

    @property
    def removal_policy(self) -> RemovalPolicy:
        """What becomes of the stage's data when its stack lets go of it. Kept where data
        matters, except when the stack's first create fails: CloudFormation then deletes
        what it made (`RetainExceptOnCreate`), so a retry does not meet fixed names that
        "already exist"."""
        return (
            RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if self.retain_data else RemovalPolicy.DESTROY
        )

    @property
    def table_name(self) -> str:
        """The table the stage's functions use: its own, or a restored one taking over."""
        return self.restored_table or table_name(self.name)

    @property
    def assets_bucket_name(self) -> str:
        # Globally unique by account; known to every stack without a cross-stack export.
        return f"{self.prefix}-assets-{Aws.ACCOUNT_ID}"


_STAGES: dict[StageName, StageConfig] = {
    "dev": StageConfig(
        name="dev",
        retain_data=False,
        log_retention_days=14,
        backup_retention_days=None,
        backup_copy_region=None,
        waf_rate_limit=2000,
        api_rate_limit=50,
        api_burst_limit=100,
        deployment="all_at_once",
        cors_allowed_origins=("http://localhost:5173", "http://localhost:3001"),
        email_domain="dev.sydneycycling.example",
        email_sender="notifications@dev.sydneycycling.example",
        apns_platform="APNS_SANDBOX",
        nat_gateways=1,
        strava_app_redirect_url="http://localhost:5173/settings/strava",
        api_cache_gb=None,
        trigger_concurrency=None,
        publisher_concurrency=None,
        site_admin_mfa=False,
    ),
    "staging": StageConfig(
        name="staging",
        log_retention_days=30,
        cors_allowed_origins=("https://staging.sydneycycling.example",),
        email_domain="staging.sydneycycling.example",
        email_sender="notifications@staging.sydneycycling.example",
        nat_gateways=1,
        strava_app_redirect_url="https://staging.sydneycycling.example/settings/strava",
    ),
    "prod": StageConfig(
        name="prod",
        log_retention_days=365,
        lake_retention_days=2 * 365,
        api_rate_limit=500,
        api_burst_limit=1000,
        lambda_memory_mb=1024,
        threat_protection=True,
        cors_allowed_origins=("https://sydneycycling.example",),
        trigger_concurrency=50,
        publisher_concurrency=10,
        backup_retention_days=365,
        backup_vault_lock=True,
    ),
}


# Stages whose alarms must reach a person: synthesis refuses them without a recipient.
ALERTED_STAGES = frozenset({"staging", "prod"})


def require_alarm_recipient(config: StageConfig) -> StageConfig:
    """The stage's config, if its alarms reach someone; a clear error otherwise."""
    if config.name in ALERTED_STAGES and not config.alarm_email:
        raise SystemExit(
            f"Stage {config.name} needs a recipient for its alarms: "
            f"`-c alarm_email=ops@example.com` (the pipeline passes $ALARM_EMAIL)."
        )
    return config


# Stages whose sign-ups must not stop at Cognito's own sender's daily limit.
PRODUCTION_MAIL_STAGES = frozenset({"prod"})


def require_production_mail(config: StageConfig) -> StageConfig:
    """The stage's config, if Cognito's mail (sign-up codes, invitations, password resets)
    goes through SES where it must; a clear error otherwise."""
    if (
        config.name in PRODUCTION_MAIL_STAGES
        and not config.cognito_ses
        and not config.cognito_default_sender
    ):
        raise SystemExit(
            f"Stage {config.name} sends Cognito's mail through SES: verify "
            f"{config.email_domain} and pass `-c cognito_ses=true` (the pipeline sets "
            "COGNITO_SES). Cognito's own sender stops at about 50 messages a day; for a "
            "first deploy, before the domain exists, pass `-c cognito_default_sender=true`."
        )
    return config


def load_stage(name: str, overrides: dict[str, Any] | None = None) -> StageConfig:
    """The config of stage `name`, with deploy-time overrides (account, alarm e-mail...)."""
    if name not in _STAGES:
        raise ValueError(f"Unknown stage '{name}'; choose one of {', '.join(STAGES)}.")
    config = _STAGES[name]
    known = {k: v for k, v in (overrides or {}).items() if v is not None}
    for switch in ("cognito_ses", "cognito_default_sender", "snap_start"):  # `-c x=true`: text
        if isinstance(known.get(switch), str):
            known[switch] = known[switch].lower() in ("1", "true", "yes")
    if isinstance(known.get("account_concurrency"), str):
        known["account_concurrency"] = int(known["account_concurrency"])
    if known.get("api_canary") and not re.fullmatch(r"\w+:\d+(\.\d+)?", known["api_canary"]):
        raise ValueError("api_canary is `<live deployment id>:<percent>`, e.g. `abc123:10`.")
    if isinstance(known.get("live_versions"), str):
        known["live_versions"] = _live_versions(known["live_versions"])
    if known.get("live_versions") and not known.get("api_canary"):
        raise ValueError("live_versions pins the stage's code during an API canary only.")
    _check_restored_table(name, known.get("restored_table"), known.get("restored_table_stream"))
    allowed = {
        "account",
        "region",
        "alarm_email",
        "email_domain",
        "email_sender",
        "cognito_ses",
        "cognito_default_sender",
        "api_canary",
        "snap_start",
        "account_concurrency",
        "live_versions",
        "restored_table",
        "restored_table_stream",
    }
    unknown = set(known) - allowed
    if unknown:
        raise ValueError(f"Unknown stage overrides: {', '.join(sorted(unknown))}")
    return _fits_the_account(replace(config, **known))


def _check_restored_table(stage: str, name: str | None, stream: str | None) -> None:
    """Both or neither; the stage's own kind of name; the stream that table's."""
    if not name and not stream:
        return
    prefix = f"{table_name(stage)}-"
    if not (name and stream and is_stage_table(stage, name)):
        raise ValueError(
            f"A restored table takes over with both `restored_table` (named {prefix}...) and "
            "`restored_table_stream` (its stream's ARN): `ops/restore_cutover.py` prints them."
        )
    if not re.fullmatch(
        rf"arn:aws[\w-]*:dynamodb:[\w-]+:\d{{12}}:table/{re.escape(name)}/stream/.+", stream
    ):
        raise ValueError(f"restored_table_stream is not a stream of table {name}.")


def _live_versions(text: str) -> dict[str, str]:
    """`clubs=12,rides=9`: an API context's name and the version its `live` alias keeps."""
    if not re.fullmatch(r"[a-z_]+=\d+(,[a-z_]+=\d+)*", text):
        raise ValueError("live_versions is `<context>=<version>,...`, e.g. `clubs=12,rides=9`.")
    return dict(pair.split("=") for pair in text.split(","))


# Lambda keeps at least this much of an account's concurrency unreserved.
UNRESERVED_MINIMUM = 100


def reserved_concurrency(config: StageConfig) -> int:
    """The concurrency the stage sets aside: each Cognito trigger's and the publisher's."""
    return len(TRIGGERS) * (config.trigger_concurrency or 0) + (config.publisher_concurrency or 0)


def _fits_the_account(config: StageConfig) -> StageConfig:
    """Refused at synth, not by Lambda mid-deploy: the stage's reservations must leave 100
    of the account's quota unreserved (`ops/preflight.py` checks the account's real one)."""
    reserved = reserved_concurrency(config)
    if reserved and reserved > config.account_concurrency - UNRESERVED_MINIMUM:
        raise ValueError(
            f"Stage {config.name} reserves {reserved} concurrent executions; an account quota "
            f"of {config.account_concurrency} leaves {UNRESERVED_MINIMUM} unreserved only "
            f"up to {config.account_concurrency - UNRESERVED_MINIMUM}. Raise the quota "
            "(Service Quotas) and pass -c account_concurrency=<quota>."
        )
    return config
