"""Path and query parameters that several services take, declared once."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shared.domain.geo import MAX_RADIUS_KM, NEAR_PATTERN
from shared.domain.ids import (
    MEMBERSHIP_ID_PATTERN,
    PARTICIPATION_ID_PATTERN,
    RIDE_ID_PATTERN,
    UUID_PATTERN,
)

ClubId = Annotated[str, Path(pattern=UUID_PATTERN, description="The club's id (a UUID)")]
UserId = Annotated[str, Path(pattern=UUID_PATTERN, description="The user's id (Cognito sub)")]
MembershipId = Annotated[
    str, Path(pattern=MEMBERSHIP_ID_PATTERN, description="`{club_id}_{user_id}`")
]
RideId = Annotated[str, Path(pattern=RIDE_ID_PATTERN, description="`{club_id}_{uuid}`")]
SeriesId = Annotated[str, Path(pattern=RIDE_ID_PATTERN, description="`{club_id}_{uuid}`")]
ParticipationId = Annotated[
    str, Path(pattern=PARTICIPATION_ID_PATTERN, description="`{ride_id}_{user_id}`")
]
Near = Annotated[
    str,
    Query(
        pattern=NEAR_PATTERN,
        description="`lat,lon` in decimal degrees (latitude within 85 of the equator)",
        examples=["-33.8988,151.2335"],
    ),
]
RadiusKm = Annotated[float, Query(gt=0, le=MAX_RADIUS_KM, description="Around `near`")]
PageLimit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]
