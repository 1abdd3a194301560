-- Settings of the connection that builds the DuckDB file: a bounded memory budget (DuckDB spills
-- to disk past it) so a build's memory does not grow with the archive, and no need to keep rows
-- in file order while loading.
SET memory_limit = '384MB';
SET preserve_insertion_order = false;
