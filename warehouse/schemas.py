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

# `articles` is the commit point: a batch's files are in force once its articles file exists
# (see warehouse/store.py).
TABLE_NAMES: tuple[str, ...] = (
    "articles",
    "removed_lines",
    "time_expressions",
    "events",
    "drone_totals",
    "claims",
    "rejected_articles",
)
# Built into every DuckDB file from packages, other tables and checks, not loaded from Parquet.
REFERENCE_TABLE_NAMES: tuple[str, ...] = ("admin1_regions", "incidents", "data_quality")
ARTICLE_CHILD_TABLES = frozenset(
    {"removed_lines", "time_expressions", "events", "drone_totals", "claims"}
)


def table_ddl(table: str, reference: bool = False) -> str:
    """The CREATE TABLE (and COMMENT ON) statements declaring `table`."""
    known = REFERENCE_TABLE_NAMES if reference else TABLE_NAMES
    if table not in known:
        raise KeyError(f"unknown table {table!r}; declared tables: {', '.join(known)}")
    return (TABLES_DIR / f"{table}.sql").read_text(encoding="utf-8")


def arrow_schema(table: str, reference: bool = False) -> pa.Schema:
    """The Arrow schema of `table`, derived from its DDL by DuckDB itself."""
    schemas = _arrow_schemas(reference)
    if table not in schemas:
        table_ddl(table, reference)  # raises the error that lists the declared tables
    return schemas[table]


@cache
def _arrow_schemas(reference: bool) -> dict[str, pa.Schema]:
    """Every declared table's Arrow schema, from one in-memory DuckDB: a connection costs about
    20 ms, and a process that writes its first batch would otherwise open one per table."""
    names = REFERENCE_TABLE_NAMES if reference else TABLE_NAMES
    with duckdb.connect() as con:
        for name in names:
            con.execute(table_ddl(name, reference))
        return {
            name: con.sql(f'SELECT * FROM "{name}" LIMIT 0').to_arrow_table().schema
            for name in names
        }


def declared_columns(table: str, reference: bool = False) -> list[tuple[str, str, str]]:
    """(column, DuckDB type, one-line meaning) of each column, as declared in the DDL."""
    with duckdb.connect() as con:
        con.execute(table_ddl(table, reference))
        rows = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? "
            "ORDER BY column_index",
            [table],
        ).fetchall()
    return [(name, data_type, comment or "") for name, data_type, comment in rows]


def column_comments(table: str, reference: bool = False) -> dict[str, str]:
    """Column name -> one-line meaning (COMMENT ON COLUMN)."""
    return {name: meaning for name, _, meaning in declared_columns(table, reference)}
