"""The declared tables: one DDL file per table in warehouse/tables/, the single source of truth.

The Arrow schema used to write Parquet is derived from the same DDL, so Parquet files and DuckDB
tables can never disagree about a column's type.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

TABLES_DIR = Path(__file__).parent / "tables"

# Load order: `articles` is the commit point; every other article-keyed table only keeps rows whose
# article is in `articles` (see warehouse/sql/load_table.sql).
TABLE_NAMES: tuple[str, ...] = (
    "articles",
    "removed_lines",
    "time_expressions",
    "events",
    "drone_totals",
    "rejected_articles",
)
ARTICLE_CHILD_TABLES = frozenset({"removed_lines", "time_expressions", "events", "drone_totals"})


def table_ddl(table: str) -> str:
    """The CREATE TABLE (and COMMENT ON) statements declaring `table`."""
    if table not in TABLE_NAMES:
        raise KeyError(f"unknown table {table!r}; declared tables: {', '.join(TABLE_NAMES)}")
    return (TABLES_DIR / f"{table}.sql").read_text(encoding="utf-8")


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of `table`, derived from its DDL by DuckDB itself."""
    with duckdb.connect() as con:
        con.execute(table_ddl(table))
        return con.sql(f'SELECT * FROM "{table}" LIMIT 0').to_arrow_table().schema


def column_comments(table: str) -> dict[str, str]:
    """Column name -> one-line meaning, as declared in the DDL's COMMENT ON COLUMN statements."""
    with duckdb.connect() as con:
        con.execute(table_ddl(table))
        rows = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? "
            "ORDER BY column_index",
            [table],
        ).fetchall()
    return {name: comment or "" for name, comment in rows}
