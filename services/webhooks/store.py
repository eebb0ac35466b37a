"""Webhooks in the club's partition (with the club's count of them), and each webhook's
delivery log in its own partition, expiring by TTL."""

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from shared.authz import MembershipView
from shared.domain.audit import AuditEntry, SubjectKind
from shared.domain.clock import utc_now
from shared.domain.club import Club
from shared.domain.errors import Conflict, NotFound
from shared.domain.webhook import (
    WEBHOOKS_PER_CLUB,
    Delivery,
    Webhook,
    WebhookStatus,
)
from shared.store import keys
from shared.store.audit import audit_put
from shared.store.clubs import read_club_and_membership
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.schema import PK, SK, TTL_ATTRIBUTE
from shared.store.table import ConditionFailed, Item, Table, TransactionCancelled

WEBHOOK_COUNT = "webhook_count"
DELIVERY_LOG_DAYS = 30
_WEBHOOK_FIELDS = frozenset(Webhook.model_fields)
_DELIVERY_FIELDS = frozenset(Delivery.model_fields)


def webhook_item(webhook: Webhook) -> dict[str, Any]:
    return {
        **keys.webhook_key(webhook.club_id, webhook.webhook_id),
        "entity": "webhook",
        **webhook.model_dump(mode="json"),
    }


def to_webhook(item: Item) -> Webhook:
    return Webhook.model_validate({k: v for k, v in item.items() if k in _WEBHOOK_FIELDS})


def _count_change(club_id: str, delta: int) -> dict[str, Any]:
    """The club-side half of adding or removing a webhook: at most WEBHOOKS_PER_CLUB."""
    condition = "attribute_exists(PK)"
    values: dict[str, Any] = {":delta": delta}
    if delta > 0:
        condition += " AND (attribute_not_exists(#count) OR #count < :max)"
        values[":max"] = WEBHOOKS_PER_CLUB
    return {
        "Update": {
            "Key": keys.club_key(club_id),
            "UpdateExpression": "ADD #count :delta",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#count": WEBHOOK_COUNT},
            "ExpressionAttributeValues": values,
        }
    }


class WebhookStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def club_and_caller(
        self, club_id: str, caller_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, caller_id)

    def create(self, webhook: Webhook) -> None:
        put = {
            "Put": {
                "Item": webhook_item(webhook),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        try:
            self.table.transact_write([put, _count_change(webhook.club_id, 1)])
        except TransactionCancelled as cancelled:
            if cancelled.failed_condition(1):
                raise Conflict(
                    f"A club may register at most {WEBHOOKS_PER_CLUB} webhooks.",
                    code="too_many_webhooks",
                ) from None
            raise

    def club_webhooks(self, club_id: str) -> list[Webhook]:
        """Every webhook of the club (at most WEBHOOKS_PER_CLUB: one page), consistent."""
        items, _ = self.table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :webhook)",
            values={":pk": keys.club_partition(club_id), ":webhook": keys.WEBHOOK_PREFIX},
            limit=100,
            consistent=True,
        )
        return [to_webhook(i) for i in items]

    def webhook(self, club_id: str, webhook_id: str) -> Webhook | None:
        item = self.table.get(keys.webhook_key(club_id, webhook_id))
        return to_webhook(item) if item else None

    def delete(self, club_id: str, webhook_id: str, by: str) -> None:
        """The webhook, its count on the club and its audit entry (the deleter is named
        by this request only: the stream's image of a deleted item carries no actor)."""
        item = self.table.get(keys.webhook_key(club_id, webhook_id))
        if item is None:
            raise NotFound("No such webhook.", code="webhook_not_found")
        webhook = to_webhook(item)
        remove = {
            "Delete": {
                "Key": keys.webhook_key(club_id, webhook_id),
                "ConditionExpression": "version = :version",
                "ExpressionAttributeValues": {":version": webhook.version},
            }
        }
        entry = AuditEntry(
            scope=club_id,
            entry_id=f"{webhook_id}:{webhook.version}:club_webhook_deleted",
            occurred_at=utc_now(),
            action="club_webhook_deleted",
            actor_id=by,
            subject_kind=SubjectKind.WEBHOOK,
            subject_id=webhook_id,
            before={
                "status": webhook.status.value,
                "event_types": webhook.event_types,
                "host": urlsplit(webhook.url).hostname or "",
            },
        )
        try:
            self.table.transact_write([remove, _count_change(club_id, -1), audit_put(entry)])
        except TransactionCancelled:
            raise Conflict(
                "The webhook changed meanwhile; read it again.", code="version_conflict"
            ) from None

    def deliveries(
        self, webhook_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        """The delivery log, newest event first."""
        partition = keys.webhook_deliveries_pk(webhook_id)
        items, last = self.table.query_page(
            index=None,
            key_condition="PK = :pk",
            values={":pk": partition},
            limit=limit,
            forward=False,
            start_key=decode_cursor(cursor, key_names=(PK, SK), fixed={PK: partition}),
        )
        deliveries = [
            Delivery.model_validate({k: v for k, v in i.items() if k in _DELIVERY_FIELDS})
            for i in items
        ]
        return deliveries, encode_cursor(last)

    # The delivery side.

    def log_delivery(self, delivery: Delivery, occurred_at: str, now: datetime) -> None:
        """Write the delivery's state after an attempt (one item per event and webhook)."""
        self.table.put(
            {
                **keys.webhook_delivery_key(delivery.webhook_id, occurred_at, delivery.event_id),
                "entity": "webhook_delivery",
                **delivery.model_dump(mode="json"),
                TTL_ATTRIBUTE: int((now + timedelta(days=DELIVERY_LOG_DAYS)).timestamp()),
            }
        )

    def note_success(self, webhook: Webhook) -> None:
        if webhook.consecutive_failures:
            self.table.update(
                keys.webhook_key(webhook.club_id, webhook.webhook_id),
                "SET consecutive_failures = :zero",
                condition="attribute_exists(PK)",
                values={":zero": 0},
            )

    def note_failure(self, webhook: Webhook, limit: int, reason: str, now: datetime) -> bool:
        """Count a failed attempt; the one that reaches `limit` disables the webhook (a
        versioned change, so the stream publishes `club_webhook_disabled`). True if this
        call disabled it."""
        key = keys.webhook_key(webhook.club_id, webhook.webhook_id)
        try:
            self.table.update(
                key,
                "SET #status = :disabled, disabled_reason = :reason, version = version + :one, "
                "updated_at = :now, updated_by = :system ADD consecutive_failures :one",
                condition="#status = :active AND consecutive_failures >= :almost",
                values={
                    ":disabled": WebhookStatus.DISABLED.value,
                    ":active": WebhookStatus.ACTIVE.value,
                    ":reason": reason,
                    ":one": 1,
                    ":now": now.isoformat(),
                    ":system": "system",
                    ":almost": limit - 1,
                },
                names={"#status": "status"},
            )
            return True
        except ConditionFailed:
            pass
        with suppress(ConditionFailed):  # deleted meanwhile: nothing to count
            self.table.update(
                key,
                "ADD consecutive_failures :one",
                condition="attribute_exists(PK)",
                values={":one": 1},
            )
        return False

    def enable(self, webhook: Webhook, user_id: str, now: datetime) -> Webhook:
        """Back on after the club fixed its endpoint: the failure count starts again."""
        return self._revise(
            webhook,
            user_id,
            now,
            status=WebhookStatus.ACTIVE,
            consecutive_failures=0,
            disabled_reason=None,
        )

    def replace_secret(self, webhook: Webhook, sealed: str, user_id: str, now: datetime) -> Webhook:
        return self._revise(webhook, user_id, now, sealed_secret=sealed)

    def _revise(self, webhook: Webhook, user_id: str, now: datetime, **changes: Any) -> Webhook:
        """The webhook with `changes`, written only over the version it was read at."""
        revised = webhook.model_copy(
            update={
                **changes,
                "updated_at": now,
                "updated_by": user_id,
                "version": webhook.version + 1,
            }
        )
        try:
            self.table.put(
                webhook_item(revised),
                condition="version = :expected",
                values={":expected": webhook.version},
            )
        except ConditionFailed:
            raise Conflict(
                "The webhook changed meanwhile; read it again.", code="version_conflict"
            ) from None
        return revised
