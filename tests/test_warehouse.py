"""Warehouse: declared schemas, atomic batch writes, the DuckDB build, crash leftovers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse.schemas import TABLE_NAMES, arrow_schema, column_comments
from warehouse.store import (
    WarehouseBusy,
    WarehousePaths,
    build_duckdb,
    compact,
    known_article_ids,
    known_rejections,
    remove_uncommitted_batches,
    write_batch,
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


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_every_column_of_every_table_has_a_declared_meaning(table: str) -> None:
    comments = column_comments(table)
    assert list(comments) == arrow_schema(table).names
    assert all(len(meaning) > 10 for meaning in comments.values()), comments


def test_build_loads_committed_batches_and_is_idempotent(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
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


def test_uncommitted_batch_is_invisible_and_cleared(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    write_batch(
        paths, "done", {"removed_lines": removed_rows("a1"), "articles": article_rows("a1")}
    )
    # A run that died after its child tables but before its articles file:
    write_batch(paths, "dead", {"removed_lines": removed_rows("b1")})
    (paths.table_dir("removed_lines") / "x.parquet.partial").write_bytes(b"half a file")
    assert build_duckdb(paths).row_counts["removed_lines"] == 1  # readers never see the dead batch
    removed = remove_uncommitted_batches(paths)
    assert sorted(p.name for p in removed) == ["dead.parquet", "x.parquet.partial"]
    assert build_duckdb(paths).row_counts["removed_lines"] == 1


def test_known_rejections_round_trip(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
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


def test_reader_holding_the_file_open_does_not_block_a_rebuild(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    build_duckdb(paths)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as reader:
        write_batch(paths, "k2", {"articles": article_rows("a2")})
        assert build_duckdb(paths).row_counts["articles"] == 2
        # The open session keeps its complete, earlier state.
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM articles").fetchone() == (2,)


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


def rejected_row(uri: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_uri": [uri],
            "content_sha256": [uri * 4],
            "reason": ["empty file"],
            "rejected_at": [RUN_AT],
        }
    )


def test_compaction_merges_files_and_keeps_every_row(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
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
    assert build_duckdb(paths).row_counts == before
    assert compact(paths) == {}  # nothing left to merge
    assert known_article_ids(paths) == {"a0", "a1", "a2"}


def test_compaction_that_died_before_its_commit_is_rolled_back(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    for n in range(2):
        write_batch(
            paths,
            f"k{n}",
            {"removed_lines": removed_rows(f"a{n}"), "articles": article_rows(f"a{n}")},
        )
    before = build_duckdb(paths).row_counts
    # A compaction that wrote its merged child file, then died before the articles file:
    merged = pd.concat([removed_rows("a0"), removed_rows("a1")])
    write_batch(paths, "compact-dead", {"removed_lines": merged})
    assert build_duckdb(paths).row_counts == before  # uncommitted: invisible
    assert [p.name for p in remove_uncommitted_batches(paths)] == ["compact-dead.parquet"]
    assert build_duckdb(paths).row_counts == before


def test_compaction_that_died_after_its_commit_is_finished(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    for n in range(2):
        write_batch(
            paths,
            f"k{n}",
            {"removed_lines": removed_rows(f"a{n}"), "articles": article_rows(f"a{n}")},
        )
    before = build_duckdb(paths).row_counts
    originals = {t: paths.table_files(t) for t in ("articles", "removed_lines")}
    compact(paths)
    # Put the merged-away originals back, as if the run died before deleting them:
    for table, files in originals.items():
        for n, path in enumerate(files):
            write_batch(
                paths,
                path.stem,
                {
                    table: removed_rows(f"a{n}")
                    if table == "removed_lines"
                    else article_rows(f"a{n}")
                },
            )
    assert build_duckdb(paths).row_counts == before  # the merged copy is in force, not both
    assert len(remove_uncommitted_batches(paths)) == 4


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


def test_incidents_merge_reports_across_articles_and_keep_their_id(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
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


def test_builds_are_incremental_and_equal_to_a_full_rebuild(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
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


def test_a_compaction_or_a_schema_change_forces_a_full_rebuild(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    for n in range(2):
        write_batch(paths, f"k{n}", {"articles": article_rows(f"a{n}")})
    build_duckdb(paths)
    compact(paths)
    assert build_duckdb(paths).incremental is False  # the files it had loaded are gone
    with duckdb.connect(str(paths.duckdb_path)) as con:
        con.execute("UPDATE _build_info SET schema_fingerprint = 'older schemas'")
    result = build_duckdb(paths)
    assert (result.incremental, result.row_counts["articles"]) == (False, 2)
