-- One row per day x region x claimant: the drone attacks each source claims happened there that day.
CREATE OR REPLACE VIEW daily_region_claims AS
SELECT
    e.event_date,
    e.admin1_code,
    r.name AS region_name,
    e.attacker,
    coalesce(e.claimed_by, 'unattributed') AS claimed_by,
    count(*) AS attacks_reported,
    sum(e.drones_launched) AS drones_launched,
    sum(e.drones_destroyed) AS drones_destroyed,
    max(e.drones_destroyed) AS max_drones_destroyed_in_one_report,
    count(DISTINCT e.article_id) AS articles,
    count(DISTINCT a.source) AS sources,
    string_agg(DISTINCT a.source, '; ' ORDER BY a.source) AS source_names
FROM events AS e
JOIN articles AS a USING (article_id)
LEFT JOIN admin1_regions AS r USING (admin1_code)
WHERE e.event_type = 'drone_attack'
GROUP BY ALL;
