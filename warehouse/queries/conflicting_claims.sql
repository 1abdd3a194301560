-- Incidents whose reports disagree on the number of drones, with who claims what.
SELECT
    i.event_date,
    i.admin1_code,
    i.region_name,
    i.drones_destroyed_min,
    i.drones_destroyed_max,
    i.n_articles,
    i.claimants,
    string_agg(coalesce(e.claimed_by, 'unattributed') || ': ' || coalesce(e.drones_destroyed::VARCHAR, '?'),
               '; ' ORDER BY e.claimed_by) AS claims
FROM incidents AS i, unnest(i.event_ids) AS ids(event_id)
JOIN events AS e USING (event_id)
WHERE i.conflicting_claims
GROUP BY ALL
ORDER BY i.event_date DESC, i.admin1_code;
