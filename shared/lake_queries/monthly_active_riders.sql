-- Riders active each month (UTC): distinct riders who took or waited for a place on a ride,
-- or whose attendance was marked.
SELECT
    date_trunc('month', occurred_at) AS month,
    count(DISTINCT user_id) AS active_riders
FROM (SELECT DISTINCT * FROM events) AS e
WHERE event_type IN ('participation_joined', 'participation_waitlisted', 'attendance_marked')
GROUP BY 1
ORDER BY 1
