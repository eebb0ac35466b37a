"""The catalog of domain events: every event's type, context, `data` model and emitter.

This is the contract between the contexts that emit events and the ones that consume
them (counts, notifications, and later Strava and club webhooks). `docs/events.md` and
the JSON Schemas in `docs/events/` are generated from it (`make events`), and a test
fails when a model changes without them. A change that removes or narrows a field is a
new `version`; adding an optional field is not.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict

from shared.domain.model import Model


class EventData(Model):
    """Every event's data names ids only, plus what consumers need to act without a
    read; never personal data (e-mail addresses, phone numbers, tokens)."""

    model_config = ConfigDict(extra="forbid")


class UserRegistered(EventData):
    user_id: str


class ClubCreated(EventData):
    club_id: str
    name: str
    join_policy: str


class ClubUpdated(EventData):
    club_id: str
    # Names of the fields whose values changed, and their values before and after (a
    # club's settings: what its admins and members see anyway).
    changed: list[str]
    version: int
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}


class AccountDeletionChanged(EventData):
    """An account's deletion was asked for, or is done: its id only."""

    user_id: str


class DataExportChanged(EventData):
    """A rider's export of one day was asked for, or is ready: ids and the day only."""

    user_id: str
    requested_on: date


class UserRoleChanged(EventData):
    """A SiteAdmin changed a user's system role."""

    user_id: str
    system_role: str
    previous_role: str


class ClubWebhookChanged(EventData):
    """A club's admin registered, changed (turned on or off, its events, its description)
    or deleted a webhook. The endpoint is named by its host only."""

    club_id: str
    webhook_id: str
    host: str
    # What changed, before and after (`status`, `event_types`, `description`); a new
    # webhook has no before, a deleted one no after.
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}


class MembershipChanged(EventData):
    club_id: str
    user_id: str
    membership_id: str
    status: str
    club_role: str
    previous_status: str | None = None
    previous_role: str | None = None


class RideChanged(EventData):
    ride_id: str
    club_id: str
    title: str
    start_at: datetime
    status: str
    visibility: str
    meeting_point: str
    # Fields whose values changed (empty on creation).
    changed: list[str] = []
    cancel_reason: str | None = None
    # An occurrence of a ride series: the series.
    series_id: str | None = None
    pace_class: str | None = None
    # What an edit moved the ride from, when it moved its start or its pace class (the
    # club's statistics move the ride with it).
    previous_start_at: datetime | None = None
    previous_pace_class: str | None = None


class RideSeriesChanged(EventData):
    series_id: str
    club_id: str
    title: str
    status: str
    # The Sydney wall-clock rule (an RFC 5545 RRULE) and start time.
    rrule: str
    local_time: str
    version: int
    # An edit's first occurrence date, or where an ending series cancels from.
    from_date: date | None = None
    # Fields whose values changed (empty on creation).
    changed: list[str] = []
    cancel_reason: str | None = None


class ParticipationChanged(EventData):
    participation_id: str
    ride_id: str
    club_id: str
    user_id: str
    status: str
    role: str
    previous_status: str | None = None


class AttendanceChanged(EventData):
    """A ride manager or a matched Strava activity marked a rider's attendance (or a
    deleted activity cleared it), or an activity was matched to the rider's place."""

    participation_id: str
    ride_id: str
    club_id: str
    user_id: str
    attendance: str
    previous_attendance: str
    # Who marked it: `leader` or `strava` (none once cleared).
    source: str | None = None
    # The matched Strava activity's distance and climbing, after and before (none: no
    # activity matched).
    activity_km: float | None = None
    activity_climb_m: float | None = None
    previous_activity_km: float | None = None
    previous_activity_climb_m: float | None = None


class RideReminderDue(EventData):
    """Fired by the ride's one-time schedule, a configured time before the start."""

    ride_id: str
    club_id: str
    start_at: datetime
    lead_hours: int


class ClubWebhookDisabled(EventData):
    """A club's webhook was turned off after a run of failed deliveries."""

    club_id: str
    webhook_id: str
    # The endpoint's host name only (the path and query may carry the club's tokens).
    host: str
    reason: str
    consecutive_failures: int


class StravaWebhookReceived(EventData):
    """An event of Strava's push subscription, as Strava sent it (not signed by Strava:
    a hint; the consumer reads the activity with the athlete's own token)."""

    object_type: str
    aspect_type: str
    object_id: int
    # The Strava athlete's id (not a platform user id).
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, str | int | float | bool | None] = {}


@dataclass(frozen=True)
class EventType:
    name: str
    context: str
    data: type[EventData]
    emitted_when: str


def _membership(name: str, when: str) -> EventType:
    return EventType(name, "memberships", MembershipChanged, when)


def _ride(name: str, when: str) -> EventType:
    return EventType(name, "rides", RideChanged, when)


def _participation(name: str, when: str) -> EventType:
    return EventType(name, "rides", ParticipationChanged, when)


CATALOG: dict[str, EventType] = {
    event.name: event
    for event in (
        EventType("user_registered", "users", UserRegistered, "a profile is created"),
        EventType("club_created", "clubs", ClubCreated, "a SiteAdmin creates a club"),
        EventType("club_updated", "clubs", ClubUpdated, "a club's admin edits it"),
        EventType(
            "user_role_changed", "users", UserRoleChanged, "a SiteAdmin changes a user's role"
        ),
        EventType(
            "user_deletion_requested",
            "users",
            AccountDeletionChanged,
            "a rider asks for their account to be deleted (the deletion saga starts)",
        ),
        EventType(
            "user_export_requested",
            "users",
            DataExportChanged,
            "a rider asks for an archive of their data (the export consumer builds it)",
        ),
        EventType(
            "user_export_ready",
            "users",
            DataExportChanged,
            "a rider's archive is ready (the rider is e-mailed)",
        ),
        EventType(
            "user_deleted",
            "users",
            AccountDeletionChanged,
            "a rider's account is gone (clubs heard `membership_ended` for each membership)",
        ),
        EventType(
            "club_webhook_changed",
            "webhooks",
            ClubWebhookChanged,
            "a club's admin registers a webhook or changes one (its deletion is written to "
            "the audit log by the deleting request)",
        ),
        _membership("membership_requested", "a user applies to a club that approves joins"),
        _membership("user_joined_club", "a user joins an open club (or rejoins)"),
        _membership("membership_approved", "a club admin approves an application"),
        _membership("membership_rejected", "a club admin rejects an application"),
        _membership("membership_suspended", "a club admin suspends a member"),
        _membership("membership_reinstated", "a club admin reinstates a suspended member"),
        _membership("membership_ended", "a member leaves, or an admin removes them"),
        _membership("membership_role_changed", "a club admin changes a member's club role"),
        _ride("ride_created", "a ride manager publishes a ride"),
        _ride("ride_updated", "a ride manager edits a ride (or marks it completed)"),
        _ride("ride_cancelled", "a ride manager cancels a ride, with a reason"),
        EventType(
            "ride_series_created",
            "rides",
            RideSeriesChanged,
            "a ride manager starts a ride series (its rides follow as `ride_created`)",
        ),
        EventType(
            "ride_series_updated",
            "rides",
            RideSeriesChanged,
            "a ride manager changes a series from one of its dates on, or ends it",
        ),
        _participation(
            "participation_joined",
            "a rider takes a seat on a ride (or a series joins its regular to a new ride)",
        ),
        _participation("participation_waitlisted", "a rider joins a full ride's waitlist"),
        _participation("participation_promoted", "a waitlisted rider gets a freed seat"),
        _participation("participation_withdrawn", "a rider withdraws, or a manager removes them"),
        _participation("ride_leader_assigned", "a ride manager makes a rider a leader"),
        EventType(
            "attendance_marked",
            "rides",
            AttendanceChanged,
            "a ride manager or a matched Strava activity marks a rider's attendance, or a "
            "Strava activity is matched to (or taken from) a rider's place",
        ),
        EventType(
            "club_webhook_disabled",
            "webhooks",
            ClubWebhookDisabled,
            "deliveries to a club's webhook failed too many times in a row",
        ),
        EventType(
            "strava_webhook_received",
            "strava",
            StravaWebhookReceived,
            "Strava pushes an athlete's activity or authorization change (not from the table: "
            "the webhook endpoint puts it on the bus)",
        ),
        EventType(
            "ride_reminder_due",
            "notifications",
            RideReminderDue,
            "a ride's reminder schedule fires (not from the table: EventBridge Scheduler)",
        ),
    )
}
