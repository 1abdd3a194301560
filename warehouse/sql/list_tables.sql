-- Every table and view of the warehouse, tables first.
SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
FROM information_schema.tables
WHERE table_schema = 'main'
ORDER BY kind, table_name
