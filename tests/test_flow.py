"""The whole flow on the seed articles, against the careful reader's golden file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from tests.conftest import BAD_FILES
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
                {"glob": str(parquet / table / "*.parquet")},
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
