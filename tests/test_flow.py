"""The whole flow on the seed articles, against the careful reader's golden file."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from tests.conftest import BAD_FILES, read_tables
from tests.conftest import LOADED_TABLES as TABLES

GOLDEN = [json.loads(line) for line in (Path(__file__).parent / "expected-events.jsonl").open()]


def article_rows(tables: dict[str, pd.DataFrame], table: str, file: str) -> pd.DataFrame:
    article_id = tables["articles"].set_index("source_uri").loc[file, "article_id"]
    frame = tables[table]
    return frame[frame["article_id"] == article_id]


def test_counts_of_the_first_run(seeded_run: dict[str, Any]) -> None:
    assert seeded_run["first"]["articles_new"] == 5
    assert seeded_run["first"]["rejected_new"] == len(BAD_FILES)
    assert seeded_run["first"]["rows_articles"] == 5


def test_second_run_changes_nothing(seeded_run: dict[str, Any]) -> None:
    assert seeded_run["second"]["articles_new"] == 0
    assert seeded_run["second"]["rejected_new"] == 0
    for table in TABLES:
        pd.testing.assert_frame_equal(
            seeded_run["tables"][table], seeded_run["tables_again"][table]
        )


def test_bad_files_are_rejected_with_reasons(seeded_run: dict[str, Any]) -> None:
    rejected = seeded_run["tables"]["rejected_articles"].set_index("source_uri")["reason"]
    assert sorted(rejected.index) == sorted(BAD_FILES)
    for name, (_, reason) in BAD_FILES.items():
        assert reason in rejected[name]


def test_parquet_files_hold_the_same_rows_as_duckdb(seeded_run: dict[str, Any]) -> None:
    parquet = seeded_run["data_dir"] / "parquet"
    for table in TABLES:
        with duckdb.connect() as con:
            count = con.execute(
                "SELECT count(*) FROM read_parquet($glob)",
                {"glob": str(parquet / table / "*" / "*.parquet")},  # <table>/published_month=*/
            ).fetchone()
        assert count == (len(seeded_run["tables"][table]),), table


@pytest.mark.parametrize("golden", GOLDEN, ids=[g["file"][:3] for g in GOLDEN])
def test_publication_dates(seeded_run: dict[str, Any], golden: dict[str, Any]) -> None:
    article = seeded_run["tables"]["articles"].set_index("source_uri").loc[golden["file"]]
    assert day(article["published_date"]) == golden["pub_date"]
    assert article["published_date_source"] == ("header" if golden["header"] else "manifest")


@pytest.mark.parametrize("golden", GOLDEN, ids=[g["file"][:3] for g in GOLDEN])
def test_time_expressions(seeded_run: dict[str, Any], golden: dict[str, Any]) -> None:
    tables = seeded_run["tables"]
    body = tables["articles"].set_index("source_uri").loc[golden["file"], "body"]
    tagged = article_rows(tables, "time_expressions", golden["file"])
    for expected in golden["time_expressions"]:
        # The expected text, tagged exactly or inside a longer tagged span, with the expected value.
        spans = [
            row
            for row in tagged.itertuples()
            if expected["text"] in body[row.start_char : row.end_char]
        ]
        assert spans, f"{expected['text']!r} not tagged"
        assert expected["value"] in [row.value for row in spans], (expected, spans)


@pytest.mark.parametrize("golden", GOLDEN, ids=[g["file"][:3] for g in GOLDEN])
def test_drone_events(seeded_run: dict[str, Any], golden: dict[str, Any]) -> None:
    events = article_rows(seeded_run["tables"], "events", golden["file"])
    events = events[events["event_type"] == "drone_attack"]
    produced = {(row.admin1_code, day(row.event_date)): row for row in events.itertuples()}

    def dates_of(expected: dict[str, Any]) -> list[str]:
        return [expected["date"], *expected["date_alt"]]

    for expected in golden["events"]:
        matches = [
            produced[(expected["admin1"], day)]
            for day in dates_of(expected)
            if (expected["admin1"], day) in produced
        ]
        if expected.get("optional") and not matches:
            continue
        assert len(matches) == 1, f"{expected['admin1']} {expected['date']}: {len(matches)} rows"
        row = matches[0]
        assert row.event_type == expected["type"]
        assert row.attacker == expected["attacker"]
        assert _nullable(row.drones_launched) == expected["launched"], expected
        assert _nullable(row.drones_destroyed) == expected["destroyed"], expected
        for column, key in (("killed", "killed"), ("injured", "injured"), ("damage", "damage")):
            if expected[key] is not None:
                assert _nullable(getattr(row, column)) == expected[key], (column, expected)
        assert row.claimed_by, expected
        assert (
            row.evidence
            and row.evidence
            in seeded_run["tables"]["articles"].set_index("source_uri").loc[golden["file"], "body"]
        )
    allowed = {(e["admin1"], day) for e in golden["events"] for day in dates_of(e)}
    assert set(produced) <= allowed, f"unexpected events: {set(produced) - allowed}"


@pytest.mark.parametrize("golden", GOLDEN, ids=[g["file"][:3] for g in GOLDEN])
def test_drone_totals(seeded_run: dict[str, Any], golden: dict[str, Any]) -> None:
    totals = article_rows(seeded_run["tables"], "drone_totals", golden["file"])
    assert len(totals) == len(golden["totals"])
    for expected, row in zip(golden["totals"], totals.itertuples(), strict=False):
        assert row.country_code == expected["country"]
        assert day(row.event_date) in [expected["date"], *expected["date_alt"]]
        assert _nullable(row.drones_launched) == expected["launched"]
        assert _nullable(row.drones_destroyed) == expected["destroyed"]


@pytest.mark.parametrize(
    ("file", "gone", "kept"),
    [
        (
            "001_9a40e132d987c880.txt",
            "Please enter a valid email address",
            "Belgorod, roughly 40km away from the Ukrainian border",
        ),
        (
            "001_9a40e132d987c880.txt",
            "Subscribe to Independent Premium",
            "A day earlier, Russia claimed its air defences shot down",
        ),
        (
            "001_9a40e132d987c880.txt",
            "Join our commenting forum",
            "It said “an attempt by the Kyiv regime",
        ),
        (
            "001_9a40e132d987c880.txt",
            "More about Ukraine belgorod",
            "Last month, three people were killed",
        ),
        (
            "001_9a40e132d987c880.txt",
            "Recommended Zelensky",
            "In return, Russia has continued its campaign",
        ),
        (
            "003_9d30d5a8d221f33c.txt",
            "By: MRT Desk",
            "Air defense systems destroyed 15 of the 20 drones",
        ),
        ("003_9d30d5a8d221f33c.txt", "Leave a Comment", "Kiev and the West claim that Putin"),
        (
            "003_9d30d5a8d221f33c.txt",
            "Published on:",
            "Drones attack Ukrainian capital as Putin heads to Belarus",
        ),
        (
            "000_066ef8bd903d37c5.txt",
            "devastation in the frontline city of Bakhmut. Reuters",
            "On Tuesday, a drone was shot down",
        ),
        ("002_56d6fb0dcc8be8d3.txt", "-al jazeera", "Russia has downed 53 Ukrainian drones"),
    ],
)
def test_cruft_is_gone_and_sentences_kept(
    seeded_run: dict[str, Any], file: str, gone: str, kept: str
) -> None:
    body = seeded_run["tables"]["articles"].set_index("source_uri").loc[file, "body"]
    assert gone not in body
    assert kept in body
    removed = article_rows(seeded_run["tables"], "removed_lines", file)
    assert any(gone in text for text in removed["text"])


def day(value: Any) -> str:
    """A DATE cell as read through pandas -> 'YYYY-MM-DD'."""
    return pd.Timestamp(value).date().isoformat()


def _nullable(value: Any) -> Any:
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.fixture(scope="module")
def mixed_formats_run(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """HTML, JSON lines, a JSON array and odd-encoding text files through the whole flow."""
    import shutil

    from flows.pipeline import newsevents_flow

    source = tmp_path_factory.mktemp("mixed")
    for path in (Path(__file__).parent / "fixtures" / "formats").iterdir():
        shutil.copy(path, source / path.name)
    text = "Ukrainian drones attacked the Bryansk region overnight, the governor said on Monday."
    (source / "cp1251.txt").write_bytes(
        ("Беспилотники сбиты над Курской областью. " * 3).encode("cp1251")
    )
    (source / "utf16.txt").write_bytes(text.encode("utf-16"))
    (source / "german.txt").write_text(  # German, quoting an English sentence with an event
        "Die russischen Drohnen griffen in der Nacht die Hafenstadt an, es gab keine Verletzten, "
        "teilte das Militär mit. Die Behörden untersuchen noch die Schäden an den Gebäuden. "
        '"20 drones were shot down over the Odesa region overnight", sagte ein Sprecher am Montag.'
    )
    data_dir = tmp_path_factory.mktemp("mixed-data")
    summary = newsevents_flow(source=str(source), data_dir=str(data_dir))
    return {"summary": summary, "tables": read_tables(data_dir / "warehouse.duckdb")}


def test_every_format_loads_end_to_end(mixed_formats_run: dict[str, Any]) -> None:
    articles = mixed_formats_run["tables"]["articles"].set_index("source_uri")
    assert articles["content_format"].to_dict() == {
        "cp1251.txt": "text",
        "feed.json#1": "json",
        "german.txt": "text",
        "kyiv-attack.html": "html",
        "scraped.jsonl#1": "jsonl",
        "scraped.jsonl#5": "jsonl",
        "scraped.jsonl#7": "jsonl",
        "utf16.txt": "text",
    }
    assert articles.loc["cp1251.txt", "encoding"] == "cp1251"
    assert articles.loc["utf16.txt", "encoding"] == "utf-16"
    assert articles.loc["cp1251.txt", "language"] == "ru"
    assert len(mixed_formats_run["tables"]["rejected_articles"]) == 5


def test_events_come_from_english_articles_only(mixed_formats_run: dict[str, Any]) -> None:
    tables = mixed_formats_run["tables"]
    languages = tables["articles"].set_index("article_id")["language"]
    events = tables["events"]
    assert set(languages[events["article_id"]]) == {"en"}
    assert "de" in set(languages)
    regions = set(events.loc[events["event_type"] == "drone_attack", "admin1_code"])
    assert {"UA-32", "UA-68", "UA-46", "RU-BEL", "RU-BRY", "UA-51"} <= regions


def test_a_failing_quality_check_fails_the_run_but_keeps_the_data(
    seeded_run: dict[str, Any], tmp_path: Path
) -> None:
    """A row that breaks a check (here: more drones destroyed than launched) marks the run Failed."""
    import shutil

    from flows.maintenance import maintenance_flow
    from tasks.summary import DataQualityError
    from warehouse.store import WarehousePaths, write_batch

    data_dir = tmp_path / "data"
    shutil.copytree(seeded_run["data_dir"] / "parquet", data_dir / "parquet")
    events = seeded_run["tables"]["events"]
    bad = events[events["drones_launched"].notna()].head(1).copy()
    articles = seeded_run["tables"]["articles"]
    article = articles[articles["article_id"] == bad["article_id"].iloc[0]].copy()
    article["article_id"] = bad["article_id"] = "injected-article"
    bad["event_id"], bad["drones_destroyed"] = "broken-row", bad["drones_launched"] + 1
    claims = seeded_run["tables"]["claims"]
    claim = claims[claims["event_id"] == events.loc[bad.index[0], "event_id"]].head(1).copy()
    claim["claim_id"], claim["event_id"] = "broken-claim", "broken-row"
    claim["article_id"] = "injected-article"
    frames = {"events": bad, "claims": claim, "articles": article}
    write_batch(WarehousePaths(data_dir), "injected", frames)
    state = maintenance_flow(data_dir=str(data_dir), return_state=True)
    assert state.is_failed()
    with pytest.raises(DataQualityError, match="counts_are_consistent: 1 rows"):
        state.result()
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        failed = con.execute("SELECT check_name FROM data_quality WHERE NOT passed").fetchall()
    assert failed == [("counts_are_consistent",)]


def test_the_warehouse_answers_from_any_directory(
    seeded_run: dict[str, Any], tmp_path: Path
) -> None:
    import subprocess
    import sys

    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.sql('SELECT count(*) FROM drone_attacks').df().iloc[0, 0])"
    )
    path = str(seeded_run["data_dir"] / "warehouse.duckdb")
    out = subprocess.run(
        [sys.executable, "-c", script, path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) == len(
        seeded_run["tables"]["events"].query("event_type == 'drone_attack'")
    )


def test_a_small_run_computes_here_and_a_larger_one_in_cpu_workers(
    seeded_run: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes start only for runs with enough work (or when asked for), and both
    ways load the same tables."""
    import tasks.workers
    from flows.pipeline import newsevents_flow

    pools_started: list[int] = []
    start_pool = tasks.workers._new_pool

    def counted_new_pool(size: int) -> ProcessPoolExecutor:
        pools_started.append(size)
        return start_pool(size)

    monkeypatch.setattr(tasks.workers, "_new_pool", counted_new_pool)
    source = seeded_run["source"]

    def tables_of_a_run(name: str, **options: Any) -> dict[str, pd.DataFrame]:
        newsevents_flow(source=str(source), data_dir=str(tmp_path / name), **options)
        return read_tables(tmp_path / name / "warehouse.duckdb")

    runs = {"small": tables_of_a_run("small", batch_size=2)}
    assert pools_started == []  # 8 files: the stages ran in the flow's process
    runs["asked"] = tables_of_a_run("asked", batch_size=2, cpu_worker_processes=2)
    assert pools_started == [2]
    monkeypatch.setattr(tasks.workers, "IN_PROCESS_MAX_ARTICLES", 3)  # 8 files are many now
    runs["larger"] = tables_of_a_run("larger", batch_size=2, cpu_worker_processes=None)
    workers = tasks.workers.default_cpu_workers()
    assert pools_started == ([2, workers] if workers > 1 else [2])  # 1 core: no pool
    for name, tables in runs.items():
        for table in TABLES:
            expected = seeded_run["tables"][table]
            columns = [c for c in expected.columns if c not in {"ingested_at", "rejected_at"}]
            pd.testing.assert_frame_equal(
                tables[table][columns], expected[columns], obj=f"{name}: {table}"
            )


def test_a_run_waits_for_a_slow_listing_to_tell_it_is_small(
    seeded_run: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large folder is not a large run: a run with few new files starts no CPU worker however
    long the folder takes to list and match with the fingerprint cache (100k files: 2-4 s)."""
    import shutil
    import time

    import tasks.ingest
    import tasks.workers
    from flows.pipeline import newsevents_flow

    source = tmp_path / "articles"
    shutil.copytree(seeded_run["source"], source)
    data_dir = tmp_path / "data"
    newsevents_flow(source=str(source), data_dir=str(data_dir))  # the fingerprint cache
    (source / "late.txt").write_text("Air defences shot down three drones over Kursk overnight.")

    pools_started: list[int] = []
    monkeypatch.setattr(tasks.workers, "_new_pool", lambda size: pools_started.append(size))
    stamp_files = tasks.ingest.stamp_article_files

    def slow_listing(source_dir: Path) -> pd.DataFrame:
        time.sleep(1.5)  # longer than runs used to wait for the answer
        return stamp_files(source_dir)

    monkeypatch.setattr(tasks.ingest, "stamp_article_files", slow_listing)
    result = newsevents_flow(source=str(source), data_dir=str(data_dir))
    assert pools_started == []
    assert result["articles_new"] == 1
