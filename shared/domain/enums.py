"""The states and categories of the domain model (`docs/model.md`, `docs/domain.md`)."""

from enum import StrEnum


class SystemRole(StrEnum):
    """Platform-wide role; only SiteAdmins grant it, never to themselves."""

    SITE_ADMIN = "SiteAdmin"
    USER = "User"


class ClubRole(StrEnum):
    """A member's role in one club; admins manage the club, ride leaders its rides."""

    MEMBER = "member"
    RIDE_LEADER = "ride_leader"
    ADMIN = "admin"


class MembershipStatus(StrEnum):
    """Where a membership stands; only `active` grants club capabilities."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    LEFT = "left"
    REMOVED = "removed"


class Discipline(StrEnum):
    """The kinds of riding a club does."""

    ROAD = "road"
    GRAVEL = "gravel"
    MTB = "mtb"
    MIXED = "mixed"


class JoinPolicy(StrEnum):
    """`open`: a join is immediate; `approval`: a join is an application."""

    OPEN = "open"
    APPROVAL = "approval"


class ClubStatus(StrEnum):
    """Archived clubs are kept for their history but take no members or rides."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class RideVisibility(StrEnum):
    """Who sees a ride: the club's active members, or every signed-in user."""

    MEMBERS = "members"
    PUBLIC = "public"


class Surface(StrEnum):
    """What a ride rides on."""

    ROAD = "road"
    GRAVEL = "gravel"
    MTB = "mtb"
    MIXED = "mixed"


class PaceClass(StrEnum):
    """The club's pace groups, fastest (A) to social."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    SOCIAL = "social"


class DropPolicy(StrEnum):
    """Whether the group waits for riders who fall behind."""

    DROP = "drop"
    NO_DROP = "no_drop"
    REGROUP = "regroup"


class RideStatus(StrEnum):
    """A scheduled ride takes riders; cancelled and completed ones do not."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class ParticipationRole(StrEnum):
    """Leaders run the ride, sweeps ride at the back, riders ride."""

    RIDER = "rider"
    LEADER = "leader"
    SWEEP = "sweep"


class ParticipationStatus(StrEnum):
    """Joined riders hold a seat; waitlisted ones wait for one in order."""

    JOINED = "joined"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class Attendance(StrEnum):
    """Marked by the ride's managers once the ride has started."""

    UNKNOWN = "unknown"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
