"""Post-confirmation trigger: a confirmed sign-up gets its profile, exactly once."""

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import get_settings
from shared.domain.user import new_profile
from shared.observability import logger, metrics, tracer
from shared.store.client import dynamodb_client
from shared.store.table import Table
from shared.store.users import create_profile


@cache
def _table() -> Table:
    return Table(dynamodb_client(), get_settings().table_name)


def on_confirmation(event: dict[str, Any], table: Table) -> bool:
    attributes = event["request"]["userAttributes"]
    profile = new_profile(
        attributes["sub"],
        attributes.get("email"),
        datetime.now(UTC),
        given_name=attributes.get("given_name"),
        family_name=attributes.get("family_name"),
    )
    return create_profile(table, profile)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Password resets confirm too; only sign-ups create profiles.
    if event.get("triggerSource") == "PostConfirmation_ConfirmSignUp" and on_confirmation(
        event, _table()
    ):
        metrics.add_metric(name="UserRegistered", unit="Count", value=1)
    return event  # Cognito expects the event back
