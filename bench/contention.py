"""200 riders joining one ride at once, with DynamoDB's transaction conflicts injected as
AWS produces them on a contended item (the local platform's fault mode): how many get an
answer other than 503, how many DynamoDB transaction attempts each join costs, and the
latency percentiles. Local figures: the point is the retry behaviour, not the speed."""

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from local.platform import LocalPlatform
from local.users import id_token
from shared.domain.enums import SystemRole

PASSWORD = "Bench-Local-2026!"


@dataclass
class Contention:
    joins: int
    statuses: dict[int, int]
    attempts_per_join: float
    p50_ms: float
    p99_ms: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(riders: int = 200, conflict: float = 0.3) -> Contention:
    platform = LocalPlatform(api_port=0, workers=4)
    endpoints = platform.start()
    try:
        cognito, client = platform.client("cognito-idp"), endpoints.resources.client_id

        def person(role: SystemRole = SystemRole.USER) -> tuple[str, str]:
            email = f"c-{uuid.uuid4().hex[:10]}@bench.local"
            sub = platform.create_user(email, PASSWORD, role)
            return sub, id_token(cognito, client, email, PASSWORD)

        api = endpoints.api_url
        _, site = person(SystemRole.SITE_ADMIN)
        leader_sub, leader = person()
        club = requests.post(
            f"{api}/clubs",
            json={"name": "Contended", "disciplines": ["road"], "initial_admin_id": leader_sub},
            headers={"Authorization": site},
            timeout=30,
        ).json()["club_id"]
        tokens = []
        for _ in range(riders):
            _, token = person()
            requests.post(
                f"{api}/clubs/{club}/memberships", headers={"Authorization": token}, timeout=30
            )
            requests.get(
                f"{api}/users/me/memberships", headers={"Authorization": token}, timeout=30
            )
            tokens.append(token)
        ride = requests.post(
            f"{api}/clubs/{club}/rides",
            json={
                "title": "Contended Criterium",
                "start_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                "estimated_duration_min": 60,
                "meeting_point": {"name": "Heffron Park", "lat": -33.94, "lon": 151.24},
                "distance_km": 30,
                "surface": "road",
                "pace_class": "A",
                "drop_policy": "drop",
                "capacity": 51,
            },
            headers={"Authorization": leader},
            timeout=30,
        ).json()["ride_id"]

        def join(token: str) -> tuple[int, float]:
            started = time.perf_counter()
            answer = requests.post(
                f"{api}/rides/{ride}/participations", headers={"Authorization": token}, timeout=60
            )
            return answer.status_code, (time.perf_counter() - started) * 1000

        before = platform.faults.requests["TransactWriteItems"]
        platform.faults.set({"conflict": conflict})
        with ThreadPoolExecutor(max_workers=riders) as pool:
            results = list(pool.map(join, tokens))
        platform.faults.set({})
        attempts = platform.faults.requests["TransactWriteItems"] - before
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        latencies = [ms for _, ms in results]
        return Contention(
            riders,
            statuses,
            attempts / riders,
            statistics.median(latencies),
            _percentile(latencies, 0.99),
        )
    finally:
        platform.stop()


def report(result: Contention) -> str:
    answered = ", ".join(f"{status}: {count}" for status, count in sorted(result.statuses.items()))
    return (
        f"{result.joins} concurrent joins at one ride, 30% transaction conflicts injected: "
        f"{answered}; {result.attempts_per_join:.2f} transaction attempts per join; "
        f"p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms"
    )
