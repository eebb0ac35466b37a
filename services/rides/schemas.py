"""Request and response models of the rides API."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from shared.domain.clock import utc_now
from shared.domain.enums import (
    Attendance,
    DropPolicy,
    PaceClass,
    ParticipationRole,
    ParticipationStatus,
    RideStatus,
    RideVisibility,
    Surface,
)
from shared.domain.model import Model
from shared.domain.numbers import JSON_INTEGER, NOT_A_BOOL, Version
from shared.domain.ride import (
    MAX_CLIMB_M,
    MAX_DISTANCE_KM,
    MIN_DISTANCE_KM,
    MeetingPoint,
    PaceRange,
    Participation,
    Ride,
)
from shared.domain.text import Trimmed
from shared.domain.user import EmergencyContact

Title = Annotated[str, Trimmed(3, 120)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
CancelReason = Annotated[str, Trimmed(3, 500, one_line=False)]


# How far ahead a ride may be planned: a club's season, with room to spare.
PLANNING_HORIZON = timedelta(days=2 * 365)
# The span listings may ask about; outside it datetimes no longer convert to UTC.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00
        raise ValueError("the time is out of range") from None


def _plannable(moment: datetime) -> datetime:
    """A start time in the future and within the planning horizon."""
    moment_utc = _in_utc(moment)
    now = utc_now()
    if moment_utc <= now:
        raise ValueError("start_at must be in the future")
    if moment_utc > now + PLANNING_HORIZON:
        raise ValueError(f"rides are planned at most {PLANNING_HORIZON.days} days ahead")
    return moment


def _listable(moment: datetime) -> datetime:
    moment_utc = _in_utc(moment)
    if not EARLIEST <= moment_utc < LATEST:
        raise ValueError(f"give a time between {EARLIEST:%Y} and {LATEST:%Y}")
    return moment


PlannedStart = Annotated[AwareDatetime, AfterValidator(_plannable)]
# A bound of a ride listing (`from`, `to`).
ListingBound = Annotated[AwareDatetime, AfterValidator(_listable)]

# At least 100 m, to the metre.
Distance = Annotated[
    float,
    Field(ge=MIN_DISTANCE_KM, le=MAX_DISTANCE_KM),
    NOT_A_BOOL,
    AfterValidator(lambda km: round(km, 3)),
]
Duration = Annotated[StrictInt, Field(ge=10, le=24 * 60), JSON_INTEGER]
Climb = Annotated[StrictInt, Field(ge=0, le=MAX_CLIMB_M), JSON_INTEGER]
Capacity = Annotated[StrictInt, Field(ge=1, le=500), JSON_INTEGER]

CAPACITY_RULE = (
    "Places on the ride, leaders and sweeps included: the ride's creator joins as its "
    "first leader and takes one, so capacity 2 leaves one place for riders. Null: "
    "unlimited. It never goes below the places already taken."
)


class _Pace(Model):
    @model_validator(mode="after")
    def _pace_range_ordered(self) -> Self:
        pace = getattr(self, "pace_kph", None)
        if pace is not None and pace.min > pace.max:
            raise ValueError("pace_kph.min must not exceed pace_kph.max")
        return self


class RidePlanCreate(_Pace):
    """A ride's fields but its start: a ride series' plan for each of its rides."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    estimated_duration_min: Duration
    meeting_point: MeetingPoint
    distance_km: Distance
    elevation_gain_m: Climb = 0
    surface: Surface
    pace_class: PaceClass
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy
    capacity: Capacity | None = Field(default=None, description=CAPACITY_RULE)
    waitlist_enabled: StrictBool = True
    visibility: RideVisibility = RideVisibility.MEMBERS


class RideCreate(RidePlanCreate):
    start_at: PlannedStart


class RidePlanChange(_Pace):
    """The plan fields an edit may set (a ride's, or a series' from a date on); null
    clears only what may be empty (`pace_kph`, `capacity`)."""

    title: Title | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    estimated_duration_min: Duration | SkipJsonSchema[None] = None
    meeting_point: MeetingPoint | SkipJsonSchema[None] = None
    distance_km: Distance | SkipJsonSchema[None] = None
    elevation_gain_m: Climb | SkipJsonSchema[None] = None
    surface: Surface | SkipJsonSchema[None] = None
    pace_class: PaceClass | SkipJsonSchema[None] = None
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy | SkipJsonSchema[None] = None
    capacity: Capacity | None = Field(default=None, description=CAPACITY_RULE)
    waitlist_enabled: StrictBool | SkipJsonSchema[None] = None
    visibility: RideVisibility | SkipJsonSchema[None] = None
    cancel_reason: CancelReason | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _not_cleared(self) -> Self:
        nullable = {"pace_kph", "capacity"}
        cleared = [n for n in self.model_fields_set - nullable if getattr(self, n) is None]
        if cleared:
            raise ValueError(f"these fields cannot be null: {', '.join(sorted(cleared))}")
        return self


class RideUpdate(RidePlanChange):
    """Fields to change, `version` as last read; `status: cancelled` needs a reason."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    start_at: PlannedStart | SkipJsonSchema[None] = None
    status: RideStatus | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status is RideStatus.CANCELLED and not self.cancel_reason:
            raise ValueError("cancelling a ride needs a cancel_reason")
        return self

    def changes(self) -> dict[str, object]:
        return self.model_dump(mode="json", include=self.model_fields_set - {"version"})


class ParticipationChange(Model):
    """The rider withdraws; ride managers change a role, mark attendance or remove."""

    # Exactly one change: the document says so, as the validator below checks.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": [name]} for name in ("status", "role", "attendance")]
        },
    )

    version: Version
    status: (
        Literal[ParticipationStatus.WITHDRAWN, ParticipationStatus.REMOVED] | SkipJsonSchema[None]
    ) = None
    role: ParticipationRole | SkipJsonSchema[None] = None
    attendance: Attendance | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _one_change(self) -> Self:
        given = [v for v in (self.status, self.role, self.attendance) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of status, role or attendance")
        return self


class RideDetail(Ride):
    leaders: list[Participation] = Field(default_factory=list)
    my_participation: Participation | None = None


class RidePage(Model):
    items: list[Ride]
    next_cursor: str | None = None


class JoinedRide(Participation):
    """Your place on the ride, and how many places were left after you took yours."""

    places_left: int | None = Field(
        description="Places still free after this join (null: the ride has no capacity)"
    )


class ParticipationList(Model):
    joined: list[Participation]
    waitlist: list[Participation]
    # Riders' emergency contacts, by user id: only for the ride's leaders and SiteAdmins.
    emergency_contacts: dict[str, EmergencyContact] | None = None


class ScheduleStatus(StrEnum):
    """Which of a rider's places: a seat, a place on the waitlist, or leading the ride."""

    JOINED = "joined"
    WAITLISTED = "waitlisted"
    LEADING = "leading"


class NearbyRide(Ride):
    away_km: float = Field(description="From `near` to the meeting point")


class NearbyRidePage(Model):
    items: list[NearbyRide]
    next_cursor: str | None = None


class MyRide(Model):
    """A ride in the rider's schedule, and their place on it."""

    ride: Ride
    participation: Participation


class MyRidePage(Model):
    items: list[MyRide]
    next_cursor: str | None = None


class CalendarFeed(Model):
    """The rider's personal calendar feed. Its URL is shown once, when it is made: it is
    the feed's only key, and only a hash of its token is kept."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "active": True,
                    "created_at": "2026-12-04T07:30:00Z",
                    "url": "https://api.example.com/calendar-feeds/3q2-example-token/rides.ics",
                }
            ]
        }
    )

    active: bool
    created_at: datetime | None = None
    url: str | None = Field(
        default=None,
        description="Only in the answer that made it; subscribe calendar apps to it",
    )


__all__ = [
    "CalendarFeed",
    "JoinedRide",
    "MyRide",
    "MyRidePage",
    "NearbyRide",
    "NearbyRidePage",
    "ParticipationChange",
    "ParticipationList",
    "RideCreate",
    "RideDetail",
    "RidePage",
    "RidePlanChange",
    "RidePlanCreate",
    "RideUpdate",
    "ScheduleStatus",
]
