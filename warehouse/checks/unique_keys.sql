-- Every table's key is unique (event_id, total_id, claim_id, article_id, and the composite keys).
-- The keys are not DuckDB constraints (see warehouse/tables/): this check is what holds them.
-- checks: the rows this build loaded
-- A row fails when its key repeats the key of an earlier row (one row fewer than the copies, the
-- same whether the copies arrived in one build or several).
SELECT 'events' AS table_name, n.event_id AS key FROM new_events AS n
WHERE EXISTS (SELECT 1 FROM events AS o WHERE o.event_id = n.event_id AND o.rowid < n.row_id)
UNION ALL SELECT 'drone_totals', n.total_id FROM new_drone_totals AS n
WHERE EXISTS (SELECT 1 FROM drone_totals AS o WHERE o.total_id = n.total_id AND o.rowid < n.row_id)
UNION ALL SELECT 'claims', n.claim_id FROM new_claims AS n
WHERE EXISTS (SELECT 1 FROM claims AS o WHERE o.claim_id = n.claim_id AND o.rowid < n.row_id)
UNION ALL SELECT 'articles', n.article_id FROM new_articles AS n
WHERE EXISTS (SELECT 1 FROM articles AS o WHERE o.article_id = n.article_id AND o.rowid < n.row_id)
UNION ALL SELECT 'time_expressions', n.article_id || ':' || n.start_char FROM new_time_expressions AS n
WHERE EXISTS (
    SELECT 1 FROM time_expressions AS o
    WHERE o.article_id = n.article_id AND o.start_char = n.start_char AND o.rowid < n.row_id
)
UNION ALL SELECT 'removed_lines', n.article_id || ':' || n.line_no FROM new_removed_lines AS n
WHERE EXISTS (
    SELECT 1 FROM removed_lines AS o
    WHERE o.article_id = n.article_id AND o.line_no = n.line_no AND o.rowid < n.row_id
)
UNION ALL SELECT 'rejected_articles', n.source_uri || ':' || n.content_sha256 FROM new_rejected_articles AS n
WHERE EXISTS (
    SELECT 1 FROM rejected_articles AS o
    WHERE o.source_uri = n.source_uri AND o.content_sha256 = n.content_sha256 AND o.rowid < n.row_id
)
