-- The latest incidents, each with links to the articles that report it.
SELECT
    i.event_type,
    i.event_date,
    i.admin1_code,
    i.region_name,
    i.attacker,
    i.drones_destroyed_min,
    i.drones_destroyed_max,
    i.n_articles,
    i.claimants,
    i.conflicting_claims,
    list(DISTINCT {'title': coalesce(a.title, a.source, a.source_uri), 'url': a.url}) AS articles
FROM incidents AS i, unnest(i.event_ids) AS ids(event_id)
JOIN events AS e USING (event_id)
JOIN articles AS a ON a.article_id = e.article_id
GROUP BY ALL
ORDER BY i.event_date DESC NULLS LAST, i.admin1_code
LIMIT $limit
