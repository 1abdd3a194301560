-- Grain: one row per rejected input file x content (a file fixed later gets its own row if still bad).
-- Key: source_uri, content_sha256 (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE rejected_articles (
    source_uri VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    rejected_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE rejected_articles IS 'One row per input file that could not be loaded, with a readable reason; the run goes on without it.';
COMMENT ON COLUMN rejected_articles.source_uri IS 'Path (relative to the source folder) or URL of the rejected input.';
COMMENT ON COLUMN rejected_articles.content_sha256 IS 'SHA-256 of the file bytes (empty string when the file could not be read).';
COMMENT ON COLUMN rejected_articles.reason IS 'Why it was rejected, e.g. empty file, binary content, not valid UTF-8 text, larger than the size limit.';
COMMENT ON COLUMN rejected_articles.rejected_at IS 'When the run that first rejected it started (UTC).';
