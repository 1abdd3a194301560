"""Task runners for `newsevents run --task-runner processes|dask`."""

from __future__ import annotations

import os

from prefect.task_runners import ProcessPoolTaskRunner
from prefect_dask import DaskTaskRunner

LOCAL_WORKERS = 2  # one per core of the machine this was sized for


def dask_task_runner(address: str | None = None) -> tuple[DaskTaskRunner, int]:
    """A Dask task runner and how many workers it has: an existing cluster's scheduler at
    `address`, or a local cluster of worker processes (one thread each: the stages hold the GIL).
    """
    if address:
        from distributed import Client

        with Client(address, timeout=30) as client:
            workers = len(client.scheduler_info().get("workers", {})) or 1
        return DaskTaskRunner(address=address), workers
    cluster = {"n_workers": LOCAL_WORKERS, "threads_per_worker": 1, "processes": True}
    return DaskTaskRunner(cluster_kwargs=cluster), LOCAL_WORKERS


def process_pool_task_runner() -> tuple[ProcessPoolTaskRunner, int]:
    """A pool of worker processes, one per core: the stages are CPU-bound and hold the GIL."""
    workers = os.cpu_count() or 1
    return ProcessPoolTaskRunner(max_workers=workers), workers
