"""Request and response models of the memberships API."""

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from shared.domain.enums import ClubRole, MembershipStatus
from shared.domain.model import Model
from shared.domain.numbers import Version


class JoinRequest(Model):
    model_config = ConfigDict(extra="forbid")

    application_message: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None
    ) = None


class MembershipChange(Model):
    """A club admin's decision: a new status (approve, reject, suspend, reinstate) and/or
    a new role, against the `version` the admin last read."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["status"]}, {"required": ["club_role"]}]},
    )

    version: Version
    status: MembershipStatus | SkipJsonSchema[None] = None
    club_role: ClubRole | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something_changes(self) -> "MembershipChange":
        if self.status is None and self.club_role is None:
            raise ValueError("give a new status, a new club_role, or both")
        return self


class MembershipOut(Model):
    membership_id: str
    club_id: str
    user_id: str
    club_role: ClubRole
    status: MembershipStatus
    display_name: str | None = None
    # Only club admins and SiteAdmins see the application and the decision.
    application_message: str | None = None
    requested_at: datetime | None = None
    joined_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    updated_at: datetime
    version: int


class MembershipPage(Model):
    items: list[MembershipOut]
    next_cursor: str | None = None
