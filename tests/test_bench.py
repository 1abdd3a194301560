"""The bench's measurements: a run's own flow-run time from a real Prefect server, and the
re-run cost ratios built from it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.bench import (
    ProcessUsage,
    cost_ratio,
    flow_cost_ratio,
    latest_flow_run_seconds,
    reference_seconds_on_every_core,
    run_flow,
)
from tests.conftest import SEEDS_DIR
from tests.helpers_prefect_server import PrefectServer, prefect_server


def usage(seconds: float, flow_run_seconds: float | None) -> ProcessUsage:
    return ProcessUsage(seconds, 0.0, 0.0, 0.0, 0.0, {}, flow_run_seconds)


@pytest.mark.parametrize(
    ("rerun", "noop", "full", "expected"),
    [
        (6.0, 5.0, 25.0, 0.05),  # 1 s more than nothing new, against 20 s more for everything
        (5.0, 5.0, 25.0, 0.0),
        (4.5, 5.0, 25.0, -0.025),  # noise: a re-run quicker than the runs around it
    ],
)
def test_cost_ratio(rerun: float, noop: float, full: float, expected: float) -> None:
    assert cost_ratio(rerun, noop, full) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("full", "rerun", "around", "expected"),
    [
        # The flow runs' own times: 21.5 full, 2.5 re-run, 1.4 and 1.6 with nothing new.
        (usage(30.0, 21.5), usage(9.0, 2.5), [usage(7.0, 1.4), usage(5.0, 1.6)], 0.05),
        (usage(30.0, None), usage(9.0, 2.5), [usage(7.0, 1.4), usage(5.0, 1.6)], None),
        (usage(30.0, 21.0), usage(9.0, None), [usage(7.0, 1.4), usage(5.0, 1.6)], None),
        (usage(30.0, 21.0), usage(9.0, 2.5), [usage(7.0, 1.4), usage(5.0, None)], None),
    ],
)
def test_flow_cost_ratio_uses_the_flow_runs_times(
    full: ProcessUsage, rerun: ProcessUsage, around: list[ProcessUsage], expected: float | None
) -> None:
    ratio = flow_cost_ratio(full, rerun, around)
    assert ratio is None if expected is None else ratio == pytest.approx(expected)


def test_the_reference_runs_once_per_core_at_the_same_time() -> None:
    timings = reference_seconds_on_every_core()
    assert len(timings) == len(os.sched_getaffinity(0))
    assert timings == sorted(timings)
    assert all(0 < seconds < 30 for seconds in timings)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with prefect_server(tmp_path_factory.mktemp("bench-server"), ui=False) as server:
        yield server


@pytest.mark.slow
def test_a_run_against_a_server_reports_its_flow_runs_own_time(
    server: PrefectServer, tmp_path: Path
) -> None:
    assert latest_flow_run_seconds(server.api_url) is None  # no flow run yet

    measured = run_flow(SEEDS_DIR, tmp_path / "data", env=server.env())

    with server.client() as client:
        (flow_run,) = client.read_flow_runs()
    assert flow_run.state.is_completed()
    assert measured.flow_run_seconds is not None
    assert measured.flow_run_seconds == pytest.approx(
        (flow_run.end_time - flow_run.start_time).total_seconds()
    )
    assert 0 < measured.flow_run_seconds < measured.seconds  # without the process's start-up


def test_no_flow_run_time_when_the_server_does_not_answer() -> None:
    assert latest_flow_run_seconds("http://127.0.0.1:9/api") is None  # discard port: refused
