-- What the cleaner removes most, and an example of each reason.
SELECT reason, count(*) AS lines, any_value(text) AS example
FROM removed_lines
GROUP BY reason
ORDER BY lines DESC;
