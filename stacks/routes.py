"""The API's route table: one source for the api stack, the local gateway, the OpenAPI
document and the tests that check each service's resolver serves exactly its routes.

It lives with the stacks (not in the Lambda layer): no function needs it. Which capability
a route asks for is decided by its handler's logic, and the authorization matrix
(`tests/authorization_matrix.py`) is checked against what the handlers really answer.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    # API Gateway resource path, e.g. /clubs/{club_id}
    path: str
    # The bounded context whose Lambda serves the route; None for gateway-answered routes.
    service: str | None
    # Whether the Cognito authorizer guards it (every route except the health check).
    authorized: bool = True


HEALTH = Route("GET", "/health", None, authorized=False)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    Route("GET", "/clubs", "clubs"),
    Route("POST", "/clubs", "clubs"),
    Route("GET", "/clubs/{club_id}", "clubs"),
    Route("PUT", "/clubs/{club_id}", "clubs"),
    Route("POST", "/clubs/{club_id}/memberships", "memberships"),
    Route("GET", "/clubs/{club_id}/memberships", "memberships"),
    Route("PUT", "/memberships/{membership_id}", "memberships"),
    Route("DELETE", "/memberships/{membership_id}", "memberships"),
    Route("GET", "/users/me/memberships", "memberships"),
    Route("POST", "/users", "users"),
    Route("GET", "/users/me", "users"),
    Route("GET", "/users/{user_id}", "users"),
    Route("PUT", "/users/{user_id}", "users"),
    Route("POST", "/users/me/avatar", "users"),
    Route("PUT", "/users/me/avatar", "users"),
    Route("POST", "/clubs/{club_id}/rides", "rides"),
    Route("GET", "/clubs/{club_id}/rides", "rides"),
    # Calendar apps cannot send tokens: public rides of the club only.
    Route("GET", "/clubs/{club_id}/rides.ics", "rides", authorized=False),
    Route("GET", "/rides/{ride_id}", "rides"),
    Route("PUT", "/rides/{ride_id}", "rides"),
    Route("GET", "/rides/{ride_id}/participations", "rides"),
    Route("POST", "/rides/{ride_id}/participations", "rides"),
    Route("PUT", "/participations/{participation_id}", "rides"),
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
