"""CPU workers: the stages' pure functions run in a pool of processes, up to one per core.

The flow's task runner is threads: cheap to start, and every task logs through the flow run.
But Python runs one thread at a time, so CPU-bound stages on threads use one core however many
the machine has. Each stage task therefore hands its pure function and its batch's frames to
this pool and waits for the result; the Prefect task run (name, state, logs, retries) stays in
the flow's process. Shipping a 500-article batch's frames to a worker and back costs ~5 ms
against ~200 ms of work per stage (measured). Starting a worker costs more (~0.7 s of CPU: it
imports pandas, pyarrow and the stages, and loads the gazetteer), so the flow opens the pool
before it reads the warehouse and plans, or takes over the one `newsevents run` started while it
waited for its Prefect server (start_cpu_workers_early): by the first batch the workers are
ready. A small run (IN_PROCESS_MAX_ARTICLES) starts none: its stages run in the flow's process.

Without an open pool (unit tests, a Dask worker, `--cpu-workers 1`) `run_on_cpu_worker` calls
the function in-process, so the same task code runs everywhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import pyarrow as pa

P = ParamSpec("P")
R = TypeVar("R")

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_used = False  # whether the open pool was given work
# A pool started before the flow (start_cpu_workers_early), for its cpu_workers to take over.
_early_pool: ProcessPoolExecutor | None = None
_early_pool_size = 0


# What a worker runs: imported as the worker starts, with the gazetteer loaded, so that the
# first batch of a run does not wait for them. Never Prefect (60 MB per worker; a test checks).
STAGE_MODULES = ("tasks.ingest", "tasks.clean", "tasks.dates", "tasks.extract")


def default_cpu_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# A run with at most this many articles to process computes its stages in the flow's process and
# starts no worker: a worker costs 0.7-1.2 s of CPU to start, more than the stage work of these
# articles (about 1 ms each) on one core. This is the scheduled run with a few new files.
IN_PROCESS_MAX_ARTICLES = 500


def is_small_run(articles: int) -> bool:
    """Whether `articles` articles to process are better done in the flow's process."""
    return articles <= IN_PROCESS_MAX_ARTICLES


def workers_start_before_plan(files_to_read: int | None) -> bool:
    """Whether a run's CPU workers start before it plans: the source's prefetch found more new or
    changed files than a small run has, or did not answer (a folder that hangs, or an error)."""
    return files_to_read is None or not is_small_run(files_to_read)


def worker_processes_for(articles: int, workers: int) -> int:
    """The CPU workers worth starting for `articles` articles to process: none (1) for a small
    run, else `workers`."""
    return 1 if is_small_run(articles) else workers


# glibc's malloc gives each thread an arena of its own and, after a large block is freed, raises
# the size above which it maps blocks directly; freed batches then stay in the heap as holes.
# Two arenas and a fixed threshold hand a finished batch's memory back to the system.
GLIBC_MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # mallopt parameters, from glibc's malloc.h


def return_freed_memory_to_the_os() -> None:
    """Make this process, and worker processes started after this call, give a finished batch's
    memory back instead of keeping it at the high-water mark.

    Arrow allocates with the system allocator (its default pool keeps freed buffers for reuse),
    and glibc's malloc is tuned as GLIBC_MALLOC_ENV says. Measured at 20k articles: the flow
    process 600-650 -> 440 MB, each worker 292 -> 270-300 MB, at the same speed.
    """
    pa.set_memory_pool(pa.system_memory_pool())
    for name, value in GLIBC_MALLOC_ENV.items():
        os.environ.setdefault(name, value)  # read by a new process's malloc when it starts
    libc = _c_library()
    if libc is not None and hasattr(libc, "mallopt"):  # glibc; other C libraries go untuned
        libc.mallopt(M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
        libc.mallopt(M_MMAP_THRESHOLD, int(os.environ["MALLOC_MMAP_THRESHOLD_"]))


def trim_freed_memory() -> None:
    """Hand the free pages inside glibc's heaps back to the system (malloc_trim; a few ms).
    Freed small objects leave pages the heap keeps otherwise; other C libraries: no-op."""
    libc = _c_library()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def _c_library() -> ctypes.CDLL | None:
    """The C library, looked up once (find_library runs a subprocess on some systems)."""
    libc_path = ctypes.util.find_library("c")
    return ctypes.CDLL(libc_path) if libc_path else None


# Workers run at a lower priority than the flow's process (and a temporary Prefect server): on a
# busy machine the CPU goes first to the work that keeps the workers fed (the server's start-up,
# the flow's task runs and writes), and the workers take the rest. Measured at 20k articles,
# cold, on 2 cores: 0.4-1.5 s faster in 6 of 7 alternated pairs (the server answered ~0.5 s
# sooner while the workers started).
WORKER_NICENESS = 5


def prepare_worker() -> None:
    """A worker's first step (the pool's initializer): lower its priority, tune its memory,
    import the stages."""
    os.nice(WORKER_NICENESS)
    return_freed_memory_to_the_os()
    for name in STAGE_MODULES:
        importlib.import_module(name)
    warm_up_stages()


def warm_up_stages() -> None:
    """Load what the stages would load on their first batch: the gazetteer (0.06-0.2 s), which
    extract needs on its first sentence."""
    from tasks.gazetteer import region_codes

    region_codes()


def _new_pool(size: int) -> ProcessPoolExecutor:
    # spawn, not fork: the flow's process runs threads (Prefect's API client, the task runner),
    # and forking a threaded process can deadlock the child on a lock held mid-fork. Nor
    # forkserver: its server process stays for the run (26 MB) and saves nothing, since each
    # worker imports the stages itself either way (0.7 s to a ready pool both ways, measured).
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=prepare_worker)
    for _ in range(size):  # a process per call: all start now, not at their first batch
        pool.submit(os.getpid)
    return pool


def start_cpu_workers_early(size: int) -> None:
    """Start `size` worker processes now, for the flow's cpu_workers(size) to take over; if it
    does not, discard_early_cpu_workers closes them.

    `newsevents run` calls it for a large run once it has imported the flow and waits for the
    Prefect server to answer: the workers start up (0.7-1.2 s of CPU each) on the cores that
    wait leaves idle, and are ready when the flow's first batch is.
    """
    global _early_pool, _early_pool_size
    if size > 1 and _early_pool is None and _pool is None:
        return_freed_memory_to_the_os()  # before the workers start: they inherit it
        _early_pool, _early_pool_size = _new_pool(size), size


def discard_early_cpu_workers() -> None:
    """Close a pool started early that no flow took over (the flow found little work after all,
    or failed first): its workers exit on their own, without being waited for."""
    global _early_pool
    pool, _early_pool = _early_pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _take_early_pool(size: int) -> ProcessPoolExecutor | None:
    """The pool started early, if it has `size` workers (one of another size is closed)."""
    global _early_pool
    pool, _early_pool = _early_pool, None
    if pool is not None and _early_pool_size != size:
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


@contextmanager
def cpu_workers(size: int) -> Iterator[None]:
    """Open a pool of `size` worker processes for the stage tasks (size <= 1: in-process), or
    take over the one started early with as many, and close it on exit."""
    global _pool, _pool_size, _pool_used
    if size <= 1:
        yield
        return
    return_freed_memory_to_the_os()  # this process holds every batch between its stages
    _pool, _pool_size, _pool_used = _take_early_pool(size) or _new_pool(size), size, False
    try:
        yield
    finally:
        pool, _pool = _pool, None
        # A pool that ran nothing (a run with nothing new) may still be starting its workers:
        # they exit on their own once started, while the run goes on, instead of it waiting.
        pool.shutdown(wait=_pool_used, cancel_futures=True)


def _then_trim(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """In a worker: the call, then the heap's free pages back to the system, so that a worker's
    memory stays at one batch's, not at the high-water mark of every batch it ran."""
    try:
        return function(*args, **kwargs)
    finally:
        trim_freed_memory()


def run_on_cpu_worker(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a worker process of the open pool, or here if none is open.

    A worker killed from outside (out of memory, a signal) breaks the whole pool: the pool is
    replaced so the other batches go on, and this call raises for its own batch.
    """
    global _pool, _pool_used
    pool = _pool
    if pool is None:
        return function(*args, **kwargs)
    _pool_used = True
    try:
        return pool.submit(functools.partial(_then_trim, function, *args, **kwargs)).result()
    except BrokenProcessPool:
        if _pool is pool:
            _pool = _new_pool(_pool_size)
            pool.shutdown(wait=False, cancel_futures=True)
        raise
