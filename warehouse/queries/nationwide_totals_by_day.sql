-- Nationwide drone figures per day and country, with who claims them.
SELECT
    t.event_date,
    t.country_code,
    t.drones_launched,
    t.drones_destroyed,
    t.count_qualifier,
    t.claimed_by,
    a.source
FROM drone_totals AS t
JOIN articles AS a USING (article_id)
ORDER BY t.event_date DESC, t.country_code;
