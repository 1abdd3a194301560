"""Load: Prefect wrappers around warehouse/store.py (Parquet batches, then the DuckDB file)."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from warehouse.store import (
    WarehousePaths,
    batch_key,
    build_duckdb,
    known_article_ids,
    known_rejections,
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


@task(name="prepare-warehouse", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prepare_warehouse(paths: WarehousePaths) -> tuple[set[str], set[tuple[str, str]]]:
    """Clear what a dead run left; return the ids already loaded and the files already rejected."""
    removed = remove_uncommitted_batches(paths)
    logger = get_run_logger()
    if removed:
        logger.warning("load: removed %d files left by an unfinished run", len(removed))
    loaded, rejected = known_article_ids(paths), known_rejections(paths)
    logger.info("load: %d articles and %d rejected files already in the warehouse", len(loaded), len(rejected))
    return loaded, rejected


@task(name="write-parquet", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def write_batch_task(paths: WarehousePaths, frames: dict[str, pd.DataFrame]) -> int:
    """Write one batch's non-empty tables (articles last: that commits it). Returns files written."""
    key = batch_frames_key(frames["articles"], frames["rejected_articles"])
    written = write_batch(paths, key, {name: frame for name, frame in frames.items() if len(frame)})
    get_run_logger().info("load: batch %s, %d Parquet files written", key, len(written))
    return len(written)


@task(name="build-duckdb", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def build_duckdb_task(paths: WarehousePaths) -> dict[str, int]:
    counts = build_duckdb(paths)
    get_run_logger().info(
        "load: %s rebuilt: %s",
        paths.duckdb_path,
        ", ".join(f"{table}={count}" for table, count in counts.items()),
    )
    return counts
