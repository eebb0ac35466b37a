"""Known users and a couple of clubs, so the local platform is usable at once."""

from dataclasses import dataclass

import requests

from local.platform import Endpoints, LocalPlatform
from local.users import create_user, id_token


@dataclass(frozen=True)
class SeedUser:
    email: str
    password: str
    system_role: str


SITE_ADMIN = SeedUser("admin@sydneycycling.local", "Admin-Local-2026!", "SiteAdmin")
RIDER = SeedUser("rider@sydneycycling.local", "Rider-Local-2026!", "User")
SEED_USERS = (SITE_ADMIN, RIDER)
SEED_CLUBS = (
    {
        "name": "Inner West Riders",
        "description": "Saturday bunch rides from Marrickville to the Royal National Park.",
        "suburb": "Marrickville",
        "disciplines": ["road"],
        "join_policy": "open",
    },
    {
        "name": "Northern Beaches Gravel Crew",
        "description": "Fire trails of Garigal and Ku-ring-gai; all paces welcome.",
        "suburb": "Manly",
        "disciplines": ["gravel", "mtb"],
        "join_policy": "approval",
    },
)


def seed(platform: LocalPlatform, endpoints: Endpoints) -> None:
    cognito = platform.client("cognito-idp")
    for user in SEED_USERS:
        create_user(
            cognito, endpoints.resources.user_pool_id, user.email, user.password, user.system_role
        )
    token = id_token(cognito, endpoints.resources.client_id, SITE_ADMIN.email, SITE_ADMIN.password)
    for club in SEED_CLUBS:
        # Through the API, so seeded data is exactly what a client would have made.
        answer = requests.post(
            f"{endpoints.api_url}/clubs", json=club, headers={"Authorization": token}, timeout=30
        )
        answer.raise_for_status()
