-- Load an article-keyed table, keeping only rows of committed articles: a run that died after
-- writing events but before committing its articles leaves no half-loaded batch behind.
-- {table} is a name from warehouse.schemas.TABLE_NAMES, never user input.
INSERT INTO {table} BY NAME
SELECT * FROM read_parquet($files, union_by_name = true)
WHERE article_id IN (SELECT article_id FROM articles)
