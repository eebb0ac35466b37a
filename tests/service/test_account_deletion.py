"""Deleting an account, in-process against moto: the request's checks (a recent sign-in,
the last admin, a SiteAdmin), then the saga through the event path's steps (its own, the
seats consumer's and the Strava consumer's), a step failing midway, a double request,
and an audit of what is left about the person afterwards."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from clubs import handler as clubs_api
from clubs.store import ClubStore
from local.provision import create_user_pool
from local.users import create_user
from memberships import handler as memberships_api
from memberships.store import MembershipStore
from notifications.store import NotificationStore
from publisher.translate import events_from_change
from rides import handler as rides_api
from rides.seat_release import release_places
from rides.series_store import SeriesStore
from rides.store import RideStore
from shared.adapters.delivery_errors import RetryLater
from shared.adapters.identity import IdentityDirectory
from shared.adapters.media import MediaBucket
from shared.adapters.push import PushGateway
from shared.api.revoked_accounts import RevokedAccounts, revoked_accounts
from shared.domain.deletion import DeletionStep
from shared.domain.enums import SystemRole
from shared.events import DomainEvent
from shared.store import keys
from shared.store.deletion import record_strava_unlinked
from shared.store.table import Table, deserialize
from tests.service.conftest import ADMIN, Invoke, make_invoker, snapshot
from tests.service.test_rides_api import ride_body
from users import handler as users_api
from users.deletion_saga import Saga
from users.deletion_store import DeletionStore

pytestmark = pytest.mark.service

BUCKET = "deletion-assets"
EMAIL, NAME = "dana.deleted@example.com", ("Dana", "Departed")


def _items(table: Table) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i["PK"]["S"], i["SK"]["S"]): deserialize(i) for i in snapshot(table)}


class World:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.cognito = boto3.client("cognito-idp")
        self.pool, _ = create_user_pool(self.cognito, "test")
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
        )
        self.sns = boto3.client("sns")
        self.fcm = self.sns.create_platform_application(
            Name="test-fcm", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        self.directory = IdentityDirectory(self.cognito, self.pool)
        self.saga = Saga(
            store=DeletionStore(table),
            directory=self.directory,
            push=PushGateway(self.sns, {"fcm": self.fcm}),
            media=MediaBucket(self.s3, BUCKET),
        )
        self.clubs: Invoke = make_invoker(clubs_api.handler)
        self.members: Invoke = make_invoker(memberships_api.handler)
        self.rides: Invoke = make_invoker(rides_api.handler)
        self.users: Invoke = make_invoker(users_api.handler)
        self.events: list[DomainEvent] = []
        # The stream's view: each request's committed changes become events.
        self.seen = _items(table)
        self.owner = create_user(
            self.cognito, self.pool, "owner@example.com", "Owner-Pass-2026!", SystemRole.USER, table
        )
        self.dana = create_user(
            self.cognito, self.pool, EMAIL, "Dana-Pass-2026!", SystemRole.USER, table, *NAME
        )

    def claims(self, sub: str) -> dict[str, str]:
        """A fresh sign-in; Dana's token carries her names."""
        names = {"given_name": NAME[0], "family_name": NAME[1]} if sub == self.dana else {}
        return {"sub": sub, "auth_time": str(int(time.time())), **names}

    def published(self) -> list[DomainEvent]:
        """The events of every change since last asked, in key order."""
        now = _items(self.table)
        fresh = []
        for key in sorted(set(self.seen) | set(now)):
            old, new = self.seen.get(key), now.get(key)
            if new is None or old == new:
                continue
            fresh += events_from_change(
                "MODIFY" if old else "INSERT", old, new, f"e{len(self.events)}"
            )
        self.seen = now
        self.events += fresh
        return fresh

    def delete(self, sub: str, **claims: Any) -> Any:
        return self.users("DELETE", "/users/me", claims={**self.claims(sub), **claims})


@pytest.fixture
def world(table: Table, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("ASSETS_BUCKET_NAME", BUCKET)
    made = World(table)
    overrides = (
        (clubs_api, clubs_api.get_store, lambda: ClubStore(table)),
        (memberships_api, memberships_api.get_store, lambda: MembershipStore(table)),
        (rides_api, rides_api.get_store, lambda: RideStore(table)),
        (rides_api, rides_api.get_series_store, lambda: SeriesStore(table)),
        (users_api, users_api.get_deletion_store, lambda: DeletionStore(table)),
        (users_api, users_api.get_directory, lambda: made.directory),
    )
    for module, dependency, store in overrides:
        module.app.dependency_overrides[dependency] = store
    yield made
    for module, _, _ in overrides:
        module.app.dependency_overrides.clear()


def _club(world: World) -> str:
    answer = world.clubs(
        "POST",
        "/clubs",
        body={"name": "Deletion CC", "disciplines": ["road"], "initial_admin_id": world.owner},
        claims=ADMIN,
    )
    assert answer.status == 201, answer.body
    club_id = str(answer.body["club_id"])
    joined = world.members(
        "POST",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club_id},
        body={},
        claims=world.claims(world.dana),
    )
    assert joined.status == 201, joined.body
    return club_id


def test_deletion_needs_a_recent_sign_in_and_writes_nothing_without_one(world: World) -> None:
    before = snapshot(world.table)
    stale = world.delete(world.dana, auth_time=str(int(time.time()) - 16 * 60))
    assert stale.status == 401 and stale.body["error"]["code"] == "recent_sign_in_required"
    assert "Sign in again" in stale.body["error"]["message"]
    assert world.delete(world.dana, auth_time="soon").status == 401
    assert snapshot(world.table) == before


def test_the_last_admin_of_a_club_and_a_site_admin_are_refused(world: World) -> None:
    club_id = _club(world)
    refused = world.delete(world.owner)
    assert refused.status == 409 and refused.body["error"]["code"] == "last_admin"
    assert club_id in refused.body["error"]["message"]
    assert refused.body["error"]["details"] == {"club_ids": [club_id]}
    site_admin = world.users("DELETE", "/users/me", claims={**world.claims(ADMIN["sub"]), **ADMIN})
    assert site_admin.status == 409 and site_admin.body["error"]["code"] == "site_admin"
    # With a second admin the first may go.
    promoted = world.members(
        "PUT",
        "/memberships/{membership_id}",
        path_params={"membership_id": f"{club_id}_{world.dana}"},
        body={"version": 1, "club_role": "admin"},
        claims=world.claims(world.owner),
    )
    assert promoted.status == 200, promoted.body
    assert world.delete(world.owner).status == 202


def test_a_deleted_account_leaves_only_what_its_clubs_keep(world: World) -> None:
    club_id = _club(world)
    dana = world.claims(world.dana)
    # A full upcoming ride with Dana seated and another rider waiting; a past place.
    other = create_user(
        world.cognito, world.pool, "wes@example.com", "Wes-Pass-2026!", SystemRole.USER, world.table
    )
    world.members(
        "POST",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club_id},
        body={},
        claims=world.claims(other),
    )
    ride = world.rides(
        "POST",
        "/clubs/{club_id}/rides",
        path_params={"club_id": club_id},
        body={**ride_body(), "capacity": 2},
        claims=world.claims(world.owner),
    ).body
    seat = world.rides(
        "POST",
        "/rides/{ride_id}/participations",
        path_params={"ride_id": ride["ride_id"]},
        claims=dana,
        headers={"Idempotency-Key": "dana-joins"},  # its answer is remembered for retries
    )
    assert seat.body["status"] == "joined"
    # A notification went to her (its delivery record).
    NotificationStore(world.table).claim_delivery(
        "event-1", world.dana, "email", datetime.now(UTC) + timedelta(days=14)
    )
    waiting = world.rides(
        "POST",
        "/rides/{ride_id}/participations",
        path_params={"ride_id": ride["ride_id"]},
        claims=world.claims(other),
    )
    assert waiting.body["status"] == "waitlisted"
    # Dana's own things: a phone, preferences, a feed, an avatar.
    endpoint = world.sns.create_platform_endpoint(PlatformApplicationArn=world.fcm, Token="d" * 64)[
        "EndpointArn"
    ]
    world.table.put(
        {
            **keys.device_key(world.dana, "phone1"),
            "entity": "device",
            "device_id": "phone1",
            "user_id": world.dana,
            "platform": "fcm",
            "endpoint_arn": endpoint,
            "created_at": "2026-12-01T00:00:00Z",
        }
    )
    world.table.put({**keys.preferences_key(world.dana), "entity": "preferences", "version": 1})
    avatar = f"public/avatars/{world.dana}/0f0f0f0f-0000-4000-8000-000000000001/256.webp"
    world.s3.put_object(Bucket=BUCKET, Key=avatar, Body=b"img")
    world.published()

    accepted = world.delete(world.dana)
    assert accepted.status == 202, accepted.body
    again = world.delete(world.dana)
    assert again.status == 202 and again.body["requested_at"] == accepted.body["requested_at"]
    # No new tokens from now on.
    assert not world.cognito.admin_get_user(UserPoolId=world.pool, Username=EMAIL)["Enabled"]
    (requested,) = [e for e in world.published() if e.event_type == "user_deletion_requested"]
    assert requested.data == {"user_id": world.dana}

    # First pass: memberships end; the Strava consumer and the seats consumer have not
    # done their parts yet, so the account stays.
    with pytest.raises(RetryLater):
        world.saga.run(world.dana)
    ended = [e for e in world.published() if e.event_type == "membership_ended"]
    assert [e.data["user_id"] for e in ended] == [world.dana]
    store = RideStore(world.table)
    assert release_places(ended[0], store) == 1  # the seats consumer: Wes is promoted
    record_strava_unlinked(world.table, world.dana)  # the Strava consumer (not linked)
    assert world.saga.run(world.dana) is True
    assert world.saga.run(world.dana) is False  # a redelivery: nothing more
    assert [e.event_type for e in world.published() if e.event_type == "user_deleted"] == [
        "user_deleted"
    ]

    _, party = store.read_ride_and_participants(ride["ride_id"])
    assert {p.user_id: p.status.value for p in party}[other] == "joined"
    # The audit: the person's address and name are nowhere; their id only where
    # docs/privacy.md says clubs keep it (membership history, places, the tombstone, the
    # deletion record and its events).
    everything = _items(world.table)
    holding = [
        key
        for key, item in everything.items()
        if any(v in json.dumps(item, default=str) for v in (EMAIL, *NAME))
    ]
    assert holding == [], holding
    kept = {
        (item.get("entity") or pk.split("#")[0])
        for (pk, sk), item in everything.items()
        if world.dana in json.dumps(item, default=str)
    }
    documented = {
        "membership",
        "participation",
        "former_user",
        "deletion",
        "deletion_step",
        "audit",
    }
    assert kept <= documented, kept
    assert world.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    assert endpoint not in [
        e["EndpointArn"]
        for e in world.sns.list_endpoints_by_platform_application(PlatformApplicationArn=world.fcm)[
            "Endpoints"
        ]
    ]
    with pytest.raises(world.cognito.exceptions.UserNotFoundException):
        world.cognito.admin_get_user(UserPoolId=world.pool, Username=EMAIL)
    profile = world.users(
        "GET", "/users/{user_id}", path_params={"user_id": world.dana}, claims=ADMIN
    )
    assert profile.status == 404
    # A token issued before the deletion brings nothing back, even where this function's
    # list of deleted accounts was read before the request (joining a club again; the
    # same check guards devices, preferences, feeds and regular places).
    revoked_accounts().refresh_seconds = float("inf")
    before = snapshot(world.table)
    rejoin = world.members(
        "POST",
        "/clubs/{club_id}/memberships",
        path_params={"club_id": club_id},
        body={},
        claims=dana,
    )
    assert rejoin.status == 401 and rejoin.body["error"]["code"] == "account_deleted"
    assert snapshot(world.table) == before


def test_a_step_that_fails_midway_is_taken_again_and_the_rest_completes(world: World) -> None:
    _club(world)
    assert world.delete(world.dana).status == 202
    calls = {"n": 0}
    real = world.saga.media.keys

    def flaky(prefix: str) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("S3 went away")
        return real(prefix)

    world.saga.media.keys = flaky  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        world.saga.run(world.dana)
    progress = DeletionStore(world.table).deletion(world.dana)
    assert progress is not None
    # What was done before the failure is recorded, and is not done twice.
    assert DeletionStep.MEMBERSHIPS in progress.steps_done
    assert DeletionStep.AVATAR not in progress.steps_done
    for event in world.published():
        if event.event_type == "membership_ended":
            release_places(event, RideStore(world.table))
    record_strava_unlinked(world.table, world.dana)
    assert world.saga.run(world.dana) is True
    done = DeletionStore(world.table).deletion(world.dana)
    assert done is not None and done.status == "done"
    assert done.finished_at is not None
    assert done.finished_at - done.requested_at < timedelta(minutes=1)
    assert datetime.now(UTC) - done.finished_at < timedelta(minutes=1)


def test_a_deleted_accounts_tokens_are_refused_on_every_route(world: World) -> None:
    club_id = _club(world)
    dana = world.claims(world.dana)
    reads = (
        (world.clubs, "GET", "/clubs", None),
        (world.clubs, "GET", "/clubs/{club_id}", {"club_id": club_id}),
        (world.rides, "GET", "/users/me/rides", None),
        (world.users, "GET", "/users/me", None),
    )
    for api, method, resource, params in reads:
        assert api(method, resource, path_params=params, claims=dana).status == 200
    assert world.delete(world.dana).status == 202

    revoked_accounts().forget()  # the period since the last read is over
    for api, method, resource, params in reads:
        refused = api(method, resource, path_params=params, claims=dana)
        assert (refused.status, refused.body["error"]["code"]) == (401, "account_deleted")
    # But a retried deletion request (its first answer lost) is answered as the first was.
    again = world.delete(world.dana)
    assert again.status == 202 and again.body["status"] == "requested"
    # Anyone else is served as before.
    owner = world.clubs("GET", "/clubs", claims=world.claims(world.owner))
    assert owner.status == 200


def test_the_list_of_deleted_accounts_is_read_once_a_period_and_spans_a_tokens_life(
    world: World,
) -> None:
    now = [0.0]
    listed = RevokedAccounts(world.table, refresh_seconds=5, clock=lambda: now[0])
    calls: list[str] = []
    world.table.client.meta.events.register(
        "before-call.dynamodb.Query", lambda model, **_: calls.append(model.name)
    )
    assert not listed.refuses(world.dana)
    assert world.delete(world.dana).status == 202
    calls.clear()
    now[0] = 4.9
    assert not listed.refuses(world.dana)  # within the period: the list as read
    assert calls == []
    now[0] = 5.0
    assert listed.refuses(world.dana)
    assert not listed.refuses(world.owner)
    assert calls == ["Query"]
    # A request older than a token's life (and the clock skew allowed) names no token
    # that can still be presented.
    item = world.table.get(keys.account_deletion_key(world.dana))
    assert item is not None
    old = (datetime.now(UTC) - timedelta(minutes=66)).strftime("%Y-%m-%dT%H:%M:%S")
    world.table.put({**item, "GSI1SK": keys.deleted_account_sk(old, world.dana)})
    listed.forget()
    assert not listed.refuses(world.dana)
