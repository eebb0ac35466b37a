"""The states and categories of the domain model (`domain-v1.md`)."""

from enum import StrEnum


class SystemRole(StrEnum):
    SITE_ADMIN = "SiteAdmin"
    USER = "User"


class ClubRole(StrEnum):
    MEMBER = "member"
    RIDE_LEADER = "ride_leader"
    ADMIN = "admin"


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    LEFT = "left"
    REMOVED = "removed"


class Discipline(StrEnum):
    ROAD = "road"
    GRAVEL = "gravel"
    MTB = "mtb"
    MIXED = "mixed"


class JoinPolicy(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"


class ClubStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class RideVisibility(StrEnum):
    MEMBERS = "members"
    PUBLIC = "public"


class Surface(StrEnum):
    ROAD = "road"
    GRAVEL = "gravel"
    MTB = "mtb"
    MIXED = "mixed"


class PaceClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    SOCIAL = "social"


class DropPolicy(StrEnum):
    DROP = "drop"
    NO_DROP = "no_drop"
    REGROUP = "regroup"


class RideStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class ParticipationRole(StrEnum):
    RIDER = "rider"
    LEADER = "leader"
    SWEEP = "sweep"


class ParticipationStatus(StrEnum):
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class Attendance(StrEnum):
    UNKNOWN = "unknown"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
