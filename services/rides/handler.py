"""Rides API: thin HTTP layer over the ride and participation logic."""

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import AwareDatetime

from rides import participation_logic, ride_logic
from rides.calendar_feed import render_calendar
from rides.schemas import (
    PARTICIPATION_ID_PATTERN,
    RIDE_ID_PATTERN,
    UUID_PATTERN,
    ParticipationChange,
    ParticipationList,
    RideCreate,
    RideDetail,
    RidePage,
    RideUpdate,
)
from rides.store import RideStore
from shared.api.auth import caller_display_name, current_principal
from shared.api.resolver import ERROR_RESPONSES, build_resolver, lambda_handler
from shared.authz import Principal
from shared.config import get_settings
from shared.domain.enums import RideStatus
from shared.domain.ride import Participation, Ride
from shared.observability import metrics
from shared.store.client import dynamodb_client
from shared.store.table import Table

app = build_resolver()

CallerDep = Annotated[Principal, Depends(current_principal)]
NameDep = Annotated[str | None, Depends(caller_display_name)]
ClubId = Annotated[str, Path(pattern=UUID_PATTERN, description="The club's id (a UUID)")]
RideId = Annotated[str, Path(pattern=RIDE_ID_PATTERN, description="`{club_id}_{uuid}`")]
ParticipationId = Annotated[
    str, Path(pattern=PARTICIPATION_ID_PATTERN, description="`{ride_id}_{user_id}`")
]
TAGS = ["rides"]


@cache
def get_store() -> RideStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return RideStore(Table(dynamodb_client(), get_settings().table_name))


StoreDep = Annotated[RideStore, Depends(get_store)]


def _created(body: Any, location: str) -> Response[Any]:
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": location},
    )


@app.post("/clubs/<club_id>/rides", summary="Publish a ride", responses=ERROR_RESPONSES, tags=TAGS)
def create_ride(
    club_id: ClubId,
    body: Annotated[RideCreate, Body()],
    caller: CallerDep,
    store: StoreDep,
    name: NameDep,
) -> Response[Ride]:
    ride = ride_logic.create_ride(caller, club_id, body, store, name)
    metrics.add_metric(name="RideCreated", unit="Count", value=1)
    return _created(ride, f"/rides/{ride.ride_id}")


@app.get(
    "/clubs/<club_id>/rides",
    summary="A club's rides by start time (upcoming by default)",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def list_rides(
    club_id: ClubId,
    caller: CallerDep,
    store: StoreDep,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    status: Annotated[RideStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
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
    responses={404: ERROR_RESPONSES[404]},
    tags=TAGS,
)
def ride_calendar(club_id: ClubId, store: StoreDep) -> Response[str]:
    club, rides = ride_logic.public_calendar(club_id, store)
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=render_calendar(club, rides, ride_logic.now()).decode("utf-8"),
        headers={"Cache-Control": "public, max-age=300"},
    )


@app.get(
    "/rides/<ride_id>", summary="A ride with its leaders", responses=ERROR_RESPONSES, tags=TAGS
)
def get_ride(ride_id: RideId, caller: CallerDep, store: StoreDep) -> RideDetail:
    return ride_logic.get_ride(caller, ride_id, store)


@app.put("/rides/<ride_id>", summary="Edit or cancel a ride", responses=ERROR_RESPONSES, tags=TAGS)
def update_ride(
    ride_id: RideId, body: Annotated[RideUpdate, Body()], caller: CallerDep, store: StoreDep
) -> Ride:
    return ride_logic.update_ride(caller, ride_id, body, store)


@app.get(
    "/rides/<ride_id>/participations",
    summary="Riders on a ride and its waitlist, in order",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def list_participations(ride_id: RideId, caller: CallerDep, store: StoreDep) -> ParticipationList:
    return participation_logic.list_participants(caller, ride_id, store)


@app.post(
    "/rides/<ride_id>/participations",
    summary="Join a ride (a seat, or the waitlist when full)",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def join_ride(
    ride_id: RideId, caller: CallerDep, store: StoreDep, name: NameDep
) -> Response[Participation]:
    joined = participation_logic.join_ride(caller, ride_id, store, name)
    metrics.add_metric(name=f"Ride{joined.status.title()}", unit="Count", value=1)
    return _created(joined, f"/participations/{joined.participation_id}")


@app.put(
    "/participations/<participation_id>",
    summary="Withdraw, remove, assign leader/sweep, or mark attendance",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def change_participation(
    participation_id: ParticipationId,
    body: Annotated[ParticipationChange, Body()],
    caller: CallerDep,
    store: StoreDep,
) -> Participation:
    return participation_logic.change_participation(caller, participation_id, body, store)


handler = lambda_handler(app)
