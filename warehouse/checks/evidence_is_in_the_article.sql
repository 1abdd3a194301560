-- Every event, total and claim carries evidence that is exactly the article body at its offsets.
-- checks: the rows this build loaded
-- (through the articles it loaded, whose rows arrive with them: a scan of new rows would read
-- every article's body to find theirs)
SELECT 'events' AS table_name, e.event_id AS key
FROM events AS e JOIN new_articles AS a USING (article_id)
WHERE coalesce(e.evidence, '') = ''
   OR substr(a.body, e.evidence_start + 1, e.evidence_end - e.evidence_start) <> e.evidence
UNION ALL
SELECT 'drone_totals', t.total_id
FROM drone_totals AS t JOIN new_articles AS a USING (article_id)
WHERE coalesce(t.evidence, '') = ''
   OR substr(a.body, t.evidence_start + 1, t.evidence_end - t.evidence_start) <> t.evidence
UNION ALL
SELECT 'claims', c.claim_id
FROM claims AS c JOIN new_articles AS a USING (article_id)
WHERE coalesce(c.evidence, '') = ''
   OR substr(a.body, c.evidence_start + 1, c.evidence_end - c.evidence_start) <> c.evidence
