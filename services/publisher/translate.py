"""From a committed change of the table to the domain events it means.

Only changes that bumped an item's `version` mean something: counter moves made by other
writers (participants, members) leave it alone and publish nothing.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from shared.domain.series import Recurrence
from shared.event_catalog import (
    CATALOG,
    AccountDeletionChanged,
    AttendanceChanged,
    ClubCreated,
    ClubUpdated,
    ClubWebhookChanged,
    ClubWebhookDisabled,
    DataExportChanged,
    EventData,
    MembershipChanged,
    ParticipationChanged,
    RideChanged,
    RideSeriesChanged,
    UserRegistered,
    UserRoleChanged,
)
from shared.events import DomainEvent

# A DynamoDB stream record's image of an item, deserialized.
StreamImage = dict[str, Any]
# What an entity's change means: (event type, data) pairs.
Meanings = list[tuple[str, EventData]]

_MEMBERSHIP_STATUS_EVENTS: dict[tuple[str | None, str], str] = {
    (None, "active"): "user_joined_club",
    (None, "pending"): "membership_requested",
    ("left", "active"): "user_joined_club",
    ("rejected", "active"): "user_joined_club",
    ("left", "pending"): "membership_requested",
    ("rejected", "pending"): "membership_requested",
    ("pending", "active"): "membership_approved",
    ("pending", "rejected"): "membership_rejected",
    ("active", "suspended"): "membership_suspended",
    ("suspended", "active"): "membership_reinstated",
    ("active", "left"): "membership_ended",
    ("suspended", "left"): "membership_ended",
    ("pending", "left"): "membership_ended",
}
_PARTICIPATION_STATUS_EVENTS: dict[tuple[str | None, str], str] = {
    (None, "joined"): "participation_joined",
    (None, "waitlisted"): "participation_waitlisted",
    ("withdrawn", "joined"): "participation_joined",
    ("withdrawn", "waitlisted"): "participation_waitlisted",
    ("waitlisted", "joined"): "participation_promoted",
    ("joined", "withdrawn"): "participation_withdrawn",
    ("waitlisted", "withdrawn"): "participation_withdrawn",
    ("joined", "removed"): "participation_withdrawn",
    ("waitlisted", "removed"): "participation_withdrawn",
}
# Bookkeeping, index keys and counters kept by other writers: not what an edit changed.
_NOT_CHANGES = frozenset(
    {
        "version",
        "updated_at",
        "updated_by",
        "GSI1PK",
        "GSI1SK",
        "GSI2SK",
        "start_at_utc",
        "member_count",
        "ride_count",
        "admin_count",
        "participant_count",
        "waitlist_count",
        "leader_count",
        "webhook_count",
    }
)


def _changed(old: StreamImage, new: StreamImage) -> list[str]:
    return sorted(k for k in (set(old) | set(new)) - _NOT_CHANGES if old.get(k) != new.get(k))


def _user(old: StreamImage, new: StreamImage) -> Meanings:
    if not old:
        return [("user_registered", UserRegistered(user_id=new["user_id"]))]
    before, after = old.get("system_role", "User"), new.get("system_role", "User")
    if before == after:
        return []
    changed = UserRoleChanged(user_id=new["user_id"], system_role=after, previous_role=before)
    return [("user_role_changed", changed)]


def _deletion(old: StreamImage, new: StreamImage) -> Meanings:
    data = AccountDeletionChanged(user_id=new["user_id"])
    if not old:
        return [("user_deletion_requested", data)]
    if new.get("status") == "done" and old.get("status") != "done":
        return [("user_deleted", data)]
    return []


def _export(old: StreamImage, new: StreamImage) -> Meanings:
    data = DataExportChanged(user_id=new["user_id"], requested_on=new["requested_on"])
    if not old:
        return [("user_export_requested", data)]
    if new.get("status") == "ready" and old.get("status") != "ready":
        return [("user_export_ready", data)]
    return []


def _club(old: StreamImage, new: StreamImage) -> Meanings:
    if not old:
        created = ClubCreated(
            club_id=new["club_id"], name=new["name"], join_policy=new["join_policy"]
        )
        return [("club_created", created)]
    fields = _changed(old, new)
    changed = ClubUpdated(
        club_id=new["club_id"],
        changed=fields,
        version=new["version"],
        before={f: old.get(f) for f in fields},
        after={f: new.get(f) for f in fields},
    )
    return [("club_updated", changed)]


def _membership(old: StreamImage, new: StreamImage) -> Meanings:
    data = MembershipChanged(
        club_id=new["club_id"],
        user_id=new["user_id"],
        membership_id=new["membership_id"],
        status=new["status"],
        club_role=new["club_role"],
        previous_status=old.get("status"),
        previous_role=old.get("club_role"),
    )
    meanings: Meanings = []
    if old.get("status") != new["status"]:
        ended = new["status"] == "removed"
        event = (
            "membership_ended"
            if ended
            else _MEMBERSHIP_STATUS_EVENTS.get((old.get("status"), new["status"]))
        )
        if event:
            meanings.append((event, data))
    if old and old.get("club_role") != new["club_role"]:
        meanings.append(("membership_role_changed", data))
    return meanings


def _ride(old: StreamImage, new: StreamImage) -> Meanings:
    if not old:
        event = "ride_created"
    elif new["status"] == "cancelled" and old.get("status") != "cancelled":
        event = "ride_cancelled"
    else:
        event = "ride_updated"
    data = RideChanged(
        ride_id=new["ride_id"],
        club_id=new["club_id"],
        title=new["title"],
        start_at=new["start_at"],
        status=new["status"],
        visibility=new["visibility"],
        meeting_point=(new.get("meeting_point") or {}).get("name", ""),
        changed=_changed(old, new) if old else [],
        cancel_reason=new.get("cancel_reason"),
        series_id=new.get("series_id"),
        pace_class=new.get("pace_class"),
        previous_start_at=_was(old, new, "start_at"),
        previous_pace_class=_was(old, new, "pace_class"),
    )
    return [(event, data)]


def _was(old: StreamImage, new: StreamImage, field: str) -> Any:
    """`field`'s value before an edit that changed it (None: unchanged, or a new item)."""
    return old.get(field) if old and old.get(field) != new.get(field) else None


def _series(old: StreamImage, new: StreamImage) -> Meanings:
    recurrence = new["recurrence"]
    edits = new.get("edits") or []
    ended = new["status"] == "ended"
    data = RideSeriesChanged(
        series_id=new["series_id"],
        club_id=new["club_id"],
        title=new["ride"]["title"],
        status=new["status"],
        rrule=Recurrence.model_validate(recurrence).rrule_text,
        local_time=recurrence["local_time"],
        version=new["version"],
        from_date=new.get("ended_from")
        if ended
        else (edits[-1]["from_date"] if old and edits else None),
        changed=_changed(old, new) if old else [],
        cancel_reason=new.get("cancel_reason"),
    )
    return [("ride_series_updated" if old else "ride_series_created", data)]


def _participation(old: StreamImage, new: StreamImage) -> Meanings:
    data = ParticipationChanged(
        participation_id=new["participation_id"],
        ride_id=new["ride_id"],
        club_id=new["club_id"],
        user_id=new["user_id"],
        status=new["status"],
        role=new["role"],
        previous_status=old.get("status"),
    )
    meanings: Meanings = []
    event = _PARTICIPATION_STATUS_EVENTS.get((old.get("status"), new["status"]))
    if event and old.get("status") != new["status"]:
        meanings.append((event, data))
    if old and new["role"] == "leader" and old.get("role") != "leader":
        meanings.append(("ride_leader_assigned", data))
    return meanings + _attendance(old, new)


def _attendance(old: StreamImage, new: StreamImage) -> Meanings:
    """Attendance marked or cleared, or a Strava activity matched or taken away."""
    before, after = old.get("attendance", "unknown"), new.get("attendance", "unknown")
    was, now = old.get("strava_activity") or {}, new.get("strava_activity") or {}
    if before == after and was == now:
        return []
    data = AttendanceChanged(
        participation_id=new["participation_id"],
        ride_id=new["ride_id"],
        club_id=new["club_id"],
        user_id=new["user_id"],
        attendance=after,
        previous_attendance=before,
        source=new.get("attendance_source"),
        activity_km=now.get("distance_km"),
        activity_climb_m=now.get("elevation_gain_m"),
        previous_activity_km=was.get("distance_km"),
        previous_activity_climb_m=was.get("elevation_gain_m"),
    )
    return [("attendance_marked", data)]


# What a webhook's audit entry shows of it: never its URL's path or query (they may hold
# the club's tokens), nor its sealed secret.
_WEBHOOK_AUDITED = ("status", "event_types", "description")


def _webhook(old: StreamImage, new: StreamImage) -> Meanings:
    host = urlsplit(new["url"]).hostname or ""
    if old.get("status") == "active" and new.get("status") == "disabled":
        # Turned off after failed deliveries: its own event (the admins are told).
        disabled = ClubWebhookDisabled(
            club_id=new["club_id"],
            webhook_id=new["webhook_id"],
            host=host,
            reason=new.get("disabled_reason") or "",
            consecutive_failures=int(new.get("consecutive_failures") or 0),
        )
        return [("club_webhook_disabled", disabled)]
    audited = [f for f in _WEBHOOK_AUDITED if old.get(f) != new.get(f)]
    if not audited:
        return []
    changed = ClubWebhookChanged(
        club_id=new["club_id"],
        webhook_id=new["webhook_id"],
        host=host,
        before={f: old[f] for f in audited if f in old},
        after={f: new.get(f) for f in audited},
    )
    return [("club_webhook_changed", changed)]


_BY_ENTITY: dict[str, Callable[[StreamImage, StreamImage], Meanings]] = {
    "user": _user,
    "club": _club,
    "membership": _membership,
    "ride": _ride,
    "participation": _participation,
    "series": _series,
    "deletion": _deletion,
    "export": _export,
    "webhook": _webhook,
}


def events_from_change(
    kind: str, old: StreamImage | None, new: StreamImage | None, event_id: str
) -> list[DomainEvent]:
    """`kind` is the stream's INSERT | MODIFY | REMOVE; images are deserialized items.
    Event ids derive from the stream record's, so a redelivered record repeats them."""
    if new is None or kind == "REMOVE" or (old and old.get("version") == new.get("version")):
        return []
    meaning = _BY_ENTITY.get(str(new.get("entity")))
    if meaning is None:
        return []
    return [
        DomainEvent(
            event_id=f"{event_id}:{event_type}",
            event_type=event_type,
            context=CATALOG[event_type].context,
            occurred_at=datetime.fromisoformat(new["updated_at"]),
            actor=new.get("updated_by") or new.get("created_by") or new.get("user_id"),
            data=data.model_dump(mode="json"),
        )
        for event_type, data in meaning(old or {}, new)
    ]
