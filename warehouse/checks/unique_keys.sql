-- Every table's key is unique (event_id, total_id, claim_id, article_id, and the composite keys).
SELECT 'events' AS table_name, event_id AS key FROM events GROUP BY event_id HAVING count(*) > 1
UNION ALL SELECT 'drone_totals', total_id FROM drone_totals GROUP BY total_id HAVING count(*) > 1
UNION ALL SELECT 'claims', claim_id FROM claims GROUP BY claim_id HAVING count(*) > 1
UNION ALL SELECT 'articles', article_id FROM articles GROUP BY article_id HAVING count(*) > 1
UNION ALL SELECT 'time_expressions', article_id || ':' || start_char FROM time_expressions GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'removed_lines', article_id || ':' || line_no FROM removed_lines GROUP BY ALL HAVING count(*) > 1
