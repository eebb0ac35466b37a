"""Audit log items, written by the clubs context's audit consumer and, for a webhook's
deletion, by the webhooks API in the deleting transaction."""

from datetime import UTC
from typing import Any

from shared.domain.audit import AUDIT_RETENTION, AuditEntry
from shared.store import keys
from shared.store.schema import GSI1, TTL_ATTRIBUTE

_FIELDS = frozenset(AuditEntry.model_fields)


def audit_item(entry: AuditEntry) -> dict[str, Any]:
    # To the microsecond: two changes within a second keep their order.
    moment = entry.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        **keys.audit_key(entry.scope, moment, entry.entry_id),
        # A member's entries are found by their user id; a ride's or webhook's by its id.
        GSI1.partition_key: keys.audit_subject_pk(
            entry.scope, entry.subject_user_id or entry.subject_id
        ),
        GSI1.sort_key: f"{moment}#{entry.entry_id}",
        "entity": "audit",
        TTL_ATTRIBUTE: int((entry.occurred_at + AUDIT_RETENTION).timestamp()),
        **entry.model_dump(mode="json"),
    }


def audit_put(entry: AuditEntry) -> dict[str, Any]:
    """A transaction's Put of the entry, once (a redelivered event writes nothing)."""
    return {"Put": {"Item": audit_item(entry), "ConditionExpression": "attribute_not_exists(PK)"}}


def to_entry(item: dict[str, Any]) -> AuditEntry:
    return AuditEntry.model_validate({k: v for k, v in item.items() if k in _FIELDS})
