-- Load the files in force of one table into the new DuckDB file (see store.live_files).
-- {table} is a name from warehouse.schemas.TABLE_NAMES, never user input. The month partition
-- (published_month=...) is a folder name, not a column of the table: hive_partitioning is off.
INSERT INTO {table} BY NAME
SELECT * FROM read_parquet($files, union_by_name = true, hive_partitioning = false)
