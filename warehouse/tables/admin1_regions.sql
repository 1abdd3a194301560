-- Grain: one row per ISO 3166-2 first-level subdivision (reference data from pycountry).
CREATE TABLE admin1_regions (
    admin1_code VARCHAR NOT NULL PRIMARY KEY,
    country_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    subdivision_type VARCHAR NOT NULL
);
COMMENT ON TABLE admin1_regions IS 'Reference: every first-level ISO 3166-2 subdivision, to name and validate events.admin1_code.';
COMMENT ON COLUMN admin1_regions.admin1_code IS 'ISO 3166-2 code, e.g. RU-BEL, UA-30.';
COMMENT ON COLUMN admin1_regions.country_code IS 'ISO 3166-1 alpha-2 code of the country.';
COMMENT ON COLUMN admin1_regions.name IS 'The subdivision name as ISO 3166-2 gives it (pycountry), e.g. Belgorodskaya oblast''.';
COMMENT ON COLUMN admin1_regions.subdivision_type IS 'ISO 3166-2 subdivision type, e.g. Oblast, Republic, City.';
