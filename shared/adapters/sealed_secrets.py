"""Small secrets kept in the table sealed with the stage's KMS key: club webhooks' signing
secrets (and, with the same key, Strava tokens).

KMS `Encrypt` directly rather than envelope encryption: every value is far below KMS's
4 KB limit, so a data key would add a second object to keep without adding protection.
The encryption context names what the value belongs to, so a sealed value copied onto
another item does not open (KMS refuses a context that differs)."""

import base64
from collections.abc import Mapping

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.aws_clients import error_code
from shared.domain.errors import ServiceUnavailable

# What a sealed value is for: the `purpose` of its encryption context. IAM holds each
# function to its purpose (`kms:EncryptionContext:purpose`), so the webhook worker cannot
# open Strava tokens and the Strava functions cannot open webhook secrets.
STRAVA_TOKENS = "strava-tokens"
WEBHOOK_SIGNING = "webhook-signing"

_THROTTLED = frozenset({"ThrottlingException", "KMSInternalException", "LimitExceededException"})


class SecretSealer(Adapter):
    def __init__(self, client: ClientSource, key_id: str) -> None:
        super().__init__(client)
        self.key_id = key_id

    def seal(self, plaintext: str, context: Mapping[str, str]) -> str:
        try:
            answer = self.client.encrypt(
                KeyId=self.key_id, Plaintext=plaintext.encode(), EncryptionContext=dict(context)
            )
        except ClientError as error:
            raise _mapped(error) from None
        return base64.b64encode(answer["CiphertextBlob"]).decode()

    def open(self, sealed: str, context: Mapping[str, str]) -> str:
        try:
            answer = self.client.decrypt(
                KeyId=self.key_id,
                CiphertextBlob=base64.b64decode(sealed),
                EncryptionContext=dict(context),
            )
        except ClientError as error:
            raise _mapped(error) from None
        return bytes(answer["Plaintext"]).decode()


def _mapped(error: ClientError) -> Exception:
    if error_code(error) in _THROTTLED:
        return ServiceUnavailable("The key service is busy; retry shortly.")
    return error
