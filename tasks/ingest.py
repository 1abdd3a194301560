"""Ingest: find the article files of a source folder, fingerprint them, and read the new ones.

Pure functions first (decoding, header parsing, manifest reading, planning); the Prefect tasks
are the thin wrappers at the bottom. A bad file never raises out of this module: it becomes a
rejected row with a readable reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import charset_normalizer
import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

ARTICLE_SUFFIXES = (".txt",)
MANIFEST_NAME = "manifest.csv"
DEFAULT_MAX_BYTES = 5_000_000
ARTICLE_ID_HEX_DIGITS = 16

# ` date 2023-02-28 Title...` or ` date 2023-09 Title...`: publication metadata on the first line.
HEADER_DATE = re.compile(r"^\ufeff?[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
# Characters that never occur in text a person wrote: C0 controls other than tab/newline/CR.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RejectedInput(ValueError):
    """A file that cannot be loaded; the message is the reason a user reads."""


@dataclass(frozen=True)
class ManifestEntry:
    source: str | None
    url: str | None
    published: str | None


@dataclass(frozen=True)
class PublishedDate:
    value: date | None
    source: str | None  # manifest, header
    precision: str | None  # day, month


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_id_for(content_sha256: str) -> str:
    """The article id is the content hash: a renamed copy of a file is the same article."""
    return content_sha256[:ARTICLE_ID_HEX_DIGITS]


def decode_text(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes of an article file -> normalised text, or RejectedInput with the reason."""
    if len(raw) > max_bytes:
        raise RejectedInput(f"file is {len(raw):,} bytes, larger than the {max_bytes:,}-byte limit")
    if not raw.strip():
        raise RejectedInput("empty file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(raw)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(CONTROL_CHARS.findall(text[:20_000])) > max(2, len(text[:20_000]) // 100):
        raise RejectedInput("binary content: control characters found, this is not a text file")
    if not any(ch.isalpha() for ch in text):
        raise RejectedInput("no letters in the file: nothing to read")
    return CONTROL_CHARS.sub("", text)


def _decode_legacy(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise RejectedInput("binary content: NUL bytes found, this is not a text file")
    best = charset_normalizer.from_bytes(raw[:200_000]).best()
    if best is None or best.encoding is None:
        raise RejectedInput("not valid UTF-8 and no other text encoding fits: undecodable file")
    return raw.decode(best.encoding, errors="replace")


def parse_iso_published(value: str | None) -> PublishedDate:
    """An ISO date, month or datetime (as in manifest.csv) -> PublishedDate; unparseable -> empty."""
    match = ISO_DATE.match(value or "")
    if not match:
        return PublishedDate(None, None, None)
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        return PublishedDate(date(year, month, int(day or 1)), None, "day" if day else "month")
    except ValueError:
        return PublishedDate(None, None, None)


def split_header(text: str) -> tuple[PublishedDate, str]:
    """Take a ` date YYYY-MM-DD ` metadata header off the first line; the title stays."""
    match = HEADER_DATE.match(text)
    if not match:
        return PublishedDate(None, None, None), text
    parsed = parse_iso_published(match[1])
    published = PublishedDate(parsed.value, "header", parsed.precision) if parsed.value else parsed
    return published, text[match.end() :]


def choose_published(manifest_value: str | None, header: PublishedDate) -> PublishedDate:
    """The manifest's date wins (it is known from outside the text); else the header's; else none."""
    from_manifest = parse_iso_published(manifest_value)
    if from_manifest.value is not None:
        return PublishedDate(from_manifest.value, "manifest", from_manifest.precision)
    return header


def read_manifest(text: str) -> dict[str, ManifestEntry]:
    """manifest.csv text -> {file: entry}. Missing columns are empty; extra columns are ignored."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise RejectedInput("manifest.csv has no 'file' column; expected file,source,url,published")
    entries: dict[str, ManifestEntry] = {}
    for row in reader:
        name = (row.get("file") or "").strip()
        if name and name not in entries:
            entries[name] = ManifestEntry(
                source=_blank_to_none(row.get("source")),
                url=_blank_to_none(row.get("url")),
                published=_blank_to_none(row.get("published")),
            )
    return entries


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def list_article_files(source_dir: Path) -> list[Path]:
    """Every article file below source_dir, in a stable order."""
    return sorted(
        path
        for path in source_dir.rglob("*")
        if path.suffix.lower() in ARTICLE_SUFFIXES and path.is_file() and not path.is_symlink()
    )


def fingerprint_files(paths: Iterable[Path], source_dir: Path) -> pd.DataFrame:
    """One row per file: source_uri, content_sha256, article_id, size_bytes, read_error."""
    rows = []
    for path in paths:
        uri = path.relative_to(source_dir).as_posix()
        try:
            digest = sha256_hex(path.read_bytes())
            rows.append((uri, digest, article_id_for(digest), path.stat().st_size, None))
        except OSError as error:
            rows.append((uri, "", "", 0, f"cannot read file: {error.strerror or error}"))
    return pd.DataFrame(
        rows, columns=["source_uri", "content_sha256", "article_id", "size_bytes", "read_error"]
    )


def plan_new_files(
    fingerprints: pd.DataFrame,
    known_article_ids: set[str],
    known_rejections: set[tuple[str, str]],
) -> pd.DataFrame:
    """The files that need work: not yet loaded, not already rejected, first copy of each content."""
    already_rejected = [
        (uri, sha) in known_rejections
        for uri, sha in zip(fingerprints["source_uri"], fingerprints["content_sha256"], strict=True)
    ]
    todo = fingerprints[
        ~fingerprints["article_id"].isin(known_article_ids) & ~pd.Series(already_rejected, dtype=bool, index=fingerprints.index)
    ]
    readable = todo[todo["read_error"].isna()].drop_duplicates("article_id")
    return pd.concat([readable, todo[todo["read_error"].notna()]]).reset_index(drop=True)


ARTICLE_COLUMNS = [
    "article_id",
    "source_uri",
    "url",
    "source",
    "published_date",
    "published_date_source",
    "published_date_precision",
    "raw_text",
    "ingested_at",
]
REJECTED_COLUMNS = ["source_uri", "content_sha256", "reason", "rejected_at"]


def read_articles(
    planned: pd.DataFrame,
    source_dir: Path,
    manifest: dict[str, ManifestEntry],
    run_at: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and decode planned files -> (articles, rejected). One bad file never stops the others."""
    articles, rejected = [], []
    for row in planned.itertuples(index=False):
        if isinstance(row.read_error, str):
            rejected.append((row.source_uri, row.content_sha256, row.read_error, run_at))
            continue
        try:
            raw = (source_dir / row.source_uri).read_bytes()
            if sha256_hex(raw) != row.content_sha256:
                raise RejectedInput("file changed while the run was reading it; retried next run")
            text = decode_text(raw, max_bytes)
        except RejectedInput as error:
            rejected.append((row.source_uri, row.content_sha256, str(error), run_at))
            continue
        except OSError as error:
            reason = f"cannot read file: {error.strerror or error}"
            rejected.append((row.source_uri, row.content_sha256, reason, run_at))
            continue
        header_date, text = split_header(text)
        entry = manifest.get(row.source_uri) or manifest.get(Path(row.source_uri).name)
        published = choose_published(entry.published if entry else None, header_date)
        articles.append(
            (
                row.article_id,
                row.source_uri,
                entry.url if entry else None,
                entry.source if entry else None,
                published.value,
                published.source,
                published.precision,
                text,
                run_at,
            )
        )
    return (
        pd.DataFrame(articles, columns=ARTICLE_COLUMNS),
        pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )


def chunk(frame: pd.DataFrame, batch_size: int) -> list[pd.DataFrame]:
    """Split a plan into batches of at most batch_size rows."""
    return [frame.iloc[start : start + batch_size] for start in range(0, len(frame), batch_size)]


def load_manifest(source_dir: Path) -> tuple[dict[str, ManifestEntry], str | None]:
    """The source folder's manifest (empty when there is none) and a problem message, if any."""
    path = source_dir / MANIFEST_NAME
    if not path.is_file():
        return {}, None
    try:
        return read_manifest(path.read_text(encoding="utf-8-sig", errors="replace")), None
    except (RejectedInput, csv.Error) as error:
        return {}, f"{path}: {error}; publication dates fall back to the text"


@task(name="plan-ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def plan_ingest(
    source_dir: Path, known_article_ids: set[str], known_rejections: set[tuple[str, str]]
) -> tuple[pd.DataFrame, int]:
    """List and fingerprint the source folder -> (files that need work, files found).

    Retried: it is all I/O.
    """
    files = list_article_files(source_dir)
    fingerprints = fingerprint_files(files, source_dir)
    planned = plan_new_files(fingerprints, known_article_ids, known_rejections)
    get_run_logger().info(
        "ingest: %d files found, %d need work (%d already loaded or duplicates)",
        len(fingerprints),
        len(planned),
        len(fingerprints) - len(planned),
    )
    return planned, len(fingerprints)


@task(name="read-articles", cache_policy=NO_CACHE)
def read_articles_task(
    planned: pd.DataFrame,
    source_dir: Path,
    manifest: dict[str, ManifestEntry],
    run_at: datetime,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles, rejected = read_articles(planned, source_dir, manifest, run_at)
    get_run_logger().info("ingest: %d articles read, %d rejected", len(articles), len(rejected))
    return articles, rejected
