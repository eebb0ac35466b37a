"""The platform's business KPIs: what riders and clubs do, as CloudWatch metrics.

Domain events are counted once each by the Counts consumer (`services/clubs/counts.py`,
a marker item per event, so a redelivery counts nothing); attendance and Strava's sync lag
where they happen. The observability stack draws and alarms on these names
(`stacks/constructs/business_kpis.py`). Dimensions are a small fixed set: each combination
is a metric CloudWatch bills for.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kpi:
    metric: str
    dimensions: dict[str, str] = field(default_factory=dict)


SIGN_UPS = "SignUps"
CLUB_JOINS = "ClubJoins"
CLUB_APPLICATIONS = "ClubApplications"
RIDES_CREATED = "RidesCreated"
RIDES_CANCELLED = "RidesCancelled"
RIDE_JOINS = "RideJoins"
WAITLIST_PROMOTIONS = "WaitlistPromotions"
# Where they happen: `source` is `leader` (a ride manager marked it) or `strava`.
ATTENDANCE_MARKED = "AttendanceMarked"
# Seconds from Strava's event to the attendance it marked (`services/strava/sync.py`).
STRAVA_SYNC_LAG = "StravaSyncLag"

# The domain events that are KPIs, and what each counts.
EVENT_KPIS: dict[str, Kpi] = {
    "user_registered": Kpi(SIGN_UPS),
    "membership_requested": Kpi(CLUB_APPLICATIONS),
    "user_joined_club": Kpi(CLUB_JOINS, {"via": "open"}),
    "membership_approved": Kpi(CLUB_JOINS, {"via": "approval"}),
    "ride_created": Kpi(RIDES_CREATED),
    "ride_cancelled": Kpi(RIDES_CANCELLED),
    "participation_joined": Kpi(RIDE_JOINS, {"place": "seat"}),
    "participation_waitlisted": Kpi(RIDE_JOINS, {"place": "waitlist"}),
    "participation_promoted": Kpi(WAITLIST_PROMOTIONS),
}
# The `service` dimension Powertools adds: the Counts consumer's package.
KPI_SERVICE = "clubs"
