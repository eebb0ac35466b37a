"""Push through SNS mobile push: one platform endpoint per registered device."""

import json
from collections.abc import Mapping

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.delivery_errors import EndpointGone, Refused, RetryLater
from shared.domain.errors import ServiceUnavailable
from shared.domain.notifications import PushPlatform
from shared.store.client import error_code

_RETRYABLE = frozenset({"ThrottledException", "InternalErrorException", "KMSThrottlingException"})
# SNS names these without the suffix on the wire; both spellings are accepted.
_GONE = frozenset(
    {"EndpointDisabled", "EndpointDisabledException", "NotFound", "NotFoundException"}
)


def push_payload(platform: PushPlatform, title: str, body: str, data: Mapping[str, str]) -> str:
    """SNS's per-platform message document (`MessageStructure=json`)."""
    if platform is PushPlatform.APNS:
        inner = {"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data}
        return json.dumps(
            {"default": body, "APNS": json.dumps(inner), "APNS_SANDBOX": json.dumps(inner)}
        )
    inner = {"notification": {"title": title, "body": body}, "data": dict(data)}
    return json.dumps({"default": body, "GCM": json.dumps(inner)})


class PushGateway(Adapter):
    def __init__(self, client: ClientSource, applications: Mapping[str, str]) -> None:
        """`applications`: platform (`apns`, `fcm`) -> SNS platform application ARN."""
        super().__init__(client)
        self.applications = dict(applications)

    def register(self, platform: PushPlatform, token: str, user_id: str) -> str:
        """A platform endpoint for the device token; returns its ARN (the same one when
        the token is registered again)."""
        application = self.applications.get(platform.value)
        if not application:
            raise ServiceUnavailable(f"Push to {platform} is not configured on this stage.")
        try:
            answer = self.client.create_platform_endpoint(
                PlatformApplicationArn=application, Token=token, CustomUserData=user_id
            )
        except ClientError as error:
            code = error_code(error)
            if code in _GONE:
                raise ServiceUnavailable(f"Push to {platform} is not set up yet.") from None
            if code in _RETRYABLE:
                raise ServiceUnavailable("The push service is busy; retry shortly.") from None
            raise
        return str(answer["EndpointArn"])

    def unregister(self, endpoint_arn: str) -> None:
        self.client.delete_endpoint(EndpointArn=endpoint_arn)  # idempotent in SNS

    def send(
        self,
        endpoint_arn: str,
        platform: PushPlatform,
        title: str,
        body: str,
        data: Mapping[str, str],
    ) -> str:
        try:
            answer = self.client.publish(
                TargetArn=endpoint_arn,
                MessageStructure="json",
                Message=push_payload(platform, title, body, data),
            )
        except ClientError as error:
            code = error_code(error)
            if code in _GONE:
                raise EndpointGone(code) from None
            if code in _RETRYABLE:
                raise RetryLater(f"SNS: {code}") from None
            raise Refused(f"SNS: {code}") from None
        return str(answer.get("MessageId", ""))
