"""DynamoDB round trips per request, counted on the client against moto in-process.

The budget (platform brief): single-item reads 1, listings 1 (+1 when authorization-gated),
authorized writes at most 2. Not counted: the list of deleted accounts each function reads
at most every five seconds (`shared/api/revoked_accounts.py`), a cost of the period, not of
a request.
"""

import json
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from bench.in_process import LambdaContext, use_bench_environment
from local.provision import create_table, create_user_pool
from local.proxy_event import build_proxy_event
from shared.api.revoked_accounts import revoked_accounts
from shared.aws_clients import dynamodb_client
from shared.domain.user import new_profile
from shared.store import keys
from shared.store.table import Table
from shared.store.users import create_profile

ADMIN = {"sub": "11111111-1111-4111-8111-111111111111", "custom:system_role": "SiteAdmin"}


@dataclass
class Measure:
    route: str
    round_trips: int
    budget: int
    status: int

    @property
    def within(self) -> bool:
        return self.round_trips <= self.budget


def measure_routes() -> list[Measure]:
    use_bench_environment()
    from clubs import handler as clubs_api
    from clubs.audit_log import AuditStore
    from clubs.stats_report import StatsStore
    from clubs.store import ClubStore
    from memberships import handler as memberships_api
    from memberships.store import MembershipStore
    from notifications import handler as notifications_api
    from notifications.store import NotificationStore
    from rides import handler as rides_api
    from rides.discovery_store import DiscoveryStore
    from rides.schedule_store import ScheduleStore
    from rides.series_store import SeriesStore
    from rides.store import RideStore
    from shared.adapters.identity import IdentityDirectory
    from shared.adapters.media import MediaBucket
    from shared.adapters.push import PushGateway
    from shared.domain.audit import AuditEntry, SubjectKind
    from shared.store.audit import audit_item
    from users import handler as users_api
    from users.deletion_store import DeletionStore
    from users.export_store import ExportStore
    from users.store import ProfileStore

    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client, "bench")
        calls: list[str] = []
        client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )
        # The functions' own client (idempotency records go through it).
        dynamodb_client().meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )
        table = Table(client, "bench")
        # The deleted accounts, read now and held for the measurement: each function reads
        # them at most every few seconds, a cost of the period, not of a request.
        revoked_accounts.cache_clear()
        listed = revoked_accounts()
        listed.table = table
        listed.refuses(ADMIN["sub"])
        listed.refresh_seconds = float("inf")
        clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
        memberships_api.app.dependency_overrides[memberships_api.get_store] = lambda: (
            MembershipStore(table)
        )
        rides_api.app.dependency_overrides[rides_api.get_store] = lambda: RideStore(table)
        rides_api.app.dependency_overrides[rides_api.get_schedule_store] = lambda: ScheduleStore(
            table
        )
        rides_api.app.dependency_overrides[rides_api.get_discovery_store] = lambda: DiscoveryStore(
            table
        )

        def call(
            method: str,
            resource: str,
            path: str,
            body: Any = None,
            query: Any = None,
            claims: dict[str, str] | None = ADMIN,
            headers: dict[str, str] | None = None,
        ) -> tuple[int, Any, int]:
            calls.clear()
            names = re.findall(r"\{(\w+)\}", resource)
            values = re.fullmatch(re.sub(r"\{\w+\}", "([^/]+)", resource), path)
            params = dict(zip(names, values.groups(), strict=True)) if names and values else None
            event = build_proxy_event(
                method=method,
                resource=resource,
                path=path,
                path_parameters=params,
                query=query,
                headers={"Content-Type": "application/json", **(headers or {})},
                body=json.dumps(body) if body is not None else None,
                claims=claims,
            )
            service = (
                rides_api
                if "calendar" in resource or resource == "/rides"
                else notifications_api
                if "notification" in resource or "devices" in resource
                else rides_api
                if "ride" in resource or "participation" in resource
                else memberships_api
                if "member" in resource
                else users_api
                if resource.startswith("/users")
                else clubs_api
            )
            answer = service.handler(event, LambdaContext())
            text = answer.get("body") or "null"
            try:
                body = json.loads(text)
            except ValueError:  # a calendar
                body = text
            return answer["statusCode"], body, len(calls)

        results: list[Measure] = []
        # The people the bench acts as have profiles (a club's first admin must exist).
        for sub in (ADMIN["sub"], "22222222-2222-4222-8222-222222222222"):
            create_profile(table, new_profile(sub, None, datetime.now(UTC)))

        def record(route: str, budget: int, outcome: tuple[int, Any, int]) -> Any:
            status, body, trips = outcome
            results.append(Measure(route, trips, budget, status))
            return body

        club = record(
            "POST /clubs",
            2,
            call("POST", "/clubs", "/clubs", {"name": "Bench Club", "disciplines": ["road"]}),
        )
        once = {"name": "Bench Once", "disciplines": ["road"]}
        key = {"Idempotency-Key": "bench-key-1"}
        # The idempotency record: a conditional put before, an update after.
        record(
            "POST /clubs (Idempotency-Key)", 4, call("POST", "/clubs", "/clubs", once, headers=key)
        )
        record(
            "POST /clubs (Idempotency-Key, replayed)",
            1,
            call("POST", "/clubs", "/clubs", once, headers=key),
        )
        for i in range(30):
            call("POST", "/clubs", "/clubs", {"name": f"Club {i:02}", "disciplines": ["road"]})
        path = f"/clubs/{club['club_id']}"
        record("GET /clubs/{club_id}", 1, call("GET", "/clubs/{club_id}", path))
        record("GET /clubs (page of 20)", 1, call("GET", "/clubs", "/clubs"))
        page = call("GET", "/clubs", "/clubs", query={"limit": ["10"]})[1]
        record(
            "GET /clubs (next page)",
            1,
            call("GET", "/clubs", "/clubs", query={"cursor": [page["next_cursor"]]}),
        )
        # Name words: one page of the word's entries, then the clubs in one read.
        record("GET /clubs (q)", 2, call("GET", "/clubs", "/clubs", query={"q": ["club"]}))
        # Near a point with nobody there: every ring up to 10 km is read, the cells of two
        # grid levels (decision 33).
        near = {"near": ["-33.8988,151.2335"], "radius_km": ["10"]}
        record(
            "GET /clubs (near, nothing within 10 km)",
            8,
            call("GET", "/clubs", "/clubs", query=near),
        )
        record(
            "PUT /clubs/{club_id} (edit)",
            2,
            call("PUT", "/clubs/{club_id}", path, {"version": 1, "city": "Sydney"}),
        )
        record(
            "PUT /clubs/{club_id} (rename)",
            2,
            call("PUT", "/clubs/{club_id}", path, {"version": 2, "name": "Bench Club Renamed"}),
        )
        record(
            "PUT /clubs/{club_id} (stale version)",
            2,
            call("PUT", "/clubs/{club_id}", path, {"version": 1, "city": "Perth"}),
        )
        owner = {"sub": "22222222-2222-4222-8222-222222222222"}
        rider = {"sub": "33333333-3333-4333-8333-333333333333"}
        club = call(
            "POST",
            "/clubs",
            "/clubs",
            {
                "name": "Members Club",
                "disciplines": ["road"],
                "join_policy": "approval",
                "initial_admin_id": owner["sub"],
            },
        )[1]
        members = f"/clubs/{club['club_id']}/memberships"
        joined = record(
            "POST /clubs/{club_id}/memberships",
            2,
            call("POST", "/clubs/{club_id}/memberships", members, {}, claims=rider),
        )
        record(
            "GET /clubs/{club_id}/memberships",
            2,
            call("GET", "/clubs/{club_id}/memberships", members, claims=owner),
        )
        target = f"/memberships/{joined['membership_id']}"
        record(
            "PUT /memberships/{id} (approve)",
            2,
            call(
                "PUT",
                "/memberships/{membership_id}",
                target,
                {"version": 1, "status": "active"},
                claims=owner,
            ),
        )
        record(
            "PUT /memberships/{id} (promote)",
            2,
            call(
                "PUT",
                "/memberships/{membership_id}",
                target,
                {"version": 2, "club_role": "admin"},
                claims=owner,
            ),
        )
        record(
            "DELETE /memberships/{id} (leave)",
            2,
            call("DELETE", "/memberships/{membership_id}", target, claims=rider),
        )
        record(
            "GET /users/me/memberships",
            1,
            call("GET", "/users/me/memberships", "/users/me/memberships", claims=owner),
        )
        ride_body = {
            "title": "Bench ride",
            "start_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "estimated_duration_min": 90,
            "meeting_point": {"name": "Park", "lat": -33.9, "lon": 151.2},
            "distance_km": 50,
            "surface": "road",
            "pace_class": "B",
            "drop_policy": "regroup",
            "capacity": 2,
            "visibility": "members",
        }
        ride = record(
            "POST /clubs/{club_id}/rides",
            2,
            call(
                "POST",
                "/clubs/{club_id}/rides",
                f"/clubs/{club['club_id']}/rides",
                ride_body,
                claims=owner,
            ),
        )
        ride_path = f"/rides/{ride['ride_id']}"
        riders = [{"sub": f"9999999{i}-9999-4999-8999-999999999999"} for i in range(3)]
        for person in riders:
            joined = call("POST", "/clubs/{club_id}/memberships", members, {}, claims=person)[1]
            approve = {"version": 1, "status": "active"}
            target = f"/memberships/{joined['membership_id']}"
            call("PUT", "/memberships/{membership_id}", target, approve, claims=owner)
        record(
            "POST /rides/{id}/participations (seat)",
            2,
            call(
                "POST",
                "/rides/{ride_id}/participations",
                f"{ride_path}/participations",
                claims=riders[0],
            ),
        )
        record(
            "POST /rides/{id}/participations (waitlist)",
            2,
            call(
                "POST",
                "/rides/{ride_id}/participations",
                f"{ride_path}/participations",
                claims=riders[1],
            ),
        )
        record(
            "GET /rides/{id} (members-only)",
            2,
            call("GET", "/rides/{ride_id}", ride_path, claims=owner),
        )
        record(
            "GET /clubs/{club_id}/rides",
            2,
            call("GET", "/clubs/{club_id}/rides", f"/clubs/{club['club_id']}/rides", claims=owner),
        )
        record(
            "PUT /participations/{id} (withdraw+promote)",
            2,
            call(
                "PUT",
                "/participations/{participation_id}",
                f"/participations/{ride['ride_id']}_{riders[0]['sub']}",
                {"version": 1, "status": "withdrawn"},
                claims=riders[0],
            ),
        )
        record(
            "PUT /rides/{id} (edit)",
            2,
            call(
                "PUT",
                "/rides/{ride_id}",
                ride_path,
                {"version": 1, "title": "Bench ride 2"},
                claims=owner,
            ),
        )
        # The rider's schedule: one Query of their places, one read of the rides and
        # memberships that decide what is shown.
        # The caller's clubs (GSI1), the cells around the point (at most six), the rides.
        record(
            "GET /rides (near, 10 km)",
            8,
            call("GET", "/rides", "/rides", query={"near": ["-33.9,151.2"]}, claims=riders[1]),
        )
        record(
            "GET /users/me/rides",
            2,
            call("GET", "/users/me/rides", "/users/me/rides", claims=riders[1]),
        )
        boto3.client("ssm").put_parameter(
            Name="/bench/api/url", Value="https://api.bench.test", Type="String"
        )
        os.environ["API_URL_PARAMETER"] = "/bench/api/url"
        feed = "/users/me/calendar-feed"
        # The current feed, then one transaction (the old token out, the new one in).
        made = record("POST /users/me/calendar-feed", 2, call("POST", feed, feed, claims=riders[1]))
        token = made["url"].split("/")[-2]
        # The token (consistently), the rider's places, their rides and memberships.
        record(
            "GET /calendar-feeds/{token}/rides.ics",
            3,
            call(
                "GET",
                "/calendar-feeds/{feed_token}/rides.ics",
                f"/calendar-feeds/{token}/rides.ics",
                claims=None,
            ),
        )
        record("DELETE /users/me/calendar-feed", 2, call("DELETE", feed, feed, claims=riders[1]))
        # Ride series: the club and caller (one read), then the series put with the club's
        # check; reads are the series, the caller as its regular and their membership at once.
        rides_api.app.dependency_overrides[rides_api.get_series_store] = lambda: SeriesStore(table)
        first = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
        plan = {k: v for k, v in ride_body.items() if k != "start_at"}
        series_body = {
            "ride": plan,
            "recurrence": {
                "frequency": "weekly",
                "first_date": first,
                "local_time": "06:00",
                "count": 4,
            },
        }
        club_series = f"/clubs/{club['club_id']}/ride-series"
        series = record(
            "POST /clubs/{club_id}/ride-series",
            2,
            call("POST", "/clubs/{club_id}/ride-series", club_series, series_body, claims=owner),
        )
        record(
            "GET /clubs/{club_id}/ride-series",
            2,
            call("GET", "/clubs/{club_id}/ride-series", club_series, claims=riders[1]),
        )
        one = f"/ride-series/{series['series_id']}"
        record(
            "GET /ride-series/{id}",
            1,
            call("GET", "/ride-series/{series_id}", one, claims=riders[1]),
        )
        change = {"version": 1, "from_date": first, "title": "Bench series 2"}
        record(
            "PUT /ride-series/{id}",
            2,
            call("PUT", "/ride-series/{series_id}", one, change, claims=owner),
        )
        regular = f"{one}/regulars/me"
        # The read, the regular put with the series' count and membership check, the
        # series again for its made rides (none here: each made one adds a join's two).
        record(
            "PUT /ride-series/{id}/regulars/me",
            3,
            call("PUT", "/ride-series/{series_id}/regulars/me", regular, claims=riders[1]),
        )
        record(
            "DELETE /ride-series/{id}/regulars/me",
            2,
            call("DELETE", "/ride-series/{series_id}/regulars/me", regular, claims=riders[1]),
        )
        # The audit log: the club and caller, one page (newest first), the names on it.
        clubs_api.app.dependency_overrides[clubs_api.get_audit_store] = lambda: AuditStore(table)
        for n in range(3):
            entry = AuditEntry(
                scope=club["club_id"],
                entry_id=f"bench-{n}:membership_approved",
                occurred_at=datetime.now(UTC),
                action="membership_approved",
                actor_id=owner["sub"],
                subject_kind=SubjectKind.MEMBERSHIP,
                subject_id=f"{club['club_id']}_{riders[n]['sub']}",
                subject_user_id=riders[n]["sub"],
                after={"status": "active"},
            )
            table.put(audit_item(entry))
        audit = f"/clubs/{club['club_id']}/audit"
        record("GET /clubs/{club_id}/audit", 3, call("GET", "/clubs/{club_id}/audit", audit))
        record(
            "GET /clubs/{club_id}/audit (one member)",
            3,
            call("GET", "/clubs/{club_id}/audit", audit, query={"subject": [riders[0]["sub"]]}),
        )
        record("GET /audit", 1, call("GET", "/audit", "/audit"))
        # The club's statistics: the club and caller, one query of a year's daily tallies.
        clubs_api.app.dependency_overrides[clubs_api.get_stats_store] = lambda: StatsStore(table)
        for day in range(0, 365, 3):
            table.put(
                {
                    **keys.club_stats_key(club["club_id"], str(date(2026, 1, 1) + timedelta(day))),
                    "entity": "club_stats",
                    "rides_scheduled": 2,
                    "riders_attended": 14,
                    "ridden_km": 780.5,
                    "pace_B_rides": 1,
                    "pace_B_riders": 8,
                }
            )
        stats = f"/clubs/{club['club_id']}/stats"
        record(
            "GET /clubs/{club_id}/stats (a year)",
            2,
            call("GET", "/clubs/{club_id}/stats", stats, query={"from": ["2026-01-01"]}),
        )
        users_api.app.dependency_overrides[users_api.get_store] = lambda: ProfileStore(table)
        users_api.app.dependency_overrides[users_api.get_directory] = lambda: IdentityDirectory(
            None, None
        )
        newcomer = {"sub": "88888888-8888-4888-8888-888888888888", "email": "new@bench.local"}
        record("POST /users (create)", 2, call("POST", "/users", "/users", {}, claims=newcomer))
        record("POST /users (exists)", 1, call("POST", "/users", "/users", {}, claims=newcomer))
        record("GET /users/me", 2, call("GET", "/users/me", "/users/me", claims=newcomer))
        me = f"/users/{newcomer['sub']}"
        record("GET /users/{id} (own)", 1, call("GET", "/users/{user_id}", me, claims=newcomer))
        record(
            "GET /users/{id} (someone else: + shared clubs)",
            3,
            call("GET", "/users/{user_id}", me, claims=owner),
        )
        record(
            "PUT /users/{id} (own fields)",
            2,
            call("PUT", "/users/{user_id}", me, {"version": 1, "suburb": "Glebe"}, claims=newcomer),
        )
        # Deleting the account: the deletion record, the memberships' index, the profile,
        # then the request's put (Cognito is not DynamoDB); a member's memberships are read
        # again consistently (one more), an admin's clubs' admin counts (one more).
        pool, _ = create_user_pool(boto3.client("cognito-idp"), "bench")
        users_api.app.dependency_overrides[users_api.get_deletion_store] = lambda: DeletionStore(
            table
        )
        users_api.app.dependency_overrides[users_api.get_directory] = lambda: IdentityDirectory(
            boto3.client("cognito-idp"), pool
        )
        # A data export: the day's record read, then put; its state, one Query.
        users_api.app.dependency_overrides[users_api.get_export_store] = lambda: ExportStore(table)
        users_api.app.dependency_overrides[users_api.get_media] = lambda: MediaBucket(
            boto3.client("s3"), "bench-assets"
        )
        export = "/users/me/export"
        record("POST /users/me/export", 2, call("POST", export, export, claims=newcomer))
        record("GET /users/me/export", 1, call("GET", export, export, claims=newcomer))
        leaving = {
            "sub": "77777777-7777-4777-8777-777777777777",
            "auth_time": str(int(time.time())),
        }
        create_profile(table, new_profile(leaving["sub"], None, datetime.now(UTC)))
        record("DELETE /users/me", 4, call("DELETE", "/users/me", "/users/me", claims=leaving))
        sns = boto3.client("sns")
        fcm = sns.create_platform_application(
            Name="bench-fcm", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        notifications_api.app.dependency_overrides[notifications_api.get_store] = lambda: (
            NotificationStore(table)
        )
        notifications_api.app.dependency_overrides[notifications_api.get_push] = lambda: (
            PushGateway(sns, {"fcm": fcm})
        )
        prefs = "/users/me/notification-preferences"
        record(
            "GET /users/me/notification-preferences", 1, call("GET", prefs, prefs, claims=newcomer)
        )
        record(
            "PUT /users/me/notification-preferences",
            2,
            call(
                "PUT", prefs, prefs, {"version": 0, "reminders": {"push": False}}, claims=newcomer
            ),
        )
        devices = "/users/me/devices"
        # The devices, the phone's current owner, then one transaction (device, count,
        # owner; the previous owner's device when the phone moves).
        device = record(
            "POST /users/me/devices",
            3,
            call("POST", devices, devices, {"platform": "fcm", "token": "b" * 64}, claims=newcomer),
        )
        record("GET /users/me/devices", 1, call("GET", devices, devices, claims=newcomer))
        # The devices, the phone's owner item released (conditionally), one transaction.
        record(
            "DELETE /users/me/devices/{id}",
            3,
            call(
                "DELETE",
                "/users/me/devices/{device_id}",
                f"{devices}/{device['device_id']}",
                claims=newcomer,
            ),
        )
        for module in (clubs_api, memberships_api, rides_api, users_api, notifications_api):
            module.app.dependency_overrides.clear()
        revoked_accounts.cache_clear()
        return results


def report(results: list[Measure]) -> str:
    lines = [f"{'route':<46} {'status':>6} {'round trips':>12} {'budget':>7}  verdict"]
    for m in results:
        verdict = "ok" if m.within else "OVER BUDGET"
        lines.append(f"{m.route:<46} {m.status:>6} {m.round_trips:>12} {m.budget:>7}  {verdict}")
    return "\n".join(lines)
