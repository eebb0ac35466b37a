-- Each club's month (UTC, by when it happened): members who joined and left, and riders
-- marked attended or no-show (a corrected mark counts once, as corrected). The club
-- statistics route counts the same, by Sydney day of the ride (docs/club-stats.md).
SELECT
    club_id,
    date_trunc('month', occurred_at) AS month,
    count_if(event_type IN ('user_joined_club', 'membership_approved')) AS members_joined,
    count_if(event_type = 'membership_ended' AND previous_status IN ('active', 'suspended'))
        AS members_left,
    count_if(event_type = 'attendance_marked' AND attendance = 'attended')
        - count_if(event_type = 'attendance_marked' AND previous_attendance = 'attended')
        AS riders_attended,
    count_if(event_type = 'attendance_marked' AND attendance = 'no_show')
        - count_if(event_type = 'attendance_marked' AND previous_attendance = 'no_show')
        AS riders_no_show
FROM (SELECT DISTINCT * FROM events) AS e
WHERE event_type IN (
    'user_joined_club', 'membership_approved', 'membership_ended', 'attendance_marked'
)
GROUP BY club_id, date_trunc('month', occurred_at)
ORDER BY club_id, month
