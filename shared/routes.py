"""The API's route table: one source for the api stack, the local gateway and the tests
that check each service's resolver serves exactly its routes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    # API Gateway resource path, e.g. /clubs/{club_id}
    path: str
    # The bounded context whose Lambda serves the route; None for gateway-answered routes.
    service: str | None
    # The capabilities the route asks the Authorization Service for (`Capability` values);
    # where the rule depends on the caller's relation to the target there are several.
    capabilities: tuple[str, ...] = ()
    # Whether the Cognito authorizer guards it (every route except the health check).
    authorized: bool = True


HEALTH = Route("GET", "/health", None, authorized=False)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    Route("GET", "/clubs", "clubs", ("list_clubs",)),
    Route("POST", "/clubs", "clubs", ("create_club",)),
    Route("GET", "/clubs/{club_id}", "clubs", ("view_club",)),
    Route("PUT", "/clubs/{club_id}", "clubs", ("edit_club",)),
    Route("POST", "/clubs/{club_id}/memberships", "memberships", ("join_club",)),
    Route(
        "GET", "/clubs/{club_id}/memberships", "memberships", ("view_members", "view_applications")
    ),
    Route("PUT", "/memberships/{membership_id}", "memberships", ("manage_memberships",)),
    # Yourself: leave; someone else: manage_memberships (remove).
    Route("DELETE", "/memberships/{membership_id}", "memberships", ("leave", "manage_memberships")),
    # Any signed-in user, their own memberships only.
    Route("GET", "/users/me/memberships", "memberships", ("list_clubs",)),
    # Profiles: any signed-in user registers and reads their own ("list_clubs" is the
    # capability every signed-in user holds); SiteAdmins read all and change roles.
    Route("POST", "/users", "users", ("list_clubs", "manage_users")),
    Route("GET", "/users/me", "users", ("list_clubs",)),
    Route("GET", "/users/{user_id}", "users", ("list_clubs", "manage_users")),
    Route("PUT", "/users/{user_id}", "users", ("manage_users",)),
    Route("POST", "/users/me/avatar", "users", ("list_clubs",)),
    Route("PUT", "/users/me/avatar", "users", ("list_clubs",)),
    Route("POST", "/clubs/{club_id}/rides", "rides", ("manage_rides",)),
    # Everyone signed in sees public rides; members-only rides need view_ride on them.
    Route("GET", "/clubs/{club_id}/rides", "rides", ("view_club", "view_ride")),
    # Calendar apps cannot send tokens: public rides of the club only.
    Route("GET", "/clubs/{club_id}/rides.ics", "rides", authorized=False),
    Route("GET", "/rides/{ride_id}", "rides", ("view_ride",)),
    Route("PUT", "/rides/{ride_id}", "rides", ("manage_rides",)),
    Route("GET", "/rides/{ride_id}/participations", "rides", ("view_members",)),
    Route("POST", "/rides/{ride_id}/participations", "rides", ("join_ride",)),
    # Yourself: withdraw; ride managers: roles, attendance, removal.
    Route("PUT", "/participations/{participation_id}", "rides", ("withdraw", "manage_rides")),
)

# Handler entry point of each service's Lambda (module path inside its asset).
SERVICE_HANDLERS: dict[str, str] = {
    "clubs": "clubs.handler.handler",
    "memberships": "memberships.handler.handler",
    "rides": "rides.handler.handler",
    "users": "users.handler.handler",
}
# The Cognito triggers (not API routes): the local platform runs them where Cognito would.
TRIGGER_HANDLERS: dict[str, str] = {
    "post_confirmation": "identity.post_confirmation.handler",
    "pre_token_generation": "identity.pre_token_generation.handler",
}


def service_routes(service: str) -> list[Route]:
    return [route for route in ROUTES if route.service == service]
