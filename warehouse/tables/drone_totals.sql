-- Grain: one row per article x country x event date: a nationwide figure given without a region.
-- Key: total_id (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE drone_totals (
    total_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    event_date DATE,
    drones_launched INTEGER,
    drones_destroyed INTEGER,
    count_qualifier VARCHAR,
    claimed_by VARCHAR,
    evidence VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL
);
COMMENT ON TABLE drone_totals IS 'One row per article x country x date: a nationwide drone figure reported without a region ("Russia downed 53 drones").';
COMMENT ON COLUMN drone_totals.total_id IS 'Hash of article_id, country_code and event_date.';
COMMENT ON COLUMN drone_totals.article_id IS 'The reporting article (articles.article_id).';
COMMENT ON COLUMN drone_totals.country_code IS 'ISO 3166-1 alpha-2 code of the country whose air defences reported the figure.';
COMMENT ON COLUMN drone_totals.event_date IS 'Day the figure covers; for an overnight figure, the morning.';
COMMENT ON COLUMN drone_totals.drones_launched IS 'Drones launched, as claimed; null when not stated.';
COMMENT ON COLUMN drone_totals.drones_destroyed IS 'Drones destroyed, as claimed; null when not stated.';
COMMENT ON COLUMN drone_totals.count_qualifier IS 'exact, at_least, approx or vague.';
COMMENT ON COLUMN drone_totals.claimed_by IS 'Who makes the claim.';
COMMENT ON COLUMN drone_totals.evidence IS 'The sentence the figure was read from.';
COMMENT ON COLUMN drone_totals.evidence_start IS 'Start offset of the evidence in articles.body.';
COMMENT ON COLUMN drone_totals.evidence_end IS 'End offset (exclusive) of the evidence in articles.body.';
