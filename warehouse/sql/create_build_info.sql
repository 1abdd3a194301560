-- Bookkeeping of a DuckDB build (tables starting with _ are internal): which declared schemas it
-- was built with, how many incremental builds it has had since its small row groups were last
-- merged (see MERGE_ROW_GROUPS_EVERY in warehouse/store.py), and which Parquet files it has
-- loaded, so the next build only adds new files.
CREATE TABLE _build_info (
    schema_fingerprint VARCHAR NOT NULL,
    builds_since_merge INTEGER NOT NULL
);
CREATE TABLE _loaded_files (table_name VARCHAR NOT NULL, file VARCHAR NOT NULL, PRIMARY KEY (table_name, file));
