"""What an analyst touches: worked queries, views, the CLI, the data dictionary, the report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from flows.cli import main
from flows.schedules import (
    MAINTENANCE_CRON,
    NIGHTLY_MAINTENANCE,
    WATCH_CRON,
    WATCH_FOLDER,
)
from warehouse.dictionary import render_dictionary
from warehouse.schemas import REFERENCE_TABLE_NAMES, TABLE_NAMES, declared_columns

ROOT = Path(__file__).parent.parent
QUERIES = sorted((ROOT / "warehouse" / "queries").glob("*.sql"))


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_worked_query_runs(seeded_run: dict[str, Any], query: Path) -> None:
    with duckdb.connect(str(seeded_run["data_dir"] / "warehouse.duckdb"), read_only=True) as con:
        result = con.sql(query.read_text()).df()
    assert len(result.columns) >= 2


def test_worked_queries_answer_the_seed_questions(seeded_run: dict[str, Any]) -> None:
    with duckdb.connect(str(seeded_run["data_dir"] / "warehouse.duckdb"), read_only=True) as con:
        night = con.sql((ROOT / "warehouse/queries/regions_hit_on_a_night.sql").read_text()).df()
        outlets = con.sql((ROOT / "warehouse/queries/articles_per_outlet.sql").read_text()).df()
    assert {"RU-ROS", "RU-SAR", "UA-23", "UA-51", "UA-12"} <= set(night["admin1_code"])
    assert dict(zip(outlets["outlet"], outlets["articles"], strict=True)) == {
        "unknown": 2,
        "The Independent": 1,
        "Al Jazeera": 1,
        "MRT": 1,
    }


def test_docs_tables_md_is_generated_from_the_schemas() -> None:
    assert (ROOT / "docs" / "tables.md").read_text() == render_dictionary(), "run `make docs`"


def test_declared_schemas_match_the_real_tables(seeded_run: dict[str, Any]) -> None:
    with duckdb.connect(str(seeded_run["data_dir"] / "warehouse.duckdb"), read_only=True) as con:
        for table in (*TABLE_NAMES, *REFERENCE_TABLE_NAMES):
            real = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            declared = [
                (name, kind)
                for name, kind, _ in declared_columns(table, table in REFERENCE_TABLE_NAMES)
            ]
            assert real == declared, table


def test_cli_tables_lists_row_counts(
    seeded_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tables", "--data-dir", str(seeded_run["data_dir"])]) == 0
    listing = dict(
        re.findall(r"^(\w+)\s+(?:table|view)\s+([\d,]+)$", capsys.readouterr().out, re.MULTILINE)
    )
    assert listing["articles"] == "5"
    assert listing["rejected_articles"] == "3"
    assert {"drone_attacks", "daily_region_claims", "data_quality"} <= set(listing)


def test_cli_query_prints_a_table_and_reports_errors(
    seeded_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(seeded_run["data_dir"])
    assert main(["query", "SELECT count(*) AS n FROM articles", "--data-dir", data_dir]) == 0
    assert re.search(r"│\s+5\s+│", capsys.readouterr().out)
    assert main(["query", "SELECT nope FROM articles", "--data-dir", data_dir]) == 1
    assert "query failed" in capsys.readouterr().err
    assert main(["query", "SELECT 1", "--data-dir", str(seeded_run["data_dir"] / "missing")]) == 2
    assert "run `newsevents run" in capsys.readouterr().err


def test_the_newsevents_command_exits_with_its_code_and_all_its_output(
    seeded_run: dict[str, Any],
) -> None:
    """The installed command skips the interpreter's teardown once main() returns: its exit
    code and its whole output (a piped stdout is block-buffered) must still come through."""
    command = [str(Path(sys.executable).parent / "newsevents"), "query"]
    data_dir = str(seeded_run["data_dir"])
    rows = "SELECT range AS n, repeat('x', 60) AS filler FROM range(5000)"
    done = subprocess.run(
        [*command, rows, "--data-dir", data_dir, "--max-rows", "5000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"│\s+4999\s+│", done.stdout)
    failed = subprocess.run(
        [*command, "SELECT nope", "--data-dir", data_dir],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (failed.returncode, "query failed" in failed.stderr) == (1, True)
    missing = subprocess.run(
        [*command, "SELECT 1", "--data-dir", data_dir + "/missing"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2


def test_cli_query_cannot_write(
    seeded_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "DELETE FROM articles", "--data-dir", str(seeded_run["data_dir"])]) == 1
    assert "read-only" in capsys.readouterr().err


def test_report_is_self_contained_html(seeded_run: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    assert main(["report", "--data-dir", str(seeded_run["data_dir"]), "--output", str(output)]) == 0
    page = output.read_text()
    assert page.count("<svg") == 1 and '<table class="heat">' in page
    assert "<script" not in page and 'http-equiv="Content-Security-Policy"' in page
    assert "RU-ROS" in page


def test_prefect_yaml_declares_the_same_schedules_as_serve() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert deployments[WATCH_FOLDER]["schedules"][0]["cron"] == WATCH_CRON
    assert deployments[NIGHTLY_MAINTENANCE]["schedules"][0]["cron"] == MAINTENANCE_CRON
    assert config["pull"], "an explicit pull step keeps prefect deploy from baking in a path"
    for deployment in deployments.values():
        module, function = deployment["entrypoint"].split(":")
        assert (ROOT / module).is_file() and f"def {function}(" in (ROOT / module).read_text()


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\]\\(javascript:alert\\(1\\)\\)"),
        ("a | b\nc", "a \\| b c"),
        (None, ""),
    ],
)
def test_article_text_is_escaped_for_artifacts(text: str | None, escaped: str) -> None:
    from tasks.summary import escape

    assert escape(text) == escaped


def test_report_escapes_hostile_article_text() -> None:
    import pandas as pd

    from warehouse.report import latest_incidents_table

    hostile = pd.DataFrame(
        [
            {
                "event_type": "drone_attack",
                "event_date": "2024-04-05",
                "admin1_code": "RU-ROS",
                "region_name": "<img src=x onerror=alert(1)>",
                "attacker": "UA",
                "drones_destroyed_min": 3,
                "drones_destroyed_max": 5,
                "n_articles": 2,
                "claimants": "<b>x</b>",
                "conflicting_claims": True,
                "articles": [
                    {"title": "<script>t</script>", "url": "javascript:alert(1)"},
                    {"title": "Fine", "url": "https://example.com/a?b=1&c=<2>"},
                ],
            }
        ]
    )
    html = latest_incidents_table(hostile)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert (
        '<a href="https://example.com/a?b=1&amp;c=&lt;2&gt;" rel="noopener noreferrer">Fine</a>'
        in html
    )
    assert "<td>3–5</td>" in html


@pytest.mark.parametrize(
    ("batch", "batches", "done", "seconds", "line"),
    [
        (3, 40, 1500, 2.0, "batch 3/40: 1,500 articles, 750 articles/s"),
        (1, 1, 5, 0.0, "batch 1/1: 5 articles, 0 articles/s"),
    ],
)
def test_progress_line(batch: int, batches: int, done: int, seconds: float, line: str) -> None:
    from tasks.summary import progress_line

    assert progress_line(batch, batches, done, seconds) == line


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--source", "/no/such/folder"], "source folder '/no/such/folder' does not exist"),
        (["run", "--batch-size", "0"], "must be at least 1"),
        (["run", "--batches-in-flight", "0"], "must be at least 1"),
    ],
)
def test_cli_refuses_bad_arguments_with_a_clear_message(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
