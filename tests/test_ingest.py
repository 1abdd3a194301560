"""Ingest: decoding, header and manifest parsing, planning. Real bytes in, exact values out."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

import tasks.ingest
from tasks.formats import _language_identifier, quick_language
from tasks.ingest import (
    UNIT_COLUMNS,
    Manifest,
    PublishedDate,
    RejectedInput,
    choose_published,
    date_from_url,
    decode_text,
    fingerprint_cache_deltas,
    fingerprint_files,
    fingerprint_source,
    fingerprint_with_cache,
    identify_undetermined,
    in_publication_month_order,
    list_article_files,
    plan_new_files,
    plan_source,
    prefetch_fingerprints,
    prefetch_unless_pending,
    prefetched_files_to_read,
    published_from,
    read_articles,
    read_fingerprint_cache,
    read_manifest,
    read_to_end,
    refine_with_dateline,
    save_fingerprint_cache,
    split_header,
    stamp_article_files,
)

SEEDS = Path(__file__).parent.parent / "seeds"
RUN_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Drones downed over Kursk.", "Drones downed over Kursk."),
        (b"\xef\xbb\xbfBOM first.\r\nSecond line.", "BOM first.\nSecond line."),
        ("Kyiv – Київ".encode("utf-16"), "Kyiv – Київ"),
        ("Drones over Kyiv, no BOM".encode("utf-16-le"), "Drones over Kyiv, no BOM"),
        ("Drones over Kyiv, big end".encode("utf-16-be"), "Drones over Kyiv, big end"),
        ("Атака дронов на Курск".encode("cp1251"), "Атака дронов на Курск"),
        ("Cafe\u0301 line".encode(), "Caf\u00e9 line"),
        (b"Old Mac\rline endings", "Old Mac\nline endings"),
    ],
)
def test_decode_text_accepts_text_in_any_common_encoding(raw: bytes, expected: str) -> None:
    assert decode_text(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t \n", "empty file"),
        (b"\x00\x01\x02binary\x00\x04", "binary content"),
        (b"12345 678\n", "no letters"),
        (b"\x01\x02\x03 text \x04\x05", "binary content: control characters"),
        (b"x" * 101, "larger than the 100-byte limit"),
    ],
)
def test_decode_text_rejects_with_a_readable_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(RejectedInput, match=reason):
        decode_text(raw, max_bytes=100)


@pytest.mark.parametrize(
    ("text", "published", "rest"),
    [
        (
            " date 2023-02-28 Russia's defence ministry claims drone attacks.\n\nOn Tuesday...",
            PublishedDate(date(2023, 2, 28), "header", "day"),
            "Russia's defence ministry claims drone attacks.\n\nOn Tuesday...",
        ),
        (
            " date 2023-09 Title\nBody",
            PublishedDate(date(2023, 9, 1), "header", "month"),
            "Title\nBody",
        ),
        ("date 2024-04-05 Title", PublishedDate(date(2024, 4, 5), "header", "day"), "Title"),
        ("Title only, no header", PublishedDate(None, None, None), "Title only, no header"),
        (
            "The date 2023-02-28 is in a sentence",
            PublishedDate(None, None, None),
            "The date 2023-02-28 is in a sentence",
        ),
        (" date 2023-13-45 Bad", PublishedDate(None, None, None), "Bad"),
    ],
)
def test_split_header(text: str, published: PublishedDate, rest: str) -> None:
    assert split_header(text) == (published, rest)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-20", PublishedDate(date(2023, 9, 20), "manifest", "day")),
        ("2022-01-25T09:00:00Z", PublishedDate(date(2022, 1, 25), "manifest", "day")),
        ("2022-01-25 09:00:00+02:00", PublishedDate(date(2022, 1, 25), "manifest", "day")),
        ("2023-09", PublishedDate(date(2023, 9, 1), "manifest", "month")),
        ("", PublishedDate(None, None, None)),
        (None, PublishedDate(None, None, None)),
        ("20 September 2023", PublishedDate(None, None, None)),
        ("2023-02-30", PublishedDate(None, None, None)),
    ],
)
def test_published_from(value: str | None, expected: PublishedDate) -> None:
    assert published_from(value, "manifest") == expected


def test_manifest_date_wins_over_header_and_header_is_the_fallback() -> None:
    header = PublishedDate(date(2023, 2, 28), "header", "day")
    manifest = published_from("2023-03-01", "manifest")
    url = date_from_url("https://example.com/2023/02/27/drones")
    assert choose_published(manifest, header, url) == PublishedDate(
        date(2023, 3, 1), "manifest", "day"
    )
    assert choose_published(published_from(None, "manifest"), header, url) == header
    assert choose_published(published_from("not a date", "manifest"), url) == url
    assert choose_published() == PublishedDate(None, None, None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.aljazeera.com/news/2024/4/5/russia-downs-dozens", date(2024, 4, 5)),
        ("https://example.com/2023/09/20/drones/", date(2023, 9, 20)),
        ("https://tass.com/politics/20230920/drones", date(2023, 9, 20)),
        ("https://kyivindependent.com/2024-03-31-drones-hit-lviv", date(2024, 3, 31)),
        ("https://example.com/article/123456789", None),
        ("https://example.com/2023/13/45/bad-date", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: date | None) -> None:
    assert date_from_url(url).value == expected


def test_read_manifest_tolerates_missing_and_extra_columns() -> None:
    manifest = read_manifest(
        "file,published,extra\na.txt,2023-01-02,x\nb.txt,,y\na.txt,2020-01-01,z\n"
    )
    assert manifest["a.txt"].published == "2023-01-02"  # first row of a file wins
    assert manifest["a.txt"].source is None and manifest["a.txt"].url is None
    assert manifest["b.txt"].published is None


def test_read_manifest_without_file_column_is_a_clear_error() -> None:
    with pytest.raises(RejectedInput, match="no 'file' column"):
        read_manifest("name,published\na.txt,2023-01-02\n")


def test_plan_skips_loaded_rejected_and_duplicate_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Same text")
    (tmp_path / "b.txt").write_text("Same text")  # a renamed copy: the same article
    (tmp_path / "c.txt").write_text("Loaded before")
    (tmp_path / "d.txt").write_text("")
    fingerprints = fingerprint_files(list_article_files(tmp_path), tmp_path)
    loaded_id = fingerprints.set_index("source_uri").loc["c.txt", "article_id"]
    rejected = ("d.txt", fingerprints.set_index("source_uri").loc["d.txt", "content_sha256"])
    planned = plan_new_files(fingerprints, {loaded_id}, {rejected})
    assert list(planned["source_uri"]) == ["a.txt"]


def test_read_articles_on_seeds_reads_all_five_with_publication_dates() -> None:
    fingerprints = fingerprint_files(list_article_files(SEEDS), SEEDS)
    manifest = Manifest(read_manifest((SEEDS / "manifest.csv").read_text()))
    articles, rejected = read_articles(fingerprints, SEEDS, manifest, RUN_AT)
    assert rejected.empty
    by_file = articles.set_index("source_uri")
    assert by_file["published_date"].to_dict() == {
        "000_066ef8bd903d37c5.txt": date(2023, 2, 28),
        "001_9a40e132d987c880.txt": date(2023, 9, 20),
        "002_56d6fb0dcc8be8d3.txt": date(2024, 4, 5),
        "003_9d30d5a8d221f33c.txt": date(2022, 12, 19),
        "004_fb38fc262b4d8cc5.txt": date(2023, 9, 17),
    }
    assert by_file["published_date_source"].tolist() == ["header", *["manifest"] * 4]
    assert by_file.loc["001_9a40e132d987c880.txt", "source"] == "The Independent"
    assert by_file.loc["000_066ef8bd903d37c5.txt", "raw_text"].startswith(
        "Russia’s defence ministry"
    )
    assert articles["article_id"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_a_worker_leaves_the_language_model_to_the_flow_and_both_agree(tmp_path: Path) -> None:
    texts = {
        "en.txt": "The governor said that the drones were shot down over the region at night.",
        "fr.txt": "La défense aérienne russe a abattu douze drones ukrainiens dans la région.",
        "headline.txt": "Drones down over Belgorod, governor says",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    fingerprints = fingerprint_files(list_article_files(tmp_path), tmp_path)
    in_worker, _ = read_articles(
        fingerprints, tmp_path, Manifest(), RUN_AT, language_of=quick_language
    )
    languages = dict(zip(in_worker["source_uri"], in_worker["language"], strict=True))
    assert languages == {"en.txt": "en", "fr.txt": "und", "headline.txt": "und"}
    settled = identify_undetermined(in_worker)
    assert _language_identifier.cache_info().currsize == 0  # the flow does not keep the model
    whole, _ = read_articles(fingerprints, tmp_path, Manifest(), RUN_AT)
    assert settled["language"].tolist() == whole["language"].tolist() == ["en", "fr", "en"]
    assert in_worker["language"].tolist() == ["en", "und", "und"]  # the input is not changed


def test_read_articles_turns_bad_files_into_rejected_rows(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A drone was shot down over Kursk on Monday.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    fingerprints = fingerprint_files(list_article_files(tmp_path), tmp_path)
    articles, rejected = read_articles(fingerprints, tmp_path, Manifest(), RUN_AT)
    assert list(articles["source_uri"]) == ["good.txt"]
    assert articles.loc[0, "published_date"] is None
    reasons = dict(zip(rejected["source_uri"], rejected["reason"], strict=True))
    assert reasons == {
        "binary.txt": "binary content: NUL bytes found, this is not a text file",
        "empty.txt": "empty file",
    }
    assert isinstance(rejected, pd.DataFrame) and (rejected["rejected_at"] == RUN_AT).all()


def test_fingerprints_say_why_a_file_was_not_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_bytes(b"Drones over Kursk.")
    (tmp_path / "large.txt").write_bytes(b"x" * 101)
    os.symlink(tmp_path / "good.txt", tmp_path / "link.txt")
    paths = [tmp_path / name for name in ("good.txt", "large.txt", "gone.txt", "link.txt")]
    rows = fingerprint_files(paths, tmp_path, max_bytes=100).set_index("source_uri")
    assert (
        rows.loc["good.txt", "content_sha256"] == hashlib.sha256(b"Drones over Kursk.").hexdigest()
    )
    assert rows.loc["good.txt", "size_bytes"] == 18
    assert rows.loc["large.txt", "content_sha256"] == "size:101"
    assert rows["read_error"].dropna().to_dict() == {
        "gone.txt": "cannot read file: No such file or directory",
        "link.txt": "a link to outside the source folder: refused, not read",
    }


def test_a_fifo_in_a_files_place_is_read_as_empty_not_waited_for(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # nothing ever writes to it
    rows = fingerprint_files([tmp_path / "pipe.txt"], tmp_path)
    assert rows[["content_sha256", "size_bytes"]].values.tolist() == [
        [hashlib.sha256(b"").hexdigest(), 0]
    ]


def test_read_to_end_reads_what_a_file_grew_by_after_its_size_was_taken(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"0123456789" * 300_000)
    file = os.open(path, os.O_RDONLY)
    try:
        assert read_to_end(file, 10) == path.read_bytes()
    finally:
        os.close(file)


@pytest.mark.parametrize(
    ("published", "text", "expected"),
    [
        (
            PublishedDate(None, None, None),
            "Tuesday, 14 May 2024, 07:06\nDrones hit Kharkiv.",
            PublishedDate(date(2024, 5, 14), "dateline", "day"),
        ),
        (
            PublishedDate(date(2023, 9, 1), "header", "month"),
            "MOSCOW, September 20. /TASS/. Air defences...",
            PublishedDate(date(2023, 9, 20), "dateline", "day"),
        ),
        (
            PublishedDate(date(2023, 10, 1), "header", "month"),
            "MOSCOW, September 20. /TASS/. Air defences...",
            PublishedDate(date(2023, 10, 1), "header", "month"),
        ),
        (
            PublishedDate(None, None, None),
            "MOSCOW, September 20. /TASS/. No year known.",
            PublishedDate(None, None, None),
        ),
        (
            PublishedDate(None, None, None),
            "Updated: 14 May 2024\nA page stamp is not the article's date.",
            PublishedDate(None, None, None),
        ),
        (
            PublishedDate(None, None, None),
            "On 14 May 2024, drones attacked Kursk, officials said.",
            PublishedDate(None, None, None),
        ),
        (
            PublishedDate(date(2024, 5, 1), "manifest", "day"),
            "Tuesday, 14 May 2024\nText",
            PublishedDate(date(2024, 5, 1), "manifest", "day"),
        ),
    ],
)
def test_dateline_stamp_as_publication_date(
    published: PublishedDate, text: str, expected: PublishedDate
) -> None:
    assert refine_with_dateline(published, text) == expected


def test_listing_finds_article_files_in_path_order_and_follows_no_link(tmp_path: Path) -> None:
    source, outside = tmp_path / "articles", tmp_path / "elsewhere"
    (source / "a" / "deep").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("Not for reading.")
    for name in ("a-b.txt", "a/b.txt", "a/deep/c.HTML", "z.jsonl", "notes.md", "manifest.csv"):
        (source / name).write_text("Drones over Kursk.")
    os.symlink(source / "a-b.txt", source / "inside-link.txt")  # its target is listed
    os.symlink(outside / "secret.txt", source / "outside-link.txt")  # listed, to be refused
    os.symlink(outside, source / "linked-folder")  # not walked
    names = [path.relative_to(source).as_posix() for path in list_article_files(source)]
    # Ordered by path parts, as sorted(Path) orders them: "a/b.txt" before "a-b.txt".
    assert names == ["a/b.txt", "a/deep/c.HTML", "a-b.txt", "outside-link.txt", "z.jsonl"]
    # Their stamps, in the same order: a link's own size and time, not its target's.
    stamps = stamp_article_files(source)
    assert stamps["file"].tolist() == names
    link = os.lstat(source / "outside-link.txt")
    assert stamps.iloc[3].tolist() == ["outside-link.txt", link.st_size, link.st_mtime_ns]
    assert stamps.iloc[0].tolist()[1] == len("Drones over Kursk.")


def test_fingerprint_cache_reads_only_new_and_changed_files(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text(f"{name}: Drones were shot down over Kursk overnight.")
    (source / "d.jsonl").write_text('{"text": "One record."}\n{"text": "Another record."}\n')
    files = list_article_files(source)
    first, _, read = fingerprint_with_cache(stamp_article_files(source), source, pd.DataFrame())
    assert read == 4
    assert first[UNIT_COLUMNS].equals(fingerprint_files(files, source))

    cache_path = tmp_path / "state" / "fingerprints.parquet"
    save_fingerprint_cache(cache_path, first, first, cached_rows=0)
    cache = read_fingerprint_cache(cache_path)
    again, fresh, read = fingerprint_with_cache(stamp_article_files(source), source, cache)
    assert (read, len(fresh)) == (0, 0)
    pd.testing.assert_frame_equal(again[UNIT_COLUMNS], first[UNIT_COLUMNS], check_dtype=False)

    (source / "b.txt").write_text("b.txt: a new text, longer than the first one was.")
    (source / "e.txt").write_text("e.txt: a new file.")
    files = list_article_files(source)
    changed, fresh, read = fingerprint_with_cache(stamp_article_files(source), source, cache)
    assert read == 2
    assert fresh["file"].tolist() == ["b.txt", "e.txt"]
    pd.testing.assert_frame_equal(
        changed[UNIT_COLUMNS], fingerprint_files(files, source), check_dtype=False
    )


def test_a_run_saves_the_fingerprints_of_the_files_it_read_not_the_whole_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delta file per run with files read; the whole copy again when the deltas grow."""
    monkeypatch.setattr(tasks.ingest, "FINGERPRINT_DELTAS_MAX", 3)
    source, cache = tmp_path / "articles", tmp_path / "state" / "fingerprints.parquet"
    source.mkdir()
    for number in range(40):
        (source / f"{number:02d}.txt").write_text(f"Article {number}: drones over Kursk.")
    assert fingerprint_source(source, cache).files_read == 40
    assert fingerprint_cache_deltas(cache) == []

    (source / "05.txt").write_text("Article 5, corrected: drones over Orel.")
    (source / "40.txt").write_text("Article 40: drones over Bryansk.")
    assert fingerprint_source(source, cache).files_read == 2
    (delta,) = fingerprint_cache_deltas(cache)
    assert pd.read_parquet(delta)["file"].tolist() == ["05.txt", "40.txt"]
    assert len(pd.read_parquet(cache)) == 40  # the whole copy, untouched

    (source / "05.txt").write_text("Article 5, corrected twice: drones over Tula.")
    assert fingerprint_source(source, cache).files_read == 1
    assert len(fingerprint_cache_deltas(cache)) == 2
    saved = read_fingerprint_cache(cache)  # each file's rows once, from the newest save
    expected = fingerprint_files(list_article_files(source), source)
    pd.testing.assert_frame_equal(
        saved.sort_values("file")[UNIT_COLUMNS].reset_index(drop=True), expected, check_dtype=False
    )
    assert fingerprint_source(source, cache).files_read == 0  # nothing new: nothing written
    assert len(fingerprint_cache_deltas(cache)) == 2

    (source / "41.txt").write_text("Article 41: drones over Kaluga.")
    assert fingerprint_source(source, cache).files_read == 1
    assert len(fingerprint_cache_deltas(cache)) == 3
    (source / "42.txt").write_text("Article 42: drones over Moscow.")
    assert fingerprint_source(source, cache).files_read == 1  # a fourth delta is one too many
    assert fingerprint_cache_deltas(cache) == []
    assert len(pd.read_parquet(cache)) == 43

    # Many files read at once (more than a tenth of the folder), or many removed: whole again.
    for number in range(43, 53):
        (source / f"{number:02d}.txt").write_text(f"Article {number}: drones over Oryol.")
    assert fingerprint_source(source, cache).files_read == 10
    assert fingerprint_cache_deltas(cache) == [] and len(pd.read_parquet(cache)) == 53
    (source / "52.txt").write_text("Article 52, corrected: drones over Lipetsk.")
    assert fingerprint_source(source, cache).files_read == 1
    assert len(fingerprint_cache_deltas(cache)) == 1
    for number in range(10):
        (source / f"{number:02d}.txt").unlink()
    assert fingerprint_source(source, cache).files_read == 0
    assert fingerprint_cache_deltas(cache) == [] and len(pd.read_parquet(cache)) == 43

    # A damaged delta is a cache miss: every file is read again, and saved whole.
    (source / "53.txt").write_text("Article 53: drones over Tver.")
    fingerprint_source(source, cache)
    fingerprint_cache_deltas(cache)[0].write_bytes(b"not parquet")
    assert read_fingerprint_cache(cache).empty
    assert fingerprint_source(source, cache).files_read == 44
    assert fingerprint_cache_deltas(cache) == [] and len(pd.read_parquet(cache)) == 44


def test_fingerprint_cache_trusts_size_and_modification_time(tmp_path: Path) -> None:
    """The documented blind spot: same size, same mtime (to the nanosecond) is not re-read."""
    (tmp_path / "a.txt").write_text("Drones over Kursk.")
    cache = fingerprint_with_cache(stamp_article_files(tmp_path), tmp_path, pd.DataFrame())[0]
    stat = (tmp_path / "a.txt").stat()
    (tmp_path / "a.txt").write_text("Drones over Orel!!")  # same length
    os.utime(tmp_path / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again, _, read = fingerprint_with_cache(stamp_article_files(tmp_path), tmp_path, cache)
    assert read == 0
    assert again["content_sha256"].tolist() == cache["content_sha256"].tolist()


def test_a_plan_uses_the_fingerprints_prefetched_for_its_folder_and_cache(tmp_path: Path) -> None:
    source, cache = tmp_path / "articles", tmp_path / "state" / "fingerprints.parquet"
    source.mkdir()
    for name in ("a.txt", "b.txt"):
        (source / name).write_text(f"{name}: Drones were shot down over Kursk overnight.")
    prefetch_fingerprints(source, cache)
    plan = plan_source(source, set(), set(), cache)  # waits for the prefetch to finish
    assert (plan.files_listed, plan.units_found, plan.files_read) == (2, 2, 2)
    assert plan.planned["file"].tolist() == ["a.txt", "b.txt"]
    assert len(read_fingerprint_cache(cache)) == 2  # saved by the prefetch, for the next run

    # A file added after a prefetch is the next plan's, as one added after a plan is.
    prefetch_fingerprints(source, cache).result()
    (source / "c.txt").write_text("c.txt: Drones were shot down over Orel overnight.")
    prefetched = plan_source(source, set(), set(), cache)
    assert (prefetched.files_listed, prefetched.files_read) == (2, 0)
    assert prefetched.planned["file"].tolist() == ["a.txt", "b.txt"]
    next_plan = plan_source(source, {prefetched.planned["article_id"][0]}, set(), cache)
    assert (next_plan.files_listed, next_plan.files_read) == (3, 1)
    assert next_plan.planned["file"].tolist() == ["b.txt", "c.txt"]


def test_a_prefetch_too_old_or_failed_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, cache = tmp_path / "articles", tmp_path / "fingerprints.parquet"
    source.mkdir()
    (source / "a.txt").write_text("a.txt: Drones were shot down over Kursk overnight.")
    prefetch_fingerprints(source, cache).result()
    (source / "b.txt").write_text("b.txt: Drones were shot down over Orel overnight.")
    monkeypatch.setattr(tasks.ingest, "PREFETCH_MAX_AGE_SECONDS", 0.0)  # a run that waited
    plan = plan_source(source, set(), set(), cache)
    assert plan.planned["file"].tolist() == ["a.txt", "b.txt"]
    assert plan.files_read == 1  # a.txt came from the cache the prefetch saved

    missing = tmp_path / "gone"
    assert prefetch_fingerprints(missing, cache).exception() is not None  # no such folder
    missing.mkdir()
    (missing / "x.txt").write_text("x.txt: Drones were shot down over Kursk overnight.")
    assert plan_source(missing, set(), set(), cache).planned["file"].tolist() == ["x.txt"]


def test_a_prefetch_tells_early_how_many_files_need_reading(tmp_path: Path) -> None:
    """What the flow asks before it starts its CPU workers: few files new or changed since the
    last run mean a small run, whose stages run in the flow's process."""
    source, cache = tmp_path / "articles", tmp_path / "fingerprints.parquet"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text(f"{name}: Drones were shot down over Kursk overnight.")
    assert prefetched_files_to_read(source, cache, wait_seconds=0.0) is None  # none started
    prefetch_fingerprints(source, cache).result()
    assert prefetched_files_to_read(source, cache, wait_seconds=5.0) == 3
    assert plan_source(source, set(), set(), cache).files_read == 3  # the plan takes it
    assert prefetched_files_to_read(source, cache, wait_seconds=0.0) is None  # taken

    prefetch_unless_pending(source, cache)  # the next run's: every file is in the cache now
    prefetch_unless_pending(source, cache)  # pending already: the same prefetch
    assert prefetched_files_to_read(source, cache, wait_seconds=5.0) == 0
    assert plan_source(source, set(), set(), cache).files_read == 0

    prefetch_fingerprints(tmp_path / "gone", cache).exception()  # no such folder
    assert prefetched_files_to_read(tmp_path / "gone", cache, wait_seconds=5.0) is None


def test_an_unreadable_cache_means_reading_everything(tmp_path: Path) -> None:
    (tmp_path / "fingerprints.parquet").write_bytes(b"not parquet")
    assert read_fingerprint_cache(tmp_path / "fingerprints.parquet").empty
    assert read_fingerprint_cache(tmp_path / "missing.parquet").empty


def test_a_plan_is_put_in_publication_month_order_for_its_batches() -> None:
    manifest = Manifest(
        read_manifest(
            "file,source,url,published\n"
            "a.txt,,,2024-04-05T21:00:00Z\n"
            "b.txt,,,2022-03-01\n"
            "c.txt,,,not a date\n"
            "d.txt,,,2024-04\n"
            "e.txt,,,2022-03-30\n"
        )
    )
    planned = pd.DataFrame({"file": ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]})
    ordered = in_publication_month_order(planned, manifest)
    # Months in order, listing order within a month, files without a month (c, f: unlisted) last.
    assert ordered["file"].tolist() == ["b.txt", "e.txt", "a.txt", "d.txt", "c.txt", "f.txt"]
    assert ordered.index.tolist() == [1, 4, 0, 3, 2, 5]
