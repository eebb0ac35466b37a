"""Capability derivation from SystemRole + ClubRole + context (`docs/model.md`, `docs/domain.md`).

`capabilities(principal, membership, context)` is the whole rule set; every route names the
capability it needs and calls `require`, so no handler re-implements a rule.
"""

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.enums import ClubRole, MembershipStatus, RideVisibility, SystemRole
from shared.domain.errors import Forbidden


class Capability(StrEnum):
    CREATE_CLUB = "create_club"
    MANAGE_USERS = "manage_users"
    VIEW_CLUB = "view_club"
    LIST_CLUBS = "list_clubs"
    JOIN_CLUB = "join_club"
    EDIT_CLUB = "edit_club"
    VIEW_MEMBERS = "view_members"
    # Pending, rejected and other non-active memberships (the domain's "pending/rejected lists").
    VIEW_APPLICATIONS = "view_applications"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    MANAGE_RIDES = "manage_rides"
    VIEW_RIDE = "view_ride"
    JOIN_RIDE = "join_ride"
    WITHDRAW = "withdraw"
    LEAVE = "leave"
    # Register, list and remove the club's webhooks, and read their delivery logs.
    MANAGE_WEBHOOKS = "manage_webhooks"


@dataclass(frozen=True)
class Principal:
    """The signed-in caller, from the verified token's claims."""

    user_id: str
    system_role: SystemRole = SystemRole.USER

    @property
    def is_site_admin(self) -> bool:
        return self.system_role is SystemRole.SITE_ADMIN


@dataclass(frozen=True)
class MembershipView:
    """What authorization needs of the caller's membership of the club in context."""

    club_id: str
    user_id: str
    club_role: ClubRole
    status: MembershipStatus


@dataclass(frozen=True)
class AuthzContext:
    """The resource a decision is about. Empty fields mean "not about such a resource"."""

    club_id: str | None = None
    ride_visibility: RideVisibility | None = None
    # Owner of the participation or membership acted on (for withdraw / leave).
    subject_user_id: str | None = None


_ALWAYS = frozenset({Capability.VIEW_CLUB, Capability.LIST_CLUBS})
_SITE_ADMIN = frozenset(
    {
        Capability.CREATE_CLUB,
        Capability.MANAGE_USERS,
        Capability.EDIT_CLUB,
        Capability.VIEW_MEMBERS,
        Capability.VIEW_APPLICATIONS,
        Capability.MANAGE_MEMBERSHIPS,
        Capability.MANAGE_RIDES,
        Capability.MANAGE_WEBHOOKS,
    }
)
_BY_CLUB_ROLE: dict[ClubRole, frozenset[Capability]] = {
    ClubRole.MEMBER: frozenset({Capability.VIEW_MEMBERS, Capability.JOIN_RIDE}),
    ClubRole.RIDE_LEADER: frozenset(
        {Capability.VIEW_MEMBERS, Capability.JOIN_RIDE, Capability.MANAGE_RIDES}
    ),
    ClubRole.ADMIN: frozenset(
        {
            Capability.VIEW_MEMBERS,
            Capability.JOIN_RIDE,
            Capability.MANAGE_RIDES,
            Capability.EDIT_CLUB,
            Capability.VIEW_APPLICATIONS,
            Capability.MANAGE_MEMBERSHIPS,
            Capability.MANAGE_WEBHOOKS,
        }
    ),
}
# A user may (re)join unless an application is open, they are in, or they were removed.
_REJOINABLE = frozenset({MembershipStatus.LEFT, MembershipStatus.REJECTED})
# Leaving (or withdrawing an application) stays possible for these states.
_LEAVABLE = frozenset(
    {MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED, MembershipStatus.PENDING}
)


def capabilities(
    principal: Principal,
    membership: MembershipView | None = None,
    context: AuthzContext | None = None,
) -> frozenset[Capability]:
    """Everything `principal` may do in `context`, given their membership of its club."""
    context = context or AuthzContext()
    if membership is not None and (
        membership.user_id != principal.user_id
        or (context.club_id is not None and membership.club_id != context.club_id)
    ):
        # A membership of someone else, or of another club, grants nothing here.
        membership = None

    granted = set(_ALWAYS)
    if principal.is_site_admin:
        granted |= _SITE_ADMIN

    if membership is None or membership.status in _REJOINABLE:
        granted.add(Capability.JOIN_CLUB)
    if membership is not None:
        if membership.status is MembershipStatus.ACTIVE:
            granted |= _BY_CLUB_ROLE[membership.club_role]
        if membership.status in _LEAVABLE:
            granted.add(Capability.LEAVE)

    # Viewing a ride is only decided with a ride in context.
    if context.ride_visibility is not None and (
        context.ride_visibility is RideVisibility.PUBLIC
        or principal.is_site_admin
        or (membership is not None and membership.status is MembershipStatus.ACTIVE)
    ):
        granted.add(Capability.VIEW_RIDE)

    if context.subject_user_id == principal.user_id:
        granted.add(Capability.WITHDRAW)
    return frozenset(granted)


def holds(
    capability: Capability,
    principal: Principal,
    membership: MembershipView | None = None,
    context: AuthzContext | None = None,
) -> bool:
    """Whether `principal` holds `capability` here (for answers that depend on it)."""
    return capability in capabilities(principal, membership, context)


def require(
    capability: Capability,
    principal: Principal,
    membership: MembershipView | None = None,
    context: AuthzContext | None = None,
) -> None:
    """Raise `Forbidden` unless `principal` holds `capability` here."""
    if not holds(capability, principal, membership, context):
        raise Forbidden(
            f"This action needs the '{capability}' capability.",
            code="forbidden",
            details={"capability": str(capability)},
        )
