-- No event or total is dated after its article's publication date (one day of slack for time zones).
-- checks: the rows this build loaded
SELECT e.event_id AS key, e.event_date, a.published_date
FROM new_events AS e JOIN articles AS a USING (article_id)
WHERE e.event_date > a.published_date + INTERVAL 1 DAY
   OR e.event_date_start > e.event_date
UNION ALL
SELECT t.total_id, t.event_date, a.published_date
FROM new_drone_totals AS t JOIN articles AS a USING (article_id)
WHERE t.event_date > a.published_date + INTERVAL 1 DAY
