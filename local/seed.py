"""Known users and a couple of clubs, so the local platform is usable at once."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from local.platform import Endpoints, LocalPlatform
from local.seed_users import RIDER, RIDER_DEVICE, SEED_USERS, SITE_ADMIN
from local.users import id_token
from shared.domain.clock import CLUB_TIMEZONE

SEED_CLUBS: tuple[dict[str, Any], ...] = (
    {
        "name": "Inner West Riders",
        "description": "Saturday bunch rides from Marrickville to the Royal National Park.",
        "suburb": "Marrickville",
        "home": {"lat": -33.9105, "lon": 151.1553},
        "region": "Inner West",
        "disciplines": ["road"],
        "join_policy": "open",
    },
    {
        "name": "Northern Beaches Gravel Crew",
        "description": "Fire trails of Garigal and Ku-ring-gai; all paces welcome.",
        "suburb": "Manly",
        "home": {"lat": -33.7969, "lon": 151.2850},
        "region": "Northern Beaches",
        "disciplines": ["gravel", "mtb"],
        "join_policy": "approval",
    },
)


def seed(platform: LocalPlatform, endpoints: Endpoints) -> None:
    cognito = platform.client("cognito-idp")
    for user in SEED_USERS:
        platform.create_user(user.email, user.password, user.system_role, user.name)
    token = id_token(cognito, endpoints.resources.client_id, SITE_ADMIN.email, SITE_ADMIN.password)
    headers = {"Authorization": token}
    club_ids = []
    for club in SEED_CLUBS:
        # Through the API, so seeded data is exactly what a client would have made.
        answer = requests.post(f"{endpoints.api_url}/clubs", json=club, headers=headers, timeout=30)
        answer.raise_for_status()
        club_ids.append(answer.json()["club_id"])
    answer = requests.post(
        f"{endpoints.api_url}/clubs/{club_ids[0]}/rides",
        json=seed_ride(),
        headers=headers,
        timeout=30,
    )
    answer.raise_for_status()
    # The rider has a phone and wants to hear of new rides too (by default they do not).
    rider = {
        "Authorization": id_token(
            cognito, endpoints.resources.client_id, RIDER.email, RIDER.password
        )
    }
    api = endpoints.api_url
    requests.post(
        f"{api}/users/me/devices", json=RIDER_DEVICE, headers=rider, timeout=30
    ).raise_for_status()
    requests.put(
        f"{api}/users/me/notification-preferences",
        json={"version": 0, "new_rides": {"email": True, "push": True}},
        headers=rider,
        timeout=30,
    ).raise_for_status()


def seed_ride() -> dict[str, Any]:
    """Next Saturday-ish, 6:30 in Sydney: the classic bunch ride start."""
    start = (datetime.now(ZoneInfo(CLUB_TIMEZONE)) + timedelta(days=4)).replace(
        hour=6, minute=30, second=0, microsecond=0
    )
    return {
        "title": "Royal National Park loop",
        "description": "Out through Sutherland, the park's rainforest road, back by the coast.",
        "start_at": start.isoformat(),
        "estimated_duration_min": 210,
        "meeting_point": {"name": "Sydney Park, Sydney Park Rd", "lat": -33.9097, "lon": 151.1866},
        "distance_km": 96,
        "elevation_gain_m": 1150,
        "surface": "road",
        "pace_class": "B",
        "pace_kph": {"min": 26, "max": 29},
        "drop_policy": "regroup",
        "capacity": 20,
        "waitlist_enabled": True,
        "visibility": "public",
    }
