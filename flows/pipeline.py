"""The newsevents flow: ingest -> clean -> dates -> extract -> load. Wiring only.

Work moves in batches of articles (DataFrames), never one Prefect task per article.
A run whose data-quality checks fail loads its data, publishes its artifacts, and ends Failed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from tasks.clean import clean_task
from tasks.dates import dates_task
from tasks.extract import extract_task
from tasks.ingest import chunk, load_manifest, plan_ingest, read_articles_task
from tasks.load import build_duckdb_task, prepare_warehouse, write_batch_task
from tasks.summary import progress_line, report_run, write_report_task
from warehouse.store import WarehousePaths, writer_lock

DEFAULT_BATCH_SIZE = 500


@flow(name="newsevents")
def newsevents_flow(
    source: str = "seeds",
    data_dir: str = "data",
    batch_size: int = DEFAULT_BATCH_SIZE,
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
        summaries = []
        batches, started = chunk(planned, batch_size), time.monotonic()
        for number, batch in enumerate(batches, start=1):
            name = f"batch-{number:04d}"
            articles, rejected = read_articles_task.with_options(task_run_name=f"ingest-{name}")(
                batch, source_dir, quote(manifest), run_at
            )
            articles, removed = clean_task.with_options(task_run_name=f"clean-{name}")(articles)
            expressions = dates_task.with_options(task_run_name=f"dates-{name}")(articles)
            events, totals = extract_task.with_options(task_run_name=f"extract-{name}")(
                articles, expressions
            )
            frames = {
                "rejected_articles": rejected,
                "removed_lines": removed,
                "time_expressions": expressions,
                "events": events,
                "drone_totals": totals,
                "articles": articles,
            }
            summaries.append(
                write_batch_task.with_options(task_run_name=f"load-{name}")(paths, frames)
            )
            done = sum(summary.articles + len(summary.rejected) for summary in summaries)
            logger.info(progress_line(number, len(batches), done, time.monotonic() - started))
        build = build_duckdb_task(paths)
        write_report_task(paths, run_at.date())
    return report_run(summaries, files_found, build, paths)
