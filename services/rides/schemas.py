"""Request and response models of the rides API."""

from typing import Annotated, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

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
from shared.domain.ride import MeetingPoint, PaceRange, Participation, Ride
from shared.domain.user import EmergencyContact

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
CancelReason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)
]


CAPACITY_RULE = (
    "Places on the ride, leaders and sweeps included: the ride's creator joins as its "
    "first leader and takes one, so capacity 2 leaves one place for riders. Null: "
    "unlimited. It never goes below the places already taken."
)


class _Pace(BaseModel):
    @model_validator(mode="after")
    def _pace_range_ordered(self) -> Self:
        pace = getattr(self, "pace_kph", None)
        if pace is not None and pace.min > pace.max:
            raise ValueError("pace_kph.min must not exceed pace_kph.max")
        return self


class RideCreate(_Pace):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    start_at: AwareDatetime
    estimated_duration_min: int = Field(ge=10, le=24 * 60)
    meeting_point: MeetingPoint
    distance_km: float = Field(gt=0, le=1000)
    elevation_gain_m: int = Field(default=0, ge=0, le=20000)
    surface: Surface
    pace_class: PaceClass
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy
    capacity: int | None = Field(default=None, ge=1, le=500, description=CAPACITY_RULE)
    waitlist_enabled: bool = True
    visibility: RideVisibility = RideVisibility.MEMBERS

    @model_validator(mode="after")
    def _in_the_future(self) -> Self:
        if self.start_at <= utc_now():
            raise ValueError("start_at must be in the future")
        return self


class RideUpdate(_Pace):
    """Fields to change, `version` as last read; `status: cancelled` needs a reason."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    title: Title | None = None
    description: Description | None = None
    start_at: AwareDatetime | None = None
    estimated_duration_min: int | None = Field(default=None, ge=10, le=24 * 60)
    meeting_point: MeetingPoint | None = None
    distance_km: float | None = Field(default=None, gt=0, le=1000)
    elevation_gain_m: int | None = Field(default=None, ge=0, le=20000)
    surface: Surface | None = None
    pace_class: PaceClass | None = None
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy | None = None
    capacity: int | None = Field(default=None, ge=1, le=500, description=CAPACITY_RULE)
    waitlist_enabled: bool | None = None
    visibility: RideVisibility | None = None
    status: RideStatus | None = None
    cancel_reason: CancelReason | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status is RideStatus.CANCELLED and not self.cancel_reason:
            raise ValueError("cancelling a ride needs a cancel_reason")
        if self.start_at is not None and self.start_at <= utc_now():
            raise ValueError("start_at must be in the future")
        nullable = {"pace_kph", "capacity"}
        cleared = [n for n in self.model_fields_set - nullable if getattr(self, n) is None]
        if cleared:
            raise ValueError(f"these fields cannot be null: {', '.join(sorted(cleared))}")
        return self

    def changes(self) -> dict[str, object]:
        return self.model_dump(mode="json", include=self.model_fields_set - {"version"})


class ParticipationChange(BaseModel):
    """The rider withdraws; ride managers change a role, mark attendance or remove."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    status: ParticipationStatus | None = None
    role: ParticipationRole | None = None
    attendance: Attendance | None = None

    @model_validator(mode="after")
    def _one_change(self) -> Self:
        given = [v for v in (self.status, self.role, self.attendance) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of status, role or attendance")
        if self.status not in (
            None,
            ParticipationStatus.WITHDRAWN,
            ParticipationStatus.REMOVED,
        ):
            raise ValueError("status may only become withdrawn or removed")
        return self


class RideDetail(Ride):
    leaders: list[Participation] = Field(default_factory=list)
    my_participation: Participation | None = None


class RidePage(BaseModel):
    items: list[Ride]
    next_cursor: str | None = None


class JoinedRide(Participation):
    """Your place on the ride, and how many places were left after you took yours."""

    places_left: int | None = Field(
        description="Places still free after this join (null: the ride has no capacity)"
    )


class ParticipationList(BaseModel):
    joined: list[Participation]
    waitlist: list[Participation]
    # Riders' emergency contacts, by user id: only for the ride's leaders and SiteAdmins.
    emergency_contacts: dict[str, EmergencyContact] | None = None


__all__ = [
    "JoinedRide",
    "ParticipationChange",
    "ParticipationList",
    "RideCreate",
    "RideDetail",
    "RidePage",
    "RideUpdate",
]
