-- Every time expression's text is exactly the article body at its offsets.
-- checks: the rows this build loaded
-- (through the articles it loaded, as evidence_is_in_the_article does)
SELECT x.article_id, x.start_char, x.text
FROM time_expressions AS x
JOIN new_articles AS a USING (article_id)
WHERE substr(a.body, x.start_char + 1, x.end_char - x.start_char) <> x.text
