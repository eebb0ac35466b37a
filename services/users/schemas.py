"""Request and response models of the users API."""

from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from shared.domain.enums import ClubRole, MembershipStatus, SystemRole
from shared.domain.ids import UUID_PATTERN
from shared.domain.model import Model
from shared.domain.numbers import Version
from shared.domain.text import Trimmed
from shared.domain.user import UserProfile

Name = Annotated[str, Trimmed(1, 80)]
# 6 to 20 digits, spaces, brackets and dashes, neither starting nor ending with a space
# (what the schema says is what the service accepts: nothing is stripped silently).
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9()-][0-9 ()-]{4,18}[0-9()-]$")]


class EmergencyContactIn(Model):
    model_config = ConfigDict(extra="forbid")

    name: Name
    phone: Phone


EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$"


class Registration(Model):
    """Your own registration, or (SiteAdmins) an invitation of `email`."""

    model_config = ConfigDict(extra="forbid")

    given_name: Name | None = None
    family_name: Name | None = None
    email: Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)] | None = None


class AvatarUploadRequest(Model):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["image/jpeg", "image/png", "image/webp"]


class AvatarUpload(Model):
    """A presigned S3 POST: send `fields` plus the file (as `file`) to `url`; then confirm
    with `upload_id` once it has been checked."""

    upload_id: str
    url: str
    fields: dict[str, str]
    # Where the file lands before it is checked.
    key: str
    max_bytes: int
    expires_in: int


class AvatarConfirmation(Model):
    """The upload to use: its `upload_id` (or, as earlier clients send, the ticket's `key`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["upload_id"]}, {"required": ["key"]}]},
    )

    upload_id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)] | SkipJsonSchema[None] = None
    key: Annotated[str, StringConstraints(max_length=300)] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _one_upload(self) -> "AvatarConfirmation":
        if (self.upload_id is None) == (self.key is None):
            raise ValueError("give the upload_id (or the ticket's key), not both")
        return self


class ProfileUpdate(Model):
    """Own profile fields, or (SiteAdmins, for others) `system_role`; null clears a field."""

    # Something to change, and a role change alone: the document says so too.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "minProperties": 2,
            "dependentSchemas": {"system_role": {"maxProperties": 2}},
        },
    )

    version: Version
    display_name: Name | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    suburb: Name | None = None
    strava_athlete_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")] | None = None
    emergency_contact: EmergencyContactIn | None = None
    system_role: SystemRole | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _role_alone(self) -> Self:
        sent = self.model_fields_set - {"version"}
        if not sent:
            raise ValueError("nothing to change")
        if "system_role" in sent and len(sent) > 1:
            raise ValueError("change system_role on its own")
        if "system_role" in sent and self.system_role is None:
            raise ValueError("system_role cannot be null")
        return self

    def changes(self) -> dict[str, object]:
        return self.model_dump(mode="json", include=self.model_fields_set - {"version"})


class PublicProfile(Model):
    """What any signed-in user sees of someone else: no e-mail, no emergency contact."""

    user_id: str
    display_name: str | None = None
    avatar_key: str | None = None
    suburb: str | None = None
    shared_club_ids: list[str] = Field(default_factory=list)


class MembershipSummary(Model):
    club_id: str
    membership_id: str
    club_role: ClubRole
    status: MembershipStatus


class UserContext(Model):
    profile: UserProfile
    system_role: SystemRole
    memberships: list[MembershipSummary]
    memberships_truncated: bool = False
