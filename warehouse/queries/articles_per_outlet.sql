-- How many articles each outlet contributed, and how many of them reported drone events.
SELECT
    coalesce(a.source, 'unknown') AS outlet,
    count(*) AS articles,
    count(*) FILTER (WHERE e.article_id IS NOT NULL) AS articles_with_events,
    min(a.published_date) AS first_published,
    max(a.published_date) AS last_published
FROM articles AS a
LEFT JOIN (SELECT DISTINCT article_id FROM events) AS e USING (article_id)
GROUP BY ALL
ORDER BY articles DESC;
