"""Ride series: a club's repeating ride (the Saturday 6 am bunch ride), and its occurrences.

A series keeps a ride plan and a recurrence; its occurrences are real rides, made a few
weeks ahead (`SERIES_HORIZON`) with ids derived from the series and the occurrence's local
date, so making one twice is impossible (`occurrence_ride_id`).

The recurrence is a subset of RFC 5545's RRULE (`docs/decisions.md`, decision 35), read in
Australia/Sydney wall-clock time: weekly or fortnightly on the first date's weekday,
monthly on the first date's weekday of the month (its 1st to 4th, or its last) or on its
day of the month; ending on a date or after a count. A wall-clock time that daylight
saving skips or repeats is read as RFC 5545 says (section 3.3.5): a skipped time with the
offset before the gap (02:30 on the spring-forward night is 03:30 daylight time), a
repeated one as its first occurrence.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Self
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, StrictInt, model_validator

from shared.domain.clock import CLUB_TIMEZONE
from shared.domain.enums import DropPolicy, PaceClass, RideVisibility, Surface
from shared.domain.model import Model
from shared.domain.numbers import JSON_INTEGER
from shared.domain.ride import ID_SEPARATOR, MeetingPoint, PaceRange

if TYPE_CHECKING:
    from dateutil import rrule

SYDNEY = ZoneInfo(CLUB_TIMEZONE)
# Occurrences are made this far ahead of the day (by the hourly job and on creation).
SERIES_HORIZON = timedelta(days=35)
# A series runs at most this many occurrences, or this long.
MAX_OCCURRENCES = 104
MAX_SPAN = timedelta(days=2 * 365)
# Riders who join every new occurrence of one series.
MAX_REGULARS = 200
# "This and following" edits a series remembers (its occurrences catch up with each).
MAX_EDITS = 20


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class MonthlyBy(StrEnum):
    """A monthly series repeats on the first date's weekday of the month (e.g. the second
    Sunday; a date in the month's last seven days past the 28th: its last such weekday),
    or on its day of the month (months without that day are skipped, as RFC 5545 does)."""

    WEEKDAY = "weekday"
    DAY = "day"


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    # No more occurrences; the scheduled ones from `ended_from` were cancelled.
    ENDED = "ended"


_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Recurrence(Model):
    """When a series' rides start: a documented subset of RRULE in Sydney wall-clock."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "frequency": "weekly",
                    "first_date": "2027-03-06",
                    "local_time": "06:00",
                    "monthly_by": "weekday",
                    "until": None,
                    "count": 10,
                }
            ]
        }
    )

    frequency: Frequency
    first_date: date = Field(description="The first ride's date in Sydney; sets the weekday")
    local_time: Annotated[
        str,
        Field(
            pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
            description="Start time on the Sydney wall clock (HH:MM), kept across daylight saving",
        ),
    ]
    monthly_by: MonthlyBy = MonthlyBy.WEEKDAY
    until: date | None = Field(default=None, description="The last possible date (Sydney)")
    count: Annotated[StrictInt, Field(ge=1, le=MAX_OCCURRENCES), JSON_INTEGER] | None = None

    @model_validator(mode="after")
    def _one_end(self) -> Self:
        # Far from the years any date arithmetic here can leave (and from any real ride).
        if not 2000 <= self.first_date.year < 2100:
            raise ValueError("first_date must lie between 2000 and 2099")
        if (self.until is None) == (self.count is None):
            raise ValueError("give exactly one of until or count")
        if self.until is not None:
            if self.until < self.first_date:
                raise ValueError("until must not be before first_date")
            if self.until - self.first_date > MAX_SPAN:
                raise ValueError(f"a series spans at most {MAX_SPAN.days} days")
        return self

    @property
    def wall_clock(self) -> time:
        hour, minute = self.local_time.split(":")
        return time(int(hour), int(minute))

    def _week_of_month(self) -> int:
        """1 to 4, or -1 (the last) for a first date past the 28th."""
        nth = (self.first_date.day - 1) // 7 + 1
        return -1 if nth > 4 else nth

    def _rule(self) -> "rrule.rrule":
        # Imported on first use: most functions that read a series never expand it.
        from dateutil import rrule

        weekday = rrule.weekdays[self.first_date.weekday()]
        start = datetime.combine(self.first_date, time())
        until = datetime.combine(self.until, time()) if self.until else None
        if self.frequency is Frequency.MONTHLY:
            if self.monthly_by is MonthlyBy.DAY:
                return rrule.rrule(
                    rrule.MONTHLY,
                    dtstart=start,
                    bymonthday=self.first_date.day,
                    count=self.count,
                    until=until,
                )
            return rrule.rrule(
                rrule.MONTHLY,
                dtstart=start,
                byweekday=weekday(self._week_of_month()),
                count=self.count,
                until=until,
            )
        interval = 2 if self.frequency is Frequency.FORTNIGHTLY else 1
        return rrule.rrule(
            rrule.WEEKLY,
            dtstart=start,
            interval=interval,
            byweekday=weekday,
            count=self.count,
            until=until,
        )

    def dates(self, after: date | None, through: date) -> list[date]:
        """The occurrence dates later than `after` (all from the first when None), up to
        and including `through`."""
        floor = datetime.combine(after, time()) if after else None
        found = []
        for moment in self._rule():
            if moment.date() > through:
                break
            if floor is None or moment > floor:
                found.append(moment.date())
        return found

    def start_on(self, day: date, wall_clock: time | None = None) -> datetime:
        """The UTC start of the occurrence on `day` (RFC 5545's reading of skipped and
        repeated wall-clock times: `fold=0`)."""
        local = datetime.combine(day, wall_clock or self.wall_clock, tzinfo=SYDNEY)
        return local.astimezone(UTC)

    def falls_on(self, day: date) -> bool:
        return day in self.dates(day - timedelta(days=1), day)

    @property
    def rrule_text(self) -> str:
        """The RRULE this recurrence is (RFC 5545), with its DTSTART in Sydney time."""
        day = _RRULE_DAYS[self.first_date.weekday()]
        if self.frequency is Frequency.MONTHLY:
            parts = ["FREQ=MONTHLY"]
            if self.monthly_by is MonthlyBy.DAY:
                parts.append(f"BYMONTHDAY={self.first_date.day}")
            else:
                parts.append(f"BYDAY={self._week_of_month()}{day}")
        else:
            parts = ["FREQ=WEEKLY"]
            if self.frequency is Frequency.FORTNIGHTLY:
                parts.append("INTERVAL=2")
            parts.append(f"BYDAY={day}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            # With a DTSTART in local time, UNTIL is given in UTC (RFC 5545 3.3.10): the
            # last moment of the until day in Sydney.
            last = datetime.combine(self.until, time(23, 59, 59), tzinfo=SYDNEY)
            parts.append(f"UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        return ";".join(parts)

    @property
    def dtstart_text(self) -> str:
        first = datetime.combine(self.first_date, self.wall_clock)
        return f"DTSTART;TZID={CLUB_TIMEZONE}:{first:%Y%m%dT%H%M%S}"


class RidePlan(Model):
    """What each occurrence of a series is: a ride without its start."""

    title: str
    description: str = ""
    estimated_duration_min: int
    meeting_point: MeetingPoint
    distance_km: float
    elevation_gain_m: int = 0
    surface: Surface
    pace_class: PaceClass
    pace_kph: PaceRange | None = None
    drop_policy: DropPolicy
    capacity: int | None = None
    waitlist_enabled: bool = True
    visibility: RideVisibility = RideVisibility.MEMBERS


class SeriesEdit(Model):
    """A "this and following" edit: the plan fields (and `local_time`) it set, from which
    occurrence date, at which series version. Made occurrences catch up with each edit
    they have not followed yet, in order (`series_version` on the ride)."""

    version: int
    from_date: date
    changes: dict[str, Any]


class RideSeries(Model):
    series_id: str
    club_id: str
    ride: RidePlan
    recurrence: Recurrence
    status: SeriesStatus = SeriesStatus.ACTIVE
    # Leads every occurrence (its first leader, as a ride's creator is).
    organiser_id: str
    organiser_name: str | None = None
    # The organiser led as a member of the club (not as a SiteAdmin): the series stops
    # when that membership does.
    organiser_is_member: bool = True
    # The last occurrence date made (or passed over); None before the first.
    made_through: date | None = None
    occurrences_made: int = 0
    regular_count: int = 0
    edits: list[SeriesEdit] = []
    ended_from: date | None = None
    cancel_reason: str | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int = 1

    @property
    def unique(self) -> str:
        return self.series_id.partition(ID_SEPARATOR)[2]

    def due_dates(self, today: date) -> list[date]:
        """The occurrence dates to make now: after the last made, within the horizon,
        and within the rule's count."""
        if self.status is not SeriesStatus.ACTIVE:
            return []
        dates = self.recurrence.dates(self.made_through, today + SERIES_HORIZON)
        if self.recurrence.count is not None:
            dates = dates[: max(self.recurrence.count - self.occurrences_made, 0)]
        return dates

    def next_occurrence_date(self) -> date | None:
        """The next occurrence date the series will make (None: it has ended, or its
        rule has no dates left)."""
        if self.status is not SeriesStatus.ACTIVE:
            return None
        later = self.recurrence.dates(self.made_through, self.recurrence.first_date + MAX_SPAN)
        if self.recurrence.count is not None and self.occurrences_made >= self.recurrence.count:
            return None
        return later[0] if later else None


def new_series_id(club_id: str, unique: str) -> str:
    """Series ids name their club, as ride ids do."""
    return f"{club_id}{ID_SEPARATOR}{unique}"


def occurrence_ride_id(series: RideSeries, day: date) -> str:
    """The ride of the series on `day` (Sydney): the same id whoever makes it, whenever."""
    unique = uuid.uuid5(uuid.UUID(series.unique), day.isoformat())
    return f"{series.club_id}{ID_SEPARATOR}{unique}"


def sydney_today(now: datetime) -> date:
    return now.astimezone(SYDNEY).date()


# Who joins a regular to a new occurrence (the participation's `updated_by`): the series'
# standing order, not the rider's own request.
REGULARS_ACTOR = "ride-series"


class Regular(Model):
    """A rider who joins every new occurrence of a series (leave any time)."""

    series_id: str
    user_id: str
    display_name: str | None = None
    since: datetime
