"""Delivers notices: for each recipient and channel their preferences allow, at most once
per event (a delivery record claimed before sending, released if the send fails)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifications.messages import Rendered, render
from notifications.planner import Notice
from notifications.store import NotificationStore, Recipient
from shared.adapters.delivery_errors import EndpointGone
from shared.adapters.email import Email, EmailSender
from shared.adapters.push import PushGateway
from shared.domain.clock import utc_now
from shared.domain.notifications import Category, Channel

# (outcome, category, channel): "sent", "suppressed", "opted_out", "failed", "pruned"
Record = Callable[[str, Category, Channel], None]


class UnsubscribeLinks:
    """Signed one-click links; built on first use (they need a secret and the API's URL)."""

    def __init__(self, make: Callable[[str, Category], str]) -> None:
        self.make = make

    def url(self, user_id: str, category: Category) -> str:
        return self.make(user_id, category)


@dataclass
class Dispatcher:
    store: NotificationStore
    email: EmailSender | None
    push: PushGateway | None
    links: UnsubscribeLinks
    record: Record
    delivery_record_days: int = 14

    def deliver(self, event_id: str, notice: Notice) -> None:
        expires = utc_now() + timedelta(days=self.delivery_record_days)
        for recipient in self.store.recipients(notice.user_ids):
            unsubscribe = self.links.url(recipient.user_id, notice.category)
            values = {
                **notice.values,
                "recipient_name": recipient.display_name or "there",
                "unsubscribe_url": unsubscribe,
            }
            rendered = render(notice.kind, notice.category, values)
            if self._wants(recipient, notice.category, Channel.EMAIL):
                self._email(event_id, recipient, notice, rendered, unsubscribe, expires)
            if self._wants(recipient, notice.category, Channel.PUSH):
                self._push(
                    event_id, recipient, notice, rendered.push_title, rendered.push_body, expires
                )

    def _wants(self, recipient: Recipient, category: Category, channel: Channel) -> bool:
        if recipient.preferences.allows(category, channel):
            return True
        self.record("opted_out", category, channel)
        return False

    def _email(
        self,
        event_id: str,
        recipient: Recipient,
        notice: Notice,
        rendered: Rendered,
        unsubscribe: str,
        expires: datetime,
    ) -> None:
        if self.email is None or not recipient.email:
            return
        if recipient.email_suppressed:
            self.record("suppressed", notice.category, Channel.EMAIL)
            return
        if not self.store.claim_delivery(event_id, recipient.user_id, Channel.EMAIL, expires):
            return  # sent on an earlier delivery of this event
        message = Email(
            to=recipient.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            tags={"user_id": recipient.user_id, "category": notice.category.value},
        )
        try:
            self.email.send(message)
        except Exception:
            self.store.release_delivery(event_id, recipient.user_id, Channel.EMAIL)
            self.record("failed", notice.category, Channel.EMAIL)
            raise
        self.record("sent", notice.category, Channel.EMAIL)

    def _push(
        self,
        event_id: str,
        recipient: Recipient,
        notice: Notice,
        title: str,
        body: str,
        expires: datetime,
    ) -> None:
        if self.push is None:
            return
        devices = self.store.devices(recipient.user_id)
        for device in devices:
            channel = f"{Channel.PUSH}:{device.device_id}"
            if not self.store.claim_delivery(event_id, recipient.user_id, channel, expires):
                continue
            try:
                self.push.send(device.endpoint_arn, device.platform, title, body, notice.data)
            except EndpointGone:
                # The app is gone from that phone: forget the device, keep the others.
                self.push.unregister(device.endpoint_arn)
                self.store.release_token(device)
                self.store.delete_device(device, len(devices))
                self.record("pruned", notice.category, Channel.PUSH)
                continue
            except Exception:
                self.store.release_delivery(event_id, recipient.user_id, channel)
                self.record("failed", notice.category, Channel.PUSH)
                raise
            self.record("sent", notice.category, Channel.PUSH)
