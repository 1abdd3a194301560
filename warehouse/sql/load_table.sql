-- Load every committed Parquet file of one table into the new DuckDB file.
-- {table} is a name from warehouse.schemas.TABLE_NAMES, never user input.
INSERT INTO {table} BY NAME
SELECT * FROM read_parquet($files, union_by_name = true)
