-- Which regions were hit the night of 2024-04-05, and who says so? (change the date)
SELECT admin1_code, location, attacker, drones_destroyed, claimed_by, source, url, evidence
FROM drone_attacks
WHERE event_date = DATE '2024-04-05'
ORDER BY admin1_code, claimed_by;
