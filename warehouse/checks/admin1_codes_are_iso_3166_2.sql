-- Every event's region is a real ISO 3166-2 first-level code of the stated country.
-- checks: the rows this build loaded
SELECT e.event_id, e.admin1_code, e.country_code
FROM new_events AS e
LEFT JOIN admin1_regions AS r ON r.admin1_code = e.admin1_code
WHERE r.admin1_code IS NULL OR r.country_code <> e.country_code
