"""SES's mailbox simulator, locally: mail sent to `bounce@simulator.amazonses.com` or
`complaint@simulator.amazonses.com` produces the event SES would publish (a permanent
bounce, a complaint) on the default bus, where the notifications consumer's rule picks it
up, as in AWS. moto keeps sent mail but publishes no such events."""

import json
from email import message_from_string
from email.utils import getaddresses
from typing import Any

from local.event_sources import PollingThread

SIMULATED = {
    "bounce@simulator.amazonses.com": ("Email Bounced", "Bounce"),
    "complaint@simulator.amazonses.com": ("Email Complaint Received", "Complaint"),
}


def ses_event(kind: str, recipient: str, tags: dict[str, list[str]]) -> dict[str, Any]:
    """The detail of SES's event for `kind`, with the fields consumers read."""
    detail: dict[str, Any] = {
        "eventType": kind,
        "mail": {"destination": [recipient], "tags": tags},
    }
    if kind == "Bounce":
        detail["bounce"] = {"bounceType": "Permanent", "bounceSubType": "General"}
    else:
        detail["complaint"] = {"complaintFeedbackType": "abuse"}
    return detail


class SesSimulator(PollingThread):
    idle_seconds = 0.5

    def __init__(self, sent_messages: Any, events: Any, user_of_address: Any) -> None:
        """`sent_messages()`: moto's list of sent mail; `user_of_address(email)`: the user
        id whose profile has that address (SES would carry it back as a message tag)."""
        super().__init__("ses-simulator")
        self.sent_messages, self.events, self.user_of_address = (
            sent_messages,
            events,
            user_of_address,
        )
        self._seen = 0

    def poll_once(self) -> bool:
        messages = list(self.sent_messages())
        fresh, self._seen = messages[self._seen :], len(messages)
        for message in fresh:
            raw = getattr(message, "raw_data", None)
            if raw is None:
                continue
            parsed = message_from_string(raw)
            for _, address in getaddresses([parsed.get("To", "")]):
                if address.lower() not in SIMULATED:
                    continue
                detail_type, kind = SIMULATED[address.lower()]
                user_id = self.user_of_address(address)
                tags = {"user_id": [user_id]} if user_id else {}
                self.events.put_events(
                    Entries=[
                        {
                            "Source": "aws.ses",
                            "DetailType": detail_type,
                            "Detail": json.dumps(ses_event(kind, address, tags)),
                        }
                    ]
                )
        return bool(fresh)
