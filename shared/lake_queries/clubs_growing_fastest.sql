-- The twenty clubs that gained the most members (joins less leaves) in the last 90 days.
SELECT
    club_id,
    count_if(event_type IN ('user_joined_club', 'membership_approved')) AS joined,
    count_if(event_type = 'membership_ended' AND previous_status IN ('active', 'suspended'))
        AS left_club,
    count_if(event_type IN ('user_joined_club', 'membership_approved'))
        - count_if(event_type = 'membership_ended' AND previous_status IN ('active', 'suspended'))
        AS net_members
FROM (SELECT DISTINCT * FROM events) AS e
WHERE event_type IN ('user_joined_club', 'membership_approved', 'membership_ended')
    AND dt >= cast(current_date - INTERVAL '90' DAY AS varchar)
GROUP BY club_id
ORDER BY net_members DESC, joined DESC, club_id
LIMIT 20
