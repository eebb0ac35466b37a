"""Which ride a Strava activity was, and what that changes on the rider's participation.

An activity matches a ride the rider joined (not cancelled) that started between
`before` minutes after the activity's start and `after` minutes before it, i.e. the rider
started recording up to `before` minutes early or `after` minutes late; of two such rides
(two the same morning), the one whose start is nearest the activity's."""

from datetime import datetime, timedelta

from shared.domain.enums import Attendance, ParticipationStatus, RideStatus
from shared.domain.ride import Participation, Ride
from shared.domain.strava import ActivitySummary, AttendanceSource

STRAVA_ACTOR = "strava"


def ride_window(activity_start: datetime, before: int, after: int) -> tuple[datetime, datetime]:
    """Ride starts an activity starting at `activity_start` may belong to."""
    return (activity_start - timedelta(minutes=after), activity_start + timedelta(minutes=before))


def best_match(
    activity_start: datetime, candidates: list[tuple[Ride, Participation]], before: int, after: int
) -> tuple[Ride, Participation] | None:
    earliest, latest = ride_window(activity_start, before, after)
    eligible = [
        (ride, participation)
        for ride, participation in candidates
        if ride.status is not RideStatus.CANCELLED
        and participation.status is ParticipationStatus.JOINED
        and earliest <= ride.start_at <= latest
    ]
    if not eligible:
        return None
    return min(eligible, key=lambda pair: abs(pair[0].start_at - activity_start))


def with_activity(participation: Participation, summary: ActivitySummary) -> Participation:
    """Attended (unless a ride manager already marked attendance, which stands), with the
    activity's summary for the ride's leaders."""
    changes: dict[str, object] = {"strava_activity": summary}
    if participation.attendance_source is not AttendanceSource.LEADER:
        changes["attendance"] = Attendance.ATTENDED
        changes["attendance_source"] = AttendanceSource.STRAVA
    return participation.revised(STRAVA_ACTOR, **changes)


def without_activity(participation: Participation) -> Participation:
    """What a deleted (or no longer matching) activity added, removed again."""
    changes: dict[str, object] = {"strava_activity": None}
    if participation.attendance_source is AttendanceSource.STRAVA:
        changes["attendance"] = Attendance.UNKNOWN
        changes["attendance_source"] = None
    return participation.revised(STRAVA_ACTOR, **changes)
