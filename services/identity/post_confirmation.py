"""Post-confirmation trigger: a confirmed sign-up gets its profile, exactly once."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.domain.clock import utc_now
from shared.domain.user import new_profile
from shared.observability import instrumented, metrics
from shared.store.table import Table, app_table
from shared.store.users import create_profile


def on_confirmation(event: dict[str, Any], table: Table) -> bool:
    attributes = event["request"]["userAttributes"]
    profile = new_profile(
        attributes["sub"],
        attributes.get("email"),
        utc_now(),
        given_name=attributes.get("given_name"),
        family_name=attributes.get("family_name"),
    )
    return create_profile(table, profile)


def _on_confirmation_event(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Password resets confirm too; only sign-ups create profiles.
    if event.get("triggerSource") == "PostConfirmation_ConfirmSignUp" and on_confirmation(
        event, app_table()
    ):
        metrics.add_metric(name="UserRegistered", unit="Count", value=1)
    return event  # Cognito expects the event back


handler = instrumented(_on_confirmation_event)
