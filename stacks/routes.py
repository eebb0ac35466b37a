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
    # Why a route without the authorizer is safe (the cdk-nag acknowledgement's reason).
    public_because: str = ""
    # Its own throttle (requests per second, burst), below the stage's: anonymous callers
    # of a public route cannot use up the budget signed-in riders share.
    throttle: tuple[int, int] | None = None
    # Seconds API Gateway may cache its answers (keyed on the path parameters) where the
    # stage has a cache; only for answers that are the same for every caller.
    cache_seconds: int = 0


HEALTH = Route(
    "GET",
    "/health",
    None,
    authorized=False,
    public_because="The health check touches no data and answers from a mock integration.",
)

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
    Route(
        "GET",
        "/clubs/{club_id}/rides.ics",
        "rides",
        authorized=False,
        public_because="A public iCalendar feed of a club's public rides: calendar apps "
        "subscribe by URL and cannot send tokens; it serves nothing else.",
        # Calendar apps poll every few minutes or hours; five minutes late is on time.
        throttle=(20, 40),
        cache_seconds=300,
    ),
    Route("GET", "/rides/{ride_id}", "rides"),
    Route("PUT", "/rides/{ride_id}", "rides"),
    Route("GET", "/rides/{ride_id}/participations", "rides"),
    Route("POST", "/rides/{ride_id}/participations", "rides"),
    Route("PUT", "/participations/{participation_id}", "rides"),
    Route("POST", "/clubs/{club_id}/webhooks", "webhooks"),
    Route("GET", "/clubs/{club_id}/webhooks", "webhooks"),
    Route("PUT", "/clubs/{club_id}/webhooks/{webhook_id}", "webhooks"),
    Route("DELETE", "/clubs/{club_id}/webhooks/{webhook_id}", "webhooks"),
    Route("GET", "/clubs/{club_id}/webhooks/{webhook_id}/deliveries", "webhooks"),
    Route("POST", "/clubs/{club_id}/webhooks/{webhook_id}/secret", "webhooks"),
    Route("POST", "/clubs/{club_id}/logo", "media"),
    Route("PUT", "/clubs/{club_id}/logo", "media"),
    Route("GET", "/clubs/{club_id}/logo", "media"),
    Route("POST", "/rides/{ride_id}/route", "media"),
    Route("PUT", "/rides/{ride_id}/route", "media"),
    Route("GET", "/rides/{ride_id}/route", "media"),
    Route("DELETE", "/rides/{ride_id}/route", "media"),
    Route("POST", "/rides/{ride_id}/attachments", "media"),
    Route("GET", "/rides/{ride_id}/attachments", "media"),
    Route("PUT", "/rides/{ride_id}/attachments/{attachment_id}", "media"),
    Route("DELETE", "/rides/{ride_id}/attachments/{attachment_id}", "media"),
    Route("GET", "/users/{user_id}/avatar", "media"),
    Route(
        "GET",
        "/rides/{ride_id}/route.gpx",
        "media",
        authorized=False,
        public_because="A public ride's GPX, linked from its public calendar event: it "
        "redirects to the route's CloudFront copy for public rides only (members-only: 404).",
        throttle=(20, 40),
    ),
    Route("POST", "/integrations/strava/connect", "strava"),
    Route("GET", "/integrations/strava", "strava"),
    Route("DELETE", "/integrations/strava", "strava"),
    Route(
        "GET",
        "/integrations/strava/callback",
        "strava",
        authorized=False,
        public_because="Strava redirects the rider's browser here, which carries no token: "
        "the signed, single-use, short-lived OAuth state names the rider.",
    ),
    *(
        Route(
            method,
            "/webhooks/strava/{callback_secret}",
            "strava",
            authorized=False,
            public_because="Strava's push subscription calls it without credentials: the "
            "path carries a secret (404 otherwise), the handshake needs our verify token, "
            "events must name our subscription, and an event is only a hint checked with "
            "the athlete's own token before anything changes.",
        )
        for method in ("GET", "POST")
    ),
    Route("GET", "/users/me/notification-preferences", "notifications"),
    Route("PUT", "/users/me/notification-preferences", "notifications"),
    Route("POST", "/users/me/devices", "notifications"),
    Route("GET", "/users/me/devices", "notifications"),
    Route("DELETE", "/users/me/devices/{device_id}", "notifications"),
    # E-mail links: signed tokens instead of a sign-in (mail clients POST for one-click).
    *(
        Route(
            method,
            "/notifications/unsubscribe",
            "notifications",
            authorized=False,
            public_because="One-click unsubscribe from an e-mail (RFC 8058): the link carries "
            "an HMAC-signed token naming the user and category; it can only turn e-mail off.",
        )
        for method in ("GET", "POST")
    ),
)

# Handler entry point of each service's Lambda (module path inside its asset).
SERVICE_HANDLERS: dict[str, str] = {
    "clubs": "clubs.handler.handler",
    "memberships": "memberships.handler.handler",
    "rides": "rides.handler.handler",
    "users": "users.handler.handler",
    "notifications": "notifications.handler.handler",
    "webhooks": "webhooks.handler.handler",
    "strava": "strava.handler.handler",
    "media": "media.handler.handler",
}
# The Cognito triggers (not API routes): the local platform runs them where Cognito would.
TRIGGER_HANDLERS: dict[str, str] = {
    "post_confirmation": "identity.post_confirmation.handler",
    "pre_token_generation": "identity.pre_token_generation.handler",
}


def service_routes(service: str) -> list[Route]:
    return [route for route in ROUTES if route.service == service]
