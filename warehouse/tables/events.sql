-- Grain: one row per article x event type x event date x first-level region.
CREATE TABLE events (
    event_id VARCHAR NOT NULL PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    event_date DATE,
    event_date_start DATE,
    date_precision VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    admin1_code VARCHAR NOT NULL,
    location VARCHAR,
    attacker VARCHAR,
    drones_launched INTEGER,
    drones_destroyed INTEGER,
    count_qualifier VARCHAR,
    killed INTEGER,
    injured INTEGER,
    damage BOOLEAN,
    claimed_by VARCHAR,
    evidence VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL
);
COMMENT ON TABLE events IS 'One row per article x event type x event date x first-level region: a drone attack or interception as one article reports it.';
COMMENT ON COLUMN events.event_id IS 'Hash of article_id, event_type, event_date and admin1_code.';
COMMENT ON COLUMN events.article_id IS 'The reporting article (articles.article_id).';
COMMENT ON COLUMN events.event_type IS 'drone_attack: drones attacking, or shot down, intercepted or crashing, in the region.';
COMMENT ON COLUMN events.event_date IS 'Day it happened; for an overnight attack, the morning.';
COMMENT ON COLUMN events.event_date_start IS 'First day it may have started: the evening before for an overnight attack, else event_date.';
COMMENT ON COLUMN events.date_precision IS 'How the date was known: day, night, week, month, or publication (no date in the text: the publication date).';
COMMENT ON COLUMN events.country_code IS 'ISO 3166-1 alpha-2 code of the country the region belongs to (Crimea and Sevastopol: UA).';
COMMENT ON COLUMN events.admin1_code IS 'ISO 3166-2 code of the first-level region, e.g. RU-BEL, UA-30 (Kyiv city), UA-43 (Crimea).';
COMMENT ON COLUMN events.location IS 'The most specific place named: a town when given, else the region as written.';
COMMENT ON COLUMN events.attacker IS 'ISO 3166-1 alpha-2 code of the side that launched the drones (UA or RU); null when unknown.';
COMMENT ON COLUMN events.drones_launched IS 'Drones launched or attacking, as claimed; null when not stated.';
COMMENT ON COLUMN events.drones_destroyed IS 'Drones shot down, intercepted or suppressed, as claimed; null when not stated.';
COMMENT ON COLUMN events.count_qualifier IS 'How exact the counts are: exact, at_least (more than 40), approx (about 40), vague (dozens).';
COMMENT ON COLUMN events.killed IS 'People killed, as claimed; 0 when the text says there were no casualties; null when not stated.';
COMMENT ON COLUMN events.injured IS 'People injured, as claimed; null when not stated.';
COMMENT ON COLUMN events.damage IS 'Whether damage was reported (true), denied (false), or not stated (null).';
COMMENT ON COLUMN events.claimed_by IS 'Who makes the claim: Russian Defence Ministry, Ukrainian Air Force, a governor or mayor, a news agency.';
COMMENT ON COLUMN events.evidence IS 'The sentence(s) of the article body the row was read from.';
COMMENT ON COLUMN events.evidence_start IS 'Start offset of the evidence in articles.body.';
COMMENT ON COLUMN events.evidence_end IS 'End offset (exclusive) of the evidence in articles.body.';
