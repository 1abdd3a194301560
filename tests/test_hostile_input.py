"""Hostile input never crashes ingest: each bad unit is a rejected row, every good one loads."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.ingest import (
    Manifest,
    fingerprint_files,
    list_article_files,
    load_manifest,
    plan_new_files,
    read_articles,
)

RUN_AT = datetime(2026, 1, 2, tzinfo=UTC)
GOOD = "Russian air defences shot down two Ukrainian drones over the Kursk region on Monday."


def ingest_folder(source: Path, max_bytes: int = 5_000_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    manifest, _ = load_manifest(source)
    planned = plan_new_files(
        fingerprint_files(list_article_files(source), source, max_bytes), set(), set()
    )
    return read_articles(planned, source, manifest, RUN_AT, max_bytes)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".jsonl", ".json"])
)
def test_random_bytes_never_crash_and_every_unit_is_accounted_for(
    tmp_path_factory: pytest.TempPathFactory, payload: bytes, suffix: str
) -> None:
    source = tmp_path_factory.mktemp("fuzz")
    (source / f"fuzz{suffix}").write_bytes(payload)
    (source / "good.txt").write_text(GOOD)
    planned = plan_new_files(fingerprint_files(list_article_files(source), source), set(), set())
    articles, rejected = read_articles(planned, source, Manifest(), RUN_AT)
    assert "good.txt" in set(articles["source_uri"])
    assert len(articles) + len(rejected) == len(planned)
    assert rejected["reason"].str.len().gt(0).all()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=2000))
def test_random_unicode_text_never_crashes(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    source = tmp_path_factory.mktemp("fuzztext")
    (source / "fuzz.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    articles, rejected = ingest_folder(source)
    assert len(articles) + len(rejected) == 1


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["text", "html", "url", "title", "published", "source"]),
                st.one_of(
                    st.none(),
                    st.integers(),
                    st.text(max_size=50),
                    st.lists(st.integers(), max_size=2),
                ),
            ),
            st.integers(),
            st.text(max_size=20),
        ),
        max_size=8,
    )
)
def test_json_lines_with_wrong_types_never_crash(
    tmp_path_factory: pytest.TempPathFactory, records: list[object]
) -> None:
    import json

    source = tmp_path_factory.mktemp("fuzzjson")
    (source / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    articles, rejected = ingest_folder(source)
    assert len(articles) + len(rejected) == len({json.dumps(r) for r in records})  # copies dedupe


CRAFTED = {
    "utf16-bom.txt": ("\ufeff" + GOOD).encode("utf-16-le"),
    "utf16-no-bom.txt": GOOD.encode("utf-16-le"),
    "cp1251.txt": "Беспилотники сбиты над Курской областью в понедельник вечером.".encode("cp1251"),
    "crlf.txt": GOOD.replace(" ", "\r\n", 3).encode(),
    "zero-width.txt": ("\u200b" + GOOD.replace(" ", "\u200b ", 2) + "\u00a0").encode(),
    "controls.txt": ("\x01\x02\x03\x04" * 50 + GOOD).encode(),
    "deep.html": ("<div>" * 5000 + f"<p>{GOOD}</p>" + "</div>" * 5000).encode(),
    "broken.html": f"<html><body><p>{GOOD}<p><b>unclosed <i>tags</html>".encode(),
    "nul.txt": b"\x00" * 100 + GOOD.encode(),
    "empty.json": b"",
    "bad.json": b"{not json",
    "huge-line.txt": b"A" * 6_000_000,
}


def test_crafted_hostile_files(tmp_path: Path) -> None:
    for name, content in CRAFTED.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "manifest.csv").write_text(
        "file,published,extra\n"
        "utf16-bom.txt,not-a-date,x\n"
        "crlf.txt,2023-02-30,x\n"
        "crlf.txt,2023-02-01,duplicate row: the first one wins\n"
        "../../etc/passwd,2023-01-01,points outside the folder\n"
    )
    os.symlink("/etc/hostname", tmp_path / "outside.txt")
    articles, rejected = ingest_folder(tmp_path)
    reasons = rejected.set_index("source_uri")["reason"].to_dict()
    assert set(articles["source_uri"]) == {
        "utf16-bom.txt",
        "utf16-no-bom.txt",
        "cp1251.txt",
        "crlf.txt",
        "zero-width.txt",
        "deep.html",
        "broken.html",
    }
    assert reasons == {
        "controls.txt": "binary content: control characters found, this is not a text file",
        "nul.txt": "binary content: NUL bytes found, this is not a text file",
        "empty.json": "invalid JSON: Expecting value: line 1 column 1 (char 0)",
        "bad.json": "invalid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        "huge-line.txt": "file is 6,000,000 bytes, larger than the 5,000,000-byte limit",
    }
    by_uri = articles.set_index("source_uri")
    assert by_uri.loc["cp1251.txt", "raw_text"].startswith("Беспилотники сбиты")
    assert by_uri.loc["utf16-bom.txt", "published_date"] is None  # a bad manifest date is ignored
    assert by_uri.loc["crlf.txt", "published_date"] is None  # 2023-02-30 is not a date
    assert "\r" not in by_uri.loc["crlf.txt", "raw_text"]
    assert GOOD in by_uri.loc["deep.html", "raw_text"]
