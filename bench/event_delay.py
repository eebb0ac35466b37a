"""The local event path's delay: from a join's answer to the welcome e-mail in SES (moto),
through stream -> publisher -> bus -> queue -> notifications consumer. Local figures: the
deployed path has other latencies (Lambda polling the stream about every second)."""

import statistics
import time
import uuid
from dataclasses import dataclass

import requests

from local.platform import LocalPlatform, _sent_mail
from local.users import id_token
from shared.domain.enums import SystemRole

PASSWORD = "Bench-Local-2026!"


@dataclass
class Delays:
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)


def measure(joins: int = 20) -> Delays:
    platform = LocalPlatform(api_port=0, workers=2)
    endpoints = platform.start()
    try:
        cognito = platform.client("cognito-idp")
        client = endpoints.resources.client_id

        def person(role: SystemRole = SystemRole.USER) -> tuple[str, str]:
            email = f"bench-{uuid.uuid4().hex[:8]}@bench.local"
            sub = platform.create_user(email, PASSWORD, role, ("Bench", "Rider"))
            return sub, id_token(cognito, client, email, PASSWORD)

        admin_sub, admin = person(SystemRole.SITE_ADMIN)
        club = requests.post(
            f"{endpoints.api_url}/clubs",
            json={"name": "Bench Club", "disciplines": ["road"], "initial_admin_id": admin_sub},
            headers={"Authorization": admin},
            timeout=30,
        ).json()["club_id"]
        delays = []
        for _ in range(joins):
            _, token = person()
            before = len(_sent_mail())
            answer = requests.post(
                f"{endpoints.api_url}/clubs/{club}/memberships",
                headers={"Authorization": token},
                timeout=30,
            )
            answered = time.monotonic()
            answer.raise_for_status()
            while len(_sent_mail()) == before:
                if time.monotonic() - answered > 30:
                    raise RuntimeError("no welcome e-mail within 30 s")
                time.sleep(0.01)
            delays.append(time.monotonic() - answered)
        return Delays(delays)
    finally:
        platform.stop()


def report(delays: Delays) -> str:
    return (
        f"join -> welcome e-mail, {len(delays.seconds)} joins: median {delays.median:.2f} s, "
        f"worst {delays.worst:.2f} s"
    )
