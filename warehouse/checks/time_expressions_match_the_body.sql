-- Every time expression's text is exactly the article body at its offsets.
-- checks: the articles this build loaded
SELECT x.article_id, x.start_char, x.text
FROM time_expressions AS x
JOIN checked_articles USING (article_id)
JOIN articles AS a USING (article_id)
WHERE substr(a.body, x.start_char + 1, x.end_char - x.start_char) <> x.text
