-- Every event, total and claim carries evidence that is exactly the article body at its offsets.
-- checks: the articles this build loaded
SELECT 'events' AS table_name, e.event_id AS key
FROM events AS e JOIN checked_articles USING (article_id) JOIN articles AS a USING (article_id)
WHERE coalesce(e.evidence, '') = ''
   OR substr(a.body, e.evidence_start + 1, e.evidence_end - e.evidence_start) <> e.evidence
UNION ALL
SELECT 'drone_totals', t.total_id
FROM drone_totals AS t JOIN checked_articles USING (article_id) JOIN articles AS a USING (article_id)
WHERE coalesce(t.evidence, '') = ''
   OR substr(a.body, t.evidence_start + 1, t.evidence_end - t.evidence_start) <> t.evidence
UNION ALL
SELECT 'claims', c.claim_id
FROM claims AS c JOIN checked_articles USING (article_id) JOIN articles AS a USING (article_id)
WHERE coalesce(c.evidence, '') = ''
   OR substr(a.body, c.evidence_start + 1, c.evidence_end - c.evidence_start) <> c.evidence
