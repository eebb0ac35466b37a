"""`make load`: a realistic mix of riders on a fresh local platform for a while (browse
clubs, join a club, list its rides, join rides, withdraw), then an audit of the data:
every counter equals its items, no participation without its ride, nobody on a ride of a
club they are not in. The local gateway is not production: the point is correctness under
load, and the figures are this machine's.

    python -m bench.load --seconds 120 --riders 40
"""

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from local.platform import LocalPlatform
from local.users import id_token
from ops.invariants import problems
from shared.domain.enums import SystemRole
from shared.store.table import deserialize

PASSWORD = "Load-Local-2026!"


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, status: int, ms: float) -> None:
        with self.lock:
            self.latencies.setdefault(action, []).append(ms)
            self.statuses[(action, status)] += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _setup(platform: LocalPlatform, api: str, riders: int) -> tuple[list[str], list[str]]:
    assert platform.endpoints is not None
    cognito, client = platform.client("cognito-idp"), platform.endpoints.resources.client_id

    def person(role: SystemRole = SystemRole.USER) -> tuple[str, str]:
        email = f"load-{uuid.uuid4().hex[:10]}@load.local"
        sub = platform.create_user(email, PASSWORD, role)
        return sub, id_token(cognito, client, email, PASSWORD)

    _, site = person(SystemRole.SITE_ADMIN)
    clubs = []
    for index in range(3):
        leader_sub, leader = person()
        club = requests.post(
            f"{api}/clubs",
            json={
                "name": f"Load Club {index} {uuid.uuid4().hex[:4]}",
                "disciplines": ["road"],
                "initial_admin_id": leader_sub,
            },
            headers={"Authorization": site},
            timeout=30,
        ).json()["club_id"]
        clubs.append(club)
        for ride in range(4):
            requests.post(
                f"{api}/clubs/{club}/rides",
                json={
                    "title": f"Load Ride {ride}",
                    "start_at": (datetime.now(UTC) + timedelta(days=2 + ride)).isoformat(),
                    "estimated_duration_min": 90,
                    "meeting_point": {"name": "Sydney Park", "lat": -33.91, "lon": 151.19},
                    "distance_km": 50,
                    "surface": "road",
                    "pace_class": "B",
                    "drop_policy": "regroup",
                    "capacity": 8,
                    "visibility": "members",
                },
                headers={"Authorization": leader},
                timeout=30,
            )
    return clubs, [person()[1] for _ in range(riders)]


def _rider(api: str, token: str, clubs: list[str], until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": token}

    def call(action: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        answer = requests.request(method, f"{api}{path}", headers=headers, timeout=60, **kwargs)
        tally.add(action, answer.status_code, (time.perf_counter() - started) * 1000)
        return answer

    while time.monotonic() < until:
        club = rng.choice(clubs)
        call("browse clubs", "GET", "/clubs")
        call("view club", "GET", f"/clubs/{club}")
        call("join club", "POST", f"/clubs/{club}/memberships")
        rides = call("list rides", "GET", f"/clubs/{club}/rides").json().get("items", [])
        if not rides:
            continue
        ride = rng.choice(rides)["ride_id"]
        joined = call("join ride", "POST", f"/rides/{ride}/participations")
        if joined.status_code == 201 and rng.random() < 0.4:
            place = joined.json()
            call(
                "withdraw",
                "PUT",
                f"/participations/{place['participation_id']}",
                json={"version": place["version"], "status": "withdrawn"},
            )


def audit(platform: LocalPlatform) -> list[str]:
    """What is wrong in the table (nothing, when the platform is correct)."""
    assert platform.endpoints is not None
    table = platform.endpoints.resources.table_name
    client = platform.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items += [deserialize(i) for i in page["Items"]]
    return problems(items)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--riders", type=int, default=40)
    args = parser.parse_args(argv)
    platform = LocalPlatform(api_port=0, workers=4)
    endpoints = platform.start()
    try:
        clubs, tokens = _setup(platform, endpoints.api_url, args.riders)
        tally = Tally()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=_rider, args=(endpoints.api_url, t, clubs, until, tally, i))
            for i, t in enumerate(tokens)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        total = sum(len(v) for v in tally.latencies.values())
        print(
            f"{total} requests in {elapsed:.0f} s by {args.riders} riders: "
            f"{total / elapsed:.1f} requests/s"
        )
        for action, values in sorted(tally.latencies.items()):
            codes = ", ".join(
                f"{s}: {n}" for (a, s), n in sorted(tally.statuses.items()) if a == action
            )
            print(
                f"  {action:<14} p50 {statistics.median(values):6.0f} ms"
                f"  p95 {_percentile(values, 0.95):6.0f} ms"
                f"  p99 {_percentile(values, 0.99):6.0f} ms  ({codes})"
            )
        server_errors = sum(n for (_, s), n in tally.statuses.items() if s >= 500 and s != 503)
        time.sleep(5)  # the counts consumer catches up (member counts are eventually consistent)
        problems = audit(platform)
        print(f"server errors (5xx other than 503): {server_errors}")
        print(f"audit: {len(problems)} problem(s)")
        for problem in problems[:20]:
            print(f"  {problem}")
        return 1 if problems or server_errors else 0
    finally:
        platform.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
