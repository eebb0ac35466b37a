"""Rides API: thin HTTP layer over the ride and participation logic."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from rides import (
    discovery_logic,
    participation_logic,
    ride_logic,
    schedule_logic,
    series_logic,
)
from rides.calendar_feed import render_calendar
from rides.discovery_store import DiscoveryStore
from rides.schedule_store import ScheduleStore
from rides.schemas import (
    CalendarFeed,
    JoinedRide,
    ListingBound,
    MyRidePage,
    NearbyRidePage,
    ParticipationChange,
    ParticipationList,
    RideCreate,
    RideDetail,
    RidePage,
    RideUpdate,
    ScheduleStatus,
)
from rides.series_schemas import (
    RegularPlace,
    SeriesCreate,
    SeriesDetail,
    SeriesPage,
    SeriesUpdate,
)
from rides.series_store import SeriesStore
from rides.store import RideStore
from shared.adapters.configuration import parameter_value
from shared.api.auth import CallerDep, CallerNameDep
from shared.api.idempotency import answer_shown_once
from shared.api.params import (
    ClubId,
    Cursor,
    Near,
    PageLimit,
    ParticipationId,
    RadiusKm,
    RideId,
    SeriesId,
)
from shared.api.resolver import ERROR_RESPONSES, build_resolver, documented, make_handler
from shared.api.responses import created
from shared.domain.clock import utc_now
from shared.domain.enums import Discipline, PaceClass, RideStatus, Surface
from shared.domain.errors import ServiceUnavailable
from shared.domain.ride import Participation, Ride
from shared.observability import metrics
from shared.settings import RidesSettings
from shared.store.table import app_table

app = build_resolver()
TAG = "rides"


@cache
def get_store() -> RideStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return RideStore(app_table())


StoreDep = Annotated[RideStore, Depends(get_store)]


@cache
def get_schedule_store() -> ScheduleStore:
    return ScheduleStore(app_table())


ScheduleDep = Annotated[ScheduleStore, Depends(get_schedule_store)]


@cache
def get_discovery_store() -> DiscoveryStore:
    return DiscoveryStore(app_table())


DiscoveryDep = Annotated[DiscoveryStore, Depends(get_discovery_store)]


@cache
def get_series_store() -> SeriesStore:
    return SeriesStore(app_table())


SeriesDep = Annotated[SeriesStore, Depends(get_series_store)]
# 43 characters of base64url (32 random bytes); anything else is no feed of ours.
FeedToken = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{43}$", description="The feed's secret token")
]


@app.post("/clubs/<club_id>/rides", **documented(TAG, "Publish a ride", success=(201,)))
def create_ride(
    club_id: ClubId,
    body: Annotated[RideCreate, Body()],
    caller: CallerDep,
    store: StoreDep,
    name: CallerNameDep,
) -> Response[Ride]:
    ride = ride_logic.create_ride(caller, club_id, body, store, name)
    metrics.add_metric(name="RideCreated", unit="Count", value=1)
    return created(ride, f"/rides/{ride.ride_id}")


@app.get(
    "/clubs/<club_id>/rides",
    **documented(TAG, "A club's rides by start time (upcoming by default)"),
)
def list_rides(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    start: Annotated[ListingBound | None, Query(alias="from")] = None,
    end: Annotated[ListingBound | None, Query(alias="to")] = None,
    status: Annotated[RideStatus | None, Query()] = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> RidePage:
    items, next_cursor = ride_logic.list_rides(
        caller,
        club_id,
        start=start,
        end=end,
        status=status,
        limit=limit,
        cursor=cursor,
        store=store,
    )
    return RidePage(items=items, next_cursor=next_cursor)


@app.get(
    "/clubs/<club_id>/rides.ics",
    summary="iCalendar feed of the club's public upcoming rides (no token needed)",
    responses={
        200: {
            "description": "An RFC 5545 calendar (times in Australia/Sydney)",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        404: ERROR_RESPONSES[404],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def ride_calendar(club_id: ClubId, store: StoreDep) -> Response[str]:
    club, rides = ride_logic.public_calendar(club_id, store)
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=render_calendar(f"{club.name} rides", rides, utc_now(), _api_url()).decode("utf-8"),
        headers={"Cache-Control": "public, max-age=300"},
    )


@app.get("/rides", **documented(TAG, "Scheduled rides of any club near a point, soonest first"))
def find_rides(
    caller: CallerDep,
    store: DiscoveryDep,
    near: Near,  # rides meeting within `radius_km` of it
    radius_km: RadiusKm = 10,
    start: Annotated[ListingBound | None, Query(alias="from")] = None,
    end: Annotated[ListingBound | None, Query(alias="to")] = None,
    pace_class: Annotated[PaceClass | None, Query()] = None,
    surface: Annotated[Surface | None, Query()] = None,
    discipline: Annotated[Discipline | None, Query(description="One of the club's")] = None,
    has_places: Annotated[bool, Query(description="Only rides with a place free")] = False,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> NearbyRidePage:
    search = discovery_logic.ride_search(
        near,
        radius_km,
        start,
        end,
        pace_class=pace_class,
        surface=surface,
        discipline=discipline,
        has_places=has_places,
    )
    items, next_cursor = discovery_logic.find_rides(caller, search, limit, cursor, store)
    return NearbyRidePage(items=items, next_cursor=next_cursor)


@app.get(
    "/users/me/rides",
    **documented(TAG, "Your rides across your clubs by start (upcoming by default)"),
)
def my_rides(
    caller: CallerDep,
    store: ScheduleDep,
    past: Annotated[bool, Query(description="Rides that have started, latest first")] = False,
    status: Annotated[ScheduleStatus | None, Query()] = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> MyRidePage:
    items, next_cursor = schedule_logic.my_rides(
        caller, past=past, status=status, limit=limit, cursor=cursor, store=store
    )
    return MyRidePage(items=items, next_cursor=next_cursor)


@app.get("/users/me/calendar-feed", **documented(TAG, "Whether you have a personal feed"))
def calendar_feed(caller: CallerDep, store: ScheduleDep) -> CalendarFeed:
    return schedule_logic.feed_status(caller, store)


@app.post(
    "/users/me/calendar-feed",
    **documented(TAG, "A new secret URL for your feed (the old one stops)", success=(201,)),
)
def new_calendar_feed(caller: CallerDep, store: ScheduleDep) -> Response[CalendarFeed]:
    base = _api_url()
    if not base:
        raise ServiceUnavailable("Feeds have no public address here.", code="feed_unavailable")
    url = f"{base.rstrip('/')}/calendar-feeds/{{token}}/rides.ics"
    feed = schedule_logic.new_feed(caller, store, url)
    # The URL is the feed's only key: a retry is told what to do, never shown it again,
    # and no idempotency record keeps it.
    answer_shown_once(
        "Your feed's URL is shown once; POST /users/me/calendar-feed again for a new one "
        "(the old one stops)."
    )
    response = created(feed, "/users/me/calendar-feed")
    response.headers["Cache-Control"] = "no-store"
    return response


@app.delete(
    "/users/me/calendar-feed",
    **documented(TAG, "Turn your feed off (its URL stops at once)", success=(204,)),
)
def revoke_calendar_feed(caller: CallerDep, store: ScheduleDep) -> Response[None]:
    schedule_logic.revoke_feed(caller, store)
    return Response(status_code=204)


@app.get(
    "/calendar-feeds/<feed_token>/rides.ics",
    summary="A rider's personal iCalendar feed (its secret URL is the key)",
    responses={
        200: {
            "description": "An RFC 5545 calendar of the rider's rides (Australia/Sydney)",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        404: ERROR_RESPONSES[404],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def personal_calendar(feed_token: FeedToken, store: ScheduleDep) -> Response[str]:
    places = schedule_logic.personal_calendar(feed_token, store)
    body = render_calendar(
        "My rides",
        [place.ride for place in places],
        utc_now(),
        _api_url(),
        waitlisted={p.ride.ride_id for p in places if not p.participation.holds_seat},
    )
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=body.decode("utf-8"),
        # Personal: no shared cache may keep it, and a revoked URL must stop at once.
        headers={"Cache-Control": "private, no-store"},
    )


def _api_url() -> str | None:
    """The API's base URL (links to routes in the feed); none where it is not published."""
    name = RidesSettings.from_environment().api_url_parameter
    return parameter_value(name) if name else None


@app.get("/rides/<ride_id>", **documented(TAG, "A ride with its leaders"))
def get_ride(ride_id: RideId, caller: CallerDep, store: StoreDep) -> RideDetail:
    return ride_logic.get_ride(caller, ride_id, store)


@app.put("/rides/<ride_id>", **documented(TAG, "Edit or cancel a ride"))
def update_ride(
    ride_id: RideId, body: Annotated[RideUpdate, Body()], caller: CallerDep, store: StoreDep
) -> Ride:
    return ride_logic.update_ride(caller, ride_id, body, store)


@app.get(
    "/rides/<ride_id>/participations",
    **documented(TAG, "Riders on a ride and its waitlist, in order"),
)
def list_participations(ride_id: RideId, caller: CallerDep, store: StoreDep) -> ParticipationList:
    return participation_logic.list_participants(caller, ride_id, store)


@app.post(
    "/rides/<ride_id>/participations",
    **documented(TAG, "Join a ride (a seat, or the waitlist when full)", success=(201,)),
)
def join_ride(
    ride_id: RideId, caller: CallerDep, store: StoreDep, name: CallerNameDep
) -> Response[JoinedRide]:
    joined = participation_logic.join_ride(caller, ride_id, store, name)
    metrics.add_metric(name=f"Ride{joined.status.title()}", unit="Count", value=1)
    return created(joined, f"/participations/{joined.participation_id}")


@app.put(
    "/participations/<participation_id>",
    **documented(TAG, "Withdraw, remove, assign leader/sweep, or mark attendance"),
)
def change_participation(
    participation_id: ParticipationId,
    body: Annotated[ParticipationChange, Body()],
    caller: CallerDep,
    store: StoreDep,
) -> Participation:
    return participation_logic.change_participation(caller, participation_id, body, store)


@app.post(
    "/clubs/<club_id>/ride-series",
    **documented(TAG, "Start a ride series (its rides are made weeks ahead)", success=(201,)),
)
def create_series(
    club_id: ClubId,
    body: Annotated[SeriesCreate, Body()],
    caller: CallerDep,
    store: SeriesDep,
    name: CallerNameDep,
) -> Response[SeriesDetail]:
    series = series_logic.create_series(caller, club_id, body, store, name)
    metrics.add_metric(name="RideSeriesCreated", unit="Count", value=1)
    return created(series, f"/ride-series/{series.series_id}")


@app.get("/clubs/<club_id>/ride-series", **documented(TAG, "A club's ride series"))
def list_series(
    club_id: ClubId,
    caller: CallerDep,
    store: SeriesDep,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> SeriesPage:
    items, next_cursor = series_logic.list_series(caller, club_id, limit, cursor, store)
    return SeriesPage(items=items, next_cursor=next_cursor)


@app.get("/ride-series/<series_id>", **documented(TAG, "A ride series and its rule"))
def get_series(series_id: SeriesId, caller: CallerDep, store: SeriesDep) -> SeriesDetail:
    return series_logic.get_series(caller, series_id, store)


@app.put(
    "/ride-series/<series_id>",
    **documented(TAG, "Change a series from one of its dates on, or end the rest"),
)
def update_series(
    series_id: SeriesId,
    body: Annotated[SeriesUpdate, Body()],
    caller: CallerDep,
    store: SeriesDep,
) -> SeriesDetail:
    return series_logic.update_series(caller, series_id, body, store)


@app.put(
    "/ride-series/<series_id>/regulars/me",
    **documented(TAG, "Join the series' upcoming rides and every new one"),
)
def become_regular(
    series_id: SeriesId,
    caller: CallerDep,
    store: SeriesDep,
    rides: StoreDep,
    name: CallerNameDep,
) -> RegularPlace:
    return series_logic.become_regular(caller, series_id, store, rides, name)


@app.delete(
    "/ride-series/<series_id>/regulars/me",
    **documented(TAG, "Stop joining the series' new rides", success=(204,)),
)
def stop_being_regular(series_id: SeriesId, caller: CallerDep, store: SeriesDep) -> Response[None]:
    series_logic.stop_being_regular(caller, series_id, store)
    return Response(status_code=204)


handler = make_handler(app)
