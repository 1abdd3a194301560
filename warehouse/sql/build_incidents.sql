-- Merge the event rows of all articles into incidents: same type, date, region and attacker.
-- The id is a hash of that key, so an incident keeps its id when new articles join it.
-- Only the incidents this build's events report (new_events: every event in a full build) are
-- computed again; the others are made of events that have not changed.
CREATE OR REPLACE TEMP TABLE changed_incidents AS
SELECT DISTINCT event_type, event_date, admin1_code, attacker FROM new_events;

DELETE FROM incidents AS i
USING changed_incidents AS c
WHERE i.event_type = c.event_type
  AND i.event_date IS NOT DISTINCT FROM c.event_date
  AND i.admin1_code = c.admin1_code
  AND i.attacker IS NOT DISTINCT FROM c.attacker;

INSERT INTO incidents BY NAME
SELECT
    substr(md5(concat_ws('|', e.event_type, coalesce(e.event_date::VARCHAR, ''), e.admin1_code,
                         coalesce(e.attacker, ''))), 1, 20) AS incident_id,
    e.event_type,
    e.event_date,
    e.admin1_code,
    any_value(r.name) AS region_name,
    e.attacker,
    count(*) AS n_reports,
    count(DISTINCT e.article_id) AS n_articles,
    count(DISTINCT coalesce(a.source, 'article:' || a.article_id)) AS n_sources,
    min(e.drones_launched) AS drones_launched_min,
    max(e.drones_launched) AS drones_launched_max,
    min(e.drones_destroyed) AS drones_destroyed_min,
    max(e.drones_destroyed) AS drones_destroyed_max,
    count(DISTINCT e.drones_destroyed) > 1 OR count(DISTINCT e.drones_launched) > 1 AS conflicting_claims,
    string_agg(DISTINCT e.claimed_by, '; ' ORDER BY e.claimed_by) AS claimants,
    string_agg(DISTINCT a.source, '; ' ORDER BY a.source) AS sources,
    min(a.published_date) AS first_published,
    max(a.published_date) AS last_published,
    list(e.event_id ORDER BY e.event_id) AS event_ids
FROM events AS e
JOIN changed_incidents AS c
  ON e.event_type = c.event_type
 AND e.event_date IS NOT DISTINCT FROM c.event_date
 AND e.admin1_code = c.admin1_code
 AND e.attacker IS NOT DISTINCT FROM c.attacker
JOIN articles AS a ON a.article_id = e.article_id
LEFT JOIN admin1_regions AS r ON r.admin1_code = e.admin1_code
GROUP BY e.event_type, e.event_date, e.admin1_code, e.attacker
