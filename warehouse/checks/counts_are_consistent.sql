-- Counts are never negative, and no more drones are destroyed than were launched.
SELECT 'events' AS table_name, event_id AS key FROM events
WHERE drones_launched < 0 OR drones_destroyed < 0 OR killed < 0 OR injured < 0
   OR drones_destroyed > drones_launched
UNION ALL
SELECT 'drone_totals', total_id FROM drone_totals
WHERE drones_launched < 0 OR drones_destroyed < 0 OR drones_destroyed > drones_launched
UNION ALL
SELECT 'claims', claim_id FROM claims
WHERE drones_launched < 0 OR drones_destroyed < 0 OR killed < 0 OR injured < 0
   OR drones_destroyed > drones_launched
