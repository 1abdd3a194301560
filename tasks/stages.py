"""The Prefect tasks of the per-batch stages: ingest -> clean -> dates -> extract.

Each is a thin wrapper: it hands its stage's pure function and the batch's frames to a CPU
worker (tasks/workers.py), waits, and logs what the stage did. The pure functions live in
tasks/ingest.py, clean.py, dates.py and extract.py, which import no Prefect: a worker process
imports only them, and Prefect would cost each worker 60 MB and half a second of start-up.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.clean import CLEAN_INPUT_COLUMNS, cleaned_fields, with_fields
from tasks.dates import DATES_INPUT_COLUMNS, time_expressions_frame
from tasks.extract import EXTRACT_INPUT_COLUMNS, extract_tables
from tasks.formats import quick_language
from tasks.ingest import Manifest, identify_undetermined, plan_source, read_articles
from tasks.retries import IO_RETRIES
from tasks.workers import run_on_cpu_worker


def columns(articles: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
    """The columns a stage reads, those of `wanted` the frame has: a worker is sent only these
    (not the raw text, the largest)."""
    return articles[[column for column in wanted if column in articles.columns]]


@task(name="plan-ingest", cache_policy=NO_CACHE, **IO_RETRIES)
def plan_ingest(
    source_dir: Path,
    known_article_ids: set[str],
    known_rejections: set[tuple[str, str]],
    fingerprint_cache: Path,
) -> tuple[pd.DataFrame, int]:
    """The source folder's files that need work, and how many articles it holds. Retried: it
    is all I/O."""
    plan = plan_source(source_dir, known_article_ids, known_rejections, fingerprint_cache)
    get_run_logger().info(
        "ingest: %d files found (%d read, the others unchanged since the last run), "
        "%d need work (%d already loaded or duplicates)",
        plan.files_listed,
        plan.files_read,
        len(plan.planned),
        plan.units_found - len(plan.planned),
    )
    return plan.planned, plan.units_found


@task(name="read-articles", cache_policy=NO_CACHE)
def read_articles_task(
    planned: pd.DataFrame,
    source_dir: Path,
    manifest: Manifest,
    run_at: datetime,
) -> dict[str, pd.DataFrame]:
    """Read one batch -> its first tables: articles (raw text) and rejected_articles.

    The worker tells plainly English texts by their function words; the few others are placed
    by the language model here, so that only this process loads it (for the batch), not each
    worker.
    """
    articles, rejected = run_on_cpu_worker(
        read_articles,
        planned,
        source_dir,
        manifest.for_files(planned["file"]),
        run_at,
        language_of=quick_language,
    )
    articles = identify_undetermined(articles)
    get_run_logger().info("ingest: %d articles read, %d rejected", len(articles), len(rejected))
    return {"articles": articles, "rejected_articles": rejected}


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Clean a batch: its articles get title, body, author; removed_lines says what went. The
    raw text goes: no later stage reads it and no table stores it (a batch in flight holds
    ~5 KB less per article)."""
    articles = frames["articles"]
    fields, removed = run_on_cpu_worker(cleaned_fields, columns(articles, CLEAN_INPUT_COLUMNS))
    cleaned = with_fields(articles.drop(columns="raw_text"), fields)
    by_reason = removed["reason"].value_counts().to_dict() if len(removed) else {}
    get_run_logger().info(
        "clean: %d articles, %d lines removed (%s)",
        len(cleaned),
        len(removed),
        ", ".join(f"{reason}: {n}" for reason, n in by_reason.items()) or "none",
    )
    return {**frames, "articles": cleaned, "removed_lines": removed}


@task(name="resolve-dates", cache_policy=NO_CACHE)
def dates_task(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tag the time expressions of a batch of clean articles, resolved against their dates."""
    articles = frames["articles"]
    expressions = run_on_cpu_worker(time_expressions_frame, columns(articles, DATES_INPUT_COLUMNS))
    get_run_logger().info(
        "dates: %d time expressions in %d articles", len(expressions), len(articles)
    )
    return {**frames, "time_expressions": expressions}


@task(name="extract-events", cache_policy=NO_CACHE)
def extract_task(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The events, claims and nationwide totals of a batch of clean, dated articles."""
    events, totals, claims = run_on_cpu_worker(
        extract_tables,
        columns(frames["articles"], EXTRACT_INPUT_COLUMNS),
        frames["time_expressions"],
    )
    get_run_logger().info(
        "extract: %d events (%s), %d nationwide totals from %d articles",
        len(events),
        ", ".join(f"{kind}: {n}" for kind, n in events["event_type"].value_counts().items())
        or "none",
        len(totals),
        len(frames["articles"]),
    )
    return {**frames, "events": events, "drone_totals": totals, "claims": claims}
