"""Push through SNS mobile push: one platform endpoint per registered device."""

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.delivery_errors import DeliveryRefused, EndpointGone, RetryLater
from shared.aws_clients import error_code
from shared.domain.errors import ServiceUnavailable, Unprocessable
from shared.domain.notifications import PushPlatform

_RETRYABLE = frozenset({"ThrottledException", "InternalErrorException", "KMSThrottlingException"})
# SNS names these without the suffix on the wire; both spellings are accepted.
_GONE = frozenset(
    {"EndpointDisabled", "EndpointDisabledException", "NotFound", "NotFoundException"}
)


# SNS refuses to create a second endpoint for a token it has with other attributes (another
# CustomUserData, or disabled) and names the existing endpoint only in the message: AWS's
# mobile push guide ("Creating an Amazon SNS platform endpoint", its pseudo code) reads the
# ARN from there, and so does this.
_EXISTING_ENDPOINT = re.compile(r"Endpoint (arn:aws[\w-]*:sns:\S+) already exists")


def _existing_endpoint(error: ClientError) -> str | None:
    if error_code(error) not in ("InvalidParameter", "InvalidParameterException"):
        return None
    found = _EXISTING_ENDPOINT.search(str(error.response.get("Error", {}).get("Message", "")))
    return found.group(1) if found else None


@contextmanager
def _provider_errors(platform: PushPlatform) -> Iterator[None]:
    """SNS's refusals as the API's answers: never a 5xx that the client caused, 503 for
    what a retry may cure."""
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code in _GONE:
            raise ServiceUnavailable(f"Push to {platform} is not set up yet.") from None
        if code in _RETRYABLE:
            raise ServiceUnavailable("The push service is busy; retry shortly.") from None
        if code in ("InvalidParameter", "InvalidParameterException"):
            raise Unprocessable(
                f"{platform} refused this device token.", code="invalid_device_token"
            ) from None
        raise ServiceUnavailable("The push service refused the request; retry later.") from None


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

    def register(
        self, platform: PushPlatform, token: str, user_id: str, known_arn: str | None = None
    ) -> str:
        """The platform endpoint for the device token, enabled and labelled with the user
        id, whoever registered it before (a phone moving between accounts takes its
        endpoint along); returns its ARN."""
        application = self.applications.get(platform.value)
        if not application:
            raise ServiceUnavailable(f"Push to {platform} is not configured on this stage.")
        with _provider_errors(platform):
            if known_arn and self._revive(known_arn, token, user_id):
                return known_arn
            try:
                answer = self.client.create_platform_endpoint(
                    PlatformApplicationArn=application, Token=token, CustomUserData=user_id
                )
            except ClientError as error:
                existing = _existing_endpoint(error)
                if existing is None or not self._revive(existing, token, user_id):
                    raise
                return existing
        return str(answer["EndpointArn"])

    def _revive(self, endpoint_arn: str, token: str, user_id: str) -> bool:
        """Point a known endpoint at the token, enabled, for this user; False if SNS has no
        such endpoint (deleted meanwhile)."""
        try:
            self.client.set_endpoint_attributes(
                EndpointArn=endpoint_arn,
                Attributes={"Token": token, "Enabled": "true", "CustomUserData": user_id},
            )
        except ClientError as error:
            if error_code(error) in _GONE:
                return False
            raise
        return True

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
            raise DeliveryRefused(f"SNS: {code}") from None
        return str(answer.get("MessageId", ""))
