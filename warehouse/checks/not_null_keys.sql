-- No key or required column is null or empty.
-- checks: the rows this build loaded
SELECT 'events' AS table_name, event_id AS key FROM new_events
WHERE coalesce(event_id, '') = '' OR coalesce(article_id, '') = '' OR coalesce(admin1_code, '') = ''
   OR coalesce(country_code, '') = '' OR coalesce(event_type, '') = ''
UNION ALL
SELECT 'drone_totals', total_id FROM new_drone_totals
WHERE coalesce(total_id, '') = '' OR coalesce(article_id, '') = '' OR coalesce(country_code, '') = ''
UNION ALL
SELECT 'claims', claim_id FROM new_claims
WHERE coalesce(claim_id, '') = '' OR coalesce(event_id, '') = '' OR coalesce(article_id, '') = ''
UNION ALL
SELECT 'articles', article_id FROM new_articles WHERE coalesce(article_id, '') = '' OR body IS NULL
