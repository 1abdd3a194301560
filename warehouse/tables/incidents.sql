-- Grain: one row per real-world event: event type x date x first-level region x attacker, across articles.
CREATE TABLE incidents (
    incident_id VARCHAR NOT NULL PRIMARY KEY,
    event_type VARCHAR NOT NULL,
    event_date DATE,
    admin1_code VARCHAR NOT NULL,
    region_name VARCHAR,
    attacker VARCHAR,
    n_reports INTEGER NOT NULL,
    n_articles INTEGER NOT NULL,
    n_sources INTEGER NOT NULL,
    drones_launched_min INTEGER,
    drones_launched_max INTEGER,
    drones_destroyed_min INTEGER,
    drones_destroyed_max INTEGER,
    conflicting_claims BOOLEAN NOT NULL,
    claimants VARCHAR,
    sources VARCHAR,
    first_published DATE,
    last_published DATE,
    event_ids VARCHAR[] NOT NULL
);
COMMENT ON TABLE incidents IS 'One row per real-world event: the event rows of all articles that report the same type, date, region and attacker, merged.';
COMMENT ON COLUMN incidents.incident_id IS 'Hash of event_type, event_date, admin1_code and attacker: stable across runs, and kept when new articles join.';
COMMENT ON COLUMN incidents.event_type IS 'drone_attack, or another event type of the events table.';
COMMENT ON COLUMN incidents.event_date IS 'Day it happened (for an overnight attack, the morning), as the articles date it.';
COMMENT ON COLUMN incidents.admin1_code IS 'ISO 3166-2 code of the first-level region.';
COMMENT ON COLUMN incidents.region_name IS 'The region''s ISO 3166-2 name.';
COMMENT ON COLUMN incidents.attacker IS 'ISO 3166-1 alpha-2 code of the side that attacked; null when unknown.';
COMMENT ON COLUMN incidents.n_reports IS 'How many event rows (one per article) were merged.';
COMMENT ON COLUMN incidents.n_articles IS 'How many distinct articles report it.';
COMMENT ON COLUMN incidents.n_sources IS 'How many distinct outlets report it (articles without a known outlet count as one each).';
COMMENT ON COLUMN incidents.drones_launched_min IS 'Lowest count of drones launched any report claims; null when none states one.';
COMMENT ON COLUMN incidents.drones_launched_max IS 'Highest count of drones launched any report claims.';
COMMENT ON COLUMN incidents.drones_destroyed_min IS 'Lowest count of drones destroyed any report claims; null when none states one.';
COMMENT ON COLUMN incidents.drones_destroyed_max IS 'Highest count of drones destroyed any report claims.';
COMMENT ON COLUMN incidents.conflicting_claims IS 'True when the reports disagree: different launched or destroyed counts.';
COMMENT ON COLUMN incidents.claimants IS 'Every distinct claimant, separated by "; ".';
COMMENT ON COLUMN incidents.sources IS 'Every distinct outlet, separated by "; ".';
COMMENT ON COLUMN incidents.first_published IS 'Publication date of the earliest article reporting it.';
COMMENT ON COLUMN incidents.last_published IS 'Publication date of the latest article reporting it.';
COMMENT ON COLUMN incidents.event_ids IS 'The merged events.event_id values.';
