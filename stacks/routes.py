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
    # Short, stable and verb-first (`createRide`): the method name every generated client
    # (TypeScript, Swift, Kotlin, Python) gives the call. Changing one breaks clients.
    operation_id: str = ""


HEALTH = Route(
    "GET",
    "/health",
    None,
    operation_id="getHealth",
    authorized=False,
    public_because="The health check touches no data and answers from a mock integration.",
)

ROUTES: tuple[Route, ...] = (
    HEALTH,
    Route("GET", "/clubs", "clubs", operation_id="listClubs"),
    Route("POST", "/clubs", "clubs", operation_id="createClub"),
    Route("GET", "/clubs/{club_id}", "clubs", operation_id="getClub"),
    Route("PUT", "/clubs/{club_id}", "clubs", operation_id="updateClub"),
    Route("GET", "/clubs/{club_id}/audit", "clubs", operation_id="listClubAudit"),
    Route("GET", "/audit", "clubs", operation_id="listPlatformAudit"),
    Route("GET", "/clubs/{club_id}/stats", "clubs", operation_id="getClubStats"),
    Route("POST", "/clubs/{club_id}/memberships", "memberships", operation_id="joinClub"),
    Route("GET", "/clubs/{club_id}/memberships", "memberships", operation_id="listClubMemberships"),
    Route("GET", "/memberships/{membership_id}", "memberships", operation_id="getMembership"),
    Route("PUT", "/memberships/{membership_id}", "memberships", operation_id="changeMembership"),
    Route("DELETE", "/memberships/{membership_id}", "memberships", operation_id="endMembership"),
    Route("GET", "/users/me/memberships", "memberships", operation_id="listMyMemberships"),
    Route("POST", "/users", "users", operation_id="createUser"),
    Route("GET", "/users/me", "users", operation_id="getMe"),
    Route("DELETE", "/users/me", "users", operation_id="deleteMe"),
    Route("POST", "/users/me/export", "users", operation_id="startExport"),
    Route("GET", "/users/me/export", "users", operation_id="getExport"),
    Route("GET", "/users/{user_id}", "users", operation_id="getUser"),
    Route("PUT", "/users/{user_id}", "users", operation_id="updateUser"),
    Route("POST", "/users/me/avatar", "users", operation_id="startAvatarUpload"),
    Route("PUT", "/users/me/avatar", "users", operation_id="confirmAvatar"),
    Route("POST", "/clubs/{club_id}/rides", "rides", operation_id="createRide"),
    Route("GET", "/clubs/{club_id}/rides", "rides", operation_id="listClubRides"),
    # Calendar apps cannot send tokens: public rides of the club only.
    Route(
        "GET",
        "/clubs/{club_id}/rides.ics",
        "rides",
        operation_id="getClubCalendar",
        authorized=False,
        public_because="A public iCalendar feed of a club's public rides: calendar apps "
        "subscribe by URL and cannot send tokens; it serves nothing else.",
        # Calendar apps poll every few minutes or hours; five minutes late is on time.
        throttle=(20, 40),
        cache_seconds=300,
    ),
    Route("GET", "/rides", "rides", operation_id="listRidesNear"),
    Route("GET", "/users/me/rides", "rides", operation_id="listMyRides"),
    Route("POST", "/clubs/{club_id}/ride-series", "rides", operation_id="createRideSeries"),
    Route("GET", "/clubs/{club_id}/ride-series", "rides", operation_id="listRideSeries"),
    Route("GET", "/ride-series/{series_id}", "rides", operation_id="getRideSeries"),
    Route("PUT", "/ride-series/{series_id}", "rides", operation_id="updateRideSeries"),
    Route("PUT", "/ride-series/{series_id}/regulars/me", "rides", operation_id="joinRideSeries"),
    Route(
        "DELETE",
        "/ride-series/{series_id}/regulars/me",
        "rides",
        operation_id="endRegularPlace",
    ),
    Route("GET", "/users/me/calendar-feed", "rides", operation_id="getCalendarFeed"),
    Route("POST", "/users/me/calendar-feed", "rides", operation_id="rotateCalendarFeed"),
    Route("DELETE", "/users/me/calendar-feed", "rides", operation_id="deleteCalendarFeed"),
    Route(
        "GET",
        "/calendar-feeds/{feed_token}/rides.ics",
        "rides",
        operation_id="getPersonalCalendar",
        authorized=False,
        public_because="A rider's personal iCalendar feed: calendar apps cannot send tokens, "
        "so its URL carries a 256-bit secret the rider can rotate or revoke (404 otherwise); "
        "it lists only rides the rider may see, read when asked.",
        throttle=(20, 40),
    ),
    Route("GET", "/rides/{ride_id}", "rides", operation_id="getRide"),
    Route("PUT", "/rides/{ride_id}", "rides", operation_id="updateRide"),
    Route("GET", "/rides/{ride_id}/participations", "rides", operation_id="listRideParticipations"),
    Route("POST", "/rides/{ride_id}/participations", "rides", operation_id="joinRide"),
    Route("PUT", "/participations/{participation_id}", "rides", operation_id="changeParticipation"),
    Route("POST", "/clubs/{club_id}/webhooks", "webhooks", operation_id="createWebhook"),
    Route("GET", "/clubs/{club_id}/webhooks", "webhooks", operation_id="listWebhooks"),
    Route(
        "PUT", "/clubs/{club_id}/webhooks/{webhook_id}", "webhooks", operation_id="enableWebhook"
    ),
    Route(
        "DELETE", "/clubs/{club_id}/webhooks/{webhook_id}", "webhooks", operation_id="deleteWebhook"
    ),
    Route(
        "GET",
        "/clubs/{club_id}/webhooks/{webhook_id}/deliveries",
        "webhooks",
        operation_id="listWebhookDeliveries",
    ),
    Route(
        "POST",
        "/clubs/{club_id}/webhooks/{webhook_id}/secret",
        "webhooks",
        operation_id="rotateWebhookSecret",
    ),
    Route("POST", "/clubs/{club_id}/logo", "media", operation_id="startLogoUpload"),
    Route("PUT", "/clubs/{club_id}/logo", "media", operation_id="confirmLogo"),
    Route("GET", "/clubs/{club_id}/logo", "media", operation_id="getClubLogo"),
    Route("POST", "/rides/{ride_id}/route", "media", operation_id="startRouteUpload"),
    Route("PUT", "/rides/{ride_id}/route", "media", operation_id="confirmRoute"),
    Route("GET", "/rides/{ride_id}/route", "media", operation_id="getRideRoute"),
    Route("DELETE", "/rides/{ride_id}/route", "media", operation_id="deleteRideRoute"),
    Route("POST", "/rides/{ride_id}/attachments", "media", operation_id="startAttachmentUpload"),
    Route("GET", "/rides/{ride_id}/attachments", "media", operation_id="listRideAttachments"),
    Route(
        "PUT",
        "/rides/{ride_id}/attachments/{attachment_id}",
        "media",
        operation_id="confirmAttachment",
    ),
    Route(
        "DELETE",
        "/rides/{ride_id}/attachments/{attachment_id}",
        "media",
        operation_id="deleteRideAttachment",
    ),
    Route("GET", "/users/{user_id}/avatar", "media", operation_id="getUserAvatar"),
    Route(
        "GET",
        "/rides/{ride_id}/route.gpx",
        "media",
        operation_id="getPublicRouteFile",
        authorized=False,
        public_because="A public ride's GPX, linked from its public calendar event: it "
        "redirects to the route's CloudFront copy for public rides only (members-only: 404).",
        throttle=(20, 40),
    ),
    Route("POST", "/integrations/strava/connect", "strava", operation_id="connectStrava"),
    Route("GET", "/integrations/strava", "strava", operation_id="getStravaStatus"),
    Route("DELETE", "/integrations/strava", "strava", operation_id="disconnectStrava"),
    Route(
        "GET",
        "/integrations/strava/callback",
        "strava",
        operation_id="handleStravaCallback",
        authorized=False,
        public_because="Strava redirects the rider's browser here, which carries no token: "
        "the signed, single-use, short-lived OAuth state names the rider.",
    ),
    *(
        Route(
            method,
            "/webhooks/strava/{callback_secret}",
            "strava",
            operation_id={"GET": "verifyStravaSubscription", "POST": "receiveStravaEvent"}[method],
            authorized=False,
            public_because="Strava's push subscription calls it without credentials: the "
            "path carries a secret (404 otherwise), the handshake needs our verify token, "
            "events must name our subscription, and an event is only a hint checked with "
            "the athlete's own token before anything changes.",
        )
        for method in ("GET", "POST")
    ),
    Route(
        "GET",
        "/users/me/notification-preferences",
        "notifications",
        operation_id="getNotificationPreferences",
    ),
    Route(
        "PUT",
        "/users/me/notification-preferences",
        "notifications",
        operation_id="updateNotificationPreferences",
    ),
    Route("POST", "/users/me/devices", "notifications", operation_id="registerDevice"),
    Route("GET", "/users/me/devices", "notifications", operation_id="listDevices"),
    Route("DELETE", "/users/me/devices/{device_id}", "notifications", operation_id="deleteDevice"),
    # E-mail links: signed tokens instead of a sign-in (mail clients POST for one-click).
    *(
        Route(
            method,
            "/notifications/unsubscribe",
            "notifications",
            operation_id={"GET": "getUnsubscribePage", "POST": "unsubscribeOneClick"}[method],
            authorized=False,
            public_because="One-click unsubscribe from an e-mail (RFC 8058): the link carries "
            "an HMAC-signed token naming the user and category; it can only turn e-mail off.",
        )
        for method in ("GET", "POST")
    ),
)


def service_routes(service: str) -> list[Route]:
    return [route for route in ROUTES if route.service == service]
