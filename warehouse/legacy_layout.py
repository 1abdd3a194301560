"""Moving a data location written by older versions into the month partitions, once.

Older versions wrote one flat file per table and batch, `parquet/<table>/<batch_key>.parquet`:
a batch counted once its `articles` file existed, and a compaction's `articles` file listed the
files it replaced in its Parquet metadata. The migration rewrites the files that were in force
under those rules into `parquet/<table>/published_month=.../<same name>.parquet` and commits them
with one commit object; the flat files are then no longer in force and the next clean-up deletes
them. A migration that dies before its commit leaves the flat files in force and runs again.
"""

from __future__ import annotations

import pyarrow.parquet as pq

from warehouse.schemas import ARTICLE_CHILD_TABLES, TABLE_NAMES, arrow_schema
from warehouse.store import (
    COMMIT_TABLE,
    COMPACT_PREFIX,
    WarehousePaths,
    article_months,
    batch_key,
    is_local_fs,
    partition_path,
    read_commits,
    read_parquet_files,
    split_by_month,
    stored_files,
    write_commit,
    write_parquet_atomically,
)

LEGACY_SUPERSEDES_KEY = b"newsevents.supersedes"
LEGACY_COMMIT_PREFIX = "legacy-"


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[1].removesuffix(".parquet")


def legacy_live_files(flat: list[str], supersedes: dict[str, list[str]]) -> dict[str, list[str]]:
    """The flat files in force under the old rules.

    `flat` holds names like `events/<key>.parquet`; `supersedes` maps each articles file to the
    names its metadata says it replaced.
    """
    committed = {_stem(name) for name in flat if name.startswith(f"{COMMIT_TABLE}/")}
    superseded = {name for names in supersedes.values() for name in names}
    live: dict[str, list[str]] = {table: [] for table in TABLE_NAMES}
    for name in sorted(flat):
        table, stem = name.split("/")[0], _stem(name)
        if table not in live or name in superseded:
            continue
        standalone = table not in ARTICLE_CHILD_TABLES and not stem.startswith(COMPACT_PREFIX)
        if stem in committed or standalone:
            live[table].append(name)
    return live


def migrate_legacy_layout(paths: WarehousePaths) -> int:
    """Rewrite a flat-layout location into month partitions; returns the files migrated.

    A no-op on a location that has commit objects or no flat files. Call under the writer lock.
    """
    if read_commits(paths):
        return 0
    fs, root = paths.parquet_fs()
    flat = [name for name in stored_files(fs, root) if name.count("/") == 1]
    if not flat:
        return 0
    filesystem = None if is_local_fs(fs) else fs
    supersedes = {}
    for name in flat:
        if name.startswith(f"{COMMIT_TABLE}/"):
            metadata = pq.read_schema(f"{root}/{name}", filesystem=filesystem).metadata or {}
            supersedes[name] = metadata.get(LEGACY_SUPERSEDES_KEY, b"").decode().split()
    live = legacy_live_files(flat, supersedes)
    months = {}
    if live[COMMIT_TABLE]:
        articles = read_parquet_files(
            fs, root, live[COMMIT_TABLE], columns=["article_id", "published_date"]
        )
        months = article_months(articles)
    written = []
    for table, names in live.items():
        for name in names:  # one file at a time: memory stays bounded by the largest file
            data = read_parquet_files(fs, root, [name], schema=arrow_schema(table))
            for month, rows in split_by_month(table, data, months).items():
                target = partition_path(table, month, _stem(name))
                write_parquet_atomically(paths, rows, target, fs, root)
                written.append(target)
    write_commit(paths, LEGACY_COMMIT_PREFIX + batch_key(flat), written)
    return len(flat)
