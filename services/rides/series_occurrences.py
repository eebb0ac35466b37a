"""A series' occurrences, kept by the event path and the hourly job: made up to the
horizon, brought in line with "this and following" edits, cancelled when the series ends,
and joined by the series' regulars when made.

Each step is idempotent: an occurrence's id is derived from its date, its progress is
recorded on the series under a condition, an occurrence records the series version it
follows, and a regular is joined only when they have no place on the ride at all (one who
withdrew from an occurrence is not joined again by a redelivery).
"""

from datetime import date, datetime
from typing import Any

from rides.participation_logic import join_ride
from rides.ride_logic import promotions
from rides.series_store import SeriesMoved, SeriesStopped, SeriesStore
from rides.store import RideStore
from shared.authz import Principal
from shared.domain.clock import utc_now
from shared.domain.enums import RideStatus
from shared.domain.errors import Conflict, Forbidden
from shared.domain.ride import Ride
from shared.domain.series import (
    REGULARS_ACTOR,
    SERIES_HORIZON,
    Regular,
    RideSeries,
    SeriesStatus,
    occurrence_ride_id,
    sydney_today,
)
from shared.observability import logger

# Fresh reads of a contended series or occurrence before the message is retried.
_ATTEMPTS = 10
_STOPPED_BECAUSE = {
    "organiser_left": "The series' organiser is no longer a member of the club.",
    "club_not_active": "The club is no longer active.",
}


def occurrence(series: RideSeries, day: date, now: datetime) -> Ride:
    return Ride(
        ride_id=occurrence_ride_id(series, day),
        club_id=series.club_id,
        start_at=series.recurrence.start_on(day),
        series_id=series.series_id,
        occurrence_date=day,
        series_version=series.version,
        created_by=series.organiser_id,
        created_at=now,
        updated_at=now,
        updated_by=series.organiser_id,
        participant_count=1,
        leader_count=1,
        **series.ride.model_dump(),
    )


def make_due(series_id: str, store: SeriesStore, now: datetime | None = None) -> int:
    """Make the series' occurrences due within the horizon; returns how many were made.
    A date already past (the job was behind) is passed over, not made."""
    now = now or utc_now()
    made = 0
    contended = 0
    while contended < _ATTEMPTS:
        series = store.get(series_id)
        if series is None:
            return made
        due = series.due_dates(sydney_today(now))
        if not due:
            return made
        day = due[0]
        ride = occurrence(series, day, now)
        after = series.model_copy(
            update={"made_through": day, "occurrences_made": series.occurrences_made + 1}
        )
        try:
            store.make_occurrence(series, after, ride if ride.start_at > now else None)
            made += ride.start_at > now
        except SeriesMoved:
            contended += 1
        except SeriesStopped as stopped:
            _stop(series, day, stopped.reason, store, now)
            return made
    raise SeriesMoved  # still contended: the queue retries the message


def _stop(series: RideSeries, day: date, reason: str, store: SeriesStore, now: datetime) -> None:
    logger.warning("series stopped", extra={"series_id": series.series_id, "reason": reason})
    ended = series.model_copy(
        update={
            "status": SeriesStatus.ENDED,
            "ended_from": day,
            "cancel_reason": _STOPPED_BECAUSE[reason],
            "version": series.version + 1,
            "updated_at": now,
            "updated_by": REGULARS_ACTOR,
        }
    )
    store.end(series, ended)  # SeriesMoved: the message is retried from a fresh read


def make_all_due(store: SeriesStore, now: datetime | None = None) -> int:
    """The hourly job: every active series whose next date is within the horizon."""
    now = now or utc_now()
    return sum(
        make_due(series_id, store, now)
        for series_id in store.due(sydney_today(now) + SERIES_HORIZON)
    )


def follow_series(
    series_id: str, series_store: SeriesStore, rides: RideStore, now: datetime | None = None
) -> int:
    """Bring the made, scheduled, not yet started occurrences in line with the series'
    edits (or cancel them from `ended_from`); returns how many rides changed."""
    now = now or utc_now()
    series = series_store.get(series_id)
    if series is None or series.made_through is None:
        return 0
    days = series.recurrence.dates(None, series.made_through)
    ids = [occurrence_ride_id(series, d) for d in days if d >= sydney_today(now)]
    changed = 0
    for ride in series_store.occurrences(ids):
        changed += _follow_one(series, ride, rides, now)
    return changed


def _follow_one(series: RideSeries, ride: Ride, rides: RideStore, now: datetime) -> int:
    for _ in range(_ATTEMPTS):
        after = _as_series_says(series, ride, now)
        if after is None:
            return 0
        organiser = Principal(REGULARS_ACTOR)
        promoted = promotions(ride, after, rides, organiser)
        if promoted:
            after = after.model_copy(
                update={
                    "participant_count": ride.participant_count + len(promoted),
                    "waitlist_count": ride.waitlist_count - len(promoted),
                }
            )
        try:
            rides.update_ride(ride, after, promoted)
            return 1
        except Conflict:
            fresh, _ = rides.read_ride_and_participants(ride.ride_id)
            if fresh is None:
                return 0
            ride = fresh
    raise SeriesMoved


def _as_series_says(series: RideSeries, ride: Ride, now: datetime) -> Ride | None:
    """The occurrence as the series wants it now, or None when nothing is to change."""
    if ride.status is not RideStatus.SCHEDULED or ride.start_at <= now:
        return None
    followed = ride.series_version or 0
    if followed >= series.version:
        return None
    day = ride.occurrence_date
    assert day is not None  # an occurrence always has its date
    update: dict[str, Any] = {}
    if series.status is SeriesStatus.ENDED and series.ended_from and day >= series.ended_from:
        update |= {"status": RideStatus.CANCELLED, "cancel_reason": series.cancel_reason}
    for edit in series.edits:
        if edit.version <= followed or day < edit.from_date:
            continue
        for name, value in edit.changes.items():
            if name == "local_time":
                local = series.recurrence.model_copy(update={"local_time": value})
                update["start_at"] = local.start_on(day)
            else:
                update[name] = value
    if not update:
        return None  # no edit reaches this date: nothing to write
    if update.get("capacity") is not None:
        # Riders keep their places: never below the seats taken.
        update["capacity"] = max(update["capacity"], ride.participant_count)
    bookkeeping = {
        "series_version": series.version,
        "version": ride.version + 1,
        "updated_at": now,
        "updated_by": series.updated_by,
    }
    return Ride.model_validate({**ride.model_dump(), **update, **bookkeeping})


def join_made(
    series: RideSeries,
    regular: Regular,
    series_store: SeriesStore,
    rides: RideStore,
    now: datetime | None = None,
) -> list[str]:
    """A new regular joins the series' upcoming rides made already (as of `series`, read
    after the regular was recorded) where they hold no place; one who withdrew from one
    stays withdrawn. Returns the upcoming rides they hold a place on now (joined here, by
    the consumer meanwhile, or before)."""
    now = now or utc_now()
    if series.made_through is None:
        return []
    days = series.recurrence.dates(None, series.made_through)
    ids = [occurrence_ride_id(series, d) for d in days if d >= sydney_today(now)]
    upcoming = [
        ride.ride_id
        for ride in series_store.occurrences(ids)
        if ride.status is RideStatus.SCHEDULED and ride.start_at > now
    ]
    return [ride_id for ride_id in upcoming if _join(ride_id, regular, rides, None) is not False]


def _join(ride_id: str, regular: Regular, rides: RideStore, by: str | None) -> bool | None:
    """The regular's place on the ride: True when joined now, None when they held one
    already, False when they gave one up or may not join (no longer a member, a full
    ride without a waitlist)."""
    _, mine, _ = rides.read_ride(ride_id, regular.user_id, regular.user_id)
    if mine is not None:
        return None if mine.takes_part else False
    try:
        join_ride(Principal(regular.user_id), ride_id, rides, regular.display_name, by)
    except Conflict as refused:
        if refused.code == "already_joined":
            return None
        logger.info("regular passed over", extra={"ride_id": ride_id, "code": refused.code})
        return False
    except Forbidden as refused:
        logger.info("regular passed over", extra={"ride_id": ride_id, "code": refused.code})
        return False
    return True


def join_regulars(
    ride_id: str, series_store: SeriesStore, rides: RideStore, now: datetime | None = None
) -> int:
    """The series' regulars join its new occurrence, longest-standing first (a seat, or
    the waitlist when full); a regular who is no longer a member, or who already has a
    place (or gave one up), is passed over. Returns how many joined."""
    now = now or utc_now()
    ride, party = rides.read_ride_and_participants(ride_id)
    if ride is None or ride.series_id is None:
        return 0
    if ride.status is not RideStatus.SCHEDULED or ride.start_at <= now:
        return 0
    present = {p.user_id for p in party}
    joined = 0
    for regular in series_store.regulars(ride.series_id):
        if regular.user_id not in present:
            joined += _join(ride_id, regular, rides, by=REGULARS_ACTOR) is True
    return joined
