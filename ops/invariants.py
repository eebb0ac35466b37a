"""The platform's invariants over the table's items: ride counters equal their
participations and hold their capacity, every participation has its ride and (for a
rider on the ride) an active membership, a club's member_count equals its active members.
Checked after a load run (`bench/load.py`) and on a restored table (`ops/restore_drill.py`).
A club's member_count is kept by the event path, so a table copied in the middle of a
burst of joins may show it a few events behind; the ride counters move in the same
transaction as the participations and never differ."""

from collections import Counter, defaultdict
from typing import Any


def problems(items: list[dict[str, Any]]) -> list[str]:
    """What is wrong among `items` (deserialized); nothing when the data is consistent.
    Grouped once, then checked kind by kind: a production table's scan is hundreds of
    thousands of items."""
    table = _Grouped(items)
    return [*_places(table), *_rides(table), *_clubs(table)]


class _Grouped:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            by_kind[str(item.get("entity"))].append(item)
        self.rides = {ride["ride_id"]: ride for ride in by_kind["ride"]}
        self.clubs = {club["club_id"]: club for club in by_kind["club"]}
        self.members = {(m["club_id"], m["user_id"]): m for m in by_kind["membership"]}
        self.places = by_kind["participation"]
        self.on_ride: dict[str, Counter[str]] = defaultdict(Counter)
        for place in self.places:
            self.on_ride[place["ride_id"]][place["status"]] += 1


def _places(table: _Grouped) -> list[str]:
    found = []
    for place in table.places:
        if place["ride_id"] not in table.rides:
            found.append(f"{place['participation_id']}: no such ride")
        membership = table.members.get((place["club_id"], place["user_id"]))
        if (
            place["status"] in ("joined", "waitlisted")
            and place["role"] == "rider"
            and (membership or {}).get("status") != "active"
        ):
            found.append(f"{place['participation_id']}: on a ride of a club they are not in")
    return found


def _rides(table: _Grouped) -> list[str]:
    found = []
    for ride_id, ride in table.rides.items():
        joined, waiting = table.on_ride[ride_id]["joined"], table.on_ride[ride_id]["waitlisted"]
        if (ride["participant_count"], ride["waitlist_count"]) != (joined, waiting):
            found.append(
                f"{ride_id}: counters {ride['participant_count']}/{ride['waitlist_count']}, "
                f"items {joined}/{waiting}"
            )
        if ride.get("capacity") and joined > ride["capacity"]:
            found.append(f"{ride_id}: {joined} joined over capacity {ride['capacity']}")
        if ride["club_id"] not in table.clubs:
            found.append(f"{ride_id}: a ride of no club")
    return found


def _clubs(table: _Grouped) -> list[str]:
    active = Counter(m["club_id"] for m in table.members.values() if m["status"] == "active")
    found = [
        f"{club_id}/{user_id}: a membership of no club"
        for club_id, user_id in table.members
        if club_id not in table.clubs
    ]
    for club_id, club in table.clubs.items():
        if club.get("member_count", 0) != active[club_id]:
            found.append(
                f"{club_id}: member_count {club.get('member_count', 0)}, "
                f"active members {active[club_id]}"
            )
    return found
