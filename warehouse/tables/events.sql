-- Grain: one row per article x event type x event date x first-level region.
-- Key: event_id (unique, as checks/unique_keys.sql checks; not a DuckDB constraint, whose index every build rewrites whole).
CREATE TABLE events (
    event_id VARCHAR NOT NULL,
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
    evidence_end INTEGER NOT NULL,
    outcome VARCHAR,
    weapon VARCHAR,
    target VARCHAR,
    killed_qualifier VARCHAR,
    injured_qualifier VARCHAR,
    acled_event_type VARCHAR,
    acled_sub_event_type VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    geo_precision VARCHAR,
    place_start INTEGER,
    place_end INTEGER,
    count_start INTEGER,
    count_end INTEGER,
    date_start INTEGER,
    date_end INTEGER,
    confidence DOUBLE NOT NULL
);
COMMENT ON TABLE events IS 'One row per article x event type x event date x first-level region: a drone attack or interception, a missile attack, shelling, a ground battle or a territory change as one article reports it.';
COMMENT ON COLUMN events.event_id IS 'Hash of article_id, event_type, event_date and admin1_code.';
COMMENT ON COLUMN events.article_id IS 'The reporting article (articles.article_id).';
COMMENT ON COLUMN events.event_type IS 'drone_attack (drones attacking, shot down, intercepted or crashing in the region); missile_attack (missiles or guided bombs); shelling (artillery, mortars, rocket launchers); ground_battle (fighting, assaults, offensives); territory_change (a place taken, retaken or liberated). Statements and diplomacy are not events.';
COMMENT ON COLUMN events.event_date IS 'Day it happened; for an overnight attack, the morning.';
COMMENT ON COLUMN events.event_date_start IS 'First day it may have started: the evening before for an overnight attack, else event_date.';
COMMENT ON COLUMN events.date_precision IS 'How the date was known: day, night, week, month, or publication (no date in the text: the publication date).';
COMMENT ON COLUMN events.country_code IS 'ISO 3166-1 alpha-2 code of the country the region belongs to (Crimea and Sevastopol: UA).';
COMMENT ON COLUMN events.admin1_code IS 'ISO 3166-2 code of the first-level region, e.g. RU-BEL, UA-30 (Kyiv city), UA-43 (Crimea).';
COMMENT ON COLUMN events.location IS 'The most specific place named: a town when given, else the region as written.';
COMMENT ON COLUMN events.attacker IS 'ISO 3166-1 alpha-2 code of the side that attacked (launched the drones or missiles, shelled, fought) or, for a territory change, took the ground (UA or RU); null when unknown.';
COMMENT ON COLUMN events.drones_launched IS 'Drones launched or attacking, as claimed; null when not stated and for events other than drone_attack.';
COMMENT ON COLUMN events.drones_destroyed IS 'Drones shot down, intercepted or suppressed, as claimed; null when not stated and for events other than drone_attack.';
COMMENT ON COLUMN events.count_qualifier IS 'How exact the counts are: exact, at_least (more than 40), approx (about 40), vague (dozens).';
COMMENT ON COLUMN events.killed IS 'People killed, as claimed; 0 when the text says there were no casualties; null when not stated.';
COMMENT ON COLUMN events.injured IS 'People injured, as claimed; 0 when the text says no one was injured; null when not stated.';
COMMENT ON COLUMN events.damage IS 'Whether damage was reported (true), denied (false), or not stated (null).';
COMMENT ON COLUMN events.claimed_by IS 'Who makes the claim: Russian Defence Ministry, Ukrainian Air Force, a governor or mayor, a news agency.';
COMMENT ON COLUMN events.evidence IS 'The sentence(s) of the article body the row was read from.';
COMMENT ON COLUMN events.evidence_start IS 'Start offset of the evidence in articles.body.';
COMMENT ON COLUMN events.evidence_end IS 'End offset (exclusive) of the evidence in articles.body.';
COMMENT ON COLUMN events.outcome IS 'For drone_attack, missile_attack and shelling: intercepted (shot down or stopped, nothing said to have landed), hit (landed, damaged, killed or injured, nothing said to be stopped), mixed (both said), unknown (neither); null for ground_battle and territory_change.';
COMMENT ON COLUMN events.weapon IS 'Weapon model when named (tasks/data/extract_weapons.csv): Shahed-136/Geran-2, Lancet, Orlan, aircraft-type UAV, Bayraktar TB2, naval drone, Iskander, Kh-101, S-300, MLRS...; null otherwise.';
COMMENT ON COLUMN events.target IS 'What was attacked, from the lexicon tasks/data/extract_targets.csv: oil depot, refinery, substation, power plant, energy infrastructure, airbase, port, residential, school, hospital, railway, bridge, vessel, military facility, industrial facility, commercial...; the first one named; null when none.';
COMMENT ON COLUMN events.killed_qualifier IS 'How exact killed is: exact, at_least (at least 10, more than 10), approx (about 10, nearly 10); null when killed is null.';
COMMENT ON COLUMN events.injured_qualifier IS 'How exact injured is: exact, at_least, approx; null when injured is null.';
COMMENT ON COLUMN events.acled_event_type IS 'ACLED event type: Strategic developments (drones or missiles intercepted), Explosions/Remote violence (drone strikes, missiles, shelling), Battles (ground battles and territory changes).';
COMMENT ON COLUMN events.acled_sub_event_type IS 'ACLED sub-event type: Disrupted weapons use (outcome intercepted), Air/drone strike (drone_attack otherwise, including unknown and mixed outcomes), Shelling/artillery/missile attack (missile_attack not intercepted, shelling), Armed clash (ground_battle, and a state taking another state''s ground), Government regains territory (a state retaking ground in its own country, e.g. Ukraine in a Ukrainian region). ACLED keeps Non-state actor overtakes territory for non-state groups, so it is never used here.';
COMMENT ON COLUMN events.latitude IS 'WGS84 latitude of the place (tasks/data/gazetteer_*.csv): the town when it has coordinates, else the region''s administrative centre, else the country''s capital.';
COMMENT ON COLUMN events.longitude IS 'WGS84 longitude, as latitude.';
COMMENT ON COLUMN events.geo_precision IS 'What latitude/longitude stand for: town (a town, village, airbase or a city-region such as Moscow or Kyiv), region (the first-level region''s representative point), country.';
COMMENT ON COLUMN events.place_start IS 'Start offset in articles.body of the place name the row used for location (or "the capital" resolved by context).';
COMMENT ON COLUMN events.place_end IS 'End offset (exclusive) of that place name.';
COMMENT ON COLUMN events.count_start IS 'Start offset in articles.body of the drone count used ("44 of them", "15 of the 20 drones"); null when no count.';
COMMENT ON COLUMN events.count_end IS 'End offset (exclusive) of that count; null when no count.';
COMMENT ON COLUMN events.date_start IS 'Start offset in articles.body of the time expression that gave event_date; null when the date is the publication date.';
COMMENT ON COLUMN events.date_end IS 'End offset (exclusive) of that time expression; null when none.';
COMMENT ON COLUMN events.confidence IS 'Score 0..1: 0.3 for an event sentence with a place, +0.2 the place is named (not "the capital"), +0.2 the date is said in the row''s own sentence (+0.1 elsewhere in the article, 0 for the publication date), +0.2 an explicit drone count, +0.1 a named source. A named region, an explicit count, an own-sentence date and a source give 1.0.';
