"""The declared tables: one DDL file per table in warehouse/tables/, the single source of truth.

The Arrow schema used to write Parquet is derived from the same DDL, so Parquet files and DuckDB
tables can never disagree about a column's type.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.user_cache import cached_pickle, user_cache_dir

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
    """Every declared table's Arrow schema: derived by DuckDB once per version of the DDL files,
    DuckDB and pyarrow, then read from the user's cache (1-2 ms instead of about 0.07 s of CPU in
    every process that writes Parquet; a small run's first batch waits for it). A copy that can't
    be read is derived again; a cache folder that can't be written only costs the time."""
    names = REFERENCE_TABLE_NAMES if reference else TABLE_NAMES
    return cached_pickle(
        arrow_schemas_cache_path(names, reference),
        lambda: _arrow_schemas_from_duckdb(names, reference),
        lambda kept: (
            isinstance(kept, dict)
            and list(kept) == list(names)
            and all(isinstance(schema, pa.Schema) for schema in kept.values())
        ),
    )


def _arrow_schemas_from_duckdb(names: tuple[str, ...], reference: bool) -> dict[str, pa.Schema]:
    """From one in-memory DuckDB: a connection costs about 20 ms, and a process that writes its
    first batch would otherwise open one per table."""
    with duckdb.connect() as con:
        for name in names:
            con.execute(table_ddl(name, reference))
        return {
            name: con.sql(f'SELECT * FROM "{name}" LIMIT 0').to_arrow_table().schema
            for name in names
        }


def arrow_schemas_cache_path(names: tuple[str, ...], reference: bool = False) -> Path:
    """Where this user's copy of the tables' Arrow schemas is kept: named by a hash of the DDL
    files and the DuckDB and pyarrow versions, so a change to any of them never reads a stale
    copy. The folder is the user's own cache (XDG_CACHE_HOME or ~/.cache)."""
    stamp = hashlib.sha256(f"duckdb {duckdb.__version__}, pyarrow {pa.__version__}".encode())
    for name in names:
        stamp.update(f"\0{name}\0{table_ddl(name, reference)}".encode())
    return user_cache_dir() / f"arrow-schemas-{stamp.hexdigest()[:16]}.pickle"


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
