"""Hostile input never crashes the pipeline: each bad unit is a rejected row with a reason, every
good article loads and keeps its events, and nothing from a page reaches a report as markup.

Three layers: hypothesis through the pure stages (ingest -> clean -> dates -> extract, as
benchmarks/bench.py chains them), a crafted set with exact reasons, and one real Prefect run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.clean import clean_articles
from tasks.dates import tag_time_expressions, time_expressions_frame
from tasks.extract import extract_drone_events, extract_tables
from tasks.formats import LONE_SURROGATES
from tasks.ingest import (
    fingerprint_files,
    list_article_files,
    load_manifest,
    plan_new_files,
    read_articles,
)
from tests.conftest import read_tables

RUN_AT = datetime(2026, 1, 2, tzinfo=UTC)
GOOD = "Russian air defences shot down two Ukrainian drones over the Kursk region on Monday."
FUZZ = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Two good articles in every fuzzed folder: they must load and keep their events whatever sits
# next to them. (source_uri -> (file name, bytes)), and the event each must give.
CONTROLS = {
    "control-kursk.txt": (
        "control-kursk.txt",
        b" date 2024-04-08 Drones downed over Kursk\n\nRussian air defences shot down two "
        b"Ukrainian drones over the Kursk region on Monday, the defence ministry said.\n",
    ),
    "control-odesa.jsonl#1": (
        "control-odesa.jsonl",
        json.dumps(
            {
                "title": "Odesa drones",
                "published": "2024-04-09",
                "text": "Ukrainian air defences destroyed 12 Russian drones over the Odesa region "
                "overnight, the air force said on Tuesday.",
            }
        ).encode(),
    ),
}
# (source_uri, event_type, event_date, admin1_code, attacker, drones_destroyed)
CONTROL_EVENTS = {
    ("control-kursk.txt", "drone_attack", "2024-04-08", "RU-KRS", "UA", 2),
    ("control-odesa.jsonl#1", "drone_attack", "2024-04-09", "UA-51", "RU", 12),
}


@dataclass(frozen=True)
class PipelineRun:
    fingerprints: pd.DataFrame
    articles: pd.DataFrame
    rejected: pd.DataFrame
    expressions: pd.DataFrame
    events: pd.DataFrame
    totals: pd.DataFrame
    claims: pd.DataFrame


def run_pipeline(source: Path, max_bytes: int = 5_000_000) -> PipelineRun:
    """The pure stages of one flow run over `source`, as benchmarks/bench.py `time_stages`."""
    manifest, _ = load_manifest(source)
    fingerprints = fingerprint_files(list_article_files(source), source, max_bytes)
    planned = plan_new_files(fingerprints, set(), set())
    articles, rejected = read_articles(planned, source, manifest, RUN_AT, max_bytes)
    articles, _removed = clean_articles(articles)
    expressions = time_expressions_frame(articles)
    events, totals, claims = extract_tables(articles, expressions)
    return PipelineRun(fingerprints, articles, rejected, expressions, events, totals, claims)


def write_controls(source: Path) -> None:
    for name, content in CONTROLS.values():
        (source / name).write_bytes(content)


def columns(frame: pd.DataFrame, *names: str) -> Iterator[tuple[Any, ...]]:
    """Rows of a few columns (itertuples over 40 object columns costs more than the stage)."""
    return zip(*(frame[name] for name in names), strict=True)


def assert_every_unit_accounted_for(run: PipelineRun) -> None:
    """Each unit found is an article, a rejected row with a reason, or a copy of one of them."""
    loaded = set(run.articles["source_uri"])
    reasons = dict(columns(run.rejected, "source_uri", "reason"))
    assert not loaded & set(reasons)
    assert all(isinstance(r, str) and r.strip() for r in reasons.values()), reasons
    loaded_ids, rejected_contents = (
        set(run.articles["article_id"]),
        set(run.rejected["content_sha256"]),
    )
    for uri, article_id, sha in columns(
        run.fingerprints, "source_uri", "article_id", "content_sha256"
    ):
        copy = article_id in loaded_ids or sha in rejected_contents
        assert uri in loaded or uri in reasons or copy, uri
    assert_outputs_point_into_bodies(run.articles, run.expressions, run.events, run.claims)


def assert_outputs_point_into_bodies(
    articles: pd.DataFrame, expressions: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame
) -> None:
    bodies = dict(columns(articles, "article_id", "body"))
    for article_id, start, end, text in columns(
        expressions, "article_id", "start_char", "end_char", "text"
    ):
        assert bodies[article_id][start:end] == text
    counts = ("drones_launched", "drones_destroyed", "killed", "injured")
    for table in (events, claims):
        for article_id, start, end, evidence, *numbers in columns(
            table, "article_id", "evidence_start", "evidence_end", "evidence", *counts
        ):
            assert bodies[article_id][start:end] == evidence
            assert all(n is None or pd.isna(n) or n >= 0 for n in numbers), numbers


def control_events(run: PipelineRun) -> set[tuple[object, ...]]:
    uris = dict(columns(run.articles, "article_id", "source_uri"))
    names = ("event_type", "event_date", "admin1_code", "attacker", "drones_destroyed")
    return {
        (uris[article_id], kind, str(day), *rest)
        for article_id, kind, day, *rest in columns(run.events, "article_id", *names)
        if uris[article_id] in CONTROLS
    }


# --- hypothesis through the whole pure pipeline -----------------------------------------------

SUFFIXES = st.sampled_from([".txt", ".html", ".htm", ".jsonl", ".json"])
# Zero-width, bidi, byte-order and separator characters, C0/C1 controls, odd spaces.
HOSTILE_CHARS = (
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
    "\u2068\u2069\u061c\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\u2028\u2029\r\t\n \u00a0\u3000"
)
FRAGMENTS = [
    "drones",
    "Drones",
    "shot down",
    "destroyed",
    "intercepted",
    "launched",
    "over the Kursk region",
    "Belgorod",
    "in the Odesa region",
    "Moscow",
    "on Monday",
    "overnight",
    "on Tuesday night",
    "last week",
    "yesterday",
    "3 days ago",
    "99999 years later",
    "on 31/12/2023",
    "September 31",
    "29 February 2023",
    "2024-02-30",
    "the night of 13-14 May",
    "killed",
    "injured",
    "the governor said",
    "the defence ministry said",
    "Russian",
    "Ukrainian",
    "air defences",
    "all of them were destroyed",
    "more than",
    ".",
    "!",
    ";",
    ",",
    "\n",
    "\n\n",
    "Read more",
    "Subscribe to our newsletter",
    "By John Smith",
    "MOSCOW, September 20. /TASS/",
    " date 2023-02-28 ",
    "<script>alert(1)</script>",
    "&lt;script&gt;",
    "[x](javascript:alert(1))",
    "| a | b |",
    "\ud800 lone \udfff surrogates",
]
TOKENS = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(alphabet=HOSTILE_CHARS, max_size=8),
    st.text(max_size=12),  # any code point: RTL scripts, astral planes, lone surrogates
    st.integers(min_value=0, max_value=10**30).map(str),
    st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),  # many digits
    st.integers(min_value=1, max_value=6000).map(lambda n: "x" * n),  # one very long token
    st.integers(min_value=1, max_value=400).map(lambda n: "drones " * n),
)
HOSTILE_TEXT = st.lists(TOKENS, max_size=30).map(" ".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251"])


@settings(FUZZ, max_examples=300)
@given(files=st.lists(st.tuples(st.binary(max_size=1500), SUFFIXES), min_size=1, max_size=3))
def test_random_bytes_through_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, files: list[tuple[bytes, str]]
) -> None:
    source = tmp_path_factory.mktemp("bytes")
    write_controls(source)
    for index, (payload, suffix) in enumerate(files):
        (source / f"fuzz{index}{suffix}").write_bytes(payload)
    run = run_pipeline(source)
    assert_every_unit_accounted_for(run)
    assert control_events(run) == CONTROL_EVENTS


@settings(FUZZ, max_examples=260)
@given(
    text=HOSTILE_TEXT,
    encoding=ENCODINGS,
    form=st.sampled_from(["txt", "html", "header"]),
)
def test_hostile_text_files_through_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, text: str, encoding: str, form: str
) -> None:
    source = tmp_path_factory.mktemp("text")
    write_controls(source)
    if form == "html":
        text = f"<html><head><title>{text[:80]}</title></head><body><p>{text}</p></body></html>"
    elif form == "header":
        text = f" date 2024-04-08 {text}"
    name = "fuzz.html" if form == "html" else "fuzz.txt"
    (source / name).write_bytes(text.encode(encoding, errors="replace"))
    run = run_pipeline(source)
    assert_every_unit_accounted_for(run)
    assert control_events(run) == CONTROL_EVENTS


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    HOSTILE_TEXT,
    st.sampled_from(["<p>" + GOOD + "</p>", "<html><body><div>" * 50, "2024-04-08", "9999-12-31"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
JSON_RECORDS = st.one_of(
    st.dictionaries(
        st.sampled_from(["text", "html", "url", "title", "published", "source", "extra"]),
        JSON_VALUES,
    ),
    st.fixed_dictionaries({"text": HOSTILE_TEXT}, optional={"published": JSON_VALUES}),
    JSON_VALUES,
)


@settings(FUZZ, max_examples=240)
@given(
    records=st.lists(JSON_RECORDS, max_size=6),
    array=st.booleans(),
    wrapper=st.sampled_from(["list", "articles", "bare"]),
)
def test_json_records_of_any_type_through_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, records: list[Any], array: bool, wrapper: str
) -> None:
    source = tmp_path_factory.mktemp("json")
    write_controls(source)
    if not array:
        lines = (json.dumps(r, allow_nan=True) for r in records)
        (source / "feed.jsonl").write_text("\n".join(lines), errors="surrogatepass")
    else:
        data = {"list": records, "articles": {"articles": records}, "bare": records[:1]}[wrapper]
        (source / "feed.json").write_text(json.dumps(data), errors="surrogatepass")
    run = run_pipeline(source)
    assert_every_unit_accounted_for(run)
    assert control_events(run) == CONTROL_EVENTS


MANIFEST_FILES = st.sampled_from(
    [
        "control-kursk.txt",
        "control-odesa.jsonl",
        "fuzz.txt",
        "missing.txt",
        "../control-kursk.txt",
        "/etc/passwd",
        "../../etc/passwd",
        "",
    ]
)
MANIFEST_DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["not-a-date", "2023-02-30", "2023-13", "0000-01-01", "2024-04-08T25:00Z"]),
    st.text(max_size=12),
)
MANIFEST_ROWS = st.lists(
    st.fixed_dictionaries(
        {"file": MANIFEST_FILES},
        optional={"published": MANIFEST_DATES, "source": HOSTILE_TEXT, "url": HOSTILE_TEXT},
    ),
    max_size=6,
)


@settings(FUZZ, max_examples=200)
@given(
    header=st.lists(
        st.sampled_from(["file", "source", "url", "published", "extra"]), unique=True, max_size=5
    ),
    rows=MANIFEST_ROWS,
    fuzz=HOSTILE_TEXT,
)
def test_any_manifest_through_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[dict[str, str]],
    fuzz: str,
) -> None:
    """Missing columns, duplicate rows, bad or extreme dates, paths outside the folder."""
    source = tmp_path_factory.mktemp("manifest")
    write_controls(source)
    (source / "fuzz.txt").write_text(fuzz, errors="surrogatepass")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    (source / "manifest.csv").write_text(buffer.getvalue(), errors="surrogatepass")
    run = run_pipeline(source)
    assert_every_unit_accounted_for(run)
    # A manifest date moves the event day; the place, side and count stay.
    assert {(uri, *rest) for uri, _, _, *rest in control_events(run)} == {
        (uri, *rest) for uri, _, _, *rest in CONTROL_EVENTS
    }


@settings(FUZZ, max_examples=200)
@given(
    text=HOSTILE_TEXT,
    published=st.one_of(st.none(), st.dates(), st.sampled_from([date.min, date.max])),
    precision=st.sampled_from(["day", "month", None]),
)
def test_stages_on_hostile_text_directly(
    text: str, published: date | None, precision: str | None
) -> None:
    """The cleaner, the date tagger and the extractor on raw hostile text, as any caller may."""
    # A frame's strings are Arrow strings, which cannot hold lone surrogates: ingest replaces
    # them (see formats.record_fields), so the frame gets the text as ingest would pass it on.
    storable = LONE_SURROGATES.sub("\ufffd", text)
    articles = pd.DataFrame(
        {
            "article_id": ["a"],
            "raw_text": [storable],
            "source": [None],
            "published_date": [published],
            "published_date_precision": [precision],
            "language": ["en"],
        }
    )
    cleaned, removed = clean_articles(articles)
    assert set(removed["article_id"]) <= {"a"}
    expressions = time_expressions_frame(cleaned)
    events, _totals, claims = extract_tables(cleaned, expressions)
    assert_outputs_point_into_bodies(cleaned, expressions, events, claims)
    # Uncleaned text (control characters and all) straight into dates and extract.
    raw_expressions = tag_time_expressions(text, published, precision)
    extraction = extract_drone_events(text, published, raw_expressions)
    for event in extraction.events:
        assert text[event.evidence_start : event.evidence_end] == event.evidence


# --- a crafted set with exact outcomes ---------------------------------------------------------

INVALID_UTF8 = GOOD.encode()[:30] + b"\xc3\x28\xa0\xa1\xe2\x28" + GOOD.encode()[30:]
CRAFTED = {
    "utf16-bom.txt": ("\ufeff" + GOOD).encode("utf-16-le"),
    "utf16-no-bom.txt": GOOD.encode("utf-16-le"),
    "utf16-be-no-bom.txt": GOOD.encode("utf-16-be"),
    "cp1251.txt": "Беспилотники сбиты над Курской областью в понедельник вечером.".encode("cp1251"),
    "invalid-utf8.txt": INVALID_UTF8,
    "crlf.txt": GOOD.replace(" ", "\r\n", 3).encode(),
    "zero-width.txt": ("\u200b" + GOOD.replace(" ", "\u200b ", 2) + "\u00a0\u202e").encode(),
    "controls.txt": ("\x01\x02\x03\x04" * 50 + GOOD).encode(),
    "copy-of-controls.txt": ("\x01\x02\x03\x04" * 50 + GOOD).encode(),  # a copy: no second row
    "deep.html": ("<div>" * 5000 + f"<p>{GOOD}</p>" + "</div>" * 5000).encode(),
    "broken.html": f"<html><body><p>{GOOD}<p><b>unclosed <i>tags</html>".encode(),
    "menu.html": b"<html><body><nav>Home | News</nav><p>Subscribe</p></body></html>",
    "nul.txt": b"\x00" * 100 + GOOD.encode(),
    "<script src=x>.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10,
    "empty.txt": b"",
    "spaces.txt": b" \r\n\t \n",
    "numbers.txt": "1 2 3 4 5 — 6\n".encode(),
    "empty.json": b"",
    "bad.json": b"{not json",
    "scalar.json": b"42",
    "huge-line.txt": b"A" * 6_000_000,
    "wrong-types.jsonl": b"\n".join(
        [
            json.dumps({"text": 5}).encode(),
            json.dumps({"text": GOOD, "url": ["x"]}).encode(),
            b"[1, 2]",
            b'"just a string"',
            b"{broken",
            json.dumps({"html": "<p>too short</p>"}).encode(),
            json.dumps({"title": "no text"}).encode(),
            b"",
            json.dumps({"text": GOOD, "source": "wire"}).encode(),
            json.dumps({"text": GOOD, "source": "wire"}).encode(),  # duplicate row: one article
            json.dumps(
                {"text": "Drones hit Moscow \ud800 overnight,\x00 the mayor\x07 said."}
            ).encode(),
        ]
    ),
}
CRAFTED_LOADED = {
    "utf16-bom.txt",
    "utf16-no-bom.txt",
    "utf16-be-no-bom.txt",
    "cp1251.txt",
    "invalid-utf8.txt",
    "crlf.txt",
    "zero-width.txt",
    "deep.html",
    "broken.html",
    "wrong-types.jsonl#9",
    "wrong-types.jsonl#11",
}
NUL_BYTES = "binary content: NUL bytes found, this is not a text file"
CRAFTED_REASONS = {
    "controls.txt": "binary content: control characters found, this is not a text file",
    "nul.txt": NUL_BYTES,
    "<script src=x>.txt": NUL_BYTES,
    "menu.html": "HTML page without article text (trafilatura found no main content)",
    "empty.txt": "empty file",
    "spaces.txt": "empty file",
    "numbers.txt": "no letters in the file: nothing to read",
    "empty.json": "invalid JSON: Expecting value: line 1 column 1 (char 0)",
    "bad.json": "invalid JSON: Expecting property name enclosed in double quotes: "
    "line 1 column 2 (char 1)",
    "scalar.json": "JSON file is neither an array of articles nor an object with 'articles'",
    "huge-line.txt": "file is 6,000,000 bytes, larger than the 5,000,000-byte limit",
    "wrong-types.jsonl#1": "field 'text' is a int, expected a string",
    "wrong-types.jsonl#2": "field 'url' is a list, expected a string",
    "wrong-types.jsonl#3": "record is a JSON list, expected an object",
    "wrong-types.jsonl#4": "record is a JSON str, expected an object",
    "wrong-types.jsonl#5": "invalid JSON line: Expecting property name enclosed in double "
    "quotes: line 1 column 2 (char 1)",
    "wrong-types.jsonl#6": "HTML page without article text (trafilatura found no main content)",
    "wrong-types.jsonl#7": "record has no 'text' or 'html' field with content",
    "outside.txt": "a link to outside the source folder: refused, not read",
}
# No `source` or `url` column; a bad date, an impossible date, a duplicate row, a path outside.
CRAFTED_MANIFEST = (
    "file,published,extra\n"
    "utf16-bom.txt,not-a-date,x\n"
    "crlf.txt,2023-02-30,x\n"
    "crlf.txt,2023-02-01,duplicate row: the first one wins\n"
    "zero-width.txt,9999-12-31,the last day a date can hold\n"
    "../../etc/passwd,2023-01-01,points outside the folder\n"
)


def write_crafted(source: Path) -> None:
    for name, content in CRAFTED.items():
        (source / name).write_bytes(content)
    (source / "manifest.csv").write_text(CRAFTED_MANIFEST)
    outside = source.parent / f"{source.name}-outside.txt"
    outside.write_text(GOOD + " This file is outside the source folder.")
    os.symlink(outside, source / "outside.txt")


def test_crafted_hostile_files(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    write_crafted(source)
    write_controls(source)
    run = run_pipeline(source)
    assert_every_unit_accounted_for(run)
    assert set(run.articles["source_uri"]) == CRAFTED_LOADED | set(CONTROLS)
    assert dict(zip(run.rejected["source_uri"], run.rejected["reason"], strict=True)) == (
        CRAFTED_REASONS
    )
    assert control_events(run) == CONTROL_EVENTS
    # The next run over the same folder has nothing to do, the copy of a rejected file included.
    known_rejections = set(columns(run.rejected, "source_uri", "content_sha256"))
    assert plan_new_files(run.fingerprints, set(run.articles["article_id"]), known_rejections).empty
    by_uri = run.articles.set_index("source_uri")
    assert by_uri.loc["cp1251.txt", "raw_text"].startswith("Беспилотники сбиты")
    assert by_uri.loc["cp1251.txt", "language"] == "ru"
    assert by_uri.loc["utf16-be-no-bom.txt", "raw_text"] == GOOD
    assert by_uri.loc["utf16-bom.txt", "published_date"] is None  # a bad manifest date: ignored
    assert by_uri.loc["crlf.txt", "published_date"] is None  # 2023-02-30 is not a date
    assert by_uri.loc["zero-width.txt", "published_date"] == date(9999, 12, 31)
    assert "\r" not in by_uri.loc["crlf.txt", "raw_text"]
    assert GOOD in by_uri.loc["deep.html", "raw_text"]
    assert "Moscow \ufffd overnight" in by_uri.loc["wrong-types.jsonl#11", "raw_text"]
    assert "outside the source folder" not in "".join(run.articles["raw_text"])


@pytest.mark.parametrize(
    ("manifest", "problem", "entries"),
    [
        (b"source,url,published\nBBC,,2024-01-01\n", "manifest.csv has no 'file' column", 0),
        (b"", "manifest.csv has no 'file' column", 0),
        (b"file,published\nx\x00y,2024\ngood.txt,2024-04-08\n", None, 2),  # NUL: tolerated
        (b"file,published\n" + b"a" * 200_000 + b",1\n", "field larger than field limit", 0),
        (
            b"file,published\n../../etc/passwd,2024-01-01\nC:\\x.txt,\ngood.txt,2024-04-08\n",
            "file outside the source folder, row refused: ../../etc/passwd, C:\\x.txt",
            1,
        ),
        (b"\xef\xbb\xbffile,published\ngood.txt,2024-04-08\n", None, 1),
    ],
    ids=["no-file-column", "empty", "nul", "huge-field", "outside", "bom"],
)
def test_a_bad_manifest_is_reported_and_the_articles_still_load(
    tmp_path: Path, manifest: bytes, problem: str | None, entries: int
) -> None:
    (tmp_path / "manifest.csv").write_bytes(manifest)
    (tmp_path / "good.txt").write_text(f" date 2024-04-01 Kursk\n\n{GOOD}")
    found, message = load_manifest(tmp_path)
    assert (message is None) if problem is None else (problem in str(message)), message
    assert len(found) == entries
    run = run_pipeline(tmp_path)
    assert list(run.articles["source_uri"]) == ["good.txt"] and run.rejected.empty
    # The manifest's date when it has a row for the file, else the header line's.
    expected = (date(2024, 4, 8), "manifest") if entries else (date(2024, 4, 1), "header")
    article = run.articles.iloc[0]
    assert (article["published_date"], article["published_date_source"]) == expected


# --- 50 MB single-line files -------------------------------------------------------------------

BIG = 50_000_000


def single_line(prefix: bytes, suffix: bytes) -> bytes:
    filler = b"drones " * (BIG // 7 + 1)
    return prefix + filler[: BIG - len(prefix) - len(suffix)] + suffix


def test_50_mb_single_line_files_are_rejected_by_size_quickly_and_in_little_memory(
    tmp_path: Path,
) -> None:
    (tmp_path / "big.txt").write_bytes(single_line(b"", b""))
    (tmp_path / "big.html").write_bytes(single_line(b"<html><body><p>", b"</p></body></html>"))
    (tmp_path / "big.jsonl").write_bytes(single_line(b'{"text": "', b'"}'))
    write_controls(tmp_path)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        manifest, _ = load_manifest(tmp_path)
        fingerprints = fingerprint_files(list_article_files(tmp_path), tmp_path)
        planned = plan_new_files(fingerprints, set(), set())
        articles, rejected = read_articles(planned, tmp_path, manifest, RUN_AT)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert dict(zip(rejected["source_uri"], rejected["reason"], strict=True)) == {
        "big.txt": "file is 50,000,000 bytes, larger than the 5,000,000-byte limit",
        "big.html": "file is 50,000,000 bytes, larger than the 5,000,000-byte limit",
        "big.jsonl#1": "record is 50,000,000 bytes, larger than the 5,000,000-byte limit",
    }
    assert set(articles["source_uri"]) == set(CONTROLS)
    assert seconds < 10, seconds
    assert peak < 8_000_000, f"ingest held {peak:,} bytes at its peak"


# --- one real Prefect run ----------------------------------------------------------------------

HOSTILE_PAGE = (
    "<html><head><title>&lt;script&gt;alert('title')&lt;/script&gt; Drones over Belgorod</title>"
    '<script>alert("page")</script></head><body><article>'
    "<h1>&lt;script&gt;alert('title')&lt;/script&gt; Drones over Belgorod</h1>"
    "<p>Russian air defences destroyed five Ukrainian drones over the Belgorod region on "
    "Tuesday, the defence ministry said &lt;script&gt;alert('evidence')&lt;/script&gt;.</p>"
    "<p>There were no casualties, the regional governor wrote on his Telegram channel.</p>"
    '<img src=x onerror="alert(1)"></article></body></html>'
)


@pytest.fixture(scope="module")
def hostile_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The flow over the crafted set, the two controls and a hostile page, in batches of 4."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.pipeline import newsevents_flow

    source = tmp_path_factory.mktemp("hostile-source")
    write_crafted(source)
    write_controls(source)
    (source / "hostile.html").write_text(HOSTILE_PAGE)
    with (source / "manifest.csv").open("a") as manifest:
        manifest.write("hostile.html,2024-04-09,\ncontrol-kursk.txt,2024-04-08,\n")
    data_dir = tmp_path_factory.mktemp("hostile-data")
    state = newsevents_flow(
        source=str(source), data_dir=str(data_dir), batch_size=4, return_state=True
    )
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return {
        "state": state,
        "tables": read_tables(data_dir / "warehouse.duckdb"),
        "report": (data_dir / "report.html").read_text(),
        "artifacts": {a.key: str(a.data) for a in artifacts},
    }


def test_flow_completes_and_rejects_each_bad_input_with_its_reason(
    hostile_run: dict[str, Any],
) -> None:
    assert hostile_run["state"].is_completed(), hostile_run["state"]
    tables = hostile_run["tables"]
    rejected = tables["rejected_articles"]
    assert dict(zip(rejected["source_uri"], rejected["reason"], strict=True)) == CRAFTED_REASONS
    assert set(tables["articles"]["source_uri"]) == CRAFTED_LOADED | set(CONTROLS) | {
        "hostile.html"
    }
    counts = hostile_run["state"].result()
    assert (counts["articles_new"], counts["rejected_new"]) == (14, len(CRAFTED_REASONS))


def test_flow_loads_the_good_articles_events(hostile_run: dict[str, Any]) -> None:
    tables = hostile_run["tables"]
    uris = tables["articles"].set_index("article_id")["source_uri"]
    events = {
        (uris[e.article_id], e.event_type, str(e.event_date.date()), e.admin1_code, e.attacker)
        + (int(e.drones_destroyed),)
        for e in tables["events"].itertuples()
        if uris[e.article_id] in {*CONTROLS, "hostile.html"}
    }
    assert events == CONTROL_EVENTS | {
        ("hostile.html", "drone_attack", "2024-04-09", "RU-BEL", "UA", 5)
    }


def test_report_and_artifacts_escape_the_hostile_page(hostile_run: dict[str, Any]) -> None:
    titles = hostile_run["tables"]["articles"].set_index("source_uri")["title"]
    assert titles["hostile.html"] == "<script>alert('title')</script> Drones over Belgorod"
    report = hostile_run["report"]
    assert "<script" not in report and "<img" not in report
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; Drones over Belgorod" in report
    artifacts = hostile_run["artifacts"]
    assert set(artifacts) == {
        "newsevents-run-summary",
        "newsevents-new-events",
        "newsevents-data-quality",
    }
    for key, data in artifacts.items():
        assert "<script" not in data, key
    assert "| &lt;script src=x&gt;.txt | binary content" in artifacts["newsevents-run-summary"]
