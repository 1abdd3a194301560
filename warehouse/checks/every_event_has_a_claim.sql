-- Every event has at least one claim, and every claim supports an event of its own article.
-- checks: the rows this build loaded
SELECT 'event without a claim' AS problem, e.event_id AS key
FROM new_events AS e
WHERE NOT EXISTS (SELECT 1 FROM claims AS c WHERE c.event_id = e.event_id)
UNION ALL
SELECT 'claim whose event is missing', c.claim_id
FROM new_claims AS c
WHERE NOT EXISTS (
    SELECT 1 FROM events AS e WHERE e.event_id = c.event_id AND e.article_id = c.article_id
)
