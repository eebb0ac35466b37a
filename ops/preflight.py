"""Read-only checks of a stage's account before a deploy, so a deploy does not fail (or
succeed into silence) for a reason that could have been read first:

    python -m ops.preflight --stage prod                  # AWS credentials for the stage
    python -m ops.preflight --stage prod --cognito-ses    # as the deploy will be run

- the CDK bootstrap stack is there and new enough for the synthesized templates;
- the account's Lambda concurrency quota leaves 100 unreserved after the stage's
  reservations (Lambda refuses the function otherwise, mid-deploy);
- the stage's SES sender domain is verified (Cognito refuses an unverified one when it
  sends through SES) and, for prod, the account is out of the SES sandbox;
- the secrets operators fill (Strava's app, push credentials) hold what the code reads;
- the alarm topic has a confirmed subscription, so alarms reach someone;
- backups can be copied: the vault in the second region exists, and AWS Backup's
  advanced features for DynamoDB (needed to copy a table's recovery points) are on.

Each finding is `ok`, `warn` (the deploy works; something is not usable yet) or `FAIL`
(the deploy would fail, or a stage that must be watched would not be); it exits 1 on any
FAIL. Nothing is written and no secret value is printed. A stage's first deploy creates
the SES identity, the secrets and the topic: before it, those are warnings.
"""

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.names import (
    backup_copy_vault_name,
    ops_topic_parameter,
    push_credentials_secret_name,
    strava_app_secret_name,
)
from stacks.config import ALERTED_STAGES, UNRESERVED_MINIMUM, StageConfig, load_stage
from stacks.config import reserved_concurrency as stage_reservations
from stacks.deploy_access_stack import BOOTSTRAP_PARAMETER

# The oldest bootstrap version CDK's templates accept (each synthesized template's
# CheckBootstrapVersion rule refuses versions 1 to 5).
BOOTSTRAP_MINIMUM = 6
STRAVA_KEYS = ("client_id", "client_secret", "verify_token", "callback_secret")
PUSH_PLATFORMS = ("apns", "fcm")


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    blocking: bool = True

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "FAIL" if self.blocking else "warn"


def _missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in {
        "ParameterNotFound",
        "ResourceNotFoundException",
        "NotFoundException",
    }


def bootstrap(ssm: Any) -> Finding:
    try:
        version = int(ssm.get_parameter(Name=BOOTSTRAP_PARAMETER)["Parameter"]["Value"])
    except ClientError as error:
        if not _missing(error):
            raise
        return Finding("CDK bootstrap", False, "not bootstrapped: npx cdk bootstrap")
    return Finding(
        "CDK bootstrap",
        version >= BOOTSTRAP_MINIMUM,
        f"version {version} (at least {BOOTSTRAP_MINIMUM}; npx cdk bootstrap to upgrade)",
    )


def concurrency(lambda_: Any, config: StageConfig) -> list[Finding]:
    quota = int(lambda_.get_account_settings()["AccountLimit"]["ConcurrentExecutions"])
    reserved = stage_reservations(config)
    fits = not reserved or reserved <= quota - UNRESERVED_MINIMUM
    findings = [
        Finding(
            "Lambda concurrency",
            fits,
            f"quota {quota}, the stage reserves {reserved}, {UNRESERVED_MINIMUM} must stay "
            "unreserved" + ("" if fits else ": raise the quota in Service Quotas"),
        )
    ]
    if config.account_concurrency > quota:
        findings.append(
            Finding(
                "Lambda concurrency setting",
                False,
                f"synthesized for a quota of {config.account_concurrency}, the account has "
                f"{quota}: pass -c account_concurrency={quota}",
            )
        )
    return findings


def sender(sesv2: Any, config: StageConfig) -> list[Finding]:
    domain = config.email_domain
    try:
        identity = sesv2.get_email_identity(EmailIdentity=domain)
    except ClientError as error:
        if not _missing(error):
            raise
        # The integration stack creates the identity; Cognito must not use it before.
        found = Finding(
            "SES sender domain",
            False,
            f"{domain} not in SES yet: the first deploy creates it, then add its DKIM records",
            blocking=config.cognito_ses,
        )
    else:
        verified = bool(identity.get("VerifiedForSendingStatus"))
        found = Finding(
            "SES sender domain",
            verified,
            f"{domain} " + ("verified" if verified else "not verified: add its DKIM records"),
            blocking=config.cognito_ses,
        )
    production = bool(sesv2.get_account().get("ProductionAccessEnabled"))
    return [
        found,
        Finding(
            "SES production access",
            production,
            "out of the sandbox"
            if production
            else "in the SES sandbox: request production "
            "access (mail reaches verified addresses only)",
            blocking=config.name == "prod",
        ),
    ]


def _secret_fields(secrets: Any, name: str) -> dict[str, Any] | None:
    """The secret's JSON fields; {} when it holds something else; None when absent."""
    try:
        value = secrets.get_secret_value(SecretId=name)["SecretString"]
    except ClientError as error:
        if not _missing(error):
            raise
        return None
    try:
        fields = json.loads(value)
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def operator_secrets(secrets: Any, stage: str) -> list[Finding]:
    """The secrets an operator fills: without them Strava answers 503 and pushes stop."""
    findings = []
    strava = _secret_fields(secrets, strava_app_secret_name(stage))
    missing = [key for key in STRAVA_KEYS if not (strava or {}).get(key)]
    short = len(str((strava or {}).get("callback_secret", ""))) < 32
    findings.append(
        Finding(
            "Strava app secret",
            strava is not None and not missing and not short,
            "not created yet (first deploy)"
            if strava is None
            else f"missing {', '.join(missing)} (docs/strava.md)"
            if missing
            else "callback_secret shorter than 32 characters"
            if short
            else "set",
            blocking=False,
        )
    )
    push = _secret_fields(secrets, push_credentials_secret_name(stage))
    platforms = [p for p in PUSH_PLATFORMS if (push or {}).get(p)]
    findings.append(
        Finding(
            "Push credentials secret",
            bool(platforms),
            "not created yet (first deploy)"
            if push is None
            else f"set for {', '.join(platforms)}"
            if platforms
            else "no platform's credentials (docs/notifications.md)",
            blocking=False,
        )
    )
    return findings


def alarm_subscription(ssm: Any, sns: Any, config: StageConfig) -> Finding:
    watched = config.name in ALERTED_STAGES
    try:
        topic = ssm.get_parameter(Name=ops_topic_parameter(config.name))["Parameter"]["Value"]
    except ClientError as error:
        if not _missing(error):
            raise
        return Finding(
            "Alarm subscription", False, "no alarm topic yet (first deploy)", blocking=False
        )
    subscriptions = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
        subscriptions += page["Subscriptions"]
    confirmed = [s for s in subscriptions if s["SubscriptionArn"].startswith("arn:")]
    pending = len(subscriptions) - len(confirmed)
    return Finding(
        "Alarm subscription",
        bool(confirmed),
        f"{len(confirmed)} confirmed, {pending} waiting for confirmation"
        + ("" if confirmed else ": confirm the e-mail AWS sent to the alarm address"),
        blocking=watched,
    )


def backups(clients: dict[str, Any], config: StageConfig) -> list[Finding]:
    """The copies of recovery points need a vault at the other end and, for DynamoDB,
    AWS Backup's advanced features: without them every daily copy job fails."""
    if not (config.backup_retention_days and config.backup_copy_region):
        return []
    region, vault = config.backup_copy_region, backup_copy_vault_name(config.name)
    try:
        clients["backup_copy"].describe_backup_vault(BackupVaultName=vault)
        found = Finding("Backup copy vault", True, f"{vault} in {region}")
    except ClientError as error:
        if not _missing(error):
            raise
        found = Finding(
            "Backup copy vault",
            False,
            f"no {vault} in {region}: aws backup create-backup-vault "
            f"--backup-vault-name {vault} --region {region}",
        )
    preferences = clients["backup"].describe_region_settings()
    advanced = bool(preferences.get("ResourceTypeManagementPreference", {}).get("DynamoDB"))
    return [
        found,
        Finding(
            "Backup of DynamoDB",
            advanced,
            "advanced features on"
            if advanced
            else "turn on AWS Backup's advanced features for DynamoDB (copies need them): "
            "aws backup update-region-settings --resource-type-management-preference "
            "DynamoDB=true",
        ),
    ]


def run(clients: dict[str, Any], config: StageConfig) -> list[Finding]:
    checks: list[Callable[[], Finding | list[Finding]]] = [
        lambda: bootstrap(clients["ssm"]),
        lambda: concurrency(clients["lambda"], config),
        lambda: sender(clients["sesv2"], config),
        lambda: operator_secrets(clients["secretsmanager"], config.name),
        lambda: alarm_subscription(clients["ssm"], clients["sns"], config),
        lambda: backups(clients, config),
    ]
    findings: list[Finding] = []
    for check in checks:
        found = check()
        findings += found if isinstance(found, list) else [found]
    return findings


def report(findings: list[Finding]) -> str:
    return "\n".join(f"{f.verdict:5} {f.check:28} {f.detail}" for f in findings)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.preflight", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--cognito-ses", action="store_true", help="as -c cognito_ses=true")
    parser.add_argument("--account-concurrency", type=int, help="as -c account_concurrency")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    config = load_stage(
        args.stage,
        {
            "region": args.region,
            # As app.py: the pipeline sets COGNITO_SES once the domain is verified.
            "cognito_ses": True if args.cognito_ses else os.environ.get("COGNITO_SES"),
            "account_concurrency": args.account_concurrency,
        },
    )
    names = ("ssm", "lambda", "sesv2", "secretsmanager", "sns", "backup")
    clients = {name: boto3.client(name, region_name=args.region) for name in names}
    clients["backup_copy"] = boto3.client(
        "backup", region_name=config.backup_copy_region or args.region
    )
    findings = run(clients, config)
    print(report(findings))
    return 1 if any(not f.ok and f.blocking for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
