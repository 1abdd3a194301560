"""Retries only on I/O: a task that failed on bad data fails at once; one that hit a full disk or
a flaky network file system gets two more tries."""

from __future__ import annotations

from typing import Any


def only_io_errors(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry_condition_fn: retry when the task failed with an OSError."""
    return isinstance(state.data, OSError)


IO_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 2,
    "retry_condition_fn": only_io_errors,
}
