"""The audit log, in-process against moto: requests change the table; each change goes
through the publisher's translation (as the stream would carry it) to the audit consumer;
club admins and SiteAdmins read the entries with names, newest first."""

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from clubs import audit_trail
from clubs import handler as clubs_api
from clubs.audit_log import AuditStore
from clubs.store import ClubStore
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from publisher.translate import events_from_change
from shared.domain.user import UserProfile
from shared.events import DomainEvent
from shared.store.table import Table, deserialize
from shared.store.users import create_profile
from tests.service.conftest import ADMIN, ApiAnswer, make_invoker, snapshot
from tests.service.test_webhooks import OWNER, World, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.service

RIDER = {"sub": "55555555-5555-4555-8555-555555555555"}


def _items(table: Table) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i["PK"]["S"], i["SK"]["S"]): deserialize(i) for i in snapshot(table)}


class Trail:
    """Requests whose committed changes are published and audited, as in AWS."""

    def __init__(self, table: Table, club_id: str) -> None:
        self.table = table
        self.club_id = club_id
        self.clubs = make_invoker(clubs_api.handler)
        self.members = make_invoker(memberships_api.handler)
        self.events: list[DomainEvent] = []

    def audited(self, request: Callable[[], ApiAnswer]) -> ApiAnswer:
        before = _items(self.table)
        answer = request()
        after = _items(self.table)
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old == new or new is None:
                continue
            kind = "MODIFY" if old else "INSERT"
            for event in events_from_change(kind, old, new, f"e{len(self.events)}"):
                self.events.append(event)
                audit_trail.record(event, self.table)
        return answer

    def log(self, claims: dict[str, str], **query: str) -> ApiAnswer:
        return self.clubs(
            "GET",
            "/clubs/{club_id}/audit",
            path_params={"club_id": self.club_id},
            query=query,
            claims=claims,
        )


@pytest.fixture
def trail(world: World) -> Iterator[Trail]:  # noqa: F811 (pytest's fixture by name)
    create_profile(
        world.table,
        UserProfile.model_validate(
            {
                "user_id": RIDER["sub"],
                "display_name": "Rob Rider",
                "created_at": "2026-12-01T00:00:00Z",
                "updated_at": "2026-12-01T00:00:00Z",
            }
        ),
    )
    memberships_api.app.dependency_overrides[memberships_api.get_store] = lambda: MembershipStore(
        world.table
    )
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(world.table)
    clubs_api.app.dependency_overrides[clubs_api.get_audit_store] = lambda: AuditStore(world.table)
    yield Trail(world.table, world.club_id)
    memberships_api.app.dependency_overrides.clear()


def test_membership_changes_are_logged_with_actor_and_before_and_after(trail: Trail) -> None:
    club = {"club_id": trail.club_id}
    joined = trail.audited(
        lambda: trail.members(
            "POST", "/clubs/{club_id}/memberships", path_params=club, body={}, claims=RIDER
        )
    )
    assert joined.status == 201, joined.body
    membership = {"membership_id": joined.body["membership_id"]}
    promoted = trail.audited(
        lambda: trail.members(
            "PUT",
            "/memberships/{membership_id}",
            path_params=membership,
            body={"version": 1, "club_role": "ride_leader"},
            claims=OWNER,
        )
    )
    assert promoted.status == 200, promoted.body

    log = trail.log(OWNER)
    assert log.status == 200, log.body
    newest, joining = log.body["items"][:2]
    assert newest["action"] == "membership_role_changed"
    assert newest["actor_id"] == OWNER["sub"] and newest["subject_user_id"] == RIDER["sub"]
    assert (newest["before"], newest["after"]) == (
        {"club_role": "member"},
        {"club_role": "ride_leader"},
    )
    assert joining["action"] == "user_joined_club" and joining["after"] == {
        "status": "active",
        "club_role": "member",
    }
    assert log.body["people"][RIDER["sub"]] == "Rob Rider"
    # One member's entries, by their user id.
    theirs = trail.log(OWNER, subject=RIDER["sub"]).body["items"]
    assert [e["action"] for e in theirs] == ["membership_role_changed", "user_joined_club"]


def test_a_redelivered_event_is_logged_once(trail: Trail) -> None:
    trail.audited(
        lambda: trail.clubs(
            "PUT",
            "/clubs/{club_id}",
            path_params={"club_id": trail.club_id},
            body={"version": 1, "description": "Fast and friendly"},
            claims=OWNER,
        )
    )
    (edit,) = [e for e in trail.events if e.event_type == "club_updated"]
    assert audit_trail.record(edit, trail.table) is False
    entries = [e for e in trail.log(OWNER).body["items"] if e["action"] == "club_updated"]
    assert len(entries) == 1
    assert entries[0]["after"] == {"description": "Fast and friendly"}
    assert entries[0]["before"] == {"description": ""}


def test_a_webhook_registered_then_deleted_is_logged_without_its_secrets(
    trail: Trail,
    world: World,  # noqa: F811
) -> None:
    made = trail.audited(lambda: world.register(url="https://hooks.example.com/s/tok3n?k=v"))
    assert made.status == 201, made.body
    path = {"club_id": trail.club_id, "webhook_id": made.body["webhook_id"]}
    gone = trail.audited(
        lambda: world.api(
            "DELETE", "/clubs/{club_id}/webhooks/{webhook_id}", path_params=path, claims=OWNER
        )
    )
    assert gone.status == 204, gone.body

    entries = trail.log(OWNER, subject=made.body["webhook_id"]).body["items"]
    assert [e["action"] for e in entries] == ["club_webhook_deleted", "club_webhook_changed"]
    deleted, registered = entries
    assert deleted["actor_id"] == OWNER["sub"] and deleted["before"]["host"] == "hooks.example.com"
    assert registered["after"]["host"] == "hooks.example.com"
    text = str(entries)
    assert "tok3n" not in text and "sealed" not in text


def test_only_the_clubs_admins_and_site_admins_read_its_log(trail: Trail) -> None:
    trail.audited(
        lambda: trail.members(
            "POST",
            "/clubs/{club_id}/memberships",
            path_params={"club_id": trail.club_id},
            body={},
            claims=RIDER,
        )
    )
    assert trail.log(RIDER).status == 403
    assert trail.log(ADMIN).status == 200
    platform = trail.clubs("GET", "/audit", claims=OWNER)
    assert platform.status == 403
    assert trail.clubs("GET", "/audit", claims=ADMIN).status == 200


def test_a_site_admins_role_change_is_in_the_platform_log(trail: Trail) -> None:
    old = {"user_id": RIDER["sub"], "system_role": "User", "version": 1, "entity": "user"}
    new = {**old, "system_role": "SiteAdmin", "version": 2, "updated_by": ADMIN["sub"]}
    new["updated_at"] = "2026-12-04T00:00:00+00:00"
    (event,) = events_from_change("MODIFY", old, new, "role-1")
    assert event.event_type == "user_role_changed" and event.actor == ADMIN["sub"]
    assert audit_trail.record(event, trail.table)
    answer = trail.clubs("GET", "/audit", claims=ADMIN, query={"subject": RIDER["sub"]})
    (entry,) = answer.body["items"]
    assert (entry["before"], entry["after"]) == (
        {"system_role": "User"},
        {"system_role": "SiteAdmin"},
    )


def test_a_page_and_its_cursor_cover_the_log_once(trail: Trail) -> None:
    def edit(version: int) -> ApiAnswer:
        return trail.clubs(
            "PUT",
            "/clubs/{club_id}",
            path_params={"club_id": trail.club_id},
            body={"version": version, "description": f"Edit {version}"},
            claims=OWNER,
        )

    for version in range(1, 6):
        trail.audited(partial(edit, version))
    first = trail.log(OWNER, limit="3").body
    second = trail.log(OWNER, limit="3", cursor=first["next_cursor"]).body
    seen = [e["entry_id"] for e in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == len(trail.log(OWNER, limit="100").body["items"])
    assert trail.log(OWNER, cursor="bm90LW91cnM").status == 400


def test_every_audited_event_is_routed_to_the_consumer() -> None:
    from stacks.consumers import AUDIT_TRAIL

    assert set(AUDIT_TRAIL.event_types) == set(audit_trail.AUDITED_EVENTS)
