-- Which nights (or days) saw drone activity in the most regions, and which regions?
SELECT
    event_date,
    count(DISTINCT admin1_code) AS regions,
    string_agg(DISTINCT admin1_code, ', ' ORDER BY admin1_code) AS region_codes,
    sum(drones_destroyed) AS drones_destroyed_claimed
FROM events
WHERE event_type = 'drone_attack' AND event_date IS NOT NULL
GROUP BY event_date
ORDER BY regions DESC, event_date DESC
LIMIT 20;
