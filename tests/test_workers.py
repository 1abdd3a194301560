"""The CPU worker pool: stage functions give the same frames in a worker process as in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import tasks.workers
from tasks.clean import clean_articles
from tasks.dates import time_expressions_frame
from tasks.extract import extract_tables
from tasks.ingest import (
    MAX_BATCH_SIZE,
    MIN_BATCH_SIZE,
    batch_size_for,
    fingerprint_files,
    list_article_files,
    load_manifest,
    read_articles,
)
from tasks.workers import (
    IN_PROCESS_MAX_ARTICLES,
    STAGE_MODULES,
    cpu_workers,
    discard_early_cpu_workers,
    run_on_cpu_worker,
    start_cpu_workers_early,
    worker_processes_for,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
RUN_AT = datetime(2026, 1, 2, tzinfo=UTC)


def stage_frames(run: object) -> dict[str, pd.DataFrame]:
    """The seeds through every pure stage, each call made through `run`."""
    manifest, _ = load_manifest(SEEDS)
    planned = fingerprint_files(list_article_files(SEEDS), SEEDS)
    articles, rejected = run(read_articles, planned, SEEDS, manifest, RUN_AT)  # type: ignore[operator]
    articles, removed = run(clean_articles, articles)  # type: ignore[operator]
    expressions = run(time_expressions_frame, articles)  # type: ignore[operator]
    events, totals, claims = run(extract_tables, articles, expressions)  # type: ignore[operator]
    return {
        "articles": articles,
        "rejected_articles": rejected,
        "removed_lines": removed,
        "time_expressions": expressions,
        "events": events,
        "drone_totals": totals,
        "claims": claims,
    }


def in_process(function: object, *args: object) -> object:
    return function(*args)  # type: ignore[operator]


def test_worker_processes_give_the_same_frames_as_in_process() -> None:
    expected = stage_frames(in_process)
    with cpu_workers(2):
        got = stage_frames(run_on_cpu_worker)
    assert set(got) == set(expected)
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(got[table], frame, obj=table)
    assert len(got["articles"]) == 5
    assert len(got["events"]) > 0


def test_without_a_pool_the_call_runs_in_this_process() -> None:
    assert run_on_cpu_worker(os.getpid) == os.getpid()
    with cpu_workers(1):  # one worker: no pool, in-process
        assert run_on_cpu_worker(os.getpid) == os.getpid()


def test_work_goes_to_other_processes_and_the_pool_closes_after() -> None:
    with cpu_workers(2):
        pids = {run_on_cpu_worker(os.getpid) for _ in range(6)}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    assert run_on_cpu_worker(os.getpid) == os.getpid()


def test_workers_started_early_are_the_ones_the_flow_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """`newsevents run` starts a large run's workers before the flow; the flow's cpu_workers of
    the same size takes them over instead of starting more."""
    started: list[int] = []
    new_pool = tasks.workers._new_pool

    def counted_new_pool(size: int) -> ProcessPoolExecutor:
        started.append(size)
        return new_pool(size)

    monkeypatch.setattr(tasks.workers, "_new_pool", counted_new_pool)
    start_cpu_workers_early(2)
    start_cpu_workers_early(2)  # once is enough
    with cpu_workers(2):
        pids = {run_on_cpu_worker(os.getpid) for _ in range(4)}
    assert started == [2]
    assert os.getpid() not in pids
    discard_early_cpu_workers()  # nothing left to discard: the flow took them
    assert started == [2]


def test_workers_started_early_and_not_taken_over_are_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[int] = []
    new_pool = tasks.workers._new_pool

    def counted_new_pool(size: int) -> ProcessPoolExecutor:
        started.append(size)
        return new_pool(size)

    monkeypatch.setattr(tasks.workers, "_new_pool", counted_new_pool)
    start_cpu_workers_early(2)
    early = tasks.workers._early_pool
    with cpu_workers(3):  # the flow wants another size: a pool of its own
        assert run_on_cpu_worker(sum, [1, 2]) == 3
    assert started == [2, 3]
    assert early is not None
    with pytest.raises(RuntimeError, match="after shutdown"):  # the early one was closed
        early.submit(os.getpid)
    start_cpu_workers_early(2)
    early = tasks.workers._early_pool
    discard_early_cpu_workers()  # a small run: the flow computed in its own process
    assert early is not None
    with pytest.raises(RuntimeError, match="after shutdown"):
        early.submit(os.getpid)
    assert tasks.workers._early_pool is None
    assert run_on_cpu_worker(os.getpid) == os.getpid()


def test_workers_run_at_a_lower_priority_than_the_flow() -> None:
    with cpu_workers(2):
        niceness = run_on_cpu_worker(os.nice, 0)  # os.nice(0) reads the niceness
    assert niceness == min(os.nice(0) + tasks.workers.WORKER_NICENESS, 19)


def kill_this_process() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_worker_fails_its_call_and_the_next_call_gets_a_new_pool() -> None:
    with cpu_workers(2):
        with pytest.raises(BrokenProcessPool):
            run_on_cpu_worker(kill_this_process)  # as the kernel's OOM killer would
        assert run_on_cpu_worker(sum, [1, 2, 3]) == 6


@pytest.mark.parametrize(
    ("planned", "workers", "size"),
    [
        (5, 2, MIN_BATCH_SIZE),  # a handful of articles: one small batch
        (200, 2, MIN_BATCH_SIZE),  # a scheduled run with a few new files: one batch
        (1_000, 2, MIN_BATCH_SIZE),  # five batches: more would cost more task runs than they save
        (3_000, 2, 500),  # three batches per worker
        (200, 1, 200),  # no workers: one batch, the fewest task runs
        (5_000, 1, MAX_BATCH_SIZE),
        (20_000, 2, MAX_BATCH_SIZE),  # capped: memory stays bounded
        (20_800, 2, 1_734),  # 12 batches, not 11: no worker idles through the last one
        (20_800, 3, 1_734),
        (100_000, 2, MAX_BATCH_SIZE),
        (1_000, 8, MIN_BATCH_SIZE),
        (0, 2, MIN_BATCH_SIZE),
    ],
)
def test_batch_size_grows_with_the_work_between_its_bounds(
    planned: int, workers: int, size: int
) -> None:
    assert batch_size_for(planned, workers) == size


@pytest.mark.parametrize(
    ("articles", "workers", "started"),
    [
        (0, 2, 1),  # nothing new: no worker starts
        (200, 2, 1),  # a scheduled run with a few new files: its stages run in the flow
        (IN_PROCESS_MAX_ARTICLES, 2, 1),
        (IN_PROCESS_MAX_ARTICLES + 1, 2, 2),
        (20_000, 2, 2),
        (20_000, 1, 1),
    ],
)
def test_a_small_run_starts_no_worker(articles: int, workers: int, started: int) -> None:
    assert worker_processes_for(articles, workers) == started


# Evaluated in a worker by the builtin eval: a function of this module would import the stages
# with it.
STAGE_MODULES_LOADED = "sorted(name for name in __import__('sys').modules if name in {names})"


def test_a_worker_has_the_stages_imported_before_its_first_batch() -> None:
    with cpu_workers(2):
        loaded = run_on_cpu_worker(eval, STAGE_MODULES_LOADED.format(names=STAGE_MODULES))
    assert loaded == sorted(STAGE_MODULES)


def test_a_worker_imports_the_stages_without_prefect() -> None:
    """A worker imports the pure stage modules only: Prefect would cost each one 60 MB."""
    check = (
        "import sys, tasks.ingest, tasks.clean, tasks.dates, tasks.extract, tasks.workers; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'prefect'))"
    )
    found = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert found.stdout.strip() == "[]"
