"""Warehouse: declared schemas, atomic batch writes, the DuckDB build, crash leftovers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse.schemas import TABLE_NAMES, arrow_schema, column_comments
from warehouse.store import (
    WarehousePaths,
    build_duckdb,
    known_article_ids,
    known_rejections,
    remove_uncommitted_batches,
    write_batch,
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
        {"article_id": list(ids), "line_no": [3] * len(ids), "text": ["Subscribe"] * len(ids),
         "reason": ["phrase:subscribe"] * len(ids)}
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
    assert build_duckdb(paths)["articles"] == 2
    assert build_duckdb(paths) == {
        "articles": 2, "removed_lines": 2, "time_expressions": 0, "events": 0,
        "drone_totals": 0, "rejected_articles": 0,
    }
    assert known_article_ids(paths) == {"a1", "a2"}
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as con:
        row = con.execute("SELECT published_date, ingested_at FROM articles WHERE article_id='a1'").fetchone()
    assert row == (date(2024, 4, 5), RUN_AT)


def test_uncommitted_batch_is_invisible_and_cleared(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    write_batch(paths, "done", {"removed_lines": removed_rows("a1"), "articles": article_rows("a1")})
    # A run that died after its child tables but before its articles file:
    write_batch(paths, "dead", {"removed_lines": removed_rows("b1")})
    (paths.table_dir("removed_lines") / "x.parquet.partial").write_bytes(b"half a file")
    assert build_duckdb(paths)["removed_lines"] == 1  # readers never see the dead batch
    removed = remove_uncommitted_batches(paths)
    assert sorted(p.name for p in removed) == ["dead.parquet", "x.parquet.partial"]
    assert build_duckdb(paths)["removed_lines"] == 1


def test_known_rejections_round_trip(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    rejected = pd.DataFrame(
        {"source_uri": ["bad.txt"], "content_sha256": ["ab" * 32], "reason": ["empty file"],
         "rejected_at": [RUN_AT]}
    )
    write_batch(paths, "r1", {"rejected_articles": rejected})
    assert known_rejections(paths) == {("bad.txt", "ab" * 32)}
    assert build_duckdb(paths)["rejected_articles"] == 1


def test_a_frame_missing_a_declared_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"articles: frame lacks declared columns \['body'"):
        write_batch(WarehousePaths(tmp_path), "k", {"articles": article_rows("a").drop(columns="body")})


def test_reader_holding_the_file_open_does_not_block_a_rebuild(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    write_batch(paths, "k1", {"articles": article_rows("a1")})
    build_duckdb(paths)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as reader:
        write_batch(paths, "k2", {"articles": article_rows("a2")})
        assert build_duckdb(paths)["articles"] == 2
        # The open session keeps its complete, earlier state.
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM articles").fetchone() == (2,)
