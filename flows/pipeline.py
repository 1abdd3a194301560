"""The newsevents flow: ingest -> clean -> dates -> extract -> load. Wiring only.

Work moves in batches of articles (a dict of DataFrames, one per table), never one Prefect task
per article. Each batch's stages are submitted to the flow's task runner (threads by default,
a Dask cluster with `newsevents run --task-runner dask`); a few batches are in flight at once,
so memory stays bounded by the batch size, not the corpus (a run of one batch calls its stage
tasks in turn under the threads runner). Under the threads runner each stage task hands its
work to a CPU worker process (tasks/workers.py), so every core computes while the Prefect task
runs stay in this process; a small run starts no worker and computes here.
A run whose data-quality checks fail loads its data, publishes its artifacts, and ends Failed.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from tasks.formats import release_language_model
from tasks.ingest import (
    Manifest,
    batch_size_for,
    chunk,
    in_publication_month_order,
    load_manifest,
    prefetch_unless_pending,
    prefetched_files_to_read,
)
from tasks.load import build_duckdb_task, prepare_warehouse, write_batch_task
from tasks.stages import clean_task, dates_task, extract_task, plan_ingest, read_articles_task
from tasks.summary import BatchSummary, progress_line, report_run, write_report_task
from tasks.workers import (
    cpu_workers,
    default_cpu_workers,
    trim_freed_memory,
    worker_processes_for,
    workers_start_before_plan,
)
from warehouse.store import WarehousePaths, writer_lock

# How long a run waits at most for its source's prefetch to tell whether it is small: to list the
# folder and match it with the fingerprint cache (0.3-1.0 s at 20k files, 2-4 s at 100k; a folder
# without a cache answers once listed: every file is new). A large folder is not a large run: when
# runs waited 1 s and took no answer for a large one, every run over 100k files started its CPU
# workers (3 s of CPU), one with nothing new included. The limit is for a folder that hangs.
PREFETCH_WAIT_SECONDS = 30.0
T = TypeVar("T")


@flow(name="newsevents")
def newsevents_flow(
    source: str = "seeds",
    data_dir: str = "data",
    state_dir: str | None = None,
    batch_size: int | None = None,
    batches_in_flight: int | None = None,
    cpu_worker_processes: int | None = None,
) -> dict[str, int]:
    """Load every new article of `source` into the Parquet files and DuckDB file of `data_dir`.

    Articles go in batches of `batch_size` (default: sized to the work, see batch_size_for).
    The stage tasks' work runs in `cpu_worker_processes` processes (default: one per core with
    the threads task runner; none with a Dask runner, whose workers are processes already).
    Returns the run's counts and the warehouse's row counts per table.
    """
    logger = get_run_logger()
    source_dir, paths = Path(source).resolve(), WarehousePaths.at(data_dir, state_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"source folder {source_dir} does not exist: pass --source DIR")
    run_at = datetime.now(UTC)
    manifest, manifest_problem = load_manifest(source_dir)
    if manifest_problem:
        logger.warning("ingest: %s", manifest_problem)

    fingerprint_cache = paths.fingerprint_cache(source_dir)
    prefetch_unless_pending(source_dir, fingerprint_cache)
    on_threads = _task_runner_is_threads()
    # One CPU worker per core under the threads runner; none under a runner of processes.
    workers = cpu_worker_processes or (default_cpu_workers() if on_threads else 1)
    with writer_lock(paths, on_wait=logger.warning), ExitStack() as open_workers:
        # CPU workers take 0.7-1.2 s of CPU each to start. They start now, while this process
        # reads the warehouse and plans, unless the prefetch found few new or changed files:
        # then only once the plan shows enough work for them (worker_processes_for). A small
        # run's stages load what they need on first use, on its path: a thread warming them up
        # meanwhile held the interpreter lock the flow's own thread waits for between its API
        # calls (at 20k, a 1% re-run's flow run took 0.12 s longer with it; docs/scaling.md).
        files_to_read = None
        if on_threads and cpu_worker_processes is None:
            files_to_read = prefetched_files_to_read(
                source_dir, fingerprint_cache, PREFETCH_WAIT_SECONDS
            )
        start_after_plan = not workers_start_before_plan(files_to_read)
        if not start_after_plan:
            open_workers.enter_context(cpu_workers(workers))
        known_ids, known_rejected = prepare_warehouse(paths)
        planned, files_found = plan_ingest(
            source_dir, unvisited(known_ids), unvisited(known_rejected), fingerprint_cache
        )
        if start_after_plan:
            workers = worker_processes_for(len(planned), workers)
            open_workers.enter_context(cpu_workers(workers))
        # Batches of one or two months each write a few Parquet files, not one per month.
        planned = in_publication_month_order(planned, manifest)
        batches = chunk(planned, batch_size or batch_size_for(len(planned), workers))
        # Prefect's and the libraries' objects live as long as the process: keep them out of
        # the collections below, which then only walk what the batches left (0.5 s -> 0.05 s).
        # Unfrozen after, so what was garbage at the freeze is collected later.
        gc.freeze()
        try:
            if on_threads and len(batches) == 1:
                summaries = [_run_only_batch(batches[0], source_dir, manifest, run_at, paths)]
            else:
                # Every worker busy with a batch while one more is read or written.
                in_flight = batches_in_flight or workers + 1
                summaries = _run_batches(batches, source_dir, manifest, run_at, paths, in_flight)
        finally:
            gc.unfreeze()
        # The workers stop here, before the build: their memory is free when DuckDB needs it.
        open_workers.close()
        release_language_model()  # if a batch kept it (no cached copy): memory the build can use
        build = build_duckdb_task(paths)
        write_report_task(paths, run_at.date())
    return report_run(unvisited(summaries), files_found, build, paths)


def _run_only_batch(
    batch: pd.DataFrame,
    source_dir: Path,
    manifest: Manifest,
    run_at: datetime,
    paths: WarehousePaths,
) -> BatchSummary:
    """A run's only batch (under the threads runner): its stage tasks called in turn in this
    thread. Submitted, they would overlap with nothing, and a task submitted with another's
    future for input asks the Prefect API for that task's state as it starts (four requests a
    batch): at 20k articles a 1% re-run's stages took 40-45 ms less called in turn."""
    started = time.monotonic()
    name = "batch-0001"
    frames = read_articles_task.with_options(task_run_name=f"ingest-{name}")(
        batch, source_dir, manifest, run_at
    )
    frames = clean_task.with_options(task_run_name=f"clean-{name}")(frames)
    frames = dates_task.with_options(task_run_name=f"dates-{name}")(frames)
    frames = extract_task.with_options(task_run_name=f"extract-{name}")(frames)
    summary = write_batch_task.with_options(task_run_name=f"load-{name}")(paths, frames)
    done = summary.articles + len(summary.rejected)
    get_run_logger().info(progress_line(1, 1, done, time.monotonic() - started))
    return summary


def _run_batches(
    batches: list[pd.DataFrame],
    source_dir: Path,
    manifest: Manifest,
    run_at: datetime,
    paths: WarehousePaths,
    batches_in_flight: int,
) -> list[BatchSummary]:
    """Submit each batch's stage tasks, at most `batches_in_flight` batches at once."""
    logger = get_run_logger()
    started = time.monotonic()
    in_flight: deque[PrefectFuture[BatchSummary]] = deque()
    summaries: list[BatchSummary] = []
    for number, batch in enumerate(batches, start=1):
        name = f"batch-{number:04d}"
        # A future of the batch's frames: Prefect hands each task the result of the one before
        # (its overloads don't type a future in place of the value).
        frames: Any = read_articles_task.with_options(task_run_name=f"ingest-{name}").submit(
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
            # A finished batch's frames sit in reference cycles of its task runs until a full
            # collection; without one per batch memory grows with the corpus (measured: 530 MB at
            # 1k articles, 860 MB at 20k). After gc.freeze() a collection costs ~0.02 s.
            gc.collect()
            trim_freed_memory()
            done = sum(summary.articles + len(summary.rejected) for summary in summaries)
            elapsed = time.monotonic() - started
            logger.info(progress_line(len(summaries), len(batches), done, elapsed))
    return summaries


def unvisited(value: T) -> T:
    """`value` wrapped in Prefect's quote(): a task receives it as is, without Prefect visiting
    every element of a large collection for futures to resolve."""
    return cast(T, quote(value))


def _task_runner_is_threads() -> bool:
    """Whether this flow run's tasks run on threads of this process (else on a Dask cluster)."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
