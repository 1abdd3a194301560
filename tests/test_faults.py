"""Crashes and concurrent runs never lose or duplicate a row (real processes, real kill -9)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.slow
NEWSEVENTS = str(Path(sys.executable).parent / "newsevents")
SENTENCES = [
    "Russian air defences shot down {n} Ukrainian drones over the Belgorod region overnight.",
    "The governor said there were no casualties after the attack, report {n}.",
    "Officials gave no further details on the incident {n}.",
]


def write_articles(folder: Path, first: int, count: int) -> None:
    """`count` distinct small articles numbered from `first`."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        text = "\n\n".join(sentence.format(n=n % 50 + 2) for sentence in SENTENCES)
        (folder / f"article-{n:05d}.txt").write_text(f"Drone report {n}\n\n{text} Serial {n}.")


def start_run(source: Path, data_dir: Path, batch_size: int = 50) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)  # each run starts its own temporary server, as a user's would
    return subprocess.Popen(
        [
            NEWSEVENTS,
            "run",
            "--source",
            str(source),
            "--data-dir",
            str(data_dir),
            "--batch-size",
            str(batch_size),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def counts(data_dir: Path) -> tuple[int, int, int]:
    """(articles, distinct article ids in every article-keyed table, events) of the warehouse."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM articles), "
            "(SELECT count(DISTINCT article_id) FROM time_expressions), "
            "(SELECT count(*) FROM events)"
        ).fetchone()
    assert row is not None
    return row


def test_kill_9_during_a_load_loses_nothing_and_the_next_run_finishes(tmp_path: Path) -> None:
    source, data_dir = tmp_path / "source", tmp_path / "data"
    write_articles(source, 0, 100)
    first = start_run(source, data_dir)
    assert first.wait(timeout=180) == 0, first.stderr.read() if first.stderr else ""
    before = counts(data_dir)
    assert before[0] == 100

    write_articles(source, 100, 1500)
    victim = start_run(source, data_dir)
    commits_dir = data_dir / "parquet" / "_commits"  # one commit object per batch
    deadline = time.monotonic() + 180
    while len(list(commits_dir.glob("*.json"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the run is in the middle of loading its batches
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert len(list(commits_dir.glob("*.json"))) < 1600 // 50, "killed too late"

    assert counts(data_dir) == before  # the warehouse stays readable, complete as of the last run

    again = start_run(source, data_dir)
    assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
    articles, with_dates, events = counts(data_dir)
    assert (articles, with_dates) == (1600, 1600)  # every article once: none lost, none doubled
    assert events == 1600
    assert not list(data_dir.glob("*.building-*"))
    assert not list((data_dir / "parquet").rglob("*.partial"))
    assert len(list(commits_dir.glob("*.json"))) == 1600 // 50


def test_two_runs_started_at_once_load_everything_once(tmp_path: Path) -> None:
    source, data_dir = tmp_path / "source", tmp_path / "data"
    write_articles(source, 0, 300)
    shutil.copy(SEEDS_DIR / "manifest.csv", source / "manifest.csv")
    runs = [start_run(source, data_dir), start_run(source, data_dir)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read() if run.stderr else ""
    assert counts(data_dir) == (300, 300, 300)
