"""From a committed change of the table to the domain events it means.

Only changes that bumped an item's `version` mean something: counter moves made by other
writers (participants, members) leave it alone and publish nothing.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.events import DomainEvent

Image = dict[str, Any]
# What an entity's change means: (event type, data) pairs.
Meanings = list[tuple[str, dict[str, Any]]]

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
_NOT_CHANGES = frozenset({"version", "updated_at", "updated_by", "GSI1PK", "GSI1SK"})


def _club(old: Image, new: Image) -> Meanings:
    if not old:
        keep = ("club_id", "name", "join_policy")
        return [("club_created", {k: new[k] for k in keep})]
    changed = sorted(k for k in (set(old) | set(new)) - _NOT_CHANGES if old.get(k) != new.get(k))
    return [
        ("club_updated", {"club_id": new["club_id"], "changed": changed, "version": new["version"]})
    ]


def _membership(old: Image, new: Image) -> Meanings:
    keep = ("club_id", "user_id", "membership_id", "status", "club_role")
    data = {
        **{k: new[k] for k in keep},
        "previous_status": old.get("status"),
        "previous_role": old.get("club_role"),
    }
    meanings = []
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


def _ride(old: Image, new: Image) -> Meanings:
    if not old:
        event = "ride_created"
    elif new["status"] == "cancelled" and old.get("status") != "cancelled":
        event = "ride_cancelled"
    else:
        event = "ride_updated"
    keep = ("ride_id", "club_id", "start_at", "status", "visibility")
    return [(event, {k: new[k] for k in keep})]


def _participation(old: Image, new: Image) -> Meanings:
    keep = ("participation_id", "ride_id", "club_id", "user_id", "status", "role")
    data = {**{k: new[k] for k in keep}, "previous_status": old.get("status")}
    meanings = []
    event = _PARTICIPATION_STATUS_EVENTS.get((old.get("status"), new["status"]))
    if event and old.get("status") != new["status"]:
        meanings.append((event, data))
    if old and new["role"] == "leader" and old.get("role") != "leader":
        meanings.append(("ride_leader_assigned", data))
    return meanings


_BY_ENTITY: dict[str, tuple[str, Callable[[Image, Image], Meanings]]] = {
    "club": ("clubs", _club),
    "membership": ("memberships", _membership),
    "ride": ("rides", _ride),
    "participation": ("rides", _participation),
}


def events_from_change(
    kind: str, old: Image | None, new: Image | None, event_id: str
) -> list[DomainEvent]:
    """`kind` is the stream's INSERT | MODIFY | REMOVE; images are deserialized items.
    Event ids derive from the stream record's, so a redelivered record repeats them."""
    if new is None or kind == "REMOVE" or (old and old.get("version") == new.get("version")):
        return []
    known = _BY_ENTITY.get(str(new.get("entity")))
    if known is None:
        return []
    context, meaning = known
    return [
        DomainEvent(
            event_id=f"{event_id}:{event_type}",
            event_type=event_type,
            context=context,
            occurred_at=datetime.fromisoformat(new["updated_at"]),
            actor=new.get("updated_by") or new.get("created_by"),
            data=data,
        )
        for event_type, data in meaning(old or {}, new)
    ]
