"""The nightly check: clear leftovers, compact the Parquet files, rebuild and check."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger

from tasks.load import build_duckdb_task, compact_task, prepare_warehouse
from tasks.summary import report_run, write_report_task
from warehouse.store import WarehousePaths, writer_lock


@flow(name="newsevents-maintenance")
def maintenance_flow(data_dir: str = "data", state_dir: str | None = None) -> dict[str, int]:
    """Compact and rebuild `data_dir` (a folder or an s3:// / gs:// URL); fails when a
    data-quality check fails. `state_dir` holds the DuckDB file of a URL (default:
    ~/.cache/newsevents/...)."""
    logger = get_run_logger()
    paths = WarehousePaths.at(data_dir, state_dir)
    run_at = datetime.now(UTC)
    with writer_lock(paths, on_wait=logger.warning):
        prepare_warehouse(paths)
        compact_task(paths)
        build = build_duckdb_task(paths, full=True)
        write_report_task(paths, run_at.date())
    return report_run([], 0, build, paths)
