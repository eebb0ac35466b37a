"""The audit log's writer: the domain events that change who holds what in a club, a
club's settings or webhooks, a ride's cancellation, and a SiteAdmin's role changes, each
recorded once with its actor and the values before and after (decision 36).

An entry's key holds the event's id, so a redelivered event writes nothing; no route
writes or changes an entry (IAM lets only this consumer and the webhooks API, for a
deletion, put `AUDIT#` items: `stacks/item_guard.py`).
"""

from collections.abc import Callable
from functools import cache

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.batch import batch_handler, domain_event
from shared.domain.audit import PLATFORM_SCOPE, AuditEntry, SubjectKind
from shared.event_catalog import (
    ClubCreated,
    ClubUpdated,
    ClubWebhookChanged,
    ClubWebhookDisabled,
    MembershipChanged,
    RideChanged,
    UserRoleChanged,
)
from shared.events import DomainEvent
from shared.observability import metrics
from shared.store.audit import audit_item
from shared.store.table import ConditionFailed, Table, app_table


def _entry(event: DomainEvent, **fields: object) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "entry_id": event.event_id,
            "occurred_at": event.occurred_at,
            "action": event.event_type,
            "actor_id": event.actor,
            **fields,
        }
    )


def _membership(event: DomainEvent) -> AuditEntry:
    data = MembershipChanged.model_validate(event.data)
    before = {"status": data.previous_status, "club_role": data.previous_role}
    after = {"status": data.status, "club_role": data.club_role}
    changed = [k for k in after if before[k] != after[k]]
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.MEMBERSHIP,
        subject_id=data.membership_id,
        subject_user_id=data.user_id,
        before={k: before[k] for k in changed if before[k] is not None},
        after={k: after[k] for k in changed},
    )


def _club_created(event: DomainEvent) -> AuditEntry:
    data = ClubCreated.model_validate(event.data)
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.CLUB,
        subject_id=data.club_id,
        after={"name": data.name, "join_policy": data.join_policy},
    )


def _club_updated(event: DomainEvent) -> AuditEntry:
    data = ClubUpdated.model_validate(event.data)
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.CLUB,
        subject_id=data.club_id,
        before=data.before,
        after=data.after,
    )


def _webhook_changed(event: DomainEvent) -> AuditEntry:
    data = ClubWebhookChanged.model_validate(event.data)
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.WEBHOOK,
        subject_id=data.webhook_id,
        before=data.before,
        after={**data.after, "host": data.host},
    )


def _webhook_disabled(event: DomainEvent) -> AuditEntry:
    data = ClubWebhookDisabled.model_validate(event.data)
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.WEBHOOK,
        subject_id=data.webhook_id,
        before={"status": "active"},
        after={"status": "disabled", "reason": data.reason, "host": data.host},
    )


def _ride_cancelled(event: DomainEvent) -> AuditEntry:
    data = RideChanged.model_validate(event.data)
    return _entry(
        event,
        scope=data.club_id,
        subject_kind=SubjectKind.RIDE,
        subject_id=data.ride_id,
        before={"status": "scheduled"},
        after={"status": data.status, "cancel_reason": data.cancel_reason},
    )


def _role_changed(event: DomainEvent) -> AuditEntry:
    data = UserRoleChanged.model_validate(event.data)
    return _entry(
        event,
        scope=PLATFORM_SCOPE,
        subject_kind=SubjectKind.USER,
        subject_id=data.user_id,
        subject_user_id=data.user_id,
        before={"system_role": data.previous_role},
        after={"system_role": data.system_role},
    )


_MEMBERSHIP_EVENTS = (
    "user_joined_club",
    "membership_requested",
    "membership_approved",
    "membership_rejected",
    "membership_suspended",
    "membership_reinstated",
    "membership_ended",
    "membership_role_changed",
)
_ENTRIES: dict[str, Callable[[DomainEvent], AuditEntry]] = {
    **dict.fromkeys(_MEMBERSHIP_EVENTS, _membership),
    "club_created": _club_created,
    "club_updated": _club_updated,
    "club_webhook_changed": _webhook_changed,
    "club_webhook_disabled": _webhook_disabled,
    "ride_cancelled": _ride_cancelled,
    "user_role_changed": _role_changed,
}
# The events the stacks route to the consumer (a test checks they agree).
AUDITED_EVENTS = tuple(_ENTRIES)


def entry_for(event: DomainEvent) -> AuditEntry | None:
    make = _ENTRIES.get(event.event_type)
    return make(event) if make else None


def record(event: DomainEvent, table: Table) -> bool:
    """Write the event's entry once; False when it has none or was written already."""
    entry = entry_for(event)
    if entry is None:
        return False
    try:
        table.put(audit_item(entry), condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False  # a redelivery: written already
    return True


@cache
def _table() -> Table:
    return app_table()


def _record_handler(record_: SQSRecord) -> None:
    if record(domain_event(record_), _table()):
        metrics.add_metric(name="AuditEntries", unit="Count", value=1)


handler = batch_handler(_record_handler)
