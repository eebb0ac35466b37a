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
    # Whether the Cognito authorizer guards it (every route except the health check).
    authorized: bool = True


HEALTH = Route("GET", "/health", None, authorized=False)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    Route("GET", "/clubs", "clubs"),
    Route("POST", "/clubs", "clubs"),
    Route("GET", "/clubs/{club_id}", "clubs"),
    Route("PUT", "/clubs/{club_id}", "clubs"),
)

# Handler entry point of each service's Lambda (module path inside its asset).
SERVICE_HANDLERS: dict[str, str] = {"clubs": "clubs.handler.handler"}


def service_routes(service: str) -> list[Route]:
    return [route for route in ROUTES if route.service == service]
