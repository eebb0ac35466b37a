-- Of the riders who signed up in a month (their cohort), how many were active (took a place
-- on a ride, or attended one) each month after.
WITH registered AS (
    SELECT user_id, date_trunc('month', min(occurred_at)) AS cohort
    FROM events
    WHERE event_type = 'user_registered'
    GROUP BY user_id
),
cohorts AS (
    SELECT cohort, count(*) AS riders FROM registered GROUP BY cohort
),
active AS (
    SELECT DISTINCT user_id, date_trunc('month', occurred_at) AS month
    FROM events
    WHERE event_type IN ('participation_joined', 'participation_waitlisted', 'attendance_marked')
)
SELECT
    r.cohort,
    c.riders AS cohort_riders,
    date_diff('month', r.cohort, a.month) AS months_after,
    count(DISTINCT a.user_id) AS active_riders
FROM registered r
JOIN cohorts c ON c.cohort = r.cohort
JOIN active a ON a.user_id = r.user_id AND a.month >= r.cohort
GROUP BY r.cohort, c.riders, date_diff('month', r.cohort, a.month)
ORDER BY 1, 3
