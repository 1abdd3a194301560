"""The temporary Prefect server of an ad-hoc `newsevents run` (flows/temporary_server.py):
started only without a configured API, gone when the run ends, however it ends."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from flows.temporary_server import (
    TemporaryServerFailed,
    temporary_server_unless_configured,
    wait_until_healthy,
)

NEWSEVENTS = str(Path(sys.executable).parent / "newsevents")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SERVER_LINE = re.compile(r"temporary Prefect server on (http://127\.0\.0\.1:\d+) for this run")


def answers(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"{address}/api/health", timeout=1.0) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def run_environment() -> dict[str, str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)  # as a user's first run: no server configured
    return env


def seeds_run_command(tmp_path: Path) -> list[str]:
    """`newsevents run` on the seeds into tmp_path/data, as a user would type it."""
    return [NEWSEVENTS, "run", "--source", str(SEEDS), "--data-dir", str(tmp_path / "data")]


def run_on_the_seeds(
    tmp_path: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        seeds_run_command(tmp_path), env=env, capture_output=True, text=True, timeout=timeout
    )


def python_prints(snippet: str, env: dict[str, str]) -> str:
    """What `snippet` prints, run by this Python in a fresh process from the project's root."""
    return subprocess.run(
        [sys.executable, "-c", snippet],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=SEEDS.parent,
    ).stdout


def test_a_configured_api_url_starts_no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with temporary_server_unless_configured() as server:
        assert server is None


def test_a_run_without_an_api_gets_a_temporary_server_that_is_gone_after(tmp_path: Path) -> None:
    finished = run_on_the_seeds(tmp_path, run_environment())
    assert finished.returncode == 0, finished.stderr
    found = SERVER_LINE.search(finished.stderr)
    assert found, finished.stderr
    assert "Finished in state Completed()" in finished.stdout + finished.stderr
    assert '"rows_articles": 5' in finished.stdout  # the five seed articles are loaded
    # The logs and events were sent before the server stopped: no retries against a dead one.
    assert "Error logging to API" not in finished.stderr
    assert not answers(found.group(1))


def test_a_temporary_server_records_every_task_run_before_it_stops(tmp_path: Path) -> None:
    # Its task-run recorder writes in batches (TASK_RUN_RECORDER_BATCHING): what is left of a
    # batch must be in the database when the server is gone, for a later server's UI to show.
    env = {**run_environment(), "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE", None)
    finished = run_on_the_seeds(tmp_path, env)
    assert finished.returncode == 0, finished.stderr
    logged = set(
        re.findall(r"Task run '([^']+)' - Finished in state Completed\(\)", finished.stderr)
    )
    with closing(sqlite3.connect(tmp_path / "prefect" / "prefect.db")) as database:
        recorded = database.execute("SELECT name, state_type FROM task_run").fetchall()
        states = database.execute("SELECT count(*) FROM task_run_state").fetchone()[0]
    assert len(logged) == 10  # plan, warehouse, the batch's five stages, build, report, summary
    assert sorted(recorded) == sorted((name, "COMPLETED") for name in logged)
    assert states == 3 * len(logged)  # Pending, Running, Completed each


# Builds the temporary server's app as uvicorn does, and prints what the collector is left with.
BUILD_THE_SERVER_APP = """
import gc
from flows.temporary_server_app import create_app
app = create_app()
print(type(app).__name__, gc.isenabled(), gc.get_freeze_count() > 100_000)
"""


def test_the_temporary_server_app_is_prefects_built_without_the_collector() -> None:
    env = {**run_environment(), "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT_UI_ENABLED": "0"}
    printed = python_prints(BUILD_THE_SERVER_APP, env)
    # Prefect's FastAPI app; the collector on again, with the start-up's objects frozen out of it.
    assert printed.split() == ["FastAPI", "True", "True"]


def test_the_server_stops_when_the_run_is_killed(tmp_path: Path) -> None:
    run = subprocess.Popen(
        seeds_run_command(tmp_path),
        env=run_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    found = SERVER_LINE.search(run.stderr.readline())
    assert found, "the run did not announce its temporary server"
    address = found.group(1)
    deadline = time.monotonic() + 60
    while not answers(address) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answers(address), "the temporary server never answered"
    run.send_signal(signal.SIGKILL)  # the run's process alone: no chance to clean up
    run.wait()
    deadline = time.monotonic() + 10
    while answers(address) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not answers(address), "the server outlived the run that started it"


def test_a_server_that_exits_at_start_is_a_clear_error() -> None:
    exits = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(TemporaryServerFailed, match="exited with code 3 before it answered"):
        wait_until_healthy(exits, "http://127.0.0.1:9/api", timeout=30)


def test_a_server_that_never_answers_is_a_clear_error() -> None:
    silent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(TemporaryServerFailed, match=r"did not answer .* within 1 s"):
            wait_until_healthy(silent, "http://127.0.0.1:9/api", timeout=1)
    finally:
        silent.kill()
        silent.wait()


def test_a_run_whose_server_never_answers_ends_with_a_clear_message(tmp_path: Path) -> None:
    env = {**run_environment(), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0"}
    finished = run_on_the_seeds(tmp_path, env, timeout=120)
    assert finished.returncode == 1
    assert "newsevents: the temporary Prefect server did not answer" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


# Prints the flow-run heartbeat frequency a `newsevents run` gives its flow.
HEARTBEAT_FREQUENCY_IN_A_RUN = """
from flows.cli import heartbeats_only_if_configured
from prefect.settings import get_current_settings
with heartbeats_only_if_configured():
    print(get_current_settings().flows.heartbeat_frequency)
"""


@pytest.mark.parametrize(
    ("configured", "frequency"),
    [
        (None, "None"),  # off: the run does not wait up to 1 s for Prefect's heartbeat thread
        ("60", "60"),  # the user's setting (e.g. for a crash-detection automation) is kept
    ],
)
def test_a_run_sends_flow_heartbeats_only_when_configured(
    configured: str | None, frequency: str
) -> None:
    env = run_environment()
    env.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    if configured is not None:
        env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = configured
    assert python_prints(HEARTBEAT_FREQUENCY_IN_A_RUN, env).strip() == frequency
