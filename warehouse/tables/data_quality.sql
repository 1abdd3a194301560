-- Grain: one row per data-quality check, as run on this build of the warehouse.
CREATE TABLE data_quality (
    check_name VARCHAR NOT NULL PRIMARY KEY,
    description VARCHAR NOT NULL,
    failing_rows INTEGER NOT NULL,
    passed BOOLEAN NOT NULL,
    sample VARCHAR NOT NULL
);
COMMENT ON TABLE data_quality IS 'The post-load checks (warehouse/checks/*.sql) run on this build, with how many rows failed each.';
COMMENT ON COLUMN data_quality.check_name IS 'The check: the name of its file in warehouse/checks/.';
COMMENT ON COLUMN data_quality.description IS 'What the check asserts.';
COMMENT ON COLUMN data_quality.failing_rows IS 'How many rows break it; 0 when it passes.';
COMMENT ON COLUMN data_quality.passed IS 'True when no row breaks the check.';
COMMENT ON COLUMN data_quality.sample IS 'Up to five offending rows, for a first look; empty when it passes.';
