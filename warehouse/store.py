"""Where the tables live: Parquet files (the durable copy) and the DuckDB file built from them.

Layout under a data directory:

    data/parquet/<table>/<batch_key>.parquet   one file per table per batch of articles
    data/warehouse.duckdb                      rebuilt from the Parquet files after each run

A batch is committed when its `articles` file exists: it is written last, each file by an atomic
rename, and the DuckDB build keeps only rows of committed articles. The DuckDB file is built
under a temporary name and swapped in with one rename, so a reader never sees a half-built
file and a run that dies leaves the previous state readable and complete.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.schemas import ARTICLE_CHILD_TABLES, TABLE_NAMES, arrow_schema, table_ddl

SQL_DIR = Path(__file__).parent / "sql"
VIEWS_DIR = Path(__file__).parent / "views"
COMMIT_TABLE = "articles"


class WarehouseBusy(RuntimeError):
    """Another run holds the writer lock of this data directory."""


@dataclass(frozen=True)
class WarehousePaths:
    data_dir: Path

    @property
    def parquet_dir(self) -> Path:
        return self.data_dir / "parquet"

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / ".writer.lock"

    def table_dir(self, table: str) -> Path:
        return self.parquet_dir / table

    def table_files(self, table: str) -> list[Path]:
        return sorted(self.table_dir(table).glob("*.parquet"))


def batch_key(ids: Iterable[str]) -> str:
    """A batch's file name: a hash of what it holds, so writing the same batch twice is a no-op."""
    digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    return digest[:20]


def known_article_ids(paths: WarehousePaths) -> set[str]:
    """Ids of every committed article: those are skipped by the next run."""
    files = paths.table_files(COMMIT_TABLE)
    if not files:
        return set()
    return set(pq.read_table(files, columns=["article_id"]).column("article_id").to_pylist())


def known_rejections(paths: WarehousePaths) -> set[tuple[str, str]]:
    """(source_uri, content_sha256) of every rejected file: not re-read until its content changes."""
    files = paths.table_files("rejected_articles")
    if not files:
        return set()
    table = pq.read_table(files, columns=["source_uri", "content_sha256"])
    return set(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


def to_arrow(table: str, frame: pd.DataFrame) -> pa.Table:
    """A DataFrame -> an Arrow table of exactly the declared schema (extra columns dropped)."""
    schema = arrow_schema(table)
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise ValueError(f"{table}: frame lacks declared columns {missing}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def write_parquet_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, path)


def write_batch(paths: WarehousePaths, key: str, frames: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write one batch's tables; `articles` goes last and commits the batch."""
    unknown = set(frames) - set(TABLE_NAMES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}")
    order = [name for name in frames if name != COMMIT_TABLE]
    if COMMIT_TABLE in frames:
        order.append(COMMIT_TABLE)
    written = []
    for table in order:
        path = paths.table_dir(table) / f"{key}.parquet"
        write_parquet_atomically(to_arrow(table, frames[table]), path)
        written.append(path)
    return written


def remove_uncommitted_batches(paths: WarehousePaths) -> list[Path]:
    """Delete what a run that died left behind: partial files, and batches never committed.

    Call only while holding the writer lock.
    """
    committed = {path.stem for path in paths.table_files(COMMIT_TABLE)}
    removed = list(paths.parquet_dir.glob("*/*.partial"))
    for table in ARTICLE_CHILD_TABLES:
        removed += [path for path in paths.table_files(table) if path.stem not in committed]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _load_sql(table: str) -> str:
    template = "load_article_child_table.sql" if table in ARTICLE_CHILD_TABLES else "load_table.sql"
    return (SQL_DIR / template).read_text(encoding="utf-8").format(table=table)


def build_duckdb(paths: WarehousePaths) -> dict[str, int]:
    """Rebuild the DuckDB file from the Parquet files and swap it in atomically.

    Returns the row count of each table.
    """
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    building = paths.duckdb_path.with_name(f"{paths.duckdb_path.name}.building-{os.getpid()}")
    building.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(building)) as con:
        for table in TABLE_NAMES:
            con.execute(table_ddl(table))
            files = [str(path) for path in paths.table_files(table)]
            if files:
                con.execute(_load_sql(table), {"files": files})
            counts[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
        for view in sorted(VIEWS_DIR.glob("*.sql")):
            con.execute(view.read_text(encoding="utf-8"))
        con.execute("CHECKPOINT")
    os.replace(building, paths.duckdb_path)
    return counts


@contextmanager
def writer_lock(paths: WarehousePaths, wait_seconds: float = 600.0) -> Iterator[None]:
    """Hold the data directory's writer lock; wait for another run up to wait_seconds."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another run is writing {paths.data_dir} (lock {paths.lock_path}); "
                        f"waited {wait_seconds:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
