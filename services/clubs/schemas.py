"""Request and response models of the clubs API (the OpenAPI document is built from them)."""

from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from shared.domain.club import Club
from shared.domain.enums import ClubStatus, Discipline, JoinPolicy
from shared.domain.geo import GeoPoint
from shared.domain.ids import UUID_PATTERN
from shared.domain.model import Model
from shared.domain.numbers import Version
from shared.domain.text import Trimmed


def _unique(values: list[Discipline]) -> list[Discipline]:
    if len(set(values)) != len(values):
        raise ValueError("disciplines must not repeat")
    return values


ClubName = Annotated[str, Trimmed(2, 80)]
ShortText = Annotated[str, Trimmed(1, 80)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _short_url(value: object) -> object:
    # Before normalization (which may add a "/"), so the limit is what the client sent.
    if isinstance(value, str) and len(value) > WEBSITE_MAX:
        raise ValueError(f"at most {WEBSITE_MAX} characters")
    return value


WEBSITE_MAX = 300
Website = Annotated[
    AnyHttpUrl, BeforeValidator(_short_url), Field(json_schema_extra={"maxLength": WEBSITE_MAX})
]
Disciplines = Annotated[
    list[Discipline],
    Field(min_length=1, max_length=4, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_unique),
]


class ClubCreate(Model):
    model_config = ConfigDict(extra="forbid")

    name: ClubName
    description: Description = ""
    suburb: ShortText | None = None
    city: ShortText = "Sydney"
    home: GeoPoint | None = None
    region: ShortText | None = None
    website: Website | None = None
    disciplines: Disciplines
    join_policy: JoinPolicy = JoinPolicy.OPEN
    # The user who becomes the club's first admin, in the same transaction; by default the
    # SiteAdmin who creates the club. The user must exist (422 otherwise).
    initial_admin_id: (
        Annotated[
            str,
            Field(
                pattern=UUID_PATTERN,
                description="The club's first admin (default: the creator); must be a user",
            ),
        ]
        | None
    ) = None


# Optional fields a caller may clear by sending null.
CLEARABLE = frozenset({"suburb", "website", "home", "region"})


class ClubUpdate(Model):
    """The fields to change, and the `version` the caller last read (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    name: ClubName | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    suburb: ShortText | None = None
    city: ShortText | SkipJsonSchema[None] = None
    home: GeoPoint | None = None
    region: ShortText | None = None
    website: Website | None = None
    disciplines: Disciplines | SkipJsonSchema[None] = None
    join_policy: JoinPolicy | SkipJsonSchema[None] = None
    status: ClubStatus | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _only_optional_fields_cleared(self) -> Self:
        cleared = [
            name for name in self.model_fields_set - CLEARABLE if getattr(self, name) is None
        ]
        if cleared:
            raise ValueError(f"these fields cannot be null: {', '.join(sorted(cleared))}")
        return self

    def changes(self) -> dict[str, object]:
        """The fields the caller sent, other than `version`, as plain JSON values."""
        sent = self.model_fields_set - {"version"}
        return self.model_dump(mode="json", include=sent)


class ListedClub(Club):
    away_km: float | None = Field(
        default=None, description="From `near`, to the club's home (only with `near`)"
    )


class ClubPage(Model):
    items: list[ListedClub]
    next_cursor: str | None = None


__all__ = ["Club", "ClubCreate", "ClubPage", "ClubUpdate"]
