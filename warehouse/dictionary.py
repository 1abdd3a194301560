"""The data dictionary (docs/tables.md), generated from the declared table DDL."""

from __future__ import annotations

import re

from warehouse.schemas import REFERENCE_TABLE_NAMES, TABLE_NAMES, declared_columns, table_ddl

GRAIN = re.compile(r"^-- Grain: (.+)$", re.MULTILINE)
KEY = re.compile(r"^-- Key: (.+)$", re.MULTILINE)


def table_grain(table: str, reference: bool = False) -> str:
    match = GRAIN.search(table_ddl(table, reference=reference))
    return match[1] if match else ""


def table_key(table: str, reference: bool = False) -> str:
    """The table's key as its DDL states it (a comment, for a key no DuckDB constraint holds)."""
    match = KEY.search(table_ddl(table, reference=reference))
    return match[1] if match else ""


def render_dictionary() -> str:
    """Markdown: every table's grain, then each column's type and meaning."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `warehouse/tables/*.sql` by `make docs`; a test keeps it in step with the",
        "tables. Views (`warehouse/views/`): `drone_attacks` (events with their article's outlet,",
        "URL and publication date) and `daily_region_claims` (day x region x claimant).",
        "",
    ]
    for table in (*TABLE_NAMES, *REFERENCE_TABLE_NAMES):
        reference = table in REFERENCE_TABLE_NAMES
        lines += [f"## `{table}`", "", f"Grain: {table_grain(table, reference)}", ""]
        if key := table_key(table, reference):
            lines += [f"Key: {key}", ""]
        lines += ["| column | type | meaning |", "| --- | --- | --- |"]
        for column, data_type, meaning in declared_columns(table, reference):
            lines.append(f"| `{column}` | {data_type} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_dictionary(), end="")
