-- The rows of {table} this build loaded: a build only appends rows, so they are those from row
-- {first_row} on (0 in a full build: every row). The checks (warehouse/checks/) and the update of
-- incidents read these rather than the whole table. A temporary view: not part of the file.
-- {table} is a name from warehouse.schemas.TABLE_NAMES and {first_row} an integer, never user input.
CREATE OR REPLACE TEMP VIEW "new_{table}" AS
SELECT rowid AS row_id, * FROM "{table}" WHERE rowid >= {first_row}
