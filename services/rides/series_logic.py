"""Ride series rules for the API: creating, listing, reading, changing "this and the
following" occurrences or ending the rest, and the series' regulars.

The requests change the series item only; its occurrences follow through the event path
(`services/rides/series_worker.py`): the `ride_series_created` event makes the first ones, and
`ride_series_updated` brings the made ones in line with the edit or cancels them.
"""

from datetime import timedelta

from rides import series_occurrences
from rides.ride_logic import may_plan_rides
from rides.series_schemas import (
    RegularPlace,
    SeriesCreate,
    SeriesDate,
    SeriesDetail,
    SeriesUpdate,
)
from rides.series_store import SeriesStore
from rides.store import RideStore
from shared.authz import AuthzContext, Capability, Principal, holds, require
from shared.domain.clock import utc_now
from shared.domain.club import existing_club
from shared.domain.enums import MembershipStatus, RideVisibility
from shared.domain.errors import Conflict, NotFound, Unprocessable
from shared.domain.ids import new_id
from shared.domain.series import (
    MAX_EDITS,
    MAX_SPAN,
    Regular,
    RidePlan,
    RideSeries,
    SeriesEdit,
    SeriesStatus,
    new_series_id,
    occurrence_ride_id,
    sydney_today,
)


def series_context(series: RideSeries) -> AuthzContext:
    """A series is seen and joined as its rides are."""
    return AuthzContext(club_id=series.club_id, ride_visibility=series.ride.visibility)


def existing_series(series: RideSeries | None, series_id: str) -> RideSeries:
    if series is None:
        raise NotFound(f"No ride series with id '{series_id}'.", code="series_not_found")
    return series


# Coming dates a series' answer shows.
_COMING = 6


def detail(series: RideSeries, regular: bool = False) -> SeriesDetail:
    return SeriesDetail(
        **series.model_dump(),
        rrule=series.recurrence.rrule_text,
        dtstart=series.recurrence.dtstart_text,
        next_date=series.next_occurrence_date(),
        coming=_coming(series),
        i_am_regular=regular,
    )


def _coming(series: RideSeries) -> list[SeriesDate]:
    """The next dates from today: made ones while the series lasts, planned ones while it
    is active (an ended series makes no more)."""
    today = sydney_today(utc_now())
    last = series.recurrence.first_date + MAX_SPAN
    if series.status is SeriesStatus.ENDED:
        last = min(last, (series.ended_from or today) - timedelta(days=1))
    days = series.recurrence.dates(today - timedelta(days=1), last)[:_COMING]
    made = series.made_through
    return [
        SeriesDate(
            occurrence_date=day,
            start_at=series.recurrence.start_on(day),
            ride_id=occurrence_ride_id(series, day),
            made=made is not None and day <= made,
        )
        for day in days
    ]


def create_series(
    principal: Principal,
    club_id: str,
    data: SeriesCreate,
    store: SeriesStore,
    display_name: str | None = None,
) -> SeriesDetail:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    may_plan_rides(principal, club_id, club, membership)
    moment = utc_now()
    series = RideSeries(
        series_id=new_series_id(club_id, new_id()),
        club_id=club_id,
        ride=RidePlan(**data.ride.model_dump()),
        recurrence=data.recurrence,
        organiser_id=principal.user_id,
        organiser_name=display_name,
        organiser_is_member=membership is not None and membership.status is MembershipStatus.ACTIVE,
        created_by=principal.user_id,
        created_at=moment,
        updated_at=moment,
        updated_by=principal.user_id,
    )
    store.create(series)
    return detail(series)


def list_series(
    principal: Principal, club_id: str, limit: int, cursor: str | None, store: SeriesStore
) -> tuple[list[SeriesDetail], str | None]:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    existing_club(club, club_id)
    require(Capability.VIEW_CLUB, principal, membership, AuthzContext(club_id=club_id))
    members = AuthzContext(club_id=club_id, ride_visibility=RideVisibility.MEMBERS)
    sees_members = holds(Capability.VIEW_RIDE, principal, membership, members)
    found, next_cursor = store.list_club(
        club_id, public_only=not sees_members, limit=limit, cursor=cursor
    )
    return [detail(s) for s in found], next_cursor


def get_series(principal: Principal, series_id: str, store: SeriesStore) -> SeriesDetail:
    series, regular, membership = store.read(series_id, principal.user_id)
    series = existing_series(series, series_id)
    require(Capability.VIEW_RIDE, principal, membership, series_context(series))
    return detail(series, regular is not None)


def update_series(
    principal: Principal, series_id: str, data: SeriesUpdate, store: SeriesStore
) -> SeriesDetail:
    series, regular, membership = store.read(series_id, principal.user_id)
    series = existing_series(series, series_id)
    require(Capability.MANAGE_RIDES, principal, membership, series_context(series))
    if data.version != series.version:
        raise Conflict(
            f"The series is at version {series.version}, not {data.version}.",
            code="version_conflict",
        )
    if series.status is SeriesStatus.ENDED:
        raise Conflict("The series has ended.", code="series_ended")
    _check_from_date(series, data)
    moment = utc_now()
    common = {
        "version": series.version + 1,
        "updated_at": moment,
        "updated_by": principal.user_id,
    }
    if data.status is SeriesStatus.ENDED:
        after = series.model_copy(
            update={
                **common,
                "status": SeriesStatus.ENDED,
                "ended_from": data.from_date,
                "cancel_reason": data.cancel_reason,
            }
        )
    else:
        plan = data.plan_changes()
        recurrence = series.recurrence
        changes = dict(plan)
        if data.local_time is not None:
            recurrence = recurrence.model_copy(update={"local_time": data.local_time})
            changes["local_time"] = data.local_time
        edit = SeriesEdit(version=series.version + 1, from_date=data.from_date, changes=changes)
        after = series.model_copy(
            update={
                **common,
                "ride": RidePlan.model_validate({**series.ride.model_dump(), **plan}),
                "recurrence": recurrence,
                "edits": [*series.edits, edit][-MAX_EDITS:],
            }
        )
    store.replace(series, after)
    return detail(after, regular is not None)


def _check_from_date(series: RideSeries, data: SeriesUpdate) -> None:
    """One of the series' dates, not past, and not beyond the next one it will make (an
    edit applies to the occurrences made and to be made from there on)."""
    day = data.from_date
    if day < sydney_today(utc_now()):
        raise Unprocessable("from_date is in the past.", code="invalid_from_date")
    if not series.recurrence.falls_on(day):
        raise Unprocessable(
            f"{day} is not a date of the series ({series.recurrence.rrule_text}).",
            code="invalid_from_date",
        )
    upcoming = series.next_occurrence_date()
    latest = max(d for d in (upcoming, series.made_through, series.recurrence.first_date) if d)
    if day > latest:
        raise Unprocessable(
            f"The series has made its rides up to {latest}: change them from a date up to "
            "that one (later rides follow the change).",
            code="invalid_from_date",
        )


def become_regular(
    principal: Principal,
    series_id: str,
    store: SeriesStore,
    rides: RideStore,
    display_name: str | None,
) -> RegularPlace:
    """The rider joins the series' rides made already (where they hold no place yet) and
    every new one. Made after the regular was recorded, a ride is joined by the series
    consumer; read after it, by this request: a ride made meanwhile is joined by one of
    the two (the other meets `already_joined`)."""
    series, regular, membership = store.read(series_id, principal.user_id)
    series = existing_series(series, series_id)
    require(Capability.JOIN_RIDE, principal, membership, series_context(series))
    if series.status is SeriesStatus.ENDED:
        raise Conflict("The series has ended.", code="series_ended")
    if regular is None:
        regular = Regular(
            series_id=series_id,
            user_id=principal.user_id,
            display_name=display_name,
            since=utc_now(),
        )
        store.add_regular(series, regular)
        # Read after the regular was recorded: a ride made since is in `made_through`.
        series = existing_series(store.get(series_id), series_id)
    placed = series_occurrences.join_made(series, regular, store, rides)
    return RegularPlace(**regular.model_dump(), ride_ids=placed)


def stop_being_regular(principal: Principal, series_id: str, store: SeriesStore) -> None:
    """Idempotent: a rider who is not a regular (any more) is answered the same."""
    series, regular, _ = store.read(series_id, principal.user_id)
    existing_series(series, series_id)
    if regular is not None:
        store.remove_regular(series_id, principal.user_id)
