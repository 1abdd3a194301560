"""The newsevents flow: ingest -> clean -> dates -> extract -> load. Wiring only.

Work moves in batches of articles (a dict of DataFrames, one per table), never one Prefect task
per article. Each batch's stages are submitted to the flow's task runner (threads by default,
a Dask cluster with `newsevents run --task-runner dask`); a few batches are in flight at once,
so memory stays bounded by the batch size, not the corpus. A run whose data-quality checks fail
loads its data, publishes its artifacts, and ends Failed.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from tasks.clean import clean_task
from tasks.dates import dates_task
from tasks.extract import extract_task
from tasks.ingest import chunk, load_manifest, plan_ingest, read_articles_task
from tasks.load import build_duckdb_task, prepare_warehouse, write_batch_task
from tasks.summary import BatchSummary, progress_line, report_run, write_report_task
from warehouse.store import WarehousePaths, writer_lock

DEFAULT_BATCH_SIZE = 500
DEFAULT_BATCHES_IN_FLIGHT = 2
# A full garbage collection costs ~0.15 s; without one every few batches, memory grows with the
# corpus (measured: 530 MB at 1k articles, 860 MB at 20k).
GC_EVERY_BATCHES = 4


@flow(name="newsevents")
def newsevents_flow(
    source: str = "seeds",
    data_dir: str = "data",
    batch_size: int = DEFAULT_BATCH_SIZE,
    batches_in_flight: int = DEFAULT_BATCHES_IN_FLIGHT,
) -> dict[str, int]:
    """Load every new article of `source` into the Parquet files and DuckDB file of `data_dir`.

    Returns the run's counts and the warehouse's row counts per table.
    """
    logger = get_run_logger()
    source_dir, paths = Path(source).resolve(), WarehousePaths(Path(data_dir).resolve())
    if not source_dir.is_dir():
        raise FileNotFoundError(f"source folder {source_dir} does not exist: pass --source DIR")
    run_at = datetime.now(UTC)
    manifest, manifest_problem = load_manifest(source_dir)
    if manifest_problem:
        logger.warning("ingest: %s", manifest_problem)

    with writer_lock(paths, on_wait=logger.warning):
        known_ids, known_rejected = prepare_warehouse(paths)
        # quote(): large collections pass through without Prefect visiting every element.
        planned, files_found = plan_ingest(source_dir, quote(known_ids), quote(known_rejected))
        batches, started = chunk(planned, batch_size), time.monotonic()
        in_flight: deque[PrefectFuture[BatchSummary]] = deque()
        summaries: list[BatchSummary] = []
        for number, batch in enumerate(batches, start=1):
            name = f"batch-{number:04d}"
            frames = read_articles_task.with_options(task_run_name=f"ingest-{name}").submit(
                batch, source_dir, manifest, run_at
            )
            frames = clean_task.with_options(task_run_name=f"clean-{name}").submit(frames)
            frames = dates_task.with_options(task_run_name=f"dates-{name}").submit(frames)
            frames = extract_task.with_options(task_run_name=f"extract-{name}").submit(frames)
            in_flight.append(
                write_batch_task.with_options(task_run_name=f"load-{name}").submit(paths, frames)
            )
            while in_flight and (len(in_flight) >= batches_in_flight or number == len(batches)):
                summaries.append(in_flight.popleft().result())
                if len(summaries) % GC_EVERY_BATCHES == 0:
                    gc.collect()  # finished task runs' frames sit in reference cycles until then
                done = sum(summary.articles + len(summary.rejected) for summary in summaries)
                elapsed = time.monotonic() - started
                logger.info(progress_line(len(summaries), len(batches), done, elapsed))
        build = build_duckdb_task(paths)
        write_report_task(paths, run_at.date())
    return report_run(summaries, files_found, build, paths)
