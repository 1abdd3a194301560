"""Warehouse: declared schemas, month partitions, commit objects, the DuckDB build, crash leftovers.

Storage tests run twice: on a local folder and on fsspec's in-memory object store (memory://),
which goes through the same code as s3:// (no rename, one PUT per object, DuckDB reading through
the registered filesystem). tests/test_object_store.py runs the whole flow on a local S3 server.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import warehouse.schemas
import warehouse.store
from warehouse.legacy_layout import migrate_legacy_layout
from warehouse.schemas import (
    REFERENCE_TABLE_NAMES,
    TABLE_NAMES,
    arrow_schema,
    arrow_schemas_cache_path,
    column_comments,
)
from warehouse.store import (
    BuildResult,
    LegacyLayout,
    WarehouseBusy,
    WarehousePaths,
    build_duckdb,
    compact,
    default_state_dir,
    is_url,
    known_article_ids,
    known_rejections,
    live_files,
    months_of,
    read_commits,
    remove_uncommitted_batches,
    to_arrow,
    write_batch,
    write_commit,
    write_parquet_atomically,
    writer_lock,
)

RUN_AT = datetime(2026, 1, 2, tzinfo=UTC)


def article_rows(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": list(ids),
            "source_uri": [f"{i}.txt" for i in ids],
            "url": [None] * len(ids),
            "source": ["Outlet"] * len(ids),
            "title": ["Title"] * len(ids),
            "author": [None] * len(ids),
            "dateline_place": [None] * len(ids),
            "content_format": ["text"] * len(ids),
            "encoding": ["utf-8"] * len(ids),
            "language": ["en"] * len(ids),
            "published_date": [date(2024, 4, 5)] * len(ids),
            "published_date_source": ["manifest"] * len(ids),
            "published_date_precision": ["day"] * len(ids),
            "body": ["Title\n\nA drone was shot down over Kursk."] * len(ids),
            "n_removed_lines": [0] * len(ids),
            "ingested_at": [RUN_AT] * len(ids),
        }
    )


def removed_rows(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": list(ids),
            "line_no": [3] * len(ids),
            "text": ["Subscribe"] * len(ids),
            "reason": ["phrase:subscribe"] * len(ids),
        }
    )


APRIL = "published_month=2024-04"


@pytest.fixture(params=["local", "memory"])
def paths(request: pytest.FixtureRequest, tmp_path: Path) -> WarehousePaths:
    """A data location on a local folder, or on the in-memory object store with a local state."""
    if request.param == "local":
        return WarehousePaths(tmp_path)
    return WarehousePaths(f"memory://test-{uuid.uuid4().hex[:12]}/data", tmp_path / "state")


def stored(paths: WarehousePaths) -> list[str]:
    """Every object under parquet/, relative to it."""
    fs, root = paths.parquet_fs()
    fs.invalidate_cache(root)
    return sorted(p[len(root) + 1 :] for p in fs.find(root)) if fs.exists(root) else []


def drop_commit(paths: WarehousePaths, name: str) -> None:
    """As if the run had died after its data files, before its commit object."""
    fs, root = paths.parquet_fs()
    fs.rm_file(f"{root}/_commits/{name}.json")


@pytest.mark.parametrize(
    ("column", "months"),
    [
        (
            pa.chunked_array([[date(2024, 4, 5), date(1, 1, 1), None]], pa.date32()),
            ["2024-04", "0001-01", "unknown"],
        ),
        (
            pa.chunked_array(
                [[datetime(2023, 12, 31, 23, 59, tzinfo=UTC), None]], pa.timestamp("us", tz="UTC")
            ),
            ["2023-12", "unknown"],
        ),
    ],
)
def test_months_of(column: pa.ChunkedArray, months: list[str]) -> None:
    assert months_of(column).to_pylist() == months


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("s3://bucket/newsevents", True),
        ("gs://bucket", True),
        ("memory://x/y", True),
        ("/srv/data", False),
        ("data", False),
        ("file:///srv/data", False),
        ("C:/data", False),
    ],
)
def test_is_url(location: str, url: bool) -> None:
    assert is_url(location) is url


def test_state_folder_is_the_data_folder_or_a_deterministic_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    local = WarehousePaths.at(tmp_path / "data")
    assert (local.state_path, local.duckdb_path) == (
        tmp_path / "data",
        tmp_path / "data" / "warehouse.duckdb",
    )
    assert WarehousePaths.at(f"file://{tmp_path}/data").location == str(tmp_path / "data")
    remote = WarehousePaths.at("s3://bucket/news/events/")
    assert remote.location == "s3://bucket/news/events"
    assert remote.parquet_location == "s3://bucket/news/events/parquet"
    assert (
        remote.state_path == tmp_path / "cache" / "newsevents" / "s3" / "bucket" / "news" / "events"
    )
    assert (
        default_state_dir("s3://bucket/../x")
        == tmp_path / "cache" / "newsevents" / "s3" / "bucket" / "x"
    )
    chosen = WarehousePaths.at("s3://bucket/news", tmp_path / "state")
    assert (chosen.lock_path, chosen.report_path) == (
        tmp_path / "state" / ".writer.lock",
        tmp_path / "state" / "report.html",
    )


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_every_column_of_every_table_has_a_declared_meaning(table: str) -> None:
    comments = column_comments(table)
    assert list(comments) == arrow_schema(table).names
    assert all(len(meaning) > 10 for meaning in comments.values()), comments


def test_arrow_schemas_are_derived_by_duckdb_once_then_read_from_the_users_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # After the test, pass or fail, the next test's schemas come from the real DDL files.
    request.addfinalizer(warehouse.schemas._arrow_schemas.cache_clear)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(warehouse.schemas, "TABLES_DIR", tmp_path / "tables")
    (tmp_path / "tables").mkdir()
    for name in (*TABLE_NAMES, *REFERENCE_TABLE_NAMES):
        ddl = (Path(warehouse.schemas.__file__).parent / "tables" / f"{name}.sql").read_text()
        (tmp_path / "tables" / f"{name}.sql").write_text(ddl)
    warehouse.schemas._arrow_schemas.cache_clear()  # as in a new process
    derived = {name: arrow_schema(name) for name in TABLE_NAMES}
    cached = arrow_schemas_cache_path(TABLE_NAMES)
    assert cached.parent == tmp_path / "newsevents" and cached.is_file()
    assert derived["events"].field("event_date").type == pa.date32()

    def no_duckdb(*args: object) -> None:
        raise AssertionError("DuckDB was asked again")

    warehouse.schemas._arrow_schemas.cache_clear()  # a new process
    monkeypatch.setattr(warehouse.schemas, "_arrow_schemas_from_duckdb", no_duckdb)
    assert {name: arrow_schema(name) for name in TABLE_NAMES} == derived
    monkeypatch.undo()

    # A damaged copy is derived again and rewritten; a changed DDL file is another copy.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(warehouse.schemas, "TABLES_DIR", tmp_path / "tables")
    whole = cached.read_bytes()
    cached.write_bytes(b"half a pickle")
    warehouse.schemas._arrow_schemas.cache_clear()
    assert arrow_schema("claims") == derived["claims"]
    assert cached.read_bytes() == whole
    events_ddl = tmp_path / "tables" / "events.sql"
    events_ddl.write_text(events_ddl.read_text().replace("event_date DATE", "event_date VARCHAR"))
    warehouse.schemas._arrow_schemas.cache_clear()
    assert arrow_schema("events").field("event_date").type == pa.string()
    assert arrow_schemas_cache_path(TABLE_NAMES) != cached
    assert len(list(cached.parent.glob("arrow-schemas-*.pickle"))) == 2


def test_build_loads_committed_batches_and_is_idempotent(paths: WarehousePaths) -> None:
    frames = {"removed_lines": removed_rows("a1", "a2"), "articles": article_rows("a1", "a2")}
    write_batch(paths, "k1", frames)
    write_batch(paths, "k1", frames)  # the same batch again: same file, nothing doubles
    assert build_duckdb(paths).row_counts["articles"] == 2
    assert build_duckdb(paths).row_counts == {
        "articles": 2,
        "removed_lines": 2,
        "time_expressions": 0,
        "events": 0,
        "drone_totals": 0,
        "claims": 0,
        "rejected_articles": 0,
    }
    assert known_article_ids(paths) == {"a1", "a2"}
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        row = con.execute(
            "SELECT published_date, ingested_at FROM articles WHERE article_id='a1'"
        ).fetchone()
    assert row == (date(2024, 4, 5), RUN_AT)


def test_a_batch_writes_one_file_per_table_and_month_then_its_commit(
    paths: WarehousePaths,
) -> None:
    articles = article_rows("a1", "a2", "a3")
    articles["published_date"] = [date(2024, 4, 5), date(2024, 3, 31), None]
    rejected = rejected_row("bad.txt")
    frames = {
        "removed_lines": removed_rows("a1", "a2", "a3"),
        "rejected_articles": rejected,
        "articles": articles,
    }
    written = write_batch(paths, "k1", frames)
    assert written == [
        "removed_lines/published_month=2024-03/k1.parquet",
        "removed_lines/published_month=2024-04/k1.parquet",
        "removed_lines/published_month=unknown/k1.parquet",
        "rejected_articles/published_month=2026-01/k1.parquet",  # the month it was rejected
        "articles/published_month=2024-03/k1.parquet",
        "articles/published_month=2024-04/k1.parquet",
        "articles/published_month=unknown/k1.parquet",
        "_commits/k1.json",  # last: the batch counts from here on
    ]
    assert stored(paths) == sorted(written)
    commit = read_commits(paths)["k1"]
    assert (sorted(commit.files), commit.supersedes) == (sorted(written[:-1]), ())
    fs, root = paths.parquet_fs()
    child = f"{root}/removed_lines/published_month=2024-03/k1.parquet"
    with fs.open(child, "rb") as handle:  # a child row sits in its article's month
        assert pq.read_table(handle).column("article_id").to_pylist() == ["a2"]
    assert build_duckdb(paths).row_counts["removed_lines"] == 3


def test_uncommitted_batch_is_invisible_and_cleared(paths: WarehousePaths) -> None:
    write_batch(
        paths, "done", {"removed_lines": removed_rows("a1"), "articles": article_rows("a1")}
    )
    write_batch(
        paths, "dead", {"removed_lines": removed_rows("b1"), "articles": article_rows("b1")}
    )
    drop_commit(paths, "dead")
    expected = [f"articles/{APRIL}/dead.parquet", f"removed_lines/{APRIL}/dead.parquet"]
    if not paths.is_remote:  # a local write that died before its rename
        partial = paths.state_path / "parquet" / "removed_lines" / APRIL / "x.parquet.partial"
        partial.write_bytes(b"half a file")
        expected.append(f"removed_lines/{APRIL}/x.parquet.partial")
    assert build_duckdb(paths).row_counts["removed_lines"] == 1  # readers never see the dead batch
    assert known_article_ids(paths) == {"a1"}  # so the next run loads b1 again
    assert remove_uncommitted_batches(paths) == expected
    assert stored(paths) == [
        "_commits/done.json",
        f"articles/{APRIL}/done.parquet",
        f"removed_lines/{APRIL}/done.parquet",
    ]
    assert build_duckdb(paths).row_counts["removed_lines"] == 1


def test_known_rejections_round_trip(paths: WarehousePaths) -> None:
    rejected = pd.DataFrame(
        {
            "source_uri": ["bad.txt"],
            "content_sha256": ["ab" * 32],
            "reason": ["empty file"],
            "rejected_at": [RUN_AT],
        }
    )
    write_batch(paths, "r1", {"rejected_articles": rejected})
    assert known_rejections(paths) == {("bad.txt", "ab" * 32)}
    assert build_duckdb(paths).row_counts["rejected_articles"] == 1


def test_a_frame_missing_a_declared_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"articles: frame lacks declared columns \['body'"):
        write_batch(
            WarehousePaths(tmp_path), "k", {"articles": article_rows("a").drop(columns="body")}
        )


def test_reader_holding_the_file_open_does_not_block_a_rebuild(paths: WarehousePaths) -> None:
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    build_duckdb(paths)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as reader:
        write_batch(paths, "k2", {"articles": article_rows("a2")})
        assert build_duckdb(paths).row_counts["articles"] == 2
        # The open session keeps its complete, earlier state, which is now the spare: the next
        # build must not update the spare under it (this process's own session: no lock says so).
        write_batch(paths, "k3", {"articles": article_rows("a3")})
        assert build_duckdb(paths).row_counts["articles"] == 3
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM articles").fetchone() == (3,)


def test_a_reader_in_another_process_keeps_its_file_through_two_builds(tmp_path: Path) -> None:
    """A session opened before a swap holds the file that becomes the spare; DuckDB's lock keeps
    the next build from updating it (it copies the current file instead)."""
    paths = WarehousePaths(tmp_path)
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    build_duckdb(paths)
    first = paths.duckdb_path.stat().st_ino
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_PROCESS, str(paths.duckdb_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline() == "1\n"  # open, holding the first file
        for n in (2, 3):
            write_batch(paths, f"k{n}", {"articles": article_rows(f"a{n}")})
            assert build_duckdb(paths).row_counts["articles"] == n
        assert first not in (paths.duckdb_path.stat().st_ino, paths.spare_duckdb_path.stat().st_ino)
        reader.stdin.write("count\n")
        reader.stdin.flush()
        assert reader.stdout.readline() == "1\n"
    finally:
        reader.kill()
        reader.wait()
    assert table_contents(paths)["articles"] == table_contents_after_full_rebuild(paths)["articles"]


# A DuckDB session in its own process: it opens the file read-only, prints the article count,
# then again for every line it reads.
READER_PROCESS = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
for _ in sys.stdin:
    print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
"""


def event_row(event_id: str, **changes: object) -> dict[str, object]:
    body = "Title\n\nA drone was shot down over Kursk."
    row: dict[str, object] = {
        "event_id": event_id,
        "article_id": "a1",
        "event_type": "drone_attack",
        "event_date": date(2024, 4, 5),
        "event_date_start": date(2024, 4, 5),
        "date_precision": "day",
        "country_code": "RU",
        "admin1_code": "RU-KRS",
        "location": "Kursk",
        "attacker": "UA",
        "drones_launched": None,
        "drones_destroyed": 1,
        "count_qualifier": "exact",
        "killed": None,
        "injured": None,
        "damage": None,
        "claimed_by": "Russian Defence Ministry",
        "evidence": body[7:],
        "evidence_start": 7,
        "evidence_end": len(body),
        "confidence": 0.9,
    }
    every_column = dict.fromkeys(arrow_schema("events").names)  # later columns: null
    return {**every_column, **row, **changes}


def claim_rows(events: pd.DataFrame) -> pd.DataFrame:
    """One claim per event row: the event's own source and figures."""
    claims = events[[c for c in arrow_schema("claims").names if c in events.columns]].copy()
    claims["claim_id"] = "c-" + events["event_id"]
    return claims


def test_quality_checks_pass_on_good_rows_and_name_the_bad_ones(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    events = pd.DataFrame(
        [
            event_row("good"),
            event_row("bad-region", admin1_code="RU-XXX"),
            event_row("bad-counts", drones_launched=2, drones_destroyed=3),
            event_row("bad-date", event_date=date(2024, 4, 9), event_date_start=date(2024, 4, 9)),
            event_row("bad-evidence", evidence="A drone was shot down over Kursk!"),
        ]
    )
    frames = {"events": events, "claims": claim_rows(events), "articles": article_rows("a1")}
    write_batch(paths, "k1", frames)
    failing = {c.check: c.failing_rows for c in build_duckdb(paths).failed_checks}
    assert failing == {
        "admin1_codes_are_iso_3166_2": 1,
        "counts_are_consistent": 2,  # the bad event and its claim, which repeats its counts
        "event_dates_not_after_publication": 1,
        "evidence_is_in_the_article": 2,  # likewise
    }
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        stored = con.execute(
            "SELECT count(*) FILTER (NOT passed), count(*) FROM data_quality"
        ).fetchone()
    assert stored == (4, 9)


def test_quality_checks_all_pass_on_a_clean_batch(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    events = pd.DataFrame([event_row("good")])
    write_batch(
        paths,
        "k1",
        {"events": events, "claims": claim_rows(events), "articles": article_rows("a1")},
    )
    result = build_duckdb(paths)
    assert [c.check for c in result.checks if c.passed] == [c.check for c in result.checks]
    assert len(result.checks) == 9


def test_an_incremental_build_checks_the_new_articles_and_keeps_the_earlier_failures(
    tmp_path: Path,
) -> None:
    """The checks that compare rows with their article's body read only the articles a build
    loaded (the others were checked when they were loaded), and add the failures the build
    before found: the counts are those a full rebuild finds."""
    paths = WarehousePaths(tmp_path)

    def batch(key: str, article_id: str, evidence: str) -> None:
        events = pd.DataFrame([event_row(f"e-{key}", article_id=article_id, evidence=evidence)])
        frames = {
            "events": events,
            "claims": claim_rows(events),
            "articles": article_rows(article_id),
        }
        write_batch(paths, key, frames)

    def evidence_failures(result: BuildResult) -> int:
        (check,) = [c for c in result.checks if c.check == "evidence_is_in_the_article"]
        return check.failing_rows

    good, bad = "A drone was shot down over Kursk.", "A drone was shot down over Kursk!"
    batch("k1", "a1", bad)
    assert evidence_failures(build_duckdb(paths)) == 2  # the event and its claim
    batch("k2", "a2", good)
    result = build_duckdb(paths)
    assert result.incremental and evidence_failures(result) == 2  # a1's, not counted twice
    batch("k3", "a3", bad)
    result = build_duckdb(paths)
    assert result.incremental and evidence_failures(result) == 4
    assert evidence_failures(build_duckdb(paths, full=True)) == 4
    result = build_duckdb(paths)  # nothing new
    assert result.incremental and evidence_failures(result) == 4
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        stored = con.execute(
            "SELECT failing_rows, sample FROM data_quality "
            "WHERE check_name = 'evidence_is_in_the_article'"
        ).fetchone()
    assert stored == (
        4,
        "('claims', 'c-e-k1'); ('claims', 'c-e-k3'); ('events', 'e-k1'); ('events', 'e-k3')",
    )


def test_every_check_and_incident_of_incremental_builds_equals_a_full_builds(
    paths: WarehousePaths,
) -> None:
    """Each build checks only the rows it loaded and recomputes only the incidents its events
    report; over builds with failures of every kind, and with reports that join incidents of
    earlier builds, the counts and incidents are those of one full build."""
    bad_rows: list[dict[str, Any]] = [
        {"admin1_code": "RU-XXX"},
        {"drones_launched": 2, "drones_destroyed": 3},
        {"event_date": date(2024, 4, 9), "event_date_start": date(2024, 4, 9)},
        {"evidence": "A drone was shot down over Kursk!"},
        {"admin1_code": ""},
    ]
    for n, bad in enumerate(bad_rows):
        article = f"a{n}"
        events = pd.DataFrame(
            [
                event_row(f"good-{n}", article_id=article, drones_destroyed=n),  # one incident
                event_row(f"bad-{n}", article_id=article, **bad),
                event_row(f"unclaimed-{n}", article_id=article, admin1_code="RU-BEL"),
            ]
        )
        claims = claim_rows(events.iloc[:2])
        orphan = claims.iloc[:1].assign(claim_id=f"orphan-{n}", event_id="gone")
        times = pd.DataFrame(
            {
                "article_id": [article],
                "start_char": [9],
                "end_char": [14],
                "text": ["drone" if n % 2 else "plane"],  # the body reads "drone"
                "value": ["2024-04-05"],
                "type": ["DATE"],
                "granularity": ["day"],
                "mod": [None],
                "anchor": ["publication"],
                "reporting": [False],
            }
        )
        frames = {
            "events": events,
            "claims": pd.concat([claims, orphan]),
            "time_expressions": times,
            "articles": article_rows(article),
        }
        write_batch(paths, f"k{n}", frames)
        incremental = build_duckdb(paths)
        assert incremental.incremental is (n > 0)

    def failing(result: BuildResult) -> dict[str, int]:
        return {c.check: c.failing_rows for c in result.checks}

    expected = {
        "admin1_codes_are_iso_3166_2": 2,  # RU-XXX, and the empty code
        "child_rows_have_an_article": 0,
        "counts_are_consistent": 2,  # the event and its claim
        "event_dates_not_after_publication": 1,
        "every_event_has_a_claim": 10,  # 5 unclaimed events, 5 claims of a missing event
        "evidence_is_in_the_article": 2,
        "not_null_keys": 1,
        "time_expressions_match_the_body": 3,  # a0, a2, a4
        "unique_keys": 0,
    }
    assert failing(incremental) == expected
    incidents = table_contents(paths)["incidents"]
    assert sorted((row[3], row[2], row[6]) for row in incidents) == [
        ("", date(2024, 4, 5), 1),
        ("RU-BEL", date(2024, 4, 5), 5),  # one incident, reported by every build
        ("RU-KRS", date(2024, 4, 5), 7),  # likewise, with the bad counts' and evidence's events
        ("RU-KRS", date(2024, 4, 9), 1),  # the one dated after publication
        ("RU-XXX", date(2024, 4, 5), 1),
    ]
    full = build_duckdb(paths, full=True)
    assert failing(full) == expected
    assert table_contents(paths)["incidents"] == incidents


def test_a_repeated_key_fails_the_check_the_same_in_incremental_and_full_builds(
    paths: WarehousePaths,
) -> None:
    """Keys are checked, not DuckDB constraints: a repeated key fails unique_keys (one row per
    copy after the first) instead of stopping the build, whichever builds the copies came in."""

    def failing_unique_keys(result: BuildResult) -> tuple[int, str]:
        (check,) = [c for c in result.checks if c.check == "unique_keys"]
        return check.failing_rows, check.sample

    for n, copies in enumerate((1, 2, 1)):  # e1 once, then twice in one batch, then once more
        events = pd.DataFrame([event_row("e1", article_id=f"a{n}")] * copies)
        write_batch(paths, f"k{n}", {"events": events, "articles": article_rows(f"a{n}")})
        result = build_duckdb(paths)
        assert failing_unique_keys(result)[0] == [0, 2, 3][n]
    assert failing_unique_keys(build_duckdb(paths, full=True)) == (
        3,
        "; ".join(["('events', 'e1')"] * 3),
    )
    assert result.row_counts["events"] == 4


def rejected_row(uri: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_uri": [uri],
            "content_sha256": [uri * 4],
            "reason": ["empty file"],
            "rejected_at": [RUN_AT],
        }
    )


def test_compaction_merges_files_and_keeps_every_row(paths: WarehousePaths) -> None:
    for n in range(3):
        write_batch(
            paths,
            f"k{n}",
            {"removed_lines": removed_rows(f"a{n}"), "articles": article_rows(f"a{n}")},
        )
    write_batch(paths, "r1", {"rejected_articles": rejected_row("bad1.txt")})
    write_batch(paths, "r2", {"rejected_articles": rejected_row("bad2.txt")})
    before = build_duckdb(paths).row_counts
    assert compact(paths) == {"articles": 3, "removed_lines": 3, "rejected_articles": 2}
    assert [
        len(paths.table_files(t)) for t in ("articles", "removed_lines", "rejected_articles")
    ] == [1, 1, 1]
    assert [name for name in stored(paths) if name.startswith("_commits/")] == [
        f"_commits/{next(iter(read_commits(paths)))}.json"  # one commit supersedes the five
    ]
    assert build_duckdb(paths).row_counts == before
    assert compact(paths) == {}  # nothing left to merge
    assert known_article_ids(paths) == {"a0", "a1", "a2"}


def test_compaction_rewrites_only_the_months_that_have_several_files(
    paths: WarehousePaths,
) -> None:
    march = article_rows("m1")
    march["published_date"] = [date(2024, 3, 1)]
    write_batch(paths, "k0", {"articles": march, "removed_lines": removed_rows("m1")})
    for n in (1, 2):
        write_batch(paths, f"k{n}", {"articles": article_rows(f"a{n}")})
    assert compact(paths) == {"articles": 2}
    ((name, commit),) = read_commits(paths).items()
    assert sorted(commit.files) == [
        "articles/published_month=2024-03/k0.parquet",  # alone in its month: not rewritten
        f"articles/{APRIL}/{name}.parquet",
        "removed_lines/published_month=2024-03/k0.parquet",
    ]
    assert commit.supersedes == ("k0", "k1", "k2")
    assert build_duckdb(paths).row_counts["articles"] == 3


def test_compaction_that_died_before_its_commit_is_rolled_back(paths: WarehousePaths) -> None:
    for n in range(2):
        write_batch(
            paths,
            f"k{n}",
            {"removed_lines": removed_rows(f"a{n}"), "articles": article_rows(f"a{n}")},
        )
    before = build_duckdb(paths).row_counts
    # A compaction that wrote its merged child file, then died before its commit:
    fs, root = paths.parquet_fs()
    merged = to_arrow("removed_lines", pd.concat([removed_rows("a0"), removed_rows("a1")]))
    write_parquet_atomically(paths, merged, f"removed_lines/{APRIL}/compact-dead.parquet", fs, root)
    assert build_duckdb(paths).row_counts == before  # uncommitted: invisible
    assert remove_uncommitted_batches(paths) == [f"removed_lines/{APRIL}/compact-dead.parquet"]
    assert build_duckdb(paths).row_counts == before


def test_compaction_that_died_after_its_commit_is_finished(paths: WarehousePaths) -> None:
    for n in range(2):
        write_batch(
            paths,
            f"k{n}",
            {"removed_lines": removed_rows(f"a{n}"), "articles": article_rows(f"a{n}")},
        )
    before = build_duckdb(paths).row_counts
    fs, root = paths.parquet_fs()
    originals = {name: fs.cat_file(f"{root}/{name}") for name in stored(paths)}
    compact(paths)
    # Put the merged-away files and commits back, as if the run died before deleting them:
    for name, content in originals.items():
        fs.pipe_file(f"{root}/{name}", content)
    assert build_duckdb(paths).row_counts == before  # the merged copy is in force, not both
    assert remove_uncommitted_batches(paths) == [
        f"articles/{APRIL}/k0.parquet",
        f"articles/{APRIL}/k1.parquet",
        f"removed_lines/{APRIL}/k0.parquet",
        f"removed_lines/{APRIL}/k1.parquet",
        "_commits/k0.json",
        "_commits/k1.json",
    ]
    assert build_duckdb(paths).row_counts == before


def test_superseded_commits_go_oldest_first(paths: WarehousePaths) -> None:
    """A crash between two deletions must never leave an old commit whose superseder is gone."""
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    write_commit(paths, "compact-2", [f"articles/{APRIL}/k1.parquet"], supersedes=["k1"])
    write_commit(paths, "compact-3", [f"articles/{APRIL}/k1.parquet"], supersedes=["compact-2"])
    assert live_files(paths)["articles"] == [f"articles/{APRIL}/k1.parquet"]
    assert remove_uncommitted_batches(paths) == ["_commits/k1.json", "_commits/compact-2.json"]
    assert known_article_ids(paths) == {"a1"}


def test_a_flat_layout_of_older_versions_is_refused_then_migrated(tmp_path: Path) -> None:
    """Older versions wrote parquet/<table>/<batch>.parquet, committed by the articles file."""
    paths = WarehousePaths(tmp_path)
    flat = tmp_path / "parquet"
    for table, name, frame in [
        ("articles", "k1", article_rows("a1", "a2")),
        ("removed_lines", "k1", removed_rows("a1", "a2")),
        ("removed_lines", "dead", removed_rows("b1")),  # a batch that never got its articles
        ("rejected_articles", "r1", rejected_row("bad.txt")),
    ]:
        (flat / table).mkdir(parents=True, exist_ok=True)
        pq.write_table(to_arrow(table, frame), flat / table / f"{name}.parquet")
    with pytest.raises(LegacyLayout, match="flat layout"):
        remove_uncommitted_batches(paths)  # would otherwise delete the whole archive
    assert migrate_legacy_layout(paths) == 4
    assert migrate_legacy_layout(paths) == 0  # once
    assert remove_uncommitted_batches(paths) == [
        "articles/k1.parquet",
        "rejected_articles/r1.parquet",
        "removed_lines/dead.parquet",
        "removed_lines/k1.parquet",
    ]
    assert build_duckdb(paths).row_counts == {
        "articles": 2,
        "removed_lines": 2,
        "time_expressions": 0,
        "events": 0,
        "drone_totals": 0,
        "claims": 0,
        "rejected_articles": 1,
    }
    assert live_files(paths)["removed_lines"] == [f"removed_lines/{APRIL}/k1.parquet"]


def test_writer_lock_makes_a_second_writer_wait_then_give_up(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    messages: list[str] = []
    with (
        writer_lock(paths),
        pytest.raises(WarehouseBusy, match="another run is writing"),
        writer_lock(paths, wait_seconds=0.5, on_wait=messages.append),
    ):
        pass
    assert messages == [f"another run is writing {tmp_path}; waiting up to 0 s for it to finish"]
    with writer_lock(paths, wait_seconds=0.5):  # free again once the first holder is done
        pass


def test_incidents_merge_reports_across_articles_and_keep_their_id(
    paths: WarehousePaths,
) -> None:
    ministry = event_row("e1", drones_destroyed=44, claimed_by="Russian Defence Ministry")
    governor = event_row("e2", article_id="a2", drones_destroyed=40, claimed_by="Rostov governor")
    write_batch(paths, "k1", {"events": pd.DataFrame([ministry]), "articles": article_rows("a1")})
    write_batch(paths, "k2", {"events": pd.DataFrame([governor]), "articles": article_rows("a2")})
    build_duckdb(paths)
    query = (
        "SELECT incident_id, n_reports, n_articles, drones_destroyed_min, drones_destroyed_max, "
        "conflicting_claims, claimants FROM incidents"
    )
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        (first,) = con.execute(query).fetchall()
    assert first[1:] == (2, 2, 40, 44, True, "Rostov governor; Russian Defence Ministry")
    third = event_row("e3", article_id="a3", drones_destroyed=44, claimed_by="RIA")
    write_batch(paths, "k3", {"events": pd.DataFrame([third]), "articles": article_rows("a3")})
    build_duckdb(paths)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        (joined,) = con.execute(query).fetchall()
    assert joined[0] == first[0]  # the incident keeps its id when a new article joins it
    assert joined[1:3] == (3, 3)


def table_contents(paths: WarehousePaths) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        return {
            table: con.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in (*TABLE_NAMES, "incidents", "data_quality")
        }


def test_builds_are_incremental_and_equal_to_a_full_rebuild(paths: WarehousePaths) -> None:
    first = pd.DataFrame([event_row("e1")])
    write_batch(
        paths, "k1", {"events": first, "claims": claim_rows(first), "articles": article_rows("a1")}
    )
    assert build_duckdb(paths).incremental is False  # nothing to start from
    more = pd.DataFrame([event_row("e2", article_id="a2")])
    write_batch(
        paths, "k2", {"events": more, "claims": claim_rows(more), "articles": article_rows("a2")}
    )
    result = build_duckdb(paths)
    assert result.incremental is True
    assert result.row_counts["events"] == 2
    assert result.failed_checks == []
    incremental = table_contents(paths)
    assert build_duckdb(paths, full=True).incremental is False
    assert table_contents(paths) == incremental


def table_contents_after_full_rebuild(
    paths: WarehousePaths,
) -> dict[str, list[tuple[object, ...]]]:
    build_duckdb(paths, full=True)
    return table_contents(paths)


def test_builds_update_the_file_the_last_swap_replaced_instead_of_copying(
    paths: WarehousePaths,
) -> None:
    """The current file and the spare take turns: each build brings the spare up to date with
    what it lacks (two runs' files) and swaps it in; the file it replaces becomes the spare."""

    def batch(n: int) -> None:
        events = pd.DataFrame([event_row(f"e{n}", article_id=f"a{n}")])
        frames = {"events": events, "claims": claim_rows(events), "articles": article_rows(f"a{n}")}
        write_batch(paths, f"k{n}", frames)

    def inode(path: Path) -> int:
        return path.stat().st_ino

    batch(1)
    assert build_duckdb(paths).outcome == "rebuilt"
    assert not paths.spare_duckdb_path.exists()
    first = inode(paths.duckdb_path)
    batch(2)
    assert build_duckdb(paths).outcome == "updated"  # a copy: there is no spare yet
    second = inode(paths.duckdb_path)
    assert inode(paths.spare_duckdb_path) == first
    batch(3)
    result = build_duckdb(paths)
    assert (result.outcome, result.row_counts["events"], result.failed_checks) == ("updated", 3, [])
    assert (inode(paths.duckdb_path), inode(paths.spare_duckdb_path)) == (first, second)
    files = [p.name for p in paths.state_path.iterdir() if "duckdb" in p.name]
    assert sorted(files) == [".warehouse-spare.duckdb", "warehouse.duckdb"]  # and no copy
    incremental = table_contents(paths)
    assert incremental == table_contents_after_full_rebuild(paths)


def test_incremental_builds_merge_their_small_row_groups_every_so_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build appends its rows as a row group of their own; every
    MERGE_ROW_GROUPS_EVERY-th build of a file lets DuckDB merge them, and a full build writes
    full ones. The two files take turns, so each counts its own builds."""
    monkeypatch.setattr(warehouse.store, "MERGE_ROW_GROUPS_EVERY", 3)
    paths = WarehousePaths(tmp_path)

    def build_batch(n: int) -> tuple[int, int, int]:
        """Add batch n and build: the current file's builds since a merge, its row groups of
        articles, and its articles."""
        events = pd.DataFrame([event_row(f"e{n}", article_id=f"a{n}")])
        frames = {"events": events, "claims": claim_rows(events), "articles": article_rows(f"a{n}")}
        write_batch(paths, f"k{n}", frames)
        build_duckdb(paths)
        with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
            row = con.execute(
                "SELECT (SELECT builds_since_merge FROM _build_info),"
                " (SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('articles')),"
                " (SELECT count(*) FROM articles)"
            ).fetchone()
        assert row is not None
        return row

    # File A: built whole (1), then it takes the builds 3, 5 and 7 (each adding two batches).
    # File B: a copy of A at build 2, then 4 and 6.
    assert [build_batch(n) for n in range(1, 8)] == [
        (0, 1, 1),  # A, whole
        (1, 2, 2),  # B: A's row group and the copy's new one
        (1, 2, 3),  # A: batches 2 and 3 in one new row group
        (2, 3, 4),  # B
        (2, 3, 5),  # A
        (0, 1, 6),  # B's third build: merged
        (0, 1, 7),  # A's third build: merged
    ]
    build_duckdb(paths, full=True)
    assert build_batch(8) == (1, 2, 8)  # counting again from the full build


def test_a_spare_a_compaction_made_stale_is_not_updated(paths: WarehousePaths) -> None:
    for n in range(3):
        write_batch(paths, f"k{n}", {"articles": article_rows(f"a{n}")})
        build_duckdb(paths)  # from the second build on, a spare
    compact(paths)
    build_duckdb(paths, full=True)
    write_batch(paths, "k9", {"articles": article_rows("a9")})
    result = build_duckdb(paths)  # the spare holds files the compaction removed: copy instead
    assert (result.outcome, result.row_counts["articles"]) == ("updated", 4)
    assert table_contents(paths) == table_contents_after_full_rebuild(paths)


def test_what_a_dead_build_left_is_removed_and_the_file_stays_whole(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    build_duckdb(paths)
    # A build that died after the first step of its swap (the current file's second name) and
    # one that died while writing.
    stray = paths.spare_duckdb_path.with_name(".warehouse-spare.duckdb.swapping")
    stray.hardlink_to(paths.duckdb_path)
    (tmp_path / "warehouse.duckdb.building-99999").write_bytes(b"half a file")
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    write_batch(paths, "k2", {"articles": article_rows("a2")})
    assert build_duckdb(paths).row_counts["articles"] == 2
    assert sorted(p.name for p in tmp_path.iterdir() if "duckdb" in p.name) == [
        ".warehouse-spare.duckdb",
        "warehouse.duckdb",
    ]


def test_a_build_with_nothing_new_leaves_the_file_as_it_is(paths: WarehousePaths) -> None:
    events = pd.DataFrame([event_row("e1", evidence="not in the article")])
    write_batch(
        paths,
        "k1",
        {"events": events, "claims": claim_rows(events), "articles": article_rows("a1")},
    )
    built = build_duckdb(paths)
    before = paths.duckdb_path.stat()

    again = build_duckdb(paths)

    assert (again.outcome, built.outcome) == ("unchanged", "rebuilt")
    assert (again.row_counts, again.checks) == (built.row_counts, built.checks)
    assert [c.check for c in again.failed_checks] == ["evidence_is_in_the_article"]
    after = paths.duckdb_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    write_batch(paths, "k2", {"articles": article_rows("a2")})
    assert build_duckdb(paths).outcome == "updated"


def test_a_compaction_or_a_schema_change_forces_a_full_rebuild(paths: WarehousePaths) -> None:
    for n in range(2):
        write_batch(paths, f"k{n}", {"articles": article_rows(f"a{n}")})
    build_duckdb(paths)
    compact(paths)
    assert build_duckdb(paths).incremental is False  # the files it had loaded are gone
    with duckdb.connect(str(paths.duckdb_path)) as con:
        con.execute("UPDATE _build_info SET schema_fingerprint = 'older schemas'")
    result = build_duckdb(paths)
    assert (result.incremental, result.row_counts["articles"]) == (False, 2)
