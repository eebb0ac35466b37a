"""Rides API: thin HTTP layer over the ride and participation logic."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from rides import participation_logic, ride_logic
from rides.calendar_feed import render_calendar
from rides.schemas import (
    JoinedRide,
    ListingBound,
    ParticipationChange,
    ParticipationList,
    RideCreate,
    RideDetail,
    RidePage,
    RideUpdate,
)
from rides.store import RideStore
from shared.adapters.configuration import parameter_value
from shared.api.auth import CallerDep, CallerNameDep
from shared.api.params import ClubId, Cursor, PageLimit, ParticipationId, RideId
from shared.api.resolver import ERROR_RESPONSES, build_resolver, documented, make_handler
from shared.api.responses import created
from shared.domain.clock import utc_now
from shared.domain.enums import RideStatus
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
        body=render_calendar(club, rides, utc_now(), _api_url()).decode("utf-8"),
        headers={"Cache-Control": "public, max-age=300"},
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


handler = make_handler(app)
