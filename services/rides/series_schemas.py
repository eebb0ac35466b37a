"""Request and response models of ride series."""

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from rides.schemas import (
    RidePlanChange,
    RidePlanCreate,
)
from shared.domain.clock import utc_now
from shared.domain.model import Model
from shared.domain.numbers import Version
from shared.domain.series import (
    Recurrence,
    Regular,
    RideSeries,
    SeriesStatus,
    sydney_today,
)

# A series starts within a year; its occurrences then run at most two years.
_FIRST_DATE_WITHIN = timedelta(days=365)
LocalTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Start time on the Sydney wall clock (HH:MM)",
        examples=["06:30"],
    ),
]


class SeriesCreate(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ride": {
                        "title": "Saturday Bunch",
                        "estimated_duration_min": 120,
                        "meeting_point": {
                            "name": "Centennial Park, Paddington Gates",
                            "lat": -33.899,
                            "lon": 151.232,
                        },
                        "distance_km": 60,
                        "surface": "road",
                        "pace_class": "B",
                        "drop_policy": "regroup",
                        "capacity": 20,
                        "visibility": "public",
                    },
                    "recurrence": {
                        "frequency": "weekly",
                        "first_date": "2027-03-06",
                        "local_time": "06:00",
                        "count": 10,
                    },
                }
            ]
        },
    )

    ride: RidePlanCreate
    recurrence: Recurrence

    @model_validator(mode="after")
    def _starts_ahead(self) -> Self:
        today = sydney_today(utc_now())
        first = self.recurrence.first_date
        if self.recurrence.start_on(first) <= utc_now():
            raise ValueError("the first ride must start in the future")
        if first - today > _FIRST_DATE_WITHIN:
            raise ValueError(f"a series starts within {_FIRST_DATE_WITHIN.days} days")
        return self


class SeriesUpdate(RidePlanChange):
    """A change to this occurrence and the following ones (from `from_date`, one of the
    series' dates, today or later), or `status: ended` with a reason to cancel them and
    end the series. Occurrences keep their riders; the rule itself (frequency, weekday)
    does not change: end the series and start a new one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "from_date": "2027-04-10",
                    "local_time": "06:30",
                    "title": "Saturday Bunch (winter start)",
                }
            ]
        },
    )

    version: Version
    from_date: date = Field(description="The first occurrence (Sydney date) the change is for")
    local_time: LocalTime | SkipJsonSchema[None] = None
    status: Literal[SeriesStatus.ENDED] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        changed = self.plan_changes()
        if self.status is SeriesStatus.ENDED:
            if not self.cancel_reason:
                raise ValueError("ending a series needs a cancel_reason")
            if changed or self.local_time is not None:
                raise ValueError("end a series, or change it: not both at once")
        elif self.cancel_reason is not None:
            raise ValueError("cancel_reason goes with status: ended")
        elif not changed and self.local_time is None:
            raise ValueError("give at least one field to change")
        return self

    def plan_changes(self) -> dict[str, object]:
        """The ride plan's fields this edit sets."""
        fixed = {"version", "from_date", "local_time", "status", "cancel_reason"}
        return self.model_dump(mode="json", include=self.model_fields_set - fixed)


class SeriesDate(Model):
    """One of the series' coming dates: when its ride starts (on the Sydney wall clock,
    whatever the daylight saving) and the id its ride has, or will have once made."""

    occurrence_date: date
    start_at: datetime
    ride_id: str
    made: bool


class SeriesDetail(RideSeries):
    rrule: str = Field(description="The recurrence as an RFC 5545 RRULE (times in Sydney)")
    dtstart: str = Field(description="Its DTSTART, with the Sydney time zone")
    next_date: date | None = Field(description="The next occurrence still to be made")
    coming: list[SeriesDate] = Field(
        default_factory=list, description="Its next dates from today (at most six)"
    )
    i_am_regular: bool = False


class SeriesPage(Model):
    items: list[SeriesDetail]
    next_cursor: str | None = None


class RegularPlace(Regular):
    """You join every new ride of the series from now on (a seat, or the waitlist when it
    is full), and its upcoming rides made already where you hold no place."""

    ride_ids: list[str] = Field(
        default_factory=list,
        description="The series' upcoming rides you hold a place on now (a seat or the "
        "waitlist): the ones made already, less any you withdrew from",
    )


__all__ = [
    "RegularPlace",
    "SeriesCreate",
    "SeriesDate",
    "SeriesDetail",
    "SeriesPage",
    "SeriesUpdate",
]
