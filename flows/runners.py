"""Task runners for `newsevents run --task-runner dask`.

Measured on 2 cores and 20k articles: threads 44-53 s, Dask LocalCluster (2 processes) 63 s,
Prefect's ProcessPoolTaskRunner 67-82 s: moving each batch's frames between processes costs more
than the second core gains here. Dask is for clusters with more cores than one machine has.
"""

from __future__ import annotations

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
