"""Physical names of a stage's resources, shared by the stacks, the local platform and the
operations tools so that each finds what the others made."""

PROJECT = "sydney-cycling"


def resource_prefix(stage: str) -> str:
    """`sydney-cycling-{stage}`: the table, user pool, bus and bucket names start with it."""
    return f"{PROJECT}-{stage}"


def api_url_parameter(stage: str) -> str:
    """The SSM parameter where the api stack publishes the API's base URL (for links in
    e-mails), so no other stack imports it as a CloudFormation export."""
    return f"/{PROJECT}/{stage}/api/url"


def signing_secret_name(stage: str) -> str:
    """The secret that signs one-click unsubscribe links."""
    return f"{resource_prefix(stage)}/notifications-signing"


def reminder_group_name(stage: str) -> str:
    """The EventBridge Scheduler group holding the stage's ride reminders."""
    return f"{resource_prefix(stage)}-reminders"


def push_application_name(stage: str, platform: str) -> str:
    """The SNS platform application of a push platform (`apns` or `fcm`)."""
    return f"{resource_prefix(stage)}-{platform}"


def push_credentials_secret_name(stage: str) -> str:
    """APNs and FCM credentials, set by an operator (`ops/push_platforms.py` reads them)."""
    return f"{resource_prefix(stage)}/push-credentials"
