-- Same day and region, different destroyed counts from different claimants or articles.
SELECT
    event_date,
    admin1_code,
    count(DISTINCT drones_destroyed) AS distinct_counts,
    min(drones_destroyed) AS lowest_claim,
    max(drones_destroyed) AS highest_claim,
    string_agg(DISTINCT coalesce(claimed_by, 'unattributed') || ': ' || drones_destroyed, '; ') AS claims
FROM events
WHERE drones_destroyed IS NOT NULL
GROUP BY event_date, admin1_code
HAVING count(DISTINCT drones_destroyed) > 1
ORDER BY event_date DESC, admin1_code;
