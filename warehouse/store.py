"""Where the tables live: Parquet files (the durable copy) and the DuckDB file built from them.

Layout under a data directory:

    data/parquet/<table>/<batch_key>.parquet   one file per table per batch of articles
    data/parquet/<table>/compact-<key>.parquet the batches a nightly compaction merged
    data/warehouse.duckdb                      built from the Parquet files in force

A batch is committed when its `articles` file exists: it is written last, each file by an atomic
rename, and only files of committed batches are in force (`live_files`). The DuckDB file is
built under a temporary name and swapped in with one rename, so a reader never sees a half-built
file and a run that dies leaves the previous state readable and complete.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.quality import CheckResult, run_checks
from warehouse.reference import admin1_regions
from warehouse.schemas import ARTICLE_CHILD_TABLES, TABLE_NAMES, arrow_schema, table_ddl

SQL_DIR = Path(__file__).parent / "sql"
VIEWS_DIR = Path(__file__).parent / "views"
COMMIT_TABLE = "articles"
LOAD_SQL = (SQL_DIR / "load_table.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BuildResult:
    row_counts: dict[str, int]
    checks: list[CheckResult]
    incremental: bool = False

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]


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
    def report_path(self) -> Path:
        return self.data_dir / "report.html"

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
    """(source_uri, content_sha256) of each rejected file: not re-read until its content changes."""
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


SUPERSEDES_KEY = b"newsevents.supersedes"
COMPACT_PREFIX = "compact-"


def superseded_files(paths: WarehousePaths) -> set[Path]:
    """Files merged by a committed compaction: its articles file lists them in its metadata."""
    merged: set[Path] = set()
    for path in paths.table_files(COMMIT_TABLE):
        metadata = pq.read_schema(path).metadata or {}
        if SUPERSEDES_KEY in metadata:
            merged.update(
                paths.parquet_dir / name for name in metadata[SUPERSEDES_KEY].decode().split()
            )
    return merged


def live_files(paths: WarehousePaths) -> dict[str, list[Path]]:
    """Each table's files in force: committed batches, minus files a committed compaction merged.

    A batch is committed when its articles file exists; a file of a batch or compaction that
    never got its articles file is not in force, whatever rows it holds.
    """
    committed = {path.stem for path in paths.table_files(COMMIT_TABLE)}
    superseded = superseded_files(paths)
    return {
        table: [
            path
            for path in paths.table_files(table)
            if path not in superseded
            and (
                path.stem in committed
                or (table not in ARTICLE_CHILD_TABLES and not path.stem.startswith(COMPACT_PREFIX))
            )
        ]
        for table in TABLE_NAMES
    }


def remove_uncommitted_batches(paths: WarehousePaths) -> list[Path]:
    """Delete every file not in force (what a dead run or compaction left behind) and partial
    files. Call only while holding the writer lock.
    """
    live = {path for files in live_files(paths).values() for path in files}
    removed = set(paths.parquet_dir.glob("*/*.partial"))
    removed.update(
        path for table in TABLE_NAMES for path in paths.table_files(table) if path not in live
    )
    for path in removed:
        path.unlink(missing_ok=True)
    return sorted(removed)


def compact(paths: WarehousePaths) -> dict[str, int]:
    """Merge each table's files into one, for fast scans. Call under the writer lock.

    The new articles file is written last and lists every file it replaces in its metadata, so a
    crash at any point leaves either the old files or the new ones in force; the next
    remove_uncommitted_batches finishes the job. Returns the number of files merged per table.
    """
    remove_uncommitted_batches(paths)
    files = {table: paths.table_files(table) for table in TABLE_NAMES}
    if not files[COMMIT_TABLE] or all(len(found) < 2 for found in files.values()):
        return {}
    key = COMPACT_PREFIX + batch_key(str(p) for found in files.values() for p in found)
    merged: dict[str, int] = {}
    for table in [*(t for t in TABLE_NAMES if t != COMMIT_TABLE), COMMIT_TABLE]:
        if not files[table]:
            continue
        data = pq.read_table(files[table], schema=arrow_schema(table))
        if table == COMMIT_TABLE:
            listed = " ".join(
                path.relative_to(paths.parquet_dir).as_posix()
                for found in files.values()
                for path in found
            )
            data = data.replace_schema_metadata({SUPERSEDES_KEY: listed.encode()})
        write_parquet_atomically(data, paths.table_dir(table) / f"{key}.parquet")
        merged[table] = len(files[table])
    remove_uncommitted_batches(paths)
    return merged


def build_duckdb(paths: WarehousePaths, full: bool = False) -> BuildResult:
    """Bring the DuckDB file up to date with the Parquet files, check it, and swap it in.

    Incremental when it can be: the current file is copied and only Parquet files it has not
    loaded yet are added, so a run's cost grows with its new data, not with the archive. A full
    rebuild happens when asked, when there is no file yet, when the declared schemas changed, or
    when files it loaded are gone (after a compaction). Either way the new file is built under a
    temporary name and swapped in with one rename: readers never see a half-built file.
    The data-quality results are stored in the file (table data_quality) and returned; a failing
    check does not stop the swap (the Parquet files are already committed), the caller reports it.
    """
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    for leftover in paths.data_dir.glob(f"{paths.duckdb_path.name}.building-*"):
        leftover.unlink()  # from a build that died; the writer lock says none is running
    building = paths.duckdb_path.with_name(f"{paths.duckdb_path.name}.building-{os.getpid()}")
    in_force = {
        table: {path.relative_to(paths.parquet_dir).as_posix(): path for path in files}
        for table, files in live_files(paths).items()
    }
    loaded = None if full else _loaded_files(paths.duckdb_path)
    incremental = loaded is not None and all(
        loaded.get(table, set()) <= set(in_force[table]) for table in TABLE_NAMES
    )
    if incremental:
        shutil.copyfile(paths.duckdb_path, building)
    counts: dict[str, int] = {}
    with duckdb.connect(str(building)) as con:
        con.execute((SQL_DIR / "build_settings.sql").read_text(encoding="utf-8"))
        if not incremental:
            loaded = {}
            con.execute((SQL_DIR / "create_build_info.sql").read_text(encoding="utf-8"))
            con.execute("INSERT INTO _build_info VALUES (?)", [schema_fingerprint()])
            for table in TABLE_NAMES:
                con.execute(table_ddl(table))
            _load_reference_tables(con)
        assert loaded is not None
        for table in TABLE_NAMES:
            new = sorted(name for name in in_force[table] if name not in loaded.get(table, set()))
            if new:
                files = [str(in_force[table][name]) for name in new]
                con.execute(LOAD_SQL.format(table=table), {"files": files})
                con.executemany(
                    "INSERT INTO _loaded_files VALUES (?, ?)", [(table, name) for name in new]
                )
            counts[table] = _row_count(con, table)
        for table in DERIVED_TABLE_NAMES:
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
        con.execute(table_ddl("incidents", reference=True))
        con.execute((SQL_DIR / "build_incidents.sql").read_text(encoding="utf-8"))
        for view in sorted(VIEWS_DIR.glob("*.sql")):
            con.execute(view.read_text(encoding="utf-8"))
        checks = run_checks(con)
        quality = pd.DataFrame(
            [(c.check, c.description, c.failing_rows, c.passed, c.sample) for c in checks],
            columns=["check_name", "description", "failing_rows", "passed", "sample"],
        )
        con.execute(table_ddl("data_quality", reference=True))
        con.register("quality_results", quality)
        con.execute("INSERT INTO data_quality BY NAME SELECT * FROM quality_results")
        con.execute("CHECKPOINT")
    os.replace(building, paths.duckdb_path)
    return BuildResult(counts, checks, incremental)


# Rebuilt on every build from the loaded tables.
DERIVED_TABLE_NAMES = ("incidents", "data_quality")


def schema_fingerprint() -> str:
    """A hash of every declared table, view and build SQL file: a change forces a full rebuild."""
    digest = hashlib.sha256()
    for folder in (Path(__file__).parent / "tables", VIEWS_DIR, SQL_DIR):
        for path in sorted(folder.glob("*.sql")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _loaded_files(duckdb_path: Path) -> dict[str, set[str]] | None:
    """The Parquet files the current DuckDB file holds, or None when it must be rebuilt whole."""
    if not duckdb_path.is_file():
        return None
    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            (fingerprint,) = con.execute("SELECT schema_fingerprint FROM _build_info").fetchone()
            if fingerprint != schema_fingerprint():
                return None
            rows = con.execute("SELECT table_name, file FROM _loaded_files").fetchall()
    except (duckdb.Error, TypeError, ValueError):
        return None  # an older or damaged file: rebuild it whole
    loaded: dict[str, set[str]] = {}
    for table, name in rows:
        loaded.setdefault(table, set()).add(name)
    return loaded


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


def _load_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(table_ddl("admin1_regions", reference=True))
    con.register("iso_3166_2_regions", admin1_regions())
    con.execute("INSERT INTO admin1_regions BY NAME SELECT * FROM iso_3166_2_regions")


@contextmanager
def writer_lock(
    paths: WarehousePaths,
    wait_seconds: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the data directory's writer lock; wait for another run up to wait_seconds.

    The lock is an flock on a file in the data directory: the operating system releases it when
    the holder dies, even by kill -9, so a crashed run never blocks the next one.
    """
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait and not waited:
                    on_wait(
                        f"another run is writing {paths.data_dir}; waiting up to "
                        f"{wait_seconds:.0f} s for it to finish"
                    )
                    waited = True
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


class WarehouseMissing(FileNotFoundError):
    """No DuckDB file yet at the data directory."""


def connect_read_only(paths: WarehousePaths) -> duckdb.DuckDBPyConnection:
    """The one way readers open the warehouse: read-only, so a run can swap the file meanwhile."""
    if not paths.duckdb_path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {paths.duckdb_path}: "
            f"run `newsevents run --data-dir {paths.data_dir}` first"
        )
    return duckdb.connect(str(paths.duckdb_path), read_only=True)


def table_row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(name, table or view, rows) of everything in the warehouse, tables first."""
    objects = con.execute((SQL_DIR / "list_tables.sql").read_text(encoding="utf-8")).fetchall()
    return [(name, kind, _row_count(con, name)) for name, kind in objects]
