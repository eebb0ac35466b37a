"""E-mail through SES v2, as MIME with a text and an HTML part.

Raw MIME (rather than SES templates or `Simple` content) keeps the `List-Unsubscribe`
headers and both bodies under our control, and the same message is what moto stores
locally. Addresses never reach the logs: callers log user ids.
"""

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.delivery_errors import DeliveryRefused, RetryLater
from shared.aws_clients import error_code

# Codes after which the same message may go through later.
_RETRYABLE = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "InternalFailure", "ServiceUnavailable"}
)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    # Extra headers (List-Unsubscribe...) and SES tags (e.g. the user id, which bounce
    # and complaint events carry back).
    headers: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


# RFC 5322's line limit: a long header such as List-Unsubscribe stays one plain line
# instead of being folded into encoded words, which mail clients would not recognise.
_POLICY = policy.default.clone(max_line_length=998)


def to_mime(message: Email, sender: str, sender_name: str) -> bytes:
    mime = EmailMessage(policy=_POLICY)
    mime["From"] = formataddr((sender_name, sender))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or None)
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return bytes(mime)


class EmailSender(Adapter):
    def __init__(
        self,
        client: ClientSource,
        sender: str,
        *,
        sender_name: str = "Sydney Cycling",
        configuration_set: str | None = None,
    ) -> None:
        super().__init__(client)
        self.sender = sender
        self.sender_name = sender_name
        self.configuration_set = configuration_set

    def send(self, message: Email) -> str:
        """Sends `message`; returns SES's message id."""
        request: dict[str, object] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": to_mime(message, self.sender, self.sender_name)}},
            "EmailTags": [{"Name": k, "Value": v} for k, v in message.tags.items()],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.client.send_email(**request)
        except ClientError as error:
            code = error_code(error)
            if code in _RETRYABLE:
                raise RetryLater(f"SES: {code}") from None
            raise DeliveryRefused(f"SES: {code}") from None
        return str(answer.get("MessageId", ""))
