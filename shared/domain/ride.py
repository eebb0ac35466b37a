"""Ride and RideParticipation (`docs/model.md`, `docs/domain.md`)."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

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
from shared.domain.errors import NotFound
from shared.domain.media import Attachment, RouteSummary
from shared.domain.model import Model
from shared.domain.numbers import NOT_A_BOOL
from shared.domain.strava import ActivitySummary, AttendanceSource

ID_SEPARATOR = "_"


def new_ride_id(club_id: str, unique: str) -> str:
    """Ride ids name their club, so a ride and the caller's membership of its club are
    read together in one consistent round trip."""
    return f"{club_id}{ID_SEPARATOR}{unique}"


def club_of_ride(ride_id: str) -> str:
    return ride_id.partition(ID_SEPARATOR)[0]


def split_participation_id(value: str) -> tuple[str, str]:
    """(ride id, user id) of `{club_id}_{ride}_{user_id}`."""
    ride_id, _, user_id = value.rpartition(ID_SEPARATOR)
    return ride_id, user_id


def utc_text(moment: datetime) -> str:
    """Sortable UTC form used in keys and conditions."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seven_decimals(value: float) -> float:
    return round(value, 7)


class MeetingPoint(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Centennial Park, Paddington Gates", "lat": -33.899, "lon": 151.232}
            ]
        }
    )

    name: str = Field(min_length=1, max_length=120)
    # Seven decimals (about a centimetre): what DynamoDB stores exactly, whatever was sent.
    lat: Annotated[float, Field(ge=-90, le=90), NOT_A_BOOL, AfterValidator(_seven_decimals)]
    lon: Annotated[float, Field(ge=-180, le=180), NOT_A_BOOL, AfterValidator(_seven_decimals)]


# What a ride's figures may be: the API's schemas and anything that writes a ride's figures
# from elsewhere (a route file) hold to the same bounds.
MIN_DISTANCE_KM = 0.1
MAX_DISTANCE_KM = 1000.0
MAX_CLIMB_M = 20_000


def figures_within_bounds(distance_km: float, elevation_gain_m: float) -> bool:
    return (
        MIN_DISTANCE_KM <= distance_km <= MAX_DISTANCE_KM and 0 <= elevation_gain_m <= MAX_CLIMB_M
    )


class PaceRange(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{"min": 28, "max": 32}]})

    min: Annotated[float, Field(ge=1, le=80), NOT_A_BOOL]
    max: Annotated[float, Field(ge=1, le=80), NOT_A_BOOL]


class Ride(Model):
    """A club's group ride: when and where, its pace and surface, who may see it, its seats
    and the riders' counts."""

    ride_id: str
    club_id: str
    title: str
    description: str = ""
    start_at: datetime
    estimated_duration_min: int
    meeting_point: MeetingPoint
    distance_km: float
    elevation_gain_m: int = 0
    surface: Surface
    pace_class: PaceClass
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy
    capacity: int | None = None  # None: unlimited
    waitlist_enabled: bool = True
    visibility: RideVisibility = RideVisibility.MEMBERS
    route_key: str | None = None
    # What the attached GPX route says (distance, climbing, bounds, preview polyline).
    route: RouteSummary | None = None
    # Cue sheets and images its managers attached (at most MAX_ATTACHMENTS).
    attachments: list[Attachment] = []
    status: RideStatus = RideStatus.SCHEDULED
    cancel_reason: str | None = None
    # An occurrence of a ride series: the series, the occurrence's date in Sydney (what
    # names it, wherever its start moves) and the series version it follows.
    series_id: str | None = None
    occurrence_date: date | None = None
    series_version: int | None = None
    # Kept in the same transactions as the participations they count.
    participant_count: int = 0
    waitlist_count: int = 0
    leader_count: int = 0
    created_by: str
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int = 1


def participation_id(ride_id: str, user_id: str) -> str:
    return f"{ride_id}_{user_id}"


# The places that take part in a ride: a seat, or a place on its waitlist.
TAKING_PART = frozenset({ParticipationStatus.JOINED, ParticipationStatus.WAITLISTED})


class Participation(Model):
    """One per (ride, user): a seat or a place on the waitlist, the rider's role on the ride
    and their attendance."""

    participation_id: str
    ride_id: str
    club_id: str
    user_id: str
    role: ParticipationRole = ParticipationRole.RIDER
    status: ParticipationStatus
    attendance: Attendance = Attendance.UNKNOWN
    # Who marked it: a ride manager's mark stands; a Strava match never overrides it.
    attendance_source: AttendanceSource | None = None
    # The rider's Strava activity matched to this ride (leaders and the rider see it).
    strava_activity: ActivitySummary | None = None
    display_name: str | None = None
    joined_at: datetime | None = None
    waitlisted_at: datetime | None = None
    updated_at: datetime
    updated_by: str
    version: int = 1

    @property
    def holds_seat(self) -> bool:
        return self.status is ParticipationStatus.JOINED

    @property
    def takes_part(self) -> bool:
        """Joined or waiting for a seat: not withdrawn, not removed."""
        return self.status in TAKING_PART

    @property
    def is_leading(self) -> bool:
        return self.holds_seat and self.role is ParticipationRole.LEADER

    def revised(self, by: str, **changes: object) -> "Participation":
        """The next version of this participation, changed by user `by`."""
        return self.model_copy(
            update={
                **changes,
                "updated_at": utc_now(),
                "updated_by": by,
                "version": self.version + 1,
            }
        )


def waitlist_order(participation: Participation) -> tuple[datetime, str]:
    """Oldest on the waitlist first; the user id breaks ties so the order is total."""
    return (participation.waitlisted_at or utc_now(), participation.user_id)


def seat_order(participation: Participation) -> tuple[datetime, str]:
    return (participation.joined_at or utc_now(), participation.user_id)


def existing_ride(ride: Ride | None, ride_id: str) -> Ride:
    """The ride that was read, or the 404 every context answers when there is none."""
    if ride is None:
        raise NotFound(f"No ride with id '{ride_id}'.", code="ride_not_found")
    return ride
