-- Grain: one row per article x removed input line.
-- Key: article_id, line_no (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE removed_lines (
    article_id VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
COMMENT ON TABLE removed_lines IS 'One row per line the boilerplate cleaner removed from an article, with the rule that removed it.';
COMMENT ON COLUMN removed_lines.article_id IS 'The article (articles.article_id).';
COMMENT ON COLUMN removed_lines.line_no IS '0-based line number in the text as read (after the metadata header was taken off).';
COMMENT ON COLUMN removed_lines.text IS 'The removed line.';
COMMENT ON COLUMN removed_lines.reason IS 'The rule or feature that removed it, e.g. phrase:subscribe, duplicate_line, caption_credit.';
