-- Grain: one row per distinct article (content hash). A renamed copy of a file is the same article.
-- Key: article_id (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE articles (
    article_id VARCHAR NOT NULL,
    source_uri VARCHAR NOT NULL,
    url VARCHAR,
    source VARCHAR,
    title VARCHAR,
    author VARCHAR,
    dateline_place VARCHAR,
    published_date DATE,
    published_date_source VARCHAR,
    published_date_precision VARCHAR,
    content_format VARCHAR NOT NULL,
    encoding VARCHAR NOT NULL,
    language VARCHAR,
    body VARCHAR NOT NULL,
    n_removed_lines INTEGER NOT NULL,
    ingested_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE articles IS 'One row per distinct article (content hash); the clean text every other table points into.';
COMMENT ON COLUMN articles.article_id IS 'First 16 hex digits of the SHA-256 of the file bytes: a renamed copy is the same article.';
COMMENT ON COLUMN articles.source_uri IS 'Path (relative to the source folder) or URL of the input file the article was first read from.';
COMMENT ON COLUMN articles.url IS 'URL of the article as published, from the manifest; null when unknown.';
COMMENT ON COLUMN articles.source IS 'Outlet name, from the manifest; null when unknown.';
COMMENT ON COLUMN articles.title IS 'Headline: the first line of the clean text when it reads as a title.';
COMMENT ON COLUMN articles.author IS 'Byline or trailing signature the cleaner took off the body ("MRT Desk", "al jazeera"); null when none.';
COMMENT ON COLUMN articles.dateline_place IS 'Place of a dateline the cleaner took off the start of the report ("KYIV, Ukraine (AP) —" gives KYIV, Ukraine); null when none.';
COMMENT ON COLUMN articles.published_date IS 'Publication date (month-precision dates are stored as the first of the month).';
COMMENT ON COLUMN articles.published_date_source IS 'Where the publication date came from, in order of trust: manifest, header (a " date YYYY-MM-DD" first line), html (page metadata, via htmldate), record (a JSON field), url, dateline (a stamp in the first lines); null when none was found.';
COMMENT ON COLUMN articles.published_date_precision IS 'day or month; null when published_date is null.';
COMMENT ON COLUMN articles.content_format IS 'What the input was: text, html, jsonl (one record of a JSON-lines file) or json (one element of a JSON array).';
COMMENT ON COLUMN articles.encoding IS 'The text encoding the input was read with (utf-8, utf-16, cp1251, ...).';
COMMENT ON COLUMN articles.language IS 'ISO 639-1 code of the text''s language (py3langid); events are extracted from English articles only.';
COMMENT ON COLUMN articles.body IS 'The clean article text (title first); all character offsets in other tables point into it.';
COMMENT ON COLUMN articles.n_removed_lines IS 'How many non-blank lines the boilerplate cleaner removed (see removed_lines).';
COMMENT ON COLUMN articles.ingested_at IS 'When the run that first loaded this article started (UTC).';
