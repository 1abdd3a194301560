-- Every table and view of the warehouse, tables first; internal bookkeeping (_*) left out.
SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
FROM information_schema.tables
WHERE table_schema = 'main' AND NOT starts_with(table_name, '_')
ORDER BY kind, table_name
