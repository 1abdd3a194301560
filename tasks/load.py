"""Load: Prefect wrappers around warehouse/store.py (Parquet batches, then the DuckDB file)."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.retries import IO_RETRIES
from tasks.summary import BatchSummary, summarise_batch
from warehouse.legacy_layout import migrate_legacy_layout
from warehouse.store import (
    BuildResult,
    WarehousePaths,
    batch_key,
    build_duckdb,
    compact,
    known_article_ids,
    known_rejections,
    live_files,
    remove_uncommitted_batches,
    write_batch,
)


def batch_frames_key(articles: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """The batch's file name: derived from its content, so a re-run rewrites the same files."""
    ids = list(articles["article_id"]) + [
        f"{uri}\t{sha}"
        for uri, sha in zip(rejected["source_uri"], rejected["content_sha256"], strict=True)
    ]
    return batch_key(ids)


@task(name="prepare-warehouse", cache_policy=NO_CACHE, **IO_RETRIES)
def prepare_warehouse(paths: WarehousePaths) -> tuple[set[str], set[tuple[str, str]]]:
    """Clear what a dead run left; return the ids already loaded and the files already rejected.

    A location written by an older version (flat Parquet layout) is migrated first, once.
    """
    logger = get_run_logger()
    migrated = migrate_legacy_layout(paths)
    if migrated:
        logger.warning("load: moved %d Parquet files into month partitions", migrated)
    removed = remove_uncommitted_batches(paths)
    if removed:
        left_by = "of the flat layout" if migrated else "left by an unfinished run"
        logger.warning("load: removed %d files %s", len(removed), left_by)
    in_force = live_files(paths)  # read the commit objects once for both
    loaded, rejected = known_article_ids(paths, in_force), known_rejections(paths, in_force)
    logger.info(
        "load: %d articles and %d rejected files already in the warehouse",
        len(loaded),
        len(rejected),
    )
    return loaded, rejected


@task(name="write-parquet", cache_policy=NO_CACHE, **IO_RETRIES)
def write_batch_task(paths: WarehousePaths, frames: dict[str, pd.DataFrame]) -> BatchSummary:
    """Write one batch's non-empty tables by month, then its commit object (that commits it)."""
    key = batch_frames_key(frames["articles"], frames["rejected_articles"])
    written = write_batch(paths, key, {name: frame for name, frame in frames.items() if len(frame)})
    get_run_logger().info("load: batch %s, %d files written", key, len(written))
    return summarise_batch(frames, [f"parquet/{name}" for name in written])


@task(name="build-duckdb", cache_policy=NO_CACHE, **IO_RETRIES)
def build_duckdb_task(paths: WarehousePaths, full: bool = False) -> BuildResult:
    """Bring the DuckDB file up to date and swap it in; log row counts and every failing check."""
    result = build_duckdb(paths, full=full)
    logger = get_run_logger()
    logger.info(
        "load: %s %s: %s",
        paths.duckdb_path,
        result.outcome,
        ", ".join(f"{table}={count}" for table, count in result.row_counts.items()),
    )
    for check in result.failed_checks:
        logger.error(
            "quality: %s failed on %d rows: %s", check.check, check.failing_rows, check.sample
        )
    return result


@task(name="compact-parquet", cache_policy=NO_CACHE, **IO_RETRIES)
def compact_task(paths: WarehousePaths) -> dict[str, int]:
    """Merge the Parquet files of each table's month partitions (under the writer lock)."""
    merged = compact(paths)
    get_run_logger().info(
        "compact: %s",
        ", ".join(f"{table}: {n} files merged" for table, n in merged.items())
        or "nothing to merge",
    )
    return merged
