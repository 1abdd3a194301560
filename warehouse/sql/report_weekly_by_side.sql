-- Drones claimed destroyed (and events) per week and attacking side.
SELECT
    date_trunc('week', event_date)::DATE AS week,
    coalesce(attacker, 'unknown') AS attacker,
    coalesce(sum(drones_destroyed), 0) AS drones_destroyed,
    count(*) AS events
FROM events
WHERE event_date IS NOT NULL AND event_type = 'drone_attack'
GROUP BY ALL
ORDER BY week, attacker
