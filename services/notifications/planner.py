"""Who hears about an event, and what: the notification rules, one function per event.

The actor of a change is never told about their own change (an admin who cancels a ride
gets no cancellation notice).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifications.messages import Kind, local_time
from notifications.store import NotificationStore
from shared.domain.club import Club
from shared.domain.enums import ClubRole, ParticipationStatus, RideStatus
from shared.domain.notifications import Category
from shared.domain.ride import Ride
from shared.domain.series import REGULARS_ACTOR
from shared.event_catalog import (
    ClubWebhookDisabled,
    DataExportChanged,
    MembershipChanged,
    ParticipationChanged,
    RideChanged,
    RideReminderDue,
)
from shared.events import DomainEvent
from shared.flags import Flag, enabled

ROLE_LABELS = {
    ClubRole.MEMBER: "a member",
    ClubRole.RIDE_LEADER: "a ride leader",
    ClubRole.ADMIN: "an admin",
}
# Edits riders must hear about; a new description or pace does not warrant a message.
RIDE_CHANGES_WORTH_TELLING = frozenset({"start_at", "meeting_point"})
_TAKING_PART = (ParticipationStatus.JOINED, ParticipationStatus.WAITLISTED)


@dataclass(frozen=True)
class Notice:
    kind: Kind
    category: Category
    user_ids: list[str]
    # Template values shared by every recipient.
    values: dict[str, Any]
    # Push payload data: what the app opens.
    data: dict[str, str] = field(default_factory=dict)


def _club_values(club: Club | None) -> dict[str, Any]:
    return {"club_name": club.name if club else "your club"}


def _ride_values(ride: Ride, club: Club | None) -> dict[str, Any]:
    return {
        **_club_values(club),
        "ride_title": ride.title,
        "ride_start": local_time(ride.start_at),
        "meeting_point": ride.meeting_point.name,
    }


def _membership(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    data = MembershipChanged.model_validate(event.data)
    club = store.club(data.club_id)
    values = _club_values(club)
    link = {"club_id": data.club_id}
    if event.event_type == "user_joined_club":
        return [Notice(Kind.WELCOME, Category.MEMBERSHIP, [data.user_id], values, link)]
    if event.event_type == "membership_approved":
        return [
            Notice(Kind.APPLICATION_APPROVED, Category.MEMBERSHIP, [data.user_id], values, link)
        ]
    if event.event_type == "membership_rejected":
        return [
            Notice(Kind.APPLICATION_REJECTED, Category.MEMBERSHIP, [data.user_id], values, link)
        ]
    if event.event_type == "membership_role_changed":
        role = {**values, "role_label": ROLE_LABELS[ClubRole(data.club_role)]}
        return [Notice(Kind.ROLE_CHANGED, Category.MEMBERSHIP, [data.user_id], role, link)]
    if event.event_type == "membership_requested":
        admins = store.active_members(data.club_id, role=ClubRole.ADMIN)
        applicant = next(iter(store.recipients([data.user_id])), None)
        application = {
            **values,
            "applicant_name": (applicant.display_name if applicant else None) or "A rider",
            "message": store.application_message(data.club_id, data.user_id),
        }
        return [Notice(Kind.APPLICATION_RECEIVED, Category.MEMBERSHIP, admins, application, link)]
    return []


def _ride(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    data = RideChanged.model_validate(event.data)
    ride, party = store.ride_and_participants(data.ride_id)
    if ride is None:
        return []
    club = store.club(ride.club_id)
    values = _ride_values(ride, club)
    link = {"ride_id": ride.ride_id, "club_id": ride.club_id}
    riders = [p.user_id for p in party if p.status in _TAKING_PART and p.user_id != event.actor]
    if event.event_type == "ride_created" and ride.status is RideStatus.SCHEDULED:
        # A series' regulars hear of its new ride when the series has joined them to it.
        regulars = set(store.regulars(ride.series_id)) if ride.series_id else set()
        members = [
            u for u in store.active_members(ride.club_id) if u != event.actor and u not in regulars
        ]
        return [Notice(Kind.NEW_RIDE, Category.NEW_RIDES, members, values, link)]
    if event.event_type == "ride_cancelled":
        cancelled = {**values, "reason": ride.cancel_reason or "no reason was given"}
        return [Notice(Kind.RIDE_CANCELLED, Category.RIDE_CHANGES, riders, cancelled, link)]
    worth_telling = RIDE_CHANGES_WORTH_TELLING & set(data.changed)
    if event.event_type == "ride_updated" and worth_telling and ride.status is RideStatus.SCHEDULED:
        return [Notice(Kind.RIDE_CHANGED, Category.RIDE_CHANGES, riders, values, link)]
    return []


def _promotion(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    data = ParticipationChanged.model_validate(event.data)
    ride, _ = store.ride_and_participants(data.ride_id)
    if ride is None or ride.status is not RideStatus.SCHEDULED:
        return []
    values = _ride_values(ride, store.club(ride.club_id))
    link = {"ride_id": ride.ride_id, "club_id": ride.club_id}
    return [Notice(Kind.PROMOTED, Category.WAITLIST, [data.user_id], values, link)]


def _regular_placed(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    """A series joined its regular to its new ride (the series is the actor): they hear
    where they stand. A rider's own join tells them nothing (they were there)."""
    if event.actor != REGULARS_ACTOR:
        return []
    data = ParticipationChanged.model_validate(event.data)
    ride, _ = store.ride_and_participants(data.ride_id)
    if ride is None or ride.status is not RideStatus.SCHEDULED:
        return []
    values = {
        **_ride_values(ride, store.club(ride.club_id)),
        "waitlisted": data.status == ParticipationStatus.WAITLISTED,
    }
    link = {"ride_id": ride.ride_id, "club_id": ride.club_id}
    return [Notice(Kind.SERIES_PLACE, Category.REGULAR_RIDES, [data.user_id], values, link)]


def _export_ready(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    """The rider's archive is ready: where to download it (signed in: the link itself is
    never in a message, nor in an event)."""
    data = DataExportChanged.model_validate(event.data)
    values = {"requested_on": data.requested_on.isoformat()}
    return [Notice(Kind.EXPORT_READY, Category.ACCOUNT, [data.user_id], values, {})]


def _reminder(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    data = RideReminderDue.model_validate(event.data)
    ride, party = store.ride_and_participants(data.ride_id)
    # A schedule made for an older start time, or a ride since cancelled: nothing to say.
    if ride is None or ride.status is not RideStatus.SCHEDULED or ride.start_at != data.start_at:
        return []
    riders = [p.user_id for p in party if p.status is ParticipationStatus.JOINED]
    values = _ride_values(ride, store.club(ride.club_id))
    link = {"ride_id": ride.ride_id, "club_id": ride.club_id}
    return [Notice(Kind.REMINDER, Category.REMINDERS, riders, values, link)]


def _webhook_disabled(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    data = ClubWebhookDisabled.model_validate(event.data)
    if not enabled(Flag.CLUB_ADMIN_NOTIFICATIONS, data.club_id):
        return []
    admins = store.active_members(data.club_id, role=ClubRole.ADMIN)
    values = {
        **_club_values(store.club(data.club_id)),
        "host": data.host,
        "reason": data.reason,
        "failures": data.consecutive_failures,
    }
    link = {"club_id": data.club_id, "webhook_id": data.webhook_id}
    return [Notice(Kind.WEBHOOK_DISABLED, Category.CLUB_ADMIN, admins, values, link)]


_PLANS: dict[str, Callable[[DomainEvent, NotificationStore], list[Notice]]] = {
    "user_joined_club": _membership,
    "membership_requested": _membership,
    "membership_approved": _membership,
    "membership_rejected": _membership,
    "membership_role_changed": _membership,
    "ride_created": _ride,
    "ride_updated": _ride,
    "ride_cancelled": _ride,
    "participation_promoted": _promotion,
    "participation_joined": _regular_placed,
    "participation_waitlisted": _regular_placed,
    "ride_reminder_due": _reminder,
    "user_export_ready": _export_ready,
    "club_webhook_disabled": _webhook_disabled,
}
# The events with a rule (the stacks subscribe the consumer to these, and a test checks
# the two lists agree).
NOTIFIED_EVENTS = tuple(_PLANS)


def plan(event: DomainEvent, store: NotificationStore) -> list[Notice]:
    """The notices an event causes (none for events no rule mentions)."""
    rule = _PLANS.get(event.event_type)
    return rule(event, store) if rule else []
