"""The User profile (`docs/model.md`): identity lives in Cognito, the profile here."""

from datetime import datetime

from shared.domain.enums import SystemRole
from shared.domain.model import Model


class EmergencyContact(Model):
    name: str
    phone: str


class UserProfile(Model):
    """A rider's profile: identity (sign-in, e-mail) lives in Cognito; this is what the
    platform keeps, the role's copy included (the role item is the authority)."""

    user_id: str  # the Cognito sub
    email: str | None = None
    display_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    bio: str | None = None
    suburb: str | None = None
    avatar_key: str | None = None
    strava_athlete_id: str | None = None
    # Visible only to the user, SiteAdmins and the leaders of rides the user joined.
    emergency_contact: EmergencyContact | None = None
    # The profile is the authority; Cognito's custom attribute mirrors it.
    system_role: SystemRole = SystemRole.USER
    # Set when the address bounced permanently or complained: no more e-mail is sent to it.
    email_suppressed: bool = False
    created_at: datetime
    updated_at: datetime
    # Who made the last change (the user, or the SiteAdmin who changed their role).
    updated_by: str | None = None
    version: int = 1


def new_profile(user_id: str, email: str | None, now: datetime, **names: str | None) -> UserProfile:
    given, family = names.get("given_name"), names.get("family_name")
    display = " ".join(n for n in (given, family) if n) or None
    return UserProfile(
        user_id=user_id,
        email=email,
        given_name=given,
        family_name=family,
        display_name=display,
        created_at=now,
        updated_at=now,
    )
