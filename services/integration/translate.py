"""From a committed change of the table to the domain events it means."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.events import DomainEvent

Image = dict[str, Any]


def _club_events(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    if new is None:
        return []
    base: dict[str, Any] = {
        "event_id": event_id,
        "context": "clubs",
        "occurred_at": datetime.fromisoformat(new["updated_at"]),
        "actor": new.get("updated_by") or new.get("created_by"),
    }
    if kind == "INSERT":
        data = {"club_id": new["club_id"], "name": new["name"], "join_policy": new["join_policy"]}
        return [DomainEvent(event_type="club_created", data=data, **base)]
    if kind == "MODIFY" and old is not None and old.get("version") != new.get("version"):
        # Counter updates by consumers do not bump the version and are not "club_updated".
        changed = sorted(
            k for k in set(old) | set(new)
            if k not in {"version", "updated_at", "updated_by", "GSI1PK", "GSI1SK"}
            and old.get(k) != new.get(k)
        )  # fmt: skip
        data = {"club_id": new["club_id"], "changed": changed, "version": new["version"]}
        return [DomainEvent(event_type="club_updated", data=data, **base)]
    return []


# The event a membership status change means, by (previous status, new status);
# None as previous status is a new membership.
_STATUS_EVENTS: dict[tuple[str | None, str], str] = {
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
}
_ENDED = frozenset({"left", "removed"})


def _membership_events(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    if new is None or kind == "REMOVE" or (old and old.get("version") == new.get("version")):
        return []
    before = old or {}
    data = {
        "club_id": new["club_id"],
        "user_id": new["user_id"],
        "membership_id": new["membership_id"],
        "status": new["status"],
        "previous_status": before.get("status"),
        "club_role": new["club_role"],
        "previous_role": before.get("club_role"),
    }
    types: list[str] = []
    if before.get("status") != new["status"]:
        ended = new["status"] in _ENDED
        types.append(
            "membership_ended" if ended else _STATUS_EVENTS[(before.get("status"), new["status"])]
        )
    if before and before.get("club_role") != new["club_role"]:
        types.append("membership_role_changed")
    return [
        DomainEvent(
            event_id=f"{event_id}:{event_type}",
            event_type=event_type,
            context="memberships",
            occurred_at=datetime.fromisoformat(new["updated_at"]),
            actor=new.get("updated_by"),
            data=data,
        )
        for event_type in types
    ]


def _ride_events(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    if new is None or kind == "REMOVE" or (old and old.get("version") == new.get("version")):
        return []  # counter moves by participations are not ride edits
    if old is None:
        event_type = "ride_created"
    elif new["status"] == "cancelled" and old.get("status") != "cancelled":
        event_type = "ride_cancelled"
    else:
        event_type = "ride_updated"
    data = {
        "ride_id": new["ride_id"],
        "club_id": new["club_id"],
        "start_at": new["start_at"],
        "status": new["status"],
        "visibility": new["visibility"],
    }
    return [
        DomainEvent(
            event_id=f"{event_id}:{event_type}",
            event_type=event_type,
            context="rides",
            occurred_at=datetime.fromisoformat(new["updated_at"]),
            actor=new.get("updated_by"),
            data=data,
        )
    ]


# (previous status, new status) of a participation -> event.
_PARTICIPATION_EVENTS: dict[tuple[str | None, str], str] = {
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


def _participation_events(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    if new is None or kind == "REMOVE" or (old and old.get("version") == new.get("version")):
        return []
    before = old or {}
    types = []
    transition = (before.get("status"), new["status"])
    if transition[0] != transition[1] and transition in _PARTICIPATION_EVENTS:
        types.append(_PARTICIPATION_EVENTS[transition])
    if new["role"] == "leader" and before.get("role") != "leader" and before:
        types.append("ride_leader_assigned")
    data = {
        "participation_id": new["participation_id"],
        "ride_id": new["ride_id"],
        "club_id": new["club_id"],
        "user_id": new["user_id"],
        "status": new["status"],
        "previous_status": before.get("status"),
        "role": new["role"],
    }
    return [
        DomainEvent(
            event_id=f"{event_id}:{event_type}",
            event_type=event_type,
            context="rides",
            occurred_at=datetime.fromisoformat(new["updated_at"]),
            actor=new.get("updated_by"),
            data=data,
        )
        for event_type in types
    ]


_BY_ENTITY: dict[str, Callable[[str, Image | None, Image | None, str], list[DomainEvent]]] = {
    "club": _club_events,
    "membership": _membership_events,
    "ride": _ride_events,
    "participation": _participation_events,
}


def events_from_change(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    """`kind` is the stream's INSERT | MODIFY | REMOVE; images are deserialized items."""
    entity = (new or old or {}).get("entity")
    translate = _BY_ENTITY.get(str(entity))
    return translate(kind, old, new, event_id) if translate else []
