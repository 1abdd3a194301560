-- Drone attack events with the article's outlet, URL and publication date: the analyst's first stop.
CREATE OR REPLACE VIEW drone_attacks AS
SELECT
    e.*,
    a.source,
    a.url,
    a.title,
    a.published_date,
    a.source_uri
FROM events AS e
JOIN articles AS a USING (article_id)
WHERE e.event_type = 'drone_attack';
