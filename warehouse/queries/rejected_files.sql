-- Which input files were not loaded, and why.
SELECT source_uri, reason, rejected_at
FROM rejected_articles
ORDER BY rejected_at DESC, source_uri;
