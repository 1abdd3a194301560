"""Task runners for `newsevents run --task-runner dask`.

The default run needs none of this. Its task runner is Prefect's threads runner (one task run per
stage and batch, cheap to start, logging through the flow run), and each stage task sends its
batch's work to a pool of CPU worker processes, up to one per core (tasks/workers.py): threads
keep the task runs light, the processes use every core. Prefect's ProcessPoolTaskRunner was measured
slower (2 cores, 20k articles: 67-82 s, against 44-53 s for threads alone): it moves each task's
whole engine into the worker, not only the work. A local Dask cluster (2 processes) took 63 s.

Dask is for clusters with more cores than one machine has. Its workers are processes already,
so the flow opens no CPU worker pool under it.
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner
from prefect_dask import DaskTaskRunner

LOCAL_WORKERS = 2  # one per core of the machine this was sized for


def dask_task_runner(address: str | None = None) -> tuple[TaskRunner[Any], int]:
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
