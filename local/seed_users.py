"""The users the local platform seeds, importable without loading the platform (moto)."""

from dataclasses import dataclass

from shared.domain.enums import SystemRole


@dataclass(frozen=True)
class SeedUser:
    email: str
    password: str
    system_role: SystemRole
    name: tuple[str, str]


SITE_ADMIN = SeedUser(
    "admin@sydneycycling.local", "Admin-Local-2026!", SystemRole.SITE_ADMIN, ("Ada", "Admin")
)
RIDER = SeedUser(
    "rider@sydneycycling.local", "Rider-Local-2026!", SystemRole.USER, ("Rob", "Rider")
)
# The rider's phone (a made-up FCM token): pushes to it show in `python -m local.outbox`.
RIDER_DEVICE = {"platform": "fcm", "token": "local-fcm-token-" + "0123456789abcdef" * 4}
# A second rider, in no club at first (the README's walk-through puts them on a waitlist).
SECOND_RIDER = SeedUser(
    "wes@sydneycycling.local", "Wes-Local-2026!", SystemRole.USER, ("Wes", "Waiting")
)
SEED_USERS = (SITE_ADMIN, RIDER, SECOND_RIDER)
