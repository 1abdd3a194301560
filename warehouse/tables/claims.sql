-- Grain: one row per event x claimant x claim: what one source says about one events row.
-- Key: claim_id (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE claims (
    claim_id VARCHAR NOT NULL,
    event_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    claimed_by VARCHAR,
    drones_launched INTEGER,
    drones_destroyed INTEGER,
    count_qualifier VARCHAR,
    killed INTEGER,
    injured INTEGER,
    damage BOOLEAN,
    evidence VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end INTEGER NOT NULL
);
COMMENT ON TABLE claims IS 'One row per event x claimant x claim: each source''s own figures for an events row, kept apart where the events row merges them (the ministry''s 44 drones downed and the governor''s "more than 40" are two claims about one attack). Every events row has at least one claim; a source that changes its figure in the article has two.';
COMMENT ON COLUMN claims.claim_id IS 'Hash of event_id, claimed_by and evidence_start.';
COMMENT ON COLUMN claims.event_id IS 'The events row the claim supports (events.event_id).';
COMMENT ON COLUMN claims.article_id IS 'The reporting article (articles.article_id), the same as the event''s.';
COMMENT ON COLUMN claims.claimed_by IS 'Who makes the claim, labelled as events.claimed_by (Russian Defence Ministry, Rostov region governor, Ukrainian Air Force, RIA...); null when no source is named near the sentence.';
COMMENT ON COLUMN claims.drones_launched IS 'Drones launched or attacking, as this source claims; null when it does not say.';
COMMENT ON COLUMN claims.drones_destroyed IS 'Drones shot down, intercepted or suppressed, as this source claims; null when it does not say.';
COMMENT ON COLUMN claims.count_qualifier IS 'How exact this source''s count is: exact (44), at_least (more than 40), approx (about 40), vague (dozens); null without a count.';
COMMENT ON COLUMN claims.killed IS 'People killed, as this source claims; 0 when it says there were no casualties; null when it does not say.';
COMMENT ON COLUMN claims.injured IS 'People injured, as this source claims; 0 when it says no one was injured; null when it does not say.';
COMMENT ON COLUMN claims.damage IS 'Whether this source reports damage (true), denies it (false), or does not say (null).';
COMMENT ON COLUMN claims.evidence IS 'The sentence(s) of the article body the claim was read from.';
COMMENT ON COLUMN claims.evidence_start IS 'Start offset of the evidence in articles.body.';
COMMENT ON COLUMN claims.evidence_end IS 'End offset (exclusive) of the evidence in articles.body.';
