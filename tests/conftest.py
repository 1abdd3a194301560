"""Shared fixtures. The Prefect test harness starts once per pytest session (about 20 s)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from warehouse.schemas import TABLE_NAMES

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

PROJECT_ROOT = Path(__file__).parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpora" / "gdelt-ukraine-news"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway local Prefect API (SQLite) for flow tests; unit tests never need it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-news corpus; tests that use it skip when it is absent."""
    if not (CORPUS_DIR / "manifest.csv").is_file():
        pytest.skip(f"corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary content"),
    "numbers.txt": (b"1 2 3 4 5\n", "no letters"),
}
LOADED_TABLES = list(TABLE_NAMES)  # the tables a run loads from its Parquet files


def read_tables(duckdb_path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return {
            table: con.sql(f"SELECT * FROM {table} ORDER BY ALL").df() for table in LOADED_TABLES
        }


@pytest.fixture(scope="session")
def seeded_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The flow over the seeds plus three bad files, run twice into one data directory."""
    from flows.pipeline import newsevents_flow

    source = tmp_path_factory.mktemp("source")
    for path in SEEDS_DIR.iterdir():
        shutil.copy(path, source / path.name)
    for name, (content, _) in BAD_FILES.items():
        (source / name).write_bytes(content)
    data_dir = tmp_path_factory.mktemp("data")
    first = newsevents_flow(source=str(source), data_dir=str(data_dir), batch_size=2)
    tables_after_first = read_tables(data_dir / "warehouse.duckdb")
    second = newsevents_flow(source=str(source), data_dir=str(data_dir), batch_size=2)
    return {
        "first": first,
        "second": second,
        "tables": tables_after_first,
        "tables_again": read_tables(data_dir / "warehouse.duckdb"),
        "data_dir": data_dir,
        "source": source,
    }
