"""A temporary Prefect server for one `newsevents run`, started before the heavy imports.

Without a Prefect API URL, Prefect starts a temporary server itself, but only at the flow's
first API call: the run then waits about 3 s for the server's start-up after its own imports,
with a core idle, and imports the whole server package into the run's process to start it.
Started here instead, the way Prefect starts it (uvicorn on 127.0.0.1, the ephemeral-server
environment), the server starts up in its own process while this one imports the pipeline,
and the run uses it as it would any running server, through PREFECT_API_URL.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# What Prefect's own temporary server runs with (prefect.server.api.server.SubprocessASGIServer).
EPHEMERAL_SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
# And what it skips: registering block types at start-up, which imports every installed Prefect
# collection to find theirs (prefect-dask, and with it Dask: 0.4-0.6 s of the server's start, on
# a run's critical path). A run uses no blocks; a server started with `prefect server start` on
# the same database registers them as usual.
NO_BLOCK_REGISTRATION = {
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "0",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "0",  # it would import them to compare
}
# And how it records task runs: Prefect's server writes each task-run event to its database on its
# own (a batch of 1, ~30 ms of the server's CPU per task run, on a core the run's workers need:
# 60 task runs cost 2.3-3.0 s of CPU, against 0.7-1.0 s in batches of 100). Batched, the writes
# wait at most 5 s (the recorder's flush interval), and the rest is written as the server stops,
# before the run ends. A batch size the user sets in the environment is kept.
TASK_RUN_RECORDER_BATCHING = {"PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100"}
STOP_TIMEOUT_SECONDS = 5.0
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
POLL_SECONDS = 0.05


class TemporaryServerFailed(RuntimeError):
    """The temporary Prefect server exited, or did not answer in time."""


@dataclass
class TemporaryServer:
    process: subprocess.Popen[bytes]
    api_url: str
    startup_timeout_seconds: float = 20.0

    @classmethod
    def start(cls) -> TemporaryServer:
        port = free_local_port()
        environment = {
            **TASK_RUN_RECORDER_BATCHING,
            **os.environ,
            **EPHEMERAL_SERVER_ENVIRONMENT,
            **NO_BLOCK_REGISTRATION,
        }
        process = subprocess.Popen(
            server_command(port), env=environment, preexec_fn=stop_when_parent_dies
        )
        return cls(process, f"http://127.0.0.1:{port}/api")

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Wait until the server answers, then point Prefect at it within the block."""
        from prefect.settings import PREFECT_API_URL, temporary_settings

        wait_until_healthy(self.process, self.api_url, self.startup_timeout_seconds)
        with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
            try:
                yield
            finally:
                send_pending_logs_and_events()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def temporary_server_unless_configured() -> Iterator[TemporaryServer | None]:
    """Yield a temporary Prefect server of this run's own, stopped on exit; or None when the
    settings name an API (environment, profile, .env or prefect.toml) or disable temporary
    servers, and Prefect then does what it does without us. Use its in_use() around the flow.

    The server starts before Prefect is imported (1 s) to learn whether it is needed, so that
    its start-up overlaps all of the run's imports; when not needed it is stopped unused.
    """
    server = None if os.environ.get("PREFECT_API_URL") else TemporaryServer.start()
    try:
        from prefect.settings import get_current_settings

        settings = get_current_settings()
        if server is not None and (settings.api.url or not settings.server.ephemeral.enabled):
            server.stop()
            server = None
        if server is not None:
            server.startup_timeout_seconds = settings.server.ephemeral.startup_timeout_seconds
            print(
                f"newsevents: temporary Prefect server on {server.api_url.removesuffix('/api')} "
                "for this run (set PREFECT_API_URL to use a running one)",
                file=sys.stderr,
            )
        yield server
    finally:
        if server is not None:
            server.stop()


def send_pending_logs_and_events() -> None:
    """Send what Prefect's log and event workers still hold, while the server is up: at exit
    they would retry a stopped server for minutes."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all()
    EventsWorker.drain_all()


def stop_when_parent_dies() -> None:
    """In the server's process, before it starts: on Linux, be sent SIGTERM when the run's
    process dies, even by kill -9, so that no orphaned server is left holding a port."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(port: int) -> list[str]:
    """uvicorn serving Prefect's API app, as Prefect serves it, built by temporary_server_app
    (imported from the folder that holds this package: not from the working directory)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(Path(__file__).resolve().parent.parent),
        "--factory",
        "flows.temporary_server_app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def wait_until_healthy(process: subprocess.Popen[bytes], api_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TemporaryServerFailed(
                f"the temporary Prefect server exited with code {process.returncode} before it "
                "answered; set PREFECT_API_URL to a running server instead"
            )
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_SECONDS)
    raise TemporaryServerFailed(
        f"the temporary Prefect server did not answer at {api_url} within {timeout:.0f} s; raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS or set PREFECT_API_URL to a running "
        "server"
    )
