-- Every time expression's text is exactly the article body at its offsets.
SELECT x.article_id, x.start_char, x.text
FROM time_expressions AS x JOIN articles AS a USING (article_id)
WHERE substr(a.body, x.start_char + 1, x.end_char - x.start_char) <> x.text
