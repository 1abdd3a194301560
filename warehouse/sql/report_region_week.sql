-- Events per region and week, for the heat map.
SELECT
    e.admin1_code,
    coalesce(r.name, e.admin1_code) AS region_name,
    date_trunc('week', e.event_date)::DATE AS week,
    count(*) AS events
FROM events AS e
LEFT JOIN admin1_regions AS r USING (admin1_code)
WHERE e.event_date IS NOT NULL AND e.event_type = 'drone_attack'
GROUP BY ALL
ORDER BY e.admin1_code, week
