"""What a person sees: a run's Prefect UI pages and its report.html, in headless Chromium.

The run is the README's "Watch runs in the Prefect UI" recipe: `newsevents run` with
PREFECT_API_URL at a real server. Chromium renders each page to a DOM dump (the Prefect UI is a JS
app, so with a virtual-time budget) and to screenshots under tmp paths, never into the repository.
Install Chromium with scripts/install_chromium.sh.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS_DIR
from tests.helpers_prefect_server import VENV_BIN, PrefectServer, prefect_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these it hangs on refused connections
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",  # the run page's log list renders only with a real viewport
    "--enable-logging=stderr",
    "--v=0",
]
CONSOLE_LINE = re.compile(r":CONSOLE[:(]\d+\)?\] (.*)")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
ARTIFACT_KEYS = ["newsevents-run-summary", "newsevents-new-events", "newsevents-data-quality"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason=f"{CHROMIUM} not found: run scripts/install_chromium.sh (apt-get install chromium)",
    ),
]


def chromium(url: str, workdir: Path, *flags: str, budget_ms: int = 15000) -> tuple[str, str]:
    """Load `url` in a fresh headless Chromium; (stdout, stderr). Killed with its children at 90 s.

    Each call gets its own --user-data-dir, removed afterwards.
    """
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
    args = [
        str(CHROMIUM),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        *flags,
        url,
    ]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert process.returncode == 0, f"chromium exited {process.returncode} on {url}\n{stderr}"
    return stdout, stderr


def dump_dom(url: str, workdir: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the page's console messages."""
    dom, stderr = chromium(url, workdir, "--dump-dom")
    return dom, console_messages(stderr)


def page_text_showing(url: str, workdir: Path, expected: str, attempts: int = 6) -> str:
    """The visible text of a Prefect UI page once it shows `expected`. The UI fills a page from
    API calls after it loads, which a busy machine may not answer within one virtual-time
    budget (seen in CI, and three loads in a row in a full local run: the artifact page without
    its list of runs): so up to `attempts` loads, a second apart. Returns the last load's text
    either way, for the caller's assertion."""
    for attempt in range(attempts):
        if attempt:
            time.sleep(1.0)
        dom, _ = dump_dom(url, workdir)
        text = visible_text(dom)
        if expected in text:
            break
    return text


def console_messages(chromium_stderr: str) -> list[str]:
    """Every console message (log, error, uncaught exception, CSP refusal) Chromium logged."""
    return [m[1] for line in chromium_stderr.splitlines() if (m := CONSOLE_LINE.search(line))]


def visible_text(dom: str) -> str:
    """The DOM's text, without scripts and styles, whitespace collapsed."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom))).strip()


class ElementTags(HTMLParser):
    """The tags inside the element with a given id, and the classes of every table."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.depth = element_id, 0
        self.inside: list[str] = []
        self.table_classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.table_classes.append(attributes.get("class") or "")
        if self.depth:
            self.inside.append(tag)
            self.depth += tag not in VOID_ELEMENTS  # they have no end tag
        elif attributes.get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


def tags_inside(dom: str, element_id: str) -> ElementTags:
    parser = ElementTags(element_id)
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-ui")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[PrefectServer]:
    with prefect_server(workdir) as server:
        yield server


@pytest.fixture(scope="module")
def ui_run(server: PrefectServer, workdir: Path) -> dict[str, Any]:
    """One `newsevents run` of the seeds against the server: its flow run and artifacts."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    data_dir = workdir / "data"
    result = subprocess.run(
        [
            str(VENV_BIN / "newsevents"),
            "run",
            "--source",
            str(SEEDS_DIR),
            "--data-dir",
            str(data_dir),
        ],
        cwd=workdir,
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"newsevents run failed\n{result.stdout}\n{result.stderr}"
    with server.client() as client:
        flow_runs = client.read_flow_runs()
        assert len(flow_runs) == 1, "the run did not report to the server at PREFECT_API_URL"
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_runs[0].id])
            )
        )
    return {
        "flow_run": flow_runs[0],
        "artifacts": {a.key: a for a in artifacts},
        "data_dir": data_dir,
    }


def test_flow_run_page_shows_the_run_and_its_batch_logs(
    server: PrefectServer, ui_run: dict[str, Any], workdir: Path
) -> None:
    flow_run = ui_run["flow_run"]
    url = f"{server.url}/runs/flow-run/{flow_run.id}"
    text = page_text_showing(url, workdir, "load-batch-0001")
    assert flow_run.state.is_completed()
    assert f"Runs {flow_run.name} Completed" in text, text[:2000]
    assert "Artifacts" in text  # the tab
    for task_run in ["ingest-batch-0001", "load-batch-0001"]:  # named in the log list
        assert task_run in text, text[:4000]


def test_flow_run_page_screenshot(
    server: PrefectServer, ui_run: dict[str, Any], workdir: Path
) -> None:
    """The page a person opens, as a PNG under tmp (its graph draws the artifact keys)."""
    png = workdir / "flow-run.png"
    chromium(f"{server.url}/runs/flow-run/{ui_run['flow_run'].id}", workdir, f"--screenshot={png}")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (
        1400,
        1000,
    )


@pytest.mark.parametrize("key", ARTIFACT_KEYS)
def test_artifact_page_shows_the_artifact(
    server: PrefectServer, ui_run: dict[str, Any], workdir: Path, key: str
) -> None:
    """The flow-run page's Artifacts tab needs a click, so each artifact's own page is rendered."""
    artifact = ui_run["artifacts"][key]
    dom, _ = dump_dom(f"{server.url}/artifacts/artifact/{artifact.id}", workdir)
    text = visible_text(dom)
    assert f"Artifact Key {key}" in text, text[:2000]
    assert f"Flow Run {ui_run['flow_run'].name}" in text
    assert artifact.description in text
    if artifact.type == "markdown":  # the markdown is rendered: its heading is there as text
        heading = re.search(r"^#+ (.+)$", artifact.data, re.M)
        assert heading and f"{heading[1]} " in text
    else:  # a table: every column header and the row count
        rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
        assert f"{len(rows)} Items" in text
        for column in rows[0]:
            assert column in text, column


def test_artifact_key_page_lists_the_run(
    server: PrefectServer, ui_run: dict[str, Any], workdir: Path
) -> None:
    run = f"Flow run {ui_run['flow_run'].name}"
    text = page_text_showing(f"{server.url}/artifacts/key/newsevents-run-summary", workdir, run)
    assert "newsevents-run-summary" in text
    assert run in text, text[:2000]


def test_report_renders_its_charts_without_console_errors(
    ui_run: dict[str, Any], workdir: Path
) -> None:
    report = ui_run["data_dir"] / "report.html"
    dom, console = dump_dom(report.as_uri(), workdir)
    weekly = tags_inside(dom, "weekly")
    assert "svg" in weekly.inside and "rect" in weekly.inside, weekly.inside[:20]
    assert "heat" in " ".join(weekly.table_classes).split()
    assert console == []
    chromium(report.as_uri(), workdir, f"--screenshot={workdir / 'report.png'}")
    assert (workdir / "report.png").stat().st_size > 10_000


def test_console_check_catches_errors(workdir: Path) -> None:
    """The check above can fail: a page with a console error, an uncaught error, a CSP refusal."""
    page = workdir / "broken.html"
    page.write_text(
        "<!doctype html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
        "<script>console.error('deliberate console error')</script>"
        "<script>throw new Error('deliberate uncaught error')</script>"
        "<img src='https://example.invalid/blocked.png'></body></html>"
    )
    _, console = dump_dom(page.as_uri(), workdir)
    joined = "\n".join(console)
    assert "deliberate console error" in joined
    assert "Uncaught Error: deliberate uncaught error" in joined
    assert "Content Security Policy" in joined, joined
