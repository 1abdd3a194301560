-- How many drones did each side claim to down, per region, week by week?
SELECT
    date_trunc('week', event_date) AS week,
    admin1_code,
    region_name,
    attacker,
    sum(drones_destroyed) AS drones_destroyed,
    sum(attacks_reported) AS reports
FROM daily_region_claims
WHERE event_date IS NOT NULL
GROUP BY ALL
ORDER BY week, admin1_code, attacker;
