-- Grain: one row per article x tagged time expression (by start offset).
-- Key: article_id, start_char (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE time_expressions (
    article_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    value VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    granularity VARCHAR NOT NULL,
    mod VARCHAR,
    anchor VARCHAR NOT NULL,
    reporting BOOLEAN NOT NULL
);
COMMENT ON TABLE time_expressions IS 'One row per time expression tagged in an article body, TimeML style.';
COMMENT ON COLUMN time_expressions.article_id IS 'The article (articles.article_id).';
COMMENT ON COLUMN time_expressions.text IS 'The expression exactly as written: articles.body[start_char:end_char].';
COMMENT ON COLUMN time_expressions.start_char IS 'Start offset (0-based, in characters) into articles.body.';
COMMENT ON COLUMN time_expressions.end_char IS 'End offset (exclusive) into articles.body.';
COMMENT ON COLUMN time_expressions.value IS 'TIMEX3 value: 2023-02-28, 2023-02, 2022, 2023-W11, P3D, XXXX-06 when no year can be known.';
COMMENT ON COLUMN time_expressions.type IS 'TIMEX3 type: DATE, TIME, DURATION or SET.';
COMMENT ON COLUMN time_expressions.granularity IS 'day, night, week, month, year, duration or unknown.';
COMMENT ON COLUMN time_expressions.mod IS 'TIMEX3 mod: START, MID, END, APPROX (early/mid/late/about); null when none.';
COMMENT ON COLUMN time_expressions.anchor IS 'What the value was resolved against: publication, previous (the date mentioned just before) or none.';
COMMENT ON COLUMN time_expressions.reporting IS 'True for a reporting date ("the ministry said on Wednesday"): when something was said, not when it happened.';
