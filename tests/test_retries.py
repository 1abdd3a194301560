"""Retries only on I/O: bad data fails at once, a full disk gets two more tries."""

from __future__ import annotations

import pytest
from prefect import flow, task

from tasks.retries import IO_RETRIES


@pytest.mark.parametrize(
    ("error", "attempts"), [(OSError("disk full"), 3), (ValueError("bad row"), 1)]
)
def test_only_io_errors_are_retried(prefect_harness: None, error: Exception, attempts: int) -> None:
    calls: list[int] = []

    @task(**{**IO_RETRIES, "retry_delay_seconds": 0})
    def failing() -> None:
        calls.append(1)
        raise error

    @flow
    def run() -> None:
        failing()

    with pytest.raises(type(error)):
        run()
    assert len(calls) == attempts
