#!/usr/bin/env python3
"""CDK app: the five stacks of one stage (`-c stage=dev|staging|prod`, default dev)."""

import os

from aws_cdk import App

from stacks.app_builder import (
    add_security_checks,
    build_platform,
    cdk_json_context,
    unacknowledged_findings,
)
from stacks.config import (
    StageConfig,
    load_stage,
    require_alarm_recipient,
    require_production_mail,
)


def stage_config(app: App) -> StageConfig:
    """The stage the context names, refused (SystemExit/ValueError with the way out) if it
    would fail to deploy or go unwatched."""
    stage = app.node.try_get_context("stage") or os.environ.get("STAGE_NAME") or "dev"
    config = load_stage(
        stage,
        {
            "account": app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT"),
            "region": app.node.try_get_context("region"),
            "alarm_email": app.node.try_get_context("alarm_email") or os.environ.get("ALARM_EMAIL"),
            "email_domain": app.node.try_get_context("email_domain"),
            "email_sender": app.node.try_get_context("email_sender"),
            "cognito_ses": app.node.try_get_context("cognito_ses") or os.environ.get("COGNITO_SES"),
            "cognito_default_sender": app.node.try_get_context("cognito_default_sender"),
            "api_canary": app.node.try_get_context("api_canary"),
            "snap_start": app.node.try_get_context("snap_start"),
            "account_concurrency": app.node.try_get_context("account_concurrency"),
            # A restored table taking over (docs/runbooks/data.md); the pipeline passes
            # $RESTORED_TABLE and $RESTORED_TABLE_STREAM.
            "restored_table": app.node.try_get_context("restored_table")
            or os.environ.get("RESTORED_TABLE")
            or None,
            "restored_table_stream": app.node.try_get_context("restored_table_stream")
            or os.environ.get("RESTORED_TABLE_STREAM")
            or None,
        },
    )
    return require_production_mail(require_alarm_recipient(config))


def main() -> None:
    # Run by the CDK CLI, context and outdir come from it; run as `python app.py`, read the
    # same cdk.json and write to cdk.out, so both synthesize the same thing.
    by_cli = "CDK_CONTEXT_JSON" in os.environ or "CDK_OUTDIR" in os.environ
    app = App() if by_cli else App(context=cdk_json_context(), outdir="cdk.out")
    build_platform(app, stage_config(app))
    add_security_checks(app, guard=True)
    findings = unacknowledged_findings(app.synth().directory)
    if findings:
        raise SystemExit(
            "Unacknowledged security findings (fix, or acknowledge with a reason):\n  "
            + "\n  ".join(findings)
        )


if __name__ == "__main__":
    main()
