-- Record the Parquet files of one table that the new DuckDB file now holds (one row per file), so
-- that the next build inserts only the files it has not loaded yet. One statement for the whole
-- list: executemany runs one statement per row (20k articles, 941 files: 0.4 s against 0.02 s).
INSERT INTO _loaded_files SELECT $table, unnest($files)
