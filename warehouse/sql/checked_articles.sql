-- The articles whose rows the per-article checks read (warehouse/quality.py,
-- ARTICLES_OF_THIS_BUILD): those this build loaded. A build only appends rows, so they are the
-- rows from $first_new_row on: 0 for a full build (every article), the row count before loading
-- for an incremental one. A temporary table: it is not part of the file.
CREATE OR REPLACE TEMP TABLE checked_articles AS
SELECT article_id FROM articles WHERE rowid >= $first_new_row
