"""A rider's own schedule: the rides they take part in across their clubs, and a personal
calendar feed of them at a secret URL they can rotate or revoke."""

import hashlib
import secrets
from datetime import datetime, timedelta

from rides.ride_logic import ride_context
from rides.schedule_store import ScheduleStore
from rides.schemas import CalendarFeed, MyRide, ScheduleStatus
from shared.authz import Capability, MembershipView, Principal, holds
from shared.domain.clock import utc_now
from shared.domain.enums import ParticipationStatus
from shared.domain.errors import NotFound
from shared.domain.ride import Participation, Ride

# The feed lists what is coming and the last few weeks (a calendar keeps what it saw).
FEED_PAST = timedelta(days=28)
FEED_LIMIT = 100
# 32 random bytes (RFC 4086's guidance for secrets: far beyond guessing), URL-safe.
_TOKEN_BYTES = 32
_STATUS_FILTERS: dict[ScheduleStatus, tuple[ParticipationStatus, bool]] = {
    ScheduleStatus.JOINED: (ParticipationStatus.JOINED, False),
    ScheduleStatus.WAITLISTED: (ParticipationStatus.WAITLISTED, False),
    ScheduleStatus.LEADING: (ParticipationStatus.JOINED, True),
}


def _visible(
    principal: Principal,
    places: list[Participation],
    rides: dict[str, Ride],
    memberships: dict[str, MembershipView],
) -> list[MyRide]:
    """The places whose ride the rider may still see, as the ride's own page decides."""
    shown = []
    for place in places:
        ride = rides.get(place.ride_id)
        membership = memberships.get(place.club_id)
        if ride and holds(Capability.VIEW_RIDE, principal, membership, ride_context(ride)):
            shown.append(MyRide(ride=ride, participation=place))
    return shown


def my_rides(
    principal: Principal,
    *,
    past: bool,
    status: ScheduleStatus | None,
    limit: int,
    cursor: str | None,
    store: ScheduleStore,
) -> tuple[list[MyRide], str | None]:
    wanted, leading = _STATUS_FILTERS[status] if status else (None, False)
    places, next_cursor = store.places(
        principal.user_id,
        now=utc_now(),
        past=past,
        status=wanted,
        leading=leading,
        limit=limit,
        cursor=cursor,
    )
    rides, memberships = store.rides_and_memberships(places, principal.user_id)
    return _visible(principal, places, rides, memberships), next_cursor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_status(principal: Principal, store: ScheduleStore) -> CalendarFeed:
    current = store.current_feed(principal.user_id)
    if current is None:
        return CalendarFeed(active=False)
    return CalendarFeed(active=True, created_at=datetime.fromisoformat(current["created_at"]))


def new_feed(principal: Principal, store: ScheduleStore, feed_url: str) -> CalendarFeed:
    """A new secret URL; the one before it (if any) stops working in the same step.
    `feed_url` has `{token}` where the token goes."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    now = utc_now()
    current = store.current_feed(principal.user_id)
    store.replace_feed(principal.user_id, current, token_hash(token), now)
    return CalendarFeed(active=True, created_at=now, url=feed_url.format(token=token))


def revoke_feed(principal: Principal, store: ScheduleStore) -> None:
    store.replace_feed(principal.user_id, store.current_feed(principal.user_id), None, utc_now())


def personal_calendar(token: str, store: ScheduleStore) -> list[MyRide]:
    """The rides of the feed's rider: upcoming and the last four weeks, as they may see
    them now. An unknown, rotated or revoked token is a feed that does not exist."""
    owner = store.feed_owner(token_hash(token))
    if owner is None:
        raise NotFound("No such calendar feed.", code="feed_not_found")
    rider = Principal(owner)  # never more than a rider sees, whoever it is
    places, _ = store.places(
        owner,
        now=utc_now() - FEED_PAST,
        past=False,
        status=None,
        leading=False,
        limit=FEED_LIMIT,
        cursor=None,
    )
    rides, memberships = store.rides_and_memberships(places, owner)
    return _visible(rider, places, rides, memberships)
