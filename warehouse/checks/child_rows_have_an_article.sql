-- No row points at an article that is not in the articles table.
-- checks: the rows this build loaded
SELECT 'events' AS table_name, article_id FROM new_events WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL SELECT 'drone_totals', article_id FROM new_drone_totals WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL SELECT 'claims', article_id FROM new_claims WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL SELECT 'time_expressions', article_id FROM new_time_expressions WHERE article_id NOT IN (SELECT article_id FROM articles)
UNION ALL SELECT 'removed_lines', article_id FROM new_removed_lines WHERE article_id NOT IN (SELECT article_id FROM articles)
