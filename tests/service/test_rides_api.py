"""The rides API through API Gateway-shaped events, against moto in-process."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar, vGeo

from clubs import handler as clubs_api
from clubs.store import ClubStore
from local.proxy_event import build_proxy_event
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from rides import handler as rides_api
from rides.seat_release import release_places
from rides.store import RideStore
from shared.event_catalog import MembershipChanged
from shared.events import DomainEvent
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import (
    ADMIN,
    Invoke,
    LambdaContextStub,
    add_profiles,
    emitted_metrics,
    make_invoker,
    snapshot,
)

pytestmark = pytest.mark.service

OWNER = {"sub": "44444444-4444-4444-8444-444444444444"}


def rider(i: int) -> dict[str, str]:
    return {"sub": f"{i:08d}-0000-4000-8000-000000000000"}


class Api:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.clubs: Invoke = make_invoker(clubs_api.handler)
        self.members: Invoke = make_invoker(memberships_api.handler)
        self.rides: Invoke = make_invoker(rides_api.handler)

    def club(self, **fields: Any) -> str:
        body = {
            "name": "Ride Club",
            "disciplines": ["road"],
            "initial_admin_id": OWNER["sub"],
            **fields,
        }
        answer = self.clubs("POST", "/clubs", body=body, claims=ADMIN)
        assert answer.status == 201, answer.body
        return str(answer.body["club_id"])

    def member(self, club_id: str, claims: dict[str, str]) -> None:
        answer = self.members(
            "POST",
            "/clubs/{club_id}/memberships",
            path_params={"club_id": club_id},
            body={},
            claims=claims,
        )
        assert answer.status == 201, answer.body

    def create(self, club_id: str, claims: dict[str, str] = OWNER, **fields: Any) -> Any:
        return self.rides(
            "POST",
            "/clubs/{club_id}/rides",
            path_params={"club_id": club_id},
            body={**ride_body(), **fields},
            claims=claims,
        )

    def ride(self, club_id: str, **fields: Any) -> dict[str, Any]:
        answer = self.create(club_id, **fields)
        assert answer.status == 201, answer.body
        return answer.body

    def join(self, ride_id: str, claims: dict[str, str]) -> Any:
        return self.rides(
            "POST",
            "/rides/{ride_id}/participations",
            path_params={"ride_id": ride_id},
            claims=claims,
        )

    def change(self, participation_id: str, claims: dict[str, str], **body: Any) -> Any:
        return self.rides(
            "PUT",
            "/participations/{participation_id}",
            path_params={"participation_id": participation_id},
            body=body,
            claims=claims,
        )

    def get(self, ride_id: str, claims: dict[str, str]) -> Any:
        return self.rides(
            "GET", "/rides/{ride_id}", path_params={"ride_id": ride_id}, claims=claims
        )

    def party(self, ride_id: str, claims: dict[str, str] = OWNER) -> Any:
        return self.rides(
            "GET",
            "/rides/{ride_id}/participations",
            path_params={"ride_id": ride_id},
            claims=claims,
        )


def ride_body(days: int = 3) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=days)
    return {
        "title": "Saturday Bay Run",
        "start_at": start.astimezone().isoformat(),
        "estimated_duration_min": 150,
        "meeting_point": {"name": "Centennial Park, Grand Drive", "lat": -33.8981, "lon": 151.2332},
        "distance_km": 72.5,
        "elevation_gain_m": 650,
        "surface": "road",
        "pace_class": "B",
        "pace_kph": {"min": 27, "max": 30},
        "drop_policy": "regroup",
        "capacity": 3,
        "waitlist_enabled": True,
        "visibility": "public",
    }


@pytest.fixture
def api(table: Table) -> Iterator[Api]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"])
    overrides = (
        (clubs_api, lambda: ClubStore(table)),
        (memberships_api, lambda: MembershipStore(table)),
        (rides_api, lambda: RideStore(table)),
    )
    for module, store in overrides:
        module.app.dependency_overrides[module.get_store] = store
    yield Api(table)
    for module, _ in overrides:
        module.app.dependency_overrides.clear()


def test_a_club_admin_publishes_a_ride_and_leads_it(api: Api) -> None:
    club_id = api.club()

    answer = api.create(club_id)

    assert answer.status == 201, answer.body
    ride = answer.body
    assert ride["ride_id"].startswith(f"{club_id}_")
    assert ride["participant_count"] == 1
    assert ride["leader_count"] == 1
    assert answer.headers["Location"] == f"/rides/{ride['ride_id']}"
    detail = api.get(ride["ride_id"], OWNER).body
    assert [leader["user_id"] for leader in detail["leaders"]] == [OWNER["sub"]]
    assert detail["my_participation"]["role"] == "leader"


def test_members_and_strangers_cannot_publish(api: Api) -> None:
    club_id = api.club()
    api.member(club_id, rider(1))
    before = snapshot(api.table)

    assert api.create(club_id, rider(1)).status == 403
    assert api.create(club_id, rider(2)).status == 403
    assert snapshot(api.table) == before
    assert api.create(club_id, ADMIN).status == 201  # SiteAdmin


def test_ride_leaders_publish(api: Api) -> None:
    club_id = api.club()
    api.member(club_id, rider(1))
    api.members(
        "PUT",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club_id}_{rider(1)['sub']}"},
        body={"version": 1, "club_role": "ride_leader"},
        claims=OWNER,
    )

    assert api.create(club_id, rider(1)).status == 201


@pytest.mark.parametrize(
    "fields",
    [
        {"start_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
        {"start_at": "2030-01-01T07:00:00"},  # no timezone
        {"capacity": -1},
        {"capacity": 0},
        {"meeting_point": {"name": "Nowhere", "lat": 91, "lon": 0}},
        {"meeting_point": {"name": "Nowhere", "lat": 0, "lon": 181}},
        {"pace_kph": {"min": 32, "max": 28}},
        {"surface": "track"},
        {"pace_class": "Z"},
        {"drop_policy": "sometimes"},
        {"visibility": "secret"},
        {"distance_km": 0},
        {"title": ""},
        {"participant_count": 99},
    ],
)
def test_bad_rides_are_422_and_write_nothing(api: Api, fields: dict[str, Any]) -> None:
    club_id = api.club()

    answer = api.create(club_id, **fields)

    assert answer.status == 422, answer.body
    rides, _ = RideStore(api.table).list_club(
        club_id,
        start=datetime.now(UTC) - timedelta(days=1),
        end=None,
        status=None,
        public_only=False,
        limit=10,
        cursor=None,
    )
    assert rides == []


def test_joining_fills_seats_then_the_waitlist_in_order(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)  # capacity 3, the leader holds one seat
    for i in range(1, 5):
        api.member(club_id, rider(i))

    statuses = [api.join(ride["ride_id"], rider(i)).body["status"] for i in range(1, 5)]

    assert statuses == ["joined", "joined", "waitlisted", "waitlisted"]
    party = api.party(ride["ride_id"]).body
    assert [p["user_id"] for p in party["waitlist"]] == [rider(3)["sub"], rider(4)["sub"]]
    stored = api.table.get(keys.ride_key(ride["ride_id"]))
    assert stored is not None
    assert (stored["participant_count"], stored["waitlist_count"]) == (3, 2)


def test_full_ride_without_waitlist_is_409(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id, capacity=1, waitlist_enabled=False)
    api.member(club_id, rider(1))
    before = snapshot(api.table)

    answer = api.join(ride["ride_id"], rider(1))

    assert answer.status == 409
    assert answer.body["error"]["code"] == "ride_full"
    assert snapshot(api.table) == before


def test_join_rules(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))

    assert api.join(ride["ride_id"], rider(1)).status == 201
    before = snapshot(api.table)
    twice = api.join(ride["ride_id"], rider(1))
    assert twice.status == 409
    assert twice.body["error"]["code"] == "already_joined"
    assert api.join(ride["ride_id"], rider(2)).status == 403  # not a member of the club
    unknown = f"{club_id}_00000000-0000-4000-8000-000000000000"
    assert api.join(unknown, rider(1)).status == 404
    assert snapshot(api.table) == before


def test_cancelled_rides_refuse_joins(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    cancelled = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params={"ride_id": ride["ride_id"]},
        body={"version": 1, "status": "cancelled", "cancel_reason": "Storm warning"},
        claims=OWNER,
    )
    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["cancel_reason"] == "Storm warning"

    answer = api.join(ride["ride_id"], rider(1))

    assert answer.status == 409
    assert answer.body["error"]["code"] == "ride_not_open"


def test_withdrawal_promotes_the_oldest_waitlisted_rider(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    for i in range(1, 5):
        api.member(club_id, rider(i))
        api.join(ride["ride_id"], rider(i))

    withdrawn = api.change(
        f"{ride['ride_id']}_{rider(1)['sub']}", rider(1), version=1, status="withdrawn"
    )

    assert withdrawn.status == 200, withdrawn.body
    party = api.party(ride["ride_id"]).body
    assert rider(3)["sub"] in [p["user_id"] for p in party["joined"]]
    assert [p["user_id"] for p in party["waitlist"]] == [rider(4)["sub"]]
    stored = api.table.get(keys.ride_key(ride["ride_id"]))
    assert stored is not None
    assert (stored["participant_count"], stored["waitlist_count"]) == (3, 1)


def test_only_the_rider_withdraws_and_managers_remove(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    api.member(club_id, rider(2))
    api.join(ride["ride_id"], rider(1))
    target = f"{ride['ride_id']}_{rider(1)['sub']}"
    before = snapshot(api.table)

    assert api.change(target, rider(2), version=1, status="withdrawn").status == 403
    assert api.change(target, rider(2), version=1, status="removed").status == 403
    assert snapshot(api.table) == before
    removed = api.change(target, OWNER, version=1, status="removed")
    assert removed.status == 200
    assert api.join(ride["ride_id"], rider(1)).status == 403  # removed riders stay out


def test_the_last_leader_cannot_withdraw_or_step_down(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    own = f"{ride['ride_id']}_{OWNER['sub']}"
    before = snapshot(api.table)

    assert (
        api.change(own, OWNER, version=1, status="withdrawn").body["error"]["code"] == "last_leader"
    )
    assert api.change(own, OWNER, version=1, role="rider").body["error"]["code"] == "last_leader"
    assert snapshot(api.table) == before


def test_assigning_leaders_and_sweeps(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    api.join(ride["ride_id"], rider(1))
    target = f"{ride['ride_id']}_{rider(1)['sub']}"

    assert api.change(target, OWNER, version=1, role="sweep").body["role"] == "sweep"
    assert api.change(target, OWNER, version=2, role="leader").body["role"] == "leader"
    own = f"{ride['ride_id']}_{OWNER['sub']}"
    assert api.change(own, OWNER, version=1, role="rider").status == 200  # another leader remains
    leaders = [p["user_id"] for p in api.get(ride["ride_id"], OWNER).body["leaders"]]
    assert leaders == [rider(1)["sub"]]
    assert api.change(target, rider(1), version=3, role="rider").status == 403  # a member


def test_attendance_only_after_the_start(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    own = f"{ride['ride_id']}_{OWNER['sub']}"
    before = snapshot(api.table)

    answer = api.change(own, OWNER, version=1, attendance="attended")

    assert answer.status == 409
    assert answer.body["error"]["code"] == "ride_not_started"
    assert snapshot(api.table) == before


def test_edits_use_optimistic_locking_and_capacity_cannot_drop_below_riders(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    api.join(ride["ride_id"], rider(1))
    path = {"ride_id": ride["ride_id"]}

    edited = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params=path,
        body={"version": 1, "title": "Bay Run"},
        claims=OWNER,
    )
    stale = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params=path,
        body={"version": 1, "title": "Late"},
        claims=OWNER,
    )
    shrink = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params=path,
        body={"version": 2, "capacity": 1},
        claims=OWNER,
    )

    assert edited.status == 200
    assert edited.body["participant_count"] == 2  # counters are untouched by edits
    assert stale.body["error"]["code"] == "version_conflict"
    assert shrink.body["error"]["code"] == "capacity_below_participants"
    assert (
        api.rides(
            "PUT",
            "/rides/{ride_id}",
            path_params=path,
            body={"version": 2, "title": "Rider edit"},
            claims=rider(1),
        ).status
        == 403
    )


def test_listing_upcoming_rides_by_start_time_and_visibility(api: Api) -> None:
    club_id = api.club()
    later = api.ride(club_id, title="Later ride", start_at=ride_body(9)["start_at"])
    sooner = api.ride(club_id, title="Sooner ride", start_at=ride_body(2)["start_at"])
    private = api.ride(club_id, title="Members ride", visibility="members")

    def titles(claims: dict[str, str], **query: str) -> list[str]:
        answer = api.rides(
            "GET",
            "/clubs/{club_id}/rides",
            path_params={"club_id": club_id},
            query=query,
            claims=claims,
        )
        assert answer.status == 200, answer.body
        return [r["title"] for r in answer.body["items"]]

    assert titles(OWNER) == ["Sooner ride", "Members ride", "Later ride"]
    assert titles(rider(9)) == ["Sooner ride", "Later ride"]  # not a member: public only
    window = {"from": ride_body(1)["start_at"], "to": ride_body(5)["start_at"]}
    assert titles(OWNER, **window) == ["Sooner ride", "Members ride"]
    assert titles(OWNER, limit="1")[0] == "Sooner ride"
    assert api.get(private["ride_id"], rider(9)).status == 403
    assert api.get(later["ride_id"], rider(9)).status == 200
    assert sooner["visibility"] == "public"


def test_participation_list_is_for_members(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)

    assert api.party(ride["ride_id"], rider(5)).status == 403
    assert api.party(ride["ride_id"], ADMIN).status == 200


def test_calendar_feed_lists_public_upcoming_rides(api: Api) -> None:
    club_id = api.club()
    api.ride(club_id, title="Public Bay Run")
    api.ride(club_id, title="Members Hills", visibility="members")

    event = build_proxy_event(
        method="GET",
        resource="/clubs/{club_id}/rides.ics",
        path=f"/clubs/{club_id}/rides.ics",
        path_parameters={"club_id": club_id},
    )
    answer = rides_api.handler(event, LambdaContextStub())

    assert answer["statusCode"] == 200
    headers = answer.get("multiValueHeaders") or {}
    assert "text/calendar" in ",".join(
        headers.get("Content-Type", [answer.get("headers", {}).get("Content-Type", "")])
    )
    calendar = Calendar.from_ical(answer["body"])
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Public Bay Run"]
    geo = events[0]["GEO"]
    assert isinstance(geo, vGeo)
    assert geo.latitude == pytest.approx(-33.8981)
    assert str(calendar["X-WR-TIMEZONE"]) == "Australia/Sydney"


@pytest.mark.parametrize(
    ("method", "resource", "params"),
    [
        ("GET", "/rides/{ride_id}", {"ride_id": "bad"}),
        ("POST", "/rides/{ride_id}/participations", {"ride_id": "bad"}),
        ("PUT", "/participations/{participation_id}", {"participation_id": "bad"}),
        ("GET", "/clubs/{club_id}/rides", {"club_id": "bad"}),
    ],
)
def test_malformed_ids_are_422(
    api: Api, method: str, resource: str, params: dict[str, str]
) -> None:
    body = {"version": 1, "status": "withdrawn"} if method == "PUT" else None
    assert api.rides(method, resource, path_params=params, body=body, claims=OWNER).status == 422


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"version": 1, "status": "joined"},
        {"version": 1, "role": "captain"},
        {"version": 1, "status": "withdrawn", "role": "leader"},
        {"status": "withdrawn"},
    ],
)
def test_bad_participation_changes_are_422(api: Api, body: dict[str, Any]) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    before = snapshot(api.table)

    assert api.change(f"{ride['ride_id']}_{OWNER['sub']}", OWNER, **body).status == 422
    assert snapshot(api.table) == before


def _move_start_to_the_past(api: Api, ride_id: str) -> None:
    """Rides cannot be published in the past; age one in the table instead."""
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.table.client.update_item(
        TableName=api.table.name,
        Key={"PK": {"S": f"RIDE#{ride_id}"}, "SK": {"S": "RIDE"}},
        UpdateExpression="SET start_at = :past, start_at_utc = :past",
        ExpressionAttributeValues={":past": {"S": past}},
    )


def test_started_rides_refuse_joins_and_take_attendance(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    api.member(club_id, rider(2))
    api.join(ride["ride_id"], rider(1))
    _move_start_to_the_past(api, ride["ride_id"])

    late = api.join(ride["ride_id"], rider(2))
    attended = api.change(
        f"{ride['ride_id']}_{rider(1)['sub']}", OWNER, version=1, attendance="attended"
    )
    by_rider = api.change(
        f"{ride['ride_id']}_{rider(1)['sub']}", rider(1), version=2, attendance="no_show"
    )

    assert late.status == 409
    assert late.body["error"]["code"] == "ride_started"
    assert attended.status == 200, attended.body
    assert attended.body["attendance"] == "attended"
    assert by_rider.status == 403
    marked = [m for m in emitted_metrics(capsys.readouterr().out) if m[0] == "AttendanceMarked"]
    assert [dimensions["source"] for _, dimensions in marked] == ["leader"]  # a KPI


def test_raising_capacity_promotes_the_waitlist_in_order(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)  # capacity 3: the leader and two riders
    for i in range(1, 6):
        api.member(club_id, rider(i))
        api.join(ride["ride_id"], rider(i))

    raised = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params={"ride_id": ride["ride_id"]},
        body={"version": 1, "capacity": 5},
        claims=OWNER,
    )

    assert raised.status == 200, raised.body
    assert (raised.body["participant_count"], raised.body["waitlist_count"]) == (5, 1)
    party = api.party(ride["ride_id"]).body
    assert {rider(3)["sub"], rider(4)["sub"]} <= {p["user_id"] for p in party["joined"]}
    assert [p["user_id"] for p in party["waitlist"]] == [rider(5)["sub"]]
    stored = api.table.get(keys.ride_key(ride["ride_id"]))
    assert stored is not None
    assert (stored["participant_count"], stored["waitlist_count"]) == (5, 1)


def test_ride_leaders_see_their_riders_emergency_contacts(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    api.member(club_id, rider(1))
    api.member(club_id, rider(2))
    api.join(ride["ride_id"], rider(1))
    api.table.put(
        {
            **keys.user_key(rider(1)["sub"]),
            "entity": "user",
            "user_id": rider(1)["sub"],
            "emergency_contact": {"name": "Kim", "phone": "+61 400 000 000"},
        }
    )

    as_leader = api.party(ride["ride_id"], OWNER).body
    as_member = api.party(ride["ride_id"], rider(2)).body

    assert as_leader["emergency_contacts"] == {
        rider(1)["sub"]: {"name": "Kim", "phone": "+61 400 000 000"}
    }
    assert as_member["emergency_contacts"] is None


def test_only_a_ride_that_has_started_can_be_completed(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    before = snapshot(api.table)

    early = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params={"ride_id": ride["ride_id"]},
        body={"version": 1, "status": "completed"},
        claims=OWNER,
    )
    assert early.status == 409
    assert early.body["error"]["code"] == "ride_not_started"
    assert snapshot(api.table) == before

    _move_start_to_the_past(api, ride["ride_id"])
    done = api.rides(
        "PUT",
        "/rides/{ride_id}",
        path_params={"ride_id": ride["ride_id"]},
        body={"version": 1, "status": "completed"},
        claims=OWNER,
    )
    assert done.status == 200, done.body
    assert done.body["status"] == "completed"


def test_a_join_says_how_many_places_are_left_counting_the_leader(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id, capacity=3)  # the creator leads and takes one place
    for i in (1, 2, 3):
        api.member(club_id, rider(i))
    unlimited = api.ride(club_id, capacity=None)

    first = api.join(ride["ride_id"], rider(1)).body
    second = api.join(ride["ride_id"], rider(2)).body
    third = api.join(ride["ride_id"], rider(3)).body

    assert (first["status"], first["places_left"]) == ("joined", 1)
    assert (second["status"], second["places_left"]) == ("joined", 0)
    assert (third["status"], third["places_left"]) == ("waitlisted", 0)
    assert api.join(unlimited["ride_id"], rider(1)).body["places_left"] is None


def _membership_ended(club_id: str, user: dict[str, str], status: str) -> DomainEvent:
    kind = "membership_suspended" if status == "suspended" else "membership_ended"
    data = MembershipChanged(
        club_id=club_id,
        user_id=user["sub"],
        membership_id=f"{club_id}_{user['sub']}",
        status=status,
        club_role="member",
        previous_status="active",
    )
    return DomainEvent(
        event_id=f"e-{status}",
        event_type=kind,
        context="memberships",
        occurred_at=datetime.now(UTC),
        actor=user["sub"] if status == "left" else OWNER["sub"],
        data=data.model_dump(mode="json"),
    )


@pytest.mark.parametrize(
    ("status", "after"), [("left", "withdrawn"), ("removed", "removed"), ("suspended", "removed")]
)
def test_leaving_the_club_gives_up_upcoming_places_to_the_waitlist(
    api: Api, status: str, after: str
) -> None:
    club_id = api.club()
    upcoming = api.ride(club_id, capacity=2)
    past = api.ride(club_id, capacity=5)
    for i in (1, 2):
        api.member(club_id, rider(i))
    assert api.join(upcoming["ride_id"], rider(1)).body["status"] == "joined"
    assert api.join(upcoming["ride_id"], rider(2)).body["status"] == "waitlisted"
    assert api.join(past["ride_id"], rider(1)).body["status"] == "joined"
    _move_start_to_the_past(api, past["ride_id"])
    store = RideStore(api.table)

    released = release_places(_membership_ended(club_id, rider(1), status), store)
    again = release_places(_membership_ended(club_id, rider(1), status), store)

    assert (released, again) == (1, 0)
    ride, party = store.read_ride_and_participants(upcoming["ride_id"])
    assert ride is not None
    by_user = {p.user_id: p.status for p in party}
    assert by_user[rider(1)["sub"]] == after
    assert by_user[rider(2)["sub"]] == "joined"
    assert (ride.participant_count, ride.waitlist_count) == (2, 0)
    _, kept = store.read_ride_and_participants(past["ride_id"])
    assert {p.user_id: p.status for p in kept}[rider(1)["sub"]] == "joined"


def test_the_last_leader_of_a_ride_keeps_the_place(api: Api) -> None:
    club_id = api.club()
    ride = api.ride(club_id)
    store = RideStore(api.table)

    assert release_places(_membership_ended(club_id, OWNER, "left"), store) == 0
    _, party = store.read_ride_and_participants(ride["ride_id"])
    assert [(p.user_id, p.status) for p in party] == [(OWNER["sub"], "joined")]
