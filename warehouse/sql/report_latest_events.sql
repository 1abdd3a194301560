-- The latest drone events with their sources.
SELECT event_date, admin1_code, location, attacker, drones_launched, drones_destroyed,
       claimed_by, source, url, title, evidence
FROM drone_attacks
ORDER BY event_date DESC NULLS LAST, admin1_code
LIMIT $limit
