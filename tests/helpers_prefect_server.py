"""A real Prefect server, work pool, deployments and worker, for the slow end-to-end tests.

Every server runs as a subprocess on 127.0.0.1:<free port> with its own PREFECT_HOME (SQLite in a
tmp dir), so tests never touch ~/.prefect or a server the developer has running. Every process
started here is killed with its children on exit, also when a test fails or times out.

Used by tests/test_deployment.py and tests/test_prefect_ui.py as module-scoped fixtures:

    @pytest.fixture(scope="module")
    def project(tmp_path_factory):
        with deployed_project(tmp_path_factory.mktemp("prefect")) as project:
            yield project
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent  # the project's venv: pytest runs as .venv/bin/python
PREFECT = str(VENV_BIN / "prefect")
WORK_POOL = "newsevents-pool"
SERVER_STARTUP_SECONDS = 90.0
FLOW_RUN_TIMEOUT_SECONDS = 180.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 60) -> str:
    """The end of a subprocess log, for failure messages."""
    if not path.is_file():
        return f"({path} does not exist)"
    text = path.read_text(errors="replace").splitlines()
    return f"--- last {min(lines, len(text))} lines of {path} ---\n" + "\n".join(text[-lines:])


def _descendants(pid: int) -> list[int]:
    """Every live descendant of `pid` (from /proc), so children in their own session die too."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid: int, sig: signal.Signals) -> None:
    """Signal `pid` and every descendant it has now."""
    for target in [pid, *_descendants(pid)]:
        with suppress(ProcessLookupError):
            os.kill(target, sig)


def reap_when_owner_dies(owner: int, child: int) -> None:
    """Run as a watchdog process: SIGKILL `child`'s tree if `owner` (pytest) dies before it.

    The fixture finalizers stop everything on a failing test; this covers pytest itself being
    killed (a CI timeout): the worker would otherwise keep waiting for its flow-run subprocess,
    which sits in its own session retrying the dead server.
    """
    while Path(f"/proc/{child}").exists():
        if os.getppid() != owner:  # re-parented: the owner is gone
            _kill_tree(child, signal.SIGKILL)
            return
        time.sleep(0.5)


@dataclass
class ManagedProcess:
    """A background subprocess in its own process group, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    reaper: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(
        cls, name: str, args: Sequence[str], env: dict[str, str], cwd: Path, log: Path
    ) -> ManagedProcess:
        with log.open("wb") as out:
            popen = subprocess.Popen(
                list(args),
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        reaper = subprocess.Popen(
            [sys.executable, __file__, "--reap", str(popen.pid)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return cls(name, popen, log, reaper)

    def stop(self, grace_seconds: float = 10.0) -> None:
        """SIGTERM the process and its descendants; SIGKILL whatever is left after the grace."""
        if self.popen.poll() is None:
            pids = [self.popen.pid, *_descendants(self.popen.pid)]
            for sig in (signal.SIGTERM, signal.SIGKILL):
                for pid in pids:
                    with suppress(ProcessLookupError):
                        os.kill(pid, sig)
                with suppress(subprocess.TimeoutExpired):
                    self.popen.wait(timeout=grace_seconds)
                pids = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
                if not pids:
                    break
        if self.reaper is not None:  # it exits once the process is gone
            try:
                self.reaper.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.reaper.kill()
                self.reaper.wait()


def isolated_env(home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without any PREFECT_* setting, plus a private PREFECT_HOME."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_CLI_PROMPT="false",
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="200",  # rich wraps long CLI output (the UUID lines) at the terminal width
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


@dataclass
class PrefectServer:
    """A running `prefect server start`: API at `api_url`, UI at `url`."""

    url: str
    home: Path
    process: ManagedProcess

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a client, CLI or worker that talks to this server."""
        return isolated_env(self.home, self.api_url, **extra)

    def client(self) -> Any:
        """A sync Prefect client for this server (use as a context manager).

        Built from the URL, not from settings, so it ignores any Prefect settings of the test
        process (such as the session's prefect_test_harness).
        """
        from prefect.client.orchestration import SyncPrefectClient

        return SyncPrefectClient(self.api_url)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _start_server(home: Path, workdir: Path, attempt: int, ui: bool) -> tuple[ManagedProcess, str]:
    """`prefect server start` on a free port; (process, url) once /api/health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = isolated_env(
        home,
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_UI_ENABLED="true" if ui else "false",
    )
    args = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    process = ManagedProcess.start(
        "prefect server", args, env, workdir, workdir / f"server-{attempt}.log"
    )
    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    while process.popen.poll() is None and time.monotonic() < deadline:
        if _healthy(url):
            return process, url
        time.sleep(0.25)
    process.stop()
    raise RuntimeError(f"Prefect server did not answer at {url}\n{log_tail(process.log)}")


@contextmanager
def prefect_server(workdir: Path, *, ui: bool = True) -> Iterator[PrefectServer]:
    """Start a Prefect server with SQLite under `workdir`; stop it (and its children) on exit."""
    home = workdir / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 4):
        try:
            process, url = _start_server(home, workdir, attempt, ui)
            break
        except RuntimeError:
            # Another process may have taken the free port before the server bound it.
            if attempt == 3 or "address already in use" not in log_tail(
                workdir / f"server-{attempt}.log"
            ):
                raise
    try:
        yield PrefectServer(url, home, process)
    finally:
        process.stop()


_IGNORE_ANYWHERE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
)


def copy_ignore(directory: str, names: list[str]) -> set[str]:
    """What a copy without git leaves out: the venv, caches, and the root's data folders."""
    ignored = set(_IGNORE_ANYWHERE(directory, names))
    if Path(directory) == PROJECT_ROOT:
        ignored |= {"data", "bench-data"} & set(names)
    return ignored


def copy_checkout(dest: Path) -> Path:
    """Copy the project's files (tracked and new, not ignored) to `dest`, as a clean checkout has.

    The deployment and its runs then never write into the repository. Without git (a source
    tarball), the tree is copied minus the venv, data and caches.
    """
    try:
        listing = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "ls-files", "-z", "--cached", "--others"]
            + ["--exclude-standard"],
            check=True,
            capture_output=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(PROJECT_ROOT, dest, ignore=copy_ignore)
        return dest
    for name in filter(None, listing.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is skipped
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@dataclass
class DeployedProject:
    """A server with the work pool, `prefect deploy --all` from a checkout copy, and a worker."""

    server: PrefectServer
    checkout: Path
    workdir: Path
    worker: ManagedProcess | None = None
    runs: list[UUID] = field(default_factory=list)

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run `prefect ARGS` from the checkout copy against the server; return its output."""
        result = subprocess.run(
            [PREFECT, *args],
            cwd=self.checkout,
            env=self.server.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"prefect {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout + result.stderr

    def start_worker(self) -> None:
        """`prefect worker start` with NEWSEVENTS_HOME at the copy, as the README says."""
        env = self.server.env(
            NEWSEVENTS_HOME=str(self.checkout),
            PREFECT_WORKER_QUERY_SECONDS="1",  # poll every second, not 10 s: tests wait less
        )
        args = [PREFECT, "worker", "start", "--pool", WORK_POOL, "--name", "test-worker"]
        self.worker = ManagedProcess.start(
            "prefect worker", args, env, self.checkout, self.workdir / "worker.log"
        )

    def run_deployment(self, name: str, **parameters: str) -> UUID:
        """`prefect deployment run NAME --param k=v ...`; the id of the flow run it created."""
        args = ["deployment", "run", name]
        for key, value in parameters.items():
            args += ["--param", f"{key}={value}"]
        output = self.cli(*args)
        match = re.search(r"UUID: ([0-9a-f-]{36})", output)
        assert match, f"no flow run id in the output of prefect {' '.join(args)}:\n{output}"
        self.runs.append(UUID(match[1]))
        return self.runs[-1]

    def wait_for(self, flow_run_id: UUID, timeout: float = FLOW_RUN_TIMEOUT_SECONDS) -> Any:
        """Poll until the flow run is in a final state; the FlowRun. Fails with the logs."""
        deadline = time.monotonic() + timeout
        with self.server.client() as client:
            while True:
                flow_run = client.read_flow_run(flow_run_id)
                if flow_run.state is not None and flow_run.state.is_final():
                    return flow_run
                if time.monotonic() > deadline:
                    break
                if self.worker is not None and self.worker.popen.poll() is not None:
                    raise RuntimeError(f"the worker exited\n{self.diagnostics()}")
                time.sleep(0.5)
        state = flow_run.state.name if flow_run.state else None
        raise TimeoutError(
            f"flow run {flow_run_id} still {state} after {timeout:.0f} s\n{self.diagnostics()}"
        )

    def diagnostics(self) -> str:
        """The tails of the worker and server logs."""
        logs = [self.server.process.log] + ([self.worker.log] if self.worker else [])
        return "\n".join(log_tail(log) for log in logs)


@contextmanager
def deployed_project(workdir: Path, *, worker: bool = True) -> Iterator[DeployedProject]:
    """Server + work pool + `prefect deploy --all` from a copy of the checkout + a worker.

    The README's "Schedule it" commands, in order. The worker (and the server) are stopped on exit
    even when a test fails.
    """
    with ExitStack() as stack:
        server = stack.enter_context(prefect_server(workdir))
        checkout = copy_checkout(workdir / "checkout")
        project = DeployedProject(server, checkout, workdir)
        project.cli("work-pool", "create", WORK_POOL, "--type", "process")
        project.cli("--no-prompt", "deploy", "--all")
        if worker:
            project.start_worker()
            stack.callback(lambda: project.worker.stop() if project.worker else None)
        yield project


if __name__ == "__main__" and sys.argv[1:2] == ["--reap"]:
    reap_when_owner_dies(os.getppid(), int(sys.argv[2]))
