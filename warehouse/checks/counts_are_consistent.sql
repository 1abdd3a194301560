-- Counts are never negative, and no more drones are destroyed than were launched.
-- checks: the rows this build loaded
SELECT 'events' AS table_name, event_id AS key FROM new_events
WHERE drones_launched < 0 OR drones_destroyed < 0 OR killed < 0 OR injured < 0
   OR drones_destroyed > drones_launched
UNION ALL
SELECT 'drone_totals', total_id FROM new_drone_totals
WHERE drones_launched < 0 OR drones_destroyed < 0 OR drones_destroyed > drones_launched
UNION ALL
SELECT 'claims', claim_id FROM new_claims
WHERE drones_launched < 0 OR drones_destroyed < 0 OR killed < 0 OR injured < 0
   OR drones_destroyed > drones_launched
