"""The one declarative authorization matrix: every API route x every persona -> status.

The unit tests check it against the Authorization Service (a 2xx or an authorized 409
needs the route's capability, a 403 must lack it); the e2e test sends every cell over HTTP
through the local platform. Requests are shaped so that an authorized caller gets a
deterministic answer without disturbing the other cells (stale versions, a duplicate
name), and the world is rebuilt for cells that change it.
"""

from dataclasses import dataclass

from shared.authz import MembershipView
from shared.domain.enums import ClubRole, MembershipStatus, SystemRole

PERSONAS = (
    "anonymous",
    "rider",  # signed in, no membership of the club
    "pending",
    "member",
    "leader",
    "admin",  # the club's admin
    "suspended",
    "removed",
    "other_admin",  # admin of another club
    "site_admin",
)
SIGNED_IN = PERSONAS[1:]

_MEMBERSHIPS: dict[str, tuple[ClubRole, MembershipStatus]] = {
    "pending": (ClubRole.MEMBER, MembershipStatus.PENDING),
    "member": (ClubRole.MEMBER, MembershipStatus.ACTIVE),
    "leader": (ClubRole.RIDE_LEADER, MembershipStatus.ACTIVE),
    "admin": (ClubRole.ADMIN, MembershipStatus.ACTIVE),
    "suspended": (ClubRole.MEMBER, MembershipStatus.SUSPENDED),
    "removed": (ClubRole.MEMBER, MembershipStatus.REMOVED),
}


def persona_principal(
    persona: str, club_id: str, other_club_id: str
) -> tuple[SystemRole, MembershipView | None]:
    """The persona as the Authorization Service sees it (user id = persona name)."""
    role = SystemRole.SITE_ADMIN if persona == "site_admin" else SystemRole.USER
    if persona in _MEMBERSHIPS:
        club_role, status = _MEMBERSHIPS[persona]
        return role, MembershipView(club_id, persona, club_role, status)
    if persona == "other_admin":
        return role, MembershipView(other_club_id, persona, ClubRole.ADMIN, MembershipStatus.ACTIVE)
    return role, None


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    expected: dict[str, int]
    # Cells whose 409 comes from the caller's own state, not from an authorized request.
    state_conflicts: frozenset[str] = frozenset()
    # Cells that change the world: each gets a fresh one.
    mutates: bool = False
    # For routes about a membership or a participation: whose it is.
    target: str | None = None
    # The capability the route's handler asks the Authorization Service for. The e2e test
    # checks it against what the handler really refuses; the unit test checks the
    # statuses against the Authorization Service with it.
    capability: str = ""
    # When the target is the caller, the capability asked instead (leave, withdraw).
    own_capability: str | None = None
    # Routes about the world's ride (a members-only ride the club admin leads).
    about_ride: bool = False
    # Sent over HTTP by the e2e matrix (False only where the answer would destroy the
    # personas the other cells use; its own e2e test sends it).
    over_http: bool = True

    def capability_for(self, persona: str) -> str:
        if self.own_capability and persona == self.target:
            return self.own_capability
        return self.capability


def _all(status: int, **overrides: int) -> dict[str, int]:
    return {"anonymous": 401, **dict.fromkeys(SIGNED_IN, status), **overrides}


MATRIX: tuple[RouteCase, ...] = (
    RouteCase("GET", "/clubs", _all(200), capability="list_clubs"),
    RouteCase("GET", "/clubs/{club_id}", _all(200), capability="view_club"),
    # A duplicate name: the SiteAdmin is authorized and meets the uniqueness rule.
    RouteCase("POST", "/clubs", _all(403, site_admin=409), capability="create_club"),
    # A stale version: club admin and SiteAdmin are authorized and lose the version check.
    RouteCase(
        "PUT", "/clubs/{club_id}", _all(403, admin=409, site_admin=409), capability="edit_club"
    ),
    # The club's audit log: its admins and SiteAdmins; the platform's: SiteAdmins.
    RouteCase(
        "GET",
        "/clubs/{club_id}/audit",
        _all(403, admin=200, site_admin=200),
        capability="edit_club",
    ),
    RouteCase("GET", "/audit", _all(403, site_admin=200), capability="manage_users"),
    # The club's statistics: its admins and SiteAdmins.
    RouteCase(
        "GET",
        "/clubs/{club_id}/stats",
        _all(403, admin=200, site_admin=200),
        capability="edit_club",
    ),
    RouteCase(
        "POST",
        "/clubs/{club_id}/memberships",
        _all(409, rider=201, other_admin=201, site_admin=201, removed=403),
        state_conflicts=frozenset({"pending", "member", "leader", "admin", "suspended"}),
        capability="join_club",
    ),
    RouteCase(
        "GET",
        "/clubs/{club_id}/memberships",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        capability="view_members",
    ),
    # The member reads their own; the club's active members and the SiteAdmin read it too.
    RouteCase(
        "GET",
        "/memberships/{membership_id}",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        target="member",
        capability="view_members",
        own_capability="list_clubs",
    ),
    # A stale version on the member's membership; the member may not change their own.
    RouteCase(
        "PUT",
        "/memberships/{membership_id}",
        _all(403, admin=409, site_admin=409),
        target="member",
        capability="manage_memberships",
    ),
    # The member leaves; the admins remove them.
    RouteCase(
        "DELETE",
        "/memberships/{membership_id}",
        _all(403, member=200, admin=200, site_admin=200),
        mutates=True,
        target="member",
        capability="manage_memberships",
        own_capability="leave",
    ),
    RouteCase("GET", "/users/me/memberships", _all(200), capability="list_clubs"),
    # Rides near a point: every signed-in rider searches; what each sees is narrowed by
    # visibility (tests/service/test_ride_discovery.py).
    RouteCase("GET", "/rides", _all(200), capability="list_clubs"),
    RouteCase("GET", "/users/me/rides", _all(200), capability="list_clubs"),
    RouteCase("GET", "/users/me/calendar-feed", _all(200), capability="list_clubs"),
    RouteCase("POST", "/users/me/calendar-feed", _all(201), capability="list_clubs"),
    RouteCase("DELETE", "/users/me/calendar-feed", _all(204), capability="list_clubs"),
    # Everyone has a profile already: registration returns it.
    RouteCase("POST", "/users", _all(200), capability="list_clubs"),
    RouteCase("GET", "/users/me", _all(200), capability="list_clubs"),
    # One's own data export: anyone signed in asks for theirs and reads where it is.
    RouteCase("POST", "/users/me/export", _all(202), capability="list_clubs"),
    RouteCase("GET", "/users/me/export", _all(200), capability="list_clubs"),
    # Deleting one's account: the club's only admins (here and in the other club) hand
    # over first, a SiteAdmin is demoted first; everyone else's deletion is accepted.
    # tests/e2e/test_account_deletion.py sends it over HTTP.
    RouteCase(
        "DELETE",
        "/users/me",
        _all(202, admin=409, other_admin=409, site_admin=409),
        capability="list_clubs",
        over_http=False,
    ),
    # The member's profile: in full for themself and SiteAdmins, the public part for others.
    RouteCase("GET", "/users/{user_id}", _all(200), target="member", capability="list_clubs"),
    RouteCase("POST", "/users/me/avatar", _all(200), capability="list_clubs"),
    # Confirming an upload that never happened under one's own prefix.
    RouteCase("PUT", "/users/me/avatar", _all(404), capability="list_clubs"),
    # Promoting the member with a stale version: SiteAdmins only, and never oneself.
    RouteCase(
        "PUT",
        "/users/{user_id}",
        _all(403, site_admin=409),
        target="member",
        capability="manage_users",
    ),
    RouteCase(
        "POST",
        "/clubs/{club_id}/rides",
        _all(403, leader=201, admin=201, site_admin=201),
        capability="manage_rides",
    ),
    RouteCase("GET", "/clubs/{club_id}/rides", _all(200), capability="view_club"),
    # Ride series: the world's is members-only, started by the club admin.
    RouteCase(
        "POST",
        "/clubs/{club_id}/ride-series",
        _all(403, leader=201, admin=201, site_admin=201),
        capability="manage_rides",
    ),
    RouteCase("GET", "/clubs/{club_id}/ride-series", _all(200), capability="view_club"),
    RouteCase(
        "GET",
        "/ride-series/{series_id}",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        about_ride=True,
        capability="view_ride",
    ),
    # A stale version: ride managers are authorized and lose the version check.
    RouteCase(
        "PUT",
        "/ride-series/{series_id}",
        _all(403, leader=409, admin=409, site_admin=409),
        about_ride=True,
        capability="manage_rides",
    ),
    # Members become its regulars; a SiteAdmin without a membership rides nothing.
    RouteCase(
        "PUT",
        "/ride-series/{series_id}/regulars/me",
        _all(403, member=200, leader=200, admin=200),
        about_ride=True,
        capability="join_ride",
    ),
    # One's own standing order: anyone may end theirs (there is none to end: still 204).
    RouteCase("DELETE", "/ride-series/{series_id}/regulars/me", _all(204), capability="list_clubs"),
    RouteCase(
        "GET",
        "/rides/{ride_id}",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        about_ride=True,
        capability="view_ride",
    ),
    # A stale version: ride managers are authorized and lose the version check.
    RouteCase(
        "PUT",
        "/rides/{ride_id}",
        _all(403, leader=409, admin=409, site_admin=409),
        about_ride=True,
        capability="manage_rides",
    ),
    RouteCase(
        "GET",
        "/rides/{ride_id}/participations",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        about_ride=True,
        capability="view_members",
    ),
    # The admin created (and so leads) the ride and the member joined it already: both
    # are authorized and meet a conflict.
    RouteCase(
        "POST",
        "/rides/{ride_id}/participations",
        _all(403, member=409, leader=201, admin=409),
        about_ride=True,
        capability="join_ride",
    ),
    # Removing the member from the ride with a stale version: ride managers only.
    RouteCase(
        "PUT",
        "/participations/{participation_id}",
        _all(403, leader=409, admin=409, site_admin=409),
        about_ride=True,
        target="member",
        capability="manage_rides",
    ),
    # Every signed-in user manages their own notification settings and phones.
    RouteCase("GET", "/users/me/notification-preferences", _all(200), capability="list_clubs"),
    # A stale version: everyone is authorized and loses the version check.
    RouteCase("PUT", "/users/me/notification-preferences", _all(409), capability="list_clubs"),
    RouteCase("POST", "/users/me/devices", _all(201), capability="list_clubs"),
    RouteCase("GET", "/users/me/devices", _all(200), capability="list_clubs"),
    # A device nobody registered.
    RouteCase("DELETE", "/users/me/devices/{device_id}", _all(404), capability="list_clubs"),
    # Club logos: the club's admins upload (no upload by that id: 404); anyone reads (none
    # yet: 404).
    RouteCase(
        "POST",
        "/clubs/{club_id}/logo",
        _all(403, admin=200, site_admin=200),
        capability="edit_club",
    ),
    RouteCase(
        "PUT", "/clubs/{club_id}/logo", _all(403, admin=404, site_admin=404), capability="edit_club"
    ),
    RouteCase("GET", "/clubs/{club_id}/logo", _all(404), capability="view_club"),
    # Ride routes: the ride's managers upload and remove; whoever may see the (members-only)
    # ride reads; the world's ride has no route yet.
    RouteCase(
        "POST",
        "/rides/{ride_id}/route",
        _all(403, leader=200, admin=200, site_admin=200),
        capability="manage_rides",
        about_ride=True,
    ),
    *(
        RouteCase(
            method,
            "/rides/{ride_id}/route",
            _all(403, leader=404, admin=404, site_admin=404),
            capability="manage_rides",
            about_ride=True,
        )
        for method in ("PUT", "DELETE")
    ),
    RouteCase(
        "GET",
        "/rides/{ride_id}/route",
        _all(403, member=404, leader=404, admin=404, site_admin=404),
        capability="view_ride",
        about_ride=True,
    ),
    # Ride attachments: the ride's managers upload, attach (no upload by that id: 404) and
    # remove (no such attachment: 404); whoever may see the members-only ride lists them.
    RouteCase(
        "POST",
        "/rides/{ride_id}/attachments",
        _all(403, leader=200, admin=200, site_admin=200),
        capability="manage_rides",
        about_ride=True,
    ),
    *(
        RouteCase(
            method,
            "/rides/{ride_id}/attachments/{attachment_id}",
            _all(403, leader=404, admin=404, site_admin=404),
            capability="manage_rides",
            about_ride=True,
        )
        for method in ("PUT", "DELETE")
    ),
    RouteCase(
        "GET",
        "/rides/{ride_id}/attachments",
        _all(403, member=200, leader=200, admin=200, site_admin=200),
        capability="view_ride",
        about_ride=True,
    ),
    # Anyone signed in sees anyone's avatar (the member has none: 404).
    RouteCase(
        "GET", "/users/{user_id}/avatar", _all(404), target="member", capability="list_clubs"
    ),
    # Every signed-in user links their own Strava account (nobody has yet: unlinking is 404).
    RouteCase("POST", "/integrations/strava/connect", _all(200), capability="list_clubs"),
    RouteCase("GET", "/integrations/strava", _all(200), capability="list_clubs"),
    RouteCase("DELETE", "/integrations/strava", _all(404), capability="list_clubs"),
    # Club webhooks are the club admins' (and SiteAdmins'): a URL the platform refuses, a
    # listing, and a webhook that does not exist.
    RouteCase(
        "POST",
        "/clubs/{club_id}/webhooks",
        _all(403, admin=422, site_admin=422),
        capability="manage_webhooks",
    ),
    RouteCase(
        "GET",
        "/clubs/{club_id}/webhooks",
        _all(403, admin=200, site_admin=200),
        capability="manage_webhooks",
    ),
    *(
        RouteCase(
            method,
            path,
            _all(403, admin=404, site_admin=404),
            capability="manage_webhooks",
        )
        for method, path in (
            ("PUT", "/clubs/{club_id}/webhooks/{webhook_id}"),
            ("DELETE", "/clubs/{club_id}/webhooks/{webhook_id}"),
            ("GET", "/clubs/{club_id}/webhooks/{webhook_id}/deliveries"),
            ("POST", "/clubs/{club_id}/webhooks/{webhook_id}/secret"),
        )
    ),
)
