"""Where the tables live: Parquet files (the durable copy) and the DuckDB file built from them.

The data location is a local folder or an fsspec URL (`s3://bucket/prefix`, `gs://...`,
`memory://...`). Under it, Parquet is partitioned the hive way by the month of publication:

    parquet/<table>/published_month=YYYY-MM/<batch_key>.parquet   a batch's rows of that month
    parquet/<table>/published_month=unknown/<batch_key>.parquet    articles with no known date
    parquet/<table>/published_month=YYYY-MM/compact-<key>.parquet  a month a compaction merged
    parquet/_commits/<batch_key>.json                             what makes a batch count

An article's child rows (events, claims, ...) sit in the partition of their article; a rejected
file (it has no publication date) sits in the month it was rejected. A batch may span several
months, so no data file can commit it: its commit object, written last, lists every file of the
batch, and a compaction's commit also names the commits it supersedes. Only files listed by a
live commit (one no other commit supersedes) are in force (`live_files`); anything else is what
a dead run left and the next run deletes it under the writer lock (`remove_uncommitted_batches`).
On a local disk each file is written under a `.partial` name and renamed; on an object store a
PUT is atomic, so the final key is written directly.

The DuckDB file, the HTML report and the writer lock are local files in a state folder: the data
folder itself when it is local, otherwise `--state-dir` or `~/.cache/newsevents/<scheme>/<bucket>/
<prefix>`. The DuckDB file is built under another name and swapped in with one rename, so a
reader never sees a half-built file and a run that dies leaves the previous state complete. The
file a swap replaces stays beside it as `.warehouse-spare.duckdb`, which the next build brings up
to date in place rather than copying the current file (build_duckdb).
Object-store credentials come from the standard environment (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, ..., GOOGLE_APPLICATION_CREDENTIALS), never from flow parameters.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from warehouse.quality import CHECKS_DIR, CheckResult, run_checks
from warehouse.reference import admin1_regions
from warehouse.schemas import ARTICLE_CHILD_TABLES, TABLE_NAMES, arrow_schema, table_ddl
from warehouse.user_cache import user_cache_dir

SQL_DIR = Path(__file__).parent / "sql"
VIEWS_DIR = Path(__file__).parent / "views"
COMMIT_TABLE = "articles"
LOAD_SQL = (SQL_DIR / "load_table.sql").read_text(encoding="utf-8")
RECORD_LOADED_SQL = (SQL_DIR / "record_loaded_files.sql").read_text(encoding="utf-8")
NEW_ROWS_SQL = (SQL_DIR / "new_rows.sql").read_text(encoding="utf-8")
PARTITION_COLUMN = "published_month"
UNKNOWN_MONTH = "unknown"
COMMITS_DIR = "_commits"
COMPACT_PREFIX = "compact-"
PARTIAL_SUFFIX = ".partial"
SWAPPING_SUFFIX = ".swapping"
COUNT_BUILD_SQL = (SQL_DIR / "count_build_since_merge.sql").read_text(encoding="utf-8")
# DuckDB's checkpoint merges a table's small row groups into full ones (its "vacuum"), and does
# so by rewriting them, up to a whole row group (122,880 rows): at 20k articles a 1% re-run's
# checkpoint took 46-75 ms with it, 28-32 ms without (85-120 ms against 10-20 ms outside a run).
# So an incremental build leaves its rows in a small row group per table, and only every
# MERGE_ROW_GROUPS_EVERY-th build of a file merges them (after 40 builds, one merge: 0.28 s).
# A full build writes full row groups, and nightly-maintenance builds in full.
MERGE_ROW_GROUPS_EVERY = 32


@dataclass(frozen=True)
class BuildResult:
    row_counts: dict[str, int]
    checks: list[CheckResult]
    incremental: bool = False
    unchanged: bool = False  # the file held every committed Parquet file already: left as it was

    @property
    def outcome(self) -> str:
        """What the build did to the file, in a word."""
        if self.unchanged:
            return "unchanged"
        return "updated" if self.incremental else "rebuilt"

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]


class WarehouseBusy(RuntimeError):
    """Another run holds the writer lock of this data location."""


class LegacyLayout(RuntimeError):
    """The data location holds the flat layout of older versions and has not been migrated."""


# --- where things are --------------------------------------------------------------------------


def is_url(location: str | Path) -> bool:
    """An fsspec URL (s3://, gs://, memory://...), as opposed to a local path; file:// is local."""
    scheme = urlsplit(str(location)).scheme
    return len(scheme) > 1 and scheme != "file"  # one letter: a Windows drive, not a scheme


def filesystem_for(location: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The fsspec filesystem of a location and the location's path on it (no trailing slash).

    Options come from the standard environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), so no
    secret ever travels as a flow parameter.
    """
    fs, root = fsspec.core.url_to_fs(location)
    return fs, root.rstrip("/")


def default_state_dir(location: str) -> Path:
    """The local state folder of a URL: ~/.cache/newsevents/<scheme>/<bucket>/<prefix>.

    Deterministic, so every run on this host finds the DuckDB file and lock of the previous one.
    """
    parts = urlsplit(location)
    segments = [s for s in f"{parts.netloc}/{parts.path}".split("/") if s not in ("", ".", "..")]
    return user_cache_dir().joinpath(parts.scheme, *segments)


@dataclass(frozen=True)
class WarehousePaths:
    """A data location (local folder or fsspec URL) and the local state folder that goes with it."""

    data_dir: Path | str
    state_dir: Path | None = None

    @classmethod
    def at(cls, data_dir: str | Path, state_dir: str | Path | None = None) -> WarehousePaths:
        """From user input: a local folder is made absolute, a URL is kept as given."""
        text = str(data_dir)
        if urlsplit(text).scheme == "file":
            text = urlsplit(text).path
        location = text.rstrip("/") if is_url(text) else Path(text).resolve()
        return cls(location, Path(state_dir).resolve() if state_dir else None)

    @property
    def is_remote(self) -> bool:
        return is_url(self.data_dir)

    @property
    def location(self) -> str:
        return str(self.data_dir)

    @property
    def state_path(self) -> Path:
        """Where the DuckDB file, the report and the lock live: always on the local disk."""
        if self.state_dir is not None:
            return self.state_dir
        return default_state_dir(self.location) if self.is_remote else Path(self.data_dir)

    @property
    def parquet_location(self) -> str:
        return f"{self.location.rstrip('/')}/parquet"

    @property
    def duckdb_path(self) -> Path:
        return self.state_path / "warehouse.duckdb"

    @property
    def spare_duckdb_path(self) -> Path:
        """The DuckDB file the last build replaced: the next build updates it and swaps it in."""
        return self.state_path / ".warehouse-spare.duckdb"

    @property
    def report_path(self) -> Path:
        return self.state_path / "report.html"

    @property
    def lock_path(self) -> Path:
        return self.state_path / ".writer.lock"

    def fingerprint_cache(self, source_dir: Path) -> Path:
        """Where a run over `source_dir` keeps the content hashes of its files for the next run
        (one file per source folder: several folders may feed one warehouse)."""
        digest = hashlib.sha256(str(source_dir.resolve()).encode()).hexdigest()[:16]
        return self.state_path / ".fingerprints" / f"{digest}.parquet"

    @property
    def staging_dir(self) -> Path:
        """Where files bound for an object store are written before their upload."""
        return self.state_path / ".staging"

    def parquet_fs(self) -> tuple[fsspec.AbstractFileSystem, str]:
        """The filesystem and path of the `parquet/` folder."""
        return filesystem_for(self.parquet_location)

    def table_dir(self, table: str) -> str:
        fs, root = self.parquet_fs()
        return f"{root}/{table}"

    def table_files(self, table: str) -> list[str]:
        """Every Parquet file of `table` present on storage, in force or not (storage paths)."""
        fs, root = self.parquet_fs()
        return [f"{root}/{name}" for name in stored_files(fs, root) if name.split("/")[0] == table]


# --- partitions ---------------------------------------------------------------------------------


def article_months(articles: pa.Table | None) -> dict[str, str]:
    """article_id -> partition of those articles."""
    if articles is None:
        return {}
    months = months_of(articles.column("published_date")).to_pylist()
    return dict(zip(articles.column("article_id").to_pylist(), months, strict=True))


def split_by_month(table: str, data: pa.Table, months: Mapping[str, str]) -> dict[str, pa.Table]:
    """The rows of each partition: articles by publication month, child rows by their article's
    (unknown when the article is not in `months`), rejected files by the month they were rejected
    (they have no publication date)."""
    if table == COMMIT_TABLE:
        partitions = months_of(data.column("published_date"))
    elif table in ARTICLE_CHILD_TABLES:
        # Each row's article looked up among the batch's articles, in Arrow (a batch has 10k+
        # child rows: a Python loop over them cost the flow ~20 ms a batch).
        at = pc.index_in(data.column("article_id"), value_set=pa.array(list(months), pa.string()))
        found = pc.take(pa.array(list(months.values()), pa.string()), at)
        partitions = pc.fill_null(found, UNKNOWN_MONTH)
    else:
        partitions = months_of(data.column("rejected_at"))
    return {
        month: data.filter(pc.equal(partitions, month))
        for month in sorted(pc.unique(partitions).to_pylist())
    }


def months_of(dates: pa.ChunkedArray) -> pa.ChunkedArray:
    """The partition of each value of a date or timestamp column: "YYYY-MM" (a timestamp's in
    its own zone), or "unknown" when it is null."""
    return pc.fill_null(pc.strftime(dates, format="%Y-%m"), UNKNOWN_MONTH)


def partition_path(table: str, month: str, name: str) -> str:
    """A file's name relative to `parquet/`."""
    return f"{table}/{PARTITION_COLUMN}={month}/{name}.parquet"


# --- reading ------------------------------------------------------------------------------------


def batch_key(ids: Iterable[str]) -> str:
    """A batch's file name: a hash of what it holds, so writing the same batch twice is a no-op."""
    digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    return digest[:20]


def is_local_fs(fs: fsspec.AbstractFileSystem) -> bool:
    return isinstance(fs, LocalFileSystem)


def read_parquet_files(
    fs: fsspec.AbstractFileSystem, root: str, names: list[str], **options: object
) -> pa.Table:
    """Read files named relative to `parquet/`; the partition is a folder name, not a column."""
    files = [f"{root}/{name}" for name in names]
    filesystem = None if is_local_fs(fs) else fs
    return pq.read_table(files, filesystem=filesystem, partitioning=None, **options)


def known_article_ids(
    paths: WarehousePaths, in_force: Mapping[str, list[str]] | None = None
) -> set[str]:
    """Ids of every committed article: those are skipped by the next run. `in_force` is
    live_files(paths), when the caller has it already (it reads every commit object)."""
    fs, root = paths.parquet_fs()
    files = (live_files(paths) if in_force is None else in_force)[COMMIT_TABLE]
    if not files:
        return set()
    table = read_parquet_files(fs, root, files, columns=["article_id"])
    return set(table.column("article_id").to_pylist())


def known_rejections(
    paths: WarehousePaths, in_force: Mapping[str, list[str]] | None = None
) -> set[tuple[str, str]]:
    """(source_uri, content_sha256) of each rejected file: not re-read until its content changes.
    `in_force` as in known_article_ids."""
    fs, root = paths.parquet_fs()
    files = (live_files(paths) if in_force is None else in_force)["rejected_articles"]
    if not files:
        return set()
    table = read_parquet_files(fs, root, files, columns=["source_uri", "content_sha256"])
    return set(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


# --- writing ------------------------------------------------------------------------------------


def to_arrow(table: str, frame: pd.DataFrame) -> pa.Table:
    """A DataFrame -> an Arrow table of exactly the declared schema (extra columns dropped)."""
    schema = arrow_schema(table)
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise ValueError(f"{table}: frame lacks declared columns {missing}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def _put_atomically(
    paths: WarehousePaths,
    fs: fsspec.AbstractFileSystem,
    target: str,
    write: Callable[[str], object],
) -> None:
    """Make `target` appear whole or not at all.

    Local: write `<target>.partial`, then rename. Object store: write a local staging file, then
    one PUT (an object is never visible half-uploaded).
    """
    if is_local_fs(fs):
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        partial = target + PARTIAL_SUFFIX
        write(partial)
        os.replace(partial, target)
        return
    paths.staging_dir.mkdir(parents=True, exist_ok=True)
    staged = str(paths.staging_dir / f"{uuid.uuid4().hex}{PARTIAL_SUFFIX}")
    try:
        write(staged)
        fs.put_file(staged, target)
    finally:
        Path(staged).unlink(missing_ok=True)


def write_parquet_atomically(
    paths: WarehousePaths, table: pa.Table, name: str, fs: fsspec.AbstractFileSystem, root: str
) -> None:
    """Write one Parquet file, `name` relative to `parquet/`."""
    _put_atomically(
        paths, fs, f"{root}/{name}", lambda path: pq.write_table(table, path, compression="zstd")
    )


def write_commit(
    paths: WarehousePaths,
    name: str,
    files: Iterable[str],
    supersedes: Iterable[str] = (),
) -> str:
    """Write the commit object that puts `files` in force (and takes `supersedes` out)."""
    fs, root = paths.parquet_fs()
    body = json.dumps({"files": sorted(files), "supersedes": sorted(supersedes)}, indent=1).encode()
    relative = f"{COMMITS_DIR}/{name}.json"
    _put_atomically(paths, fs, f"{root}/{relative}", lambda path: Path(path).write_bytes(body))
    return relative


def write_batch(paths: WarehousePaths, key: str, frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """Write one batch's tables, one file per table and month, then its commit object.

    Returns the names written relative to `parquet/`, the commit last.
    """
    unknown = set(frames) - set(TABLE_NAMES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}")
    arrow = {table: to_arrow(table, frame) for table, frame in frames.items()}  # validate first
    fs, root = paths.parquet_fs()
    months = article_months(arrow.get(COMMIT_TABLE))
    written = []
    for table, data in arrow.items():
        for month, rows in split_by_month(table, data, months).items():
            name = partition_path(table, month, key)
            write_parquet_atomically(paths, rows, name, fs, root)
            written.append(name)
    return [*written, write_commit(paths, key, written)] if written else []


# --- what is in force ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    files: tuple[str, ...]  # relative to parquet/
    supersedes: tuple[str, ...]  # names of the commits this one replaces


def stored_objects(fs: fsspec.AbstractFileSystem, root: str) -> list[str]:
    """Every file under `parquet/`, relative to it, from one listing."""
    fs.invalidate_cache(root)  # another process may have written since the last listing
    if not fs.exists(root):
        return []
    return sorted(path[len(root) + 1 :] for path in fs.find(root))


def stored_files(fs: fsspec.AbstractFileSystem, root: str) -> list[str]:
    """Every Parquet file under `parquet/` (in force or not), relative to it."""
    return [
        name
        for name in stored_objects(fs, root)
        if name.endswith(".parquet") and not name.startswith(f"{COMMITS_DIR}/")
    ]


def read_commits(paths: WarehousePaths) -> dict[str, Commit]:
    """Every commit object present, by name."""
    fs, root = paths.parquet_fs()
    folder = f"{root}/{COMMITS_DIR}"
    fs.invalidate_cache(folder)
    if not fs.exists(folder):
        return {}
    found = sorted(p for p in fs.find(folder) if p.endswith(".json"))
    bodies = fs.cat(found) if found else {}
    commits = {}
    for path in found:
        data = json.loads(bodies[path])
        name = path.rsplit("/", 1)[1].removesuffix(".json")
        commits[name] = Commit(tuple(data["files"]), tuple(data.get("supersedes", ())))
    return commits


def live_commits(commits: Mapping[str, Commit]) -> dict[str, Commit]:
    """The commits no present commit supersedes."""
    superseded = {name for commit in commits.values() for name in commit.supersedes}
    return {name: commit for name, commit in commits.items() if name not in superseded}


def _check_layout(stored: list[str], commits: Mapping[str, Commit]) -> None:
    """Refuse a data location of the old flat layout: its files would all look uncommitted."""
    if not commits and any(name.count("/") == 1 for name in stored):
        raise LegacyLayout(
            "the Parquet files are in the flat layout of older versions "
            "(parquet/<table>/<batch>.parquet); `newsevents run` migrates them "
            "(warehouse.legacy_layout.migrate_legacy_layout)"
        )


def live_files(paths: WarehousePaths) -> dict[str, list[str]]:
    """Each table's files in force (relative to `parquet/`): those listed by a live commit.

    A file no live commit lists is not in force, whatever rows it holds: a batch or compaction
    that died before its commit, or the files a committed compaction replaced.
    """
    commits = read_commits(paths)
    if not commits:
        fs, root = paths.parquet_fs()
        _check_layout(stored_files(fs, root), commits)
    listed = {name for commit in live_commits(commits).values() for name in commit.files}
    by_table: dict[str, list[str]] = {table: [] for table in TABLE_NAMES}
    for name in sorted(listed):
        by_table[name.split("/")[0]].append(name)
    return by_table


def remove_uncommitted_batches(paths: WarehousePaths) -> list[str]:
    """Delete every file not in force, partial files and superseded commits (what a dead run or
    compaction left behind). Call only while holding the writer lock. Returns what it removed,
    relative to `parquet/`.
    """
    fs, root = paths.parquet_fs()
    commits = read_commits(paths)
    stored = stored_objects(fs, root)
    parquet = [n for n in stored if n.endswith(".parquet") and not n.startswith(f"{COMMITS_DIR}/")]
    _check_layout(parquet, commits)
    live = live_commits(commits)
    in_force = {name for commit in live.values() for name in commit.files}
    removed = [name for name in parquet if name not in in_force]
    removed += [name for name in stored if name.endswith(PARTIAL_SUFFIX)]
    for name in removed:
        fs.rm_file(f"{root}/{name}")
    removed += _remove_superseded_commits(fs, root, commits, set(live))
    shutil.rmtree(paths.staging_dir, ignore_errors=True)
    return removed


def _remove_superseded_commits(
    fs: fsspec.AbstractFileSystem, root: str, commits: Mapping[str, Commit], live: set[str]
) -> list[str]:
    """Delete superseded commits, oldest first: a commit goes only once every commit it
    supersedes is gone, so a crash between two deletions never brings an old commit back."""
    present = dict(commits)
    removed: list[str] = []
    while True:
        ready = sorted(
            name
            for name, commit in present.items()
            if name not in live and not any(old in present for old in commit.supersedes)
        )
        if not ready:
            return removed
        for name in ready:
            fs.rm_file(f"{root}/{COMMITS_DIR}/{name}.json")
            removed.append(f"{COMMITS_DIR}/{name}.json")
            del present[name]


def compact(paths: WarehousePaths) -> dict[str, int]:
    """Merge the files of each table's month partitions into one, for fast scans. Call under the
    writer lock.

    Only partitions holding two files or more are rewritten, so the cost follows the months that
    received new batches. The compaction's commit lists every file in force afterwards and
    supersedes every commit before it, so a crash at any point leaves either the old files or the
    new ones in force; the next remove_uncommitted_batches finishes the job. Returns the number
    of files merged per table.
    """
    remove_uncommitted_batches(paths)
    fs, root = paths.parquet_fs()
    commits = live_commits(read_commits(paths))  # all of them, after the clean-up
    files = sorted({name for commit in commits.values() for name in commit.files})
    partitions: dict[str, list[str]] = {}
    for name in files:
        partitions.setdefault(name.rsplit("/", 1)[0], []).append(name)
    to_merge = {folder: names for folder, names in partitions.items() if len(names) > 1}
    if not to_merge:
        return {}
    key = COMPACT_PREFIX + batch_key(files)
    merged: dict[str, int] = {}
    kept = [name for name in files if name.rsplit("/", 1)[0] not in to_merge]
    for folder, names in sorted(to_merge.items()):
        table = folder.split("/")[0]
        data = read_parquet_files(fs, root, names, schema=arrow_schema(table))
        target = f"{folder}/{key}.parquet"
        write_parquet_atomically(paths, data, target, fs, root)
        kept.append(target)
        merged[table] = merged.get(table, 0) + len(names)
    write_commit(paths, key, kept, supersedes=commits)
    remove_uncommitted_batches(paths)
    return merged


# --- the DuckDB file ----------------------------------------------------------------------------


def build_duckdb(paths: WarehousePaths, full: bool = False) -> BuildResult:
    """Bring the DuckDB file up to date with the Parquet files, check it, and swap it in.

    Incremental when it can be: only Parquet files the file has not loaded yet are added, so a
    run's cost grows with its new data, not with the archive. A file that holds every committed
    Parquet file already is left as it is (its row counts and stored check results are what a
    build would give: nothing it reads has changed). A full rebuild happens when asked, when there
    is no file yet, when the declared schemas changed, or when files it loaded are gone (after a
    compaction). Either way the new file is built under another name and swapped in with one
    rename: readers never see a half-built file, and a session open on the old one keeps it.
    The file a swap replaces stays as the spare, and the next build brings the spare up to date
    in place (see _open_file_to_build): no copy of the whole file, which grows with the archive.
    The data-quality results are stored in the file (table data_quality) and returned; a failing
    check does not stop the swap (the Parquet files are already committed), the caller reports it.
    Parquet on an object store is read through its fsspec filesystem (no DuckDB extension).
    """
    paths.state_path.mkdir(parents=True, exist_ok=True)
    _remove_build_leftovers(paths)
    fs, root = paths.parquet_fs()
    in_force = live_files(paths)
    current, unchanged = (None, None) if full else _current_state(paths.duckdb_path, in_force)
    if unchanged is not None:
        return unchanged
    can_add = current is not None and _loaded_only_files_in_force(current, in_force)
    building, con, loaded = _open_file_to_build(paths, in_force, can_add)
    incremental = loaded is not None
    counts: dict[str, int] = {}
    with con:
        if not is_local_fs(fs):
            con.register_filesystem(fs)
        con.execute((SQL_DIR / "build_settings.sql").read_text(encoding="utf-8"))
        # One transaction for the whole build, not one commit (and WAL sync) per statement: the
        # file is not in use until the rename below, so no reader sees it half-built anyway.
        con.begin()
        if loaded is None:
            loaded = {}
            con.execute((SQL_DIR / "create_build_info.sql").read_text(encoding="utf-8"))
            con.execute("INSERT INTO _build_info VALUES (?, 0)", [schema_fingerprint()])
            for table in TABLE_NAMES:
                con.execute(table_ddl(table))
            con.execute(table_ddl("incidents", reference=True))
            _load_reference_tables(con)
            previous_checks = None
        else:
            # The previous build's check results, to carry over; without them, check every row.
            previous_checks = _stored_check_results(con)
            if not _merges_row_groups(con):
                con.execute("SET max_vacuum_tasks = 0")
        for table in TABLE_NAMES:
            rows_before = _row_count(con, table) if previous_checks is not None else 0
            new = [name for name in in_force[table] if name not in loaded.get(table, set())]
            if new:
                files = [_duckdb_uri(fs, f"{root}/{name}") for name in new]
                con.execute(LOAD_SQL.format(table=table), {"files": files})
                con.execute(RECORD_LOADED_SQL, {"table": table, "files": new})
            con.execute(NEW_ROWS_SQL.format(table=table, first_row=rows_before))
            counts[table] = _row_count(con, table)
        con.execute((SQL_DIR / "build_incidents.sql").read_text(encoding="utf-8"))
        for view in sorted(VIEWS_DIR.glob("*.sql")):
            con.execute(view.read_text(encoding="utf-8"))
        checks = run_checks(con, previous_checks)
        quality = pd.DataFrame(
            [(c.check, c.description, c.failing_rows, c.passed, c.sample) for c in checks],
            columns=["check_name", "description", "failing_rows", "passed", "sample"],
        )
        con.execute('DROP TABLE IF EXISTS "data_quality"')
        con.execute(table_ddl("data_quality", reference=True))
        con.register("quality_results", quality)
        con.execute("INSERT INTO data_quality BY NAME SELECT * FROM quality_results")
        con.commit()
        con.execute("CHECKPOINT")
    _swap_in(building, paths)
    return BuildResult(counts, checks, incremental)


def _merges_row_groups(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this incremental build lets DuckDB's checkpoint merge the file's small row groups
    (every MERGE_ROW_GROUPS_EVERY-th build of the file); counts the build either way."""
    counted = con.execute(COUNT_BUILD_SQL, {"every": MERGE_ROW_GROUPS_EVERY}).fetchone()
    return counted is not None and counted[0] == 0


def _open_file_to_build(
    paths: WarehousePaths, in_force: Mapping[str, list[str]], can_add: bool
) -> tuple[Path, duckdb.DuckDBPyConnection, dict[str, set[str]] | None]:
    """The file the build writes, a read-write connection to it, and the Parquet files it holds
    already (None: a new, empty file, to build whole).

    When the build may add to an existing file (`can_add`), the first choice is the spare (the
    file the last swap replaced): it is brought up to date in place, so the build writes only
    what changed. Next comes a copy of the current file, which grows with the archive (106 MB at
    20k articles; its copy and write-out made a 1% re-run's build 40% slower). A file can't be
    used when it loaded files a compaction has since removed or was built with other schemas;
    the spare also can't when a reader still has it open (a session opened before the last swap
    keeps reading it).
    """
    building = paths.duckdb_path.with_name(f"{paths.duckdb_path.name}.building-{os.getpid()}")
    if can_add:
        spare = _open_spare(paths)
        loaded = _loaded_files_if_usable(spare, in_force)
        if spare is not None and loaded is not None:
            return paths.spare_duckdb_path, spare, loaded
        shutil.copyfile(paths.duckdb_path, building)
        copy = duckdb.connect(str(building))
        loaded = _loaded_files_if_usable(copy, in_force)
        if loaded is not None:
            return building, copy, loaded
    building.unlink(missing_ok=True)
    return building, duckdb.connect(str(building)), None


def _open_spare(paths: WarehousePaths) -> duckdb.DuckDBPyConnection | None:
    """The spare, open read-write; None when it is missing or a reader has it open: DuckDB's file
    lock tells for another process, /dev/fd for this one (the lock doesn't stop a process from
    writing a file it reads itself)."""
    spare = paths.spare_duckdb_path
    if not spare.is_file() or _open_in_this_process(spare):
        return None
    try:
        return duckdb.connect(str(spare))
    except duckdb.Error:
        return None


def _loaded_files_if_usable(
    con: duckdb.DuckDBPyConnection | None, in_force: Mapping[str, list[str]]
) -> dict[str, set[str]] | None:
    """The Parquet files an open DuckDB file holds, when a build can add to it; otherwise None,
    and the connection is closed."""
    if con is None:
        return None
    loaded = _loaded_files_of(con)
    if loaded is not None and _loaded_only_files_in_force(loaded, in_force):
        return loaded
    con.close()
    return None


def _swap_in(built: Path, paths: WarehousePaths) -> None:
    """Make `built` the current file in one rename, and keep the file it replaces as the spare.

    The current file gets a second name first (a hard link), so at every instant the current
    name points at a complete file; a crash in between leaves at worst a stray name, which the
    next build removes (_remove_build_leftovers), and no spare, which it copies instead.
    """
    current, spare = paths.duckdb_path, paths.spare_duckdb_path
    outgoing = spare.with_name(spare.name + SWAPPING_SUFFIX)
    keep = current.is_file()
    if keep:
        try:
            os.link(current, outgoing)
        except OSError:
            keep = False  # no hard links on this filesystem: no spare, the next build copies
    os.replace(built, current)
    if keep:
        os.replace(outgoing, spare)


def _remove_build_leftovers(paths: WarehousePaths) -> None:
    """Delete what a build that died left: its half-built file (and WAL), and a stray name of a
    swap. The writer lock says no build is running."""
    leftovers = [
        *paths.state_path.glob(f"{paths.duckdb_path.name}.building-*"),
        paths.spare_duckdb_path.with_name(paths.spare_duckdb_path.name + SWAPPING_SUFFIX),
    ]
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)


def _open_in_this_process(path: Path) -> bool:
    """Whether this process has `path` open, e.g. a DuckDB session opened before a swap: DuckDB's
    file lock keeps other processes from writing a file someone reads, not the reader's own.
    True when it can't tell (no /dev/fd)."""
    try:
        target = path.stat()
        descriptors = os.listdir("/dev/fd")
    except OSError:
        return True
    for name in descriptors:
        try:
            opened = os.fstat(int(name))
        except (OSError, ValueError):
            continue  # the listing's own descriptor, closed by now
        if (opened.st_dev, opened.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def _duckdb_uri(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """What DuckDB opens: a local path as is, anything else as a URL of the registered fs."""
    return path if is_local_fs(fs) else fs.unstrip_protocol(path)


def schema_fingerprint() -> str:
    """A hash of every declared table, view, build SQL file and check: a change forces a full
    rebuild (and a changed check then reads every row, not only the new ones)."""
    digest = hashlib.sha256()
    for folder in (Path(__file__).parent / "tables", VIEWS_DIR, SQL_DIR, CHECKS_DIR):
        for path in sorted(folder.glob("*.sql")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _current_state(
    duckdb_path: Path, in_force: Mapping[str, list[str]]
) -> tuple[dict[str, set[str]] | None, BuildResult | None]:
    """What the current DuckDB file holds (None: it must be rebuilt whole), and, when that is
    the Parquet files in force exactly, its build result: its row counts and stored check
    results, which a build would give again (nothing it reads has changed). One read-only open."""
    if not duckdb_path.is_file():
        return None, None
    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            loaded = _loaded_files_of(con)
            if loaded is None or not _holds_exactly(loaded, in_force):
                return loaded, None
            return loaded, _current_build(con)
    except duckdb.Error:
        return None, None  # a damaged file: rebuild it whole


def _loaded_files_of(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]] | None:
    """The Parquet files a DuckDB file holds, or None when it was built with other schemas (or by
    an older version) and must be rebuilt whole."""
    try:
        built_with = con.execute("SELECT schema_fingerprint FROM _build_info").fetchall()
        if built_with != [(schema_fingerprint(),)]:
            return None
        rows = con.execute("SELECT table_name, file FROM _loaded_files").fetchall()
    except duckdb.Error:
        return None
    loaded: dict[str, set[str]] = {}
    for table, name in rows:
        loaded.setdefault(table, set()).add(name)
    return loaded


def _loaded_only_files_in_force(
    loaded: dict[str, set[str]], in_force: Mapping[str, list[str]]
) -> bool:
    """Whether a DuckDB file that loaded `loaded` can be brought up to date by adding files: it
    holds no file that is out of force (a compaction replaced it)."""
    return all(loaded.get(table, set()) <= set(in_force[table]) for table in TABLE_NAMES)


def _holds_exactly(loaded: dict[str, set[str]], in_force: Mapping[str, list[str]]) -> bool:
    """Whether a DuckDB file that loaded `loaded` holds the Parquet files in force, no more, no
    fewer."""
    return all(set(in_force[table]) == loaded.get(table, set()) for table in TABLE_NAMES)


def _current_build(con: duckdb.DuckDBPyConnection) -> BuildResult | None:
    """An open file's row counts and stored check results, for a build with nothing to add;
    None when it holds no check results (it is then built as usual)."""
    checks = _stored_check_results(con)
    if checks is None:
        return None
    counts = {table: _row_count(con, table) for table in TABLE_NAMES}
    return BuildResult(counts, list(checks.values()), incremental=True, unchanged=True)


def _stored_check_results(con: duckdb.DuckDBPyConnection) -> dict[str, CheckResult] | None:
    """The check results the file holds (its last build's), or None when it holds none."""
    (stored,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'data_quality'"
    ).fetchone() or (0,)
    if not stored:
        return None
    rows = con.execute(
        "SELECT check_name, description, failing_rows, sample FROM data_quality ORDER BY rowid"
    ).fetchall()  # in the order the build ran them
    return {row[0]: CheckResult(*row) for row in rows}


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
    """Hold the writer lock of the data location; wait for another run up to wait_seconds.

    The lock is an flock on a file in the local state folder: the operating system releases it
    when the holder dies, even by kill -9, so a crashed run never blocks the next one. It only
    serialises runs on one host: an object-store location must have one writer host.
    """
    paths.state_path.mkdir(parents=True, exist_ok=True)
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
                        f"another run is writing {paths.location}; waiting up to "
                        f"{wait_seconds:.0f} s for it to finish"
                    )
                    waited = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another run is writing {paths.location} (lock {paths.lock_path}); "
                        f"waited {wait_seconds:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseMissing(FileNotFoundError):
    """No DuckDB file yet at the data location's state folder."""


def connect_read_only(paths: WarehousePaths) -> duckdb.DuckDBPyConnection:
    """The one way readers open the warehouse: read-only, so a run can swap the file meanwhile."""
    if not paths.duckdb_path.is_file():
        state = f" --state-dir {paths.state_path}" if paths.is_remote else ""
        raise WarehouseMissing(
            f"no warehouse at {paths.duckdb_path}: "
            f"run `newsevents run --data-dir {paths.location}{state}` first"
        )
    return duckdb.connect(str(paths.duckdb_path), read_only=True)


def table_row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(name, table or view, rows) of everything in the warehouse, tables first."""
    objects = con.execute((SQL_DIR / "list_tables.sql").read_text(encoding="utf-8")).fetchall()
    return [(name, kind, _row_count(con, name)) for name, kind in objects]
