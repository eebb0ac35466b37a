"""The audit log: who changed what in a club (and, on the platform, which SiteAdmin did
what), with the values before and after (`docs/decisions.md`, decision 36).

An entry is written once and never changed: by the event path for changes the table's
stream shows (memberships, club settings, webhooks, ride cancellations, SiteAdmin role
changes), and in the same transaction for a webhook's deletion (whose deleter no stream
image names). Entries expire two years after the change.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict

from shared.domain.model import Model

AUDIT_RETENTION = timedelta(days=2 * 365)
# The log of changes that belong to no club (SiteAdmin role changes).
PLATFORM_SCOPE = "platform"


class SubjectKind(StrEnum):
    MEMBERSHIP = "membership"
    CLUB = "club"
    WEBHOOK = "webhook"
    RIDE = "ride"
    USER = "user"


class AuditEntry(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": "0b8f2f8e-2d1c-4b53-9a55-0f0d1f6f2a10",
                    "entry_id": "4f1c...:membership_role_changed",
                    "occurred_at": "2026-12-04T07:30:00Z",
                    "action": "membership_role_changed",
                    "actor_id": "6a1d8d6e-9a0b-4c39-9f0e-5a4c1d2e3f40",
                    "subject_kind": "membership",
                    "subject_id": "0b8f2f8e-2d1c-4b53-9a55-0f0d1f6f2a10_7c2e",
                    "subject_user_id": "7c2e9b51-3f1d-4c8a-8e2b-1d0f3a4b5c6d",
                    "before": {"club_role": "member"},
                    "after": {"club_role": "ride_leader"},
                }
            ]
        }
    )

    # The club's id, or `platform`.
    scope: str
    # The domain event's id (the entry of one event is written once).
    entry_id: str
    occurred_at: datetime
    action: str
    actor_id: str | None = None
    subject_kind: SubjectKind
    subject_id: str
    # The user the subject is about (a membership's member, a role change's user).
    subject_user_id: str | None = None
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
