"""Ingest: find the article files of a source folder, fingerprint them, and read the new ones.

Pure functions (decoding, header parsing, manifest reading, planning); their Prefect tasks are
in tasks/stages.py. A bad file never raises out of this module: it becomes a rejected row with
a readable reason.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import charset_normalizer
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tasks.dates import dateline_date, parse_published
from tasks.formats import (
    ARTICLE_SUFFIXES,
    JSON_ARRAY_SUFFIXES,
    JSON_LINES_SUFFIXES,
    UNDETERMINED_LANGUAGE,
    ArticleFields,
    RecordError,
    detect_language,
    extract_html,
    identify_language,
    is_html,
    json_line_digests,
    parse_json_array,
    parse_json_line,
    record_fields,
    release_language_model_if_mapped,
)

MANIFEST_NAME = "manifest.csv"
DEFAULT_MAX_BYTES = 5_000_000
ARTICLE_ID_HEX_DIGITS = 16

# ` date 2023-02-28 Title...` or ` date 2023-09 Title...`: publication metadata on the first line.
HEADER_DATE = re.compile(r"^\ufeff?[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
# Dates in URLs: /2023/09/20/, /2023/9/20/, 2024-03-31-title, /20230920/.
URL_DATES = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_.-]|$)"),
)
# Characters that never occur in text a person wrote: C0 controls other than tab/newline/CR.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A manifest `file` that leaves the source folder: absolute, a drive, or a `..` step.
OUTSIDE_PATH = re.compile(r"^[\\/]|^[A-Za-z]:|(?:^|[\\/])\.\.(?:[\\/]|$)")


class RejectedInput(ValueError):
    """A file that cannot be loaded; the message is the reason a user reads."""


@dataclass(frozen=True, slots=True)  # no __dict__ each: see read_manifest
class ManifestEntry:
    source: str | None
    url: str | None
    published: str | None


NO_ENTRY = ManifestEntry(None, None, None)


class Manifest:
    """manifest.csv as a lookup by file. Deliberately not a dict or dataclass: Prefect passes it
    to a task as one value instead of visiting each of its (possibly 100,000) entries, and task
    runners that ship parameters to other processes (Dask) get it whole."""

    __slots__ = ("_entries",)

    def __init__(self, entries: dict[str, ManifestEntry] | None = None) -> None:
        self._entries = entries or {}

    def entry_for(self, file: str) -> ManifestEntry:
        """The row for a file, by its path in the source folder or by its bare name."""
        return self._entries.get(file) or self._entries.get(Path(file).name) or NO_ENTRY

    def __len__(self) -> int:
        return len(self._entries)

    def for_files(self, files: Iterable[str]) -> Manifest:
        """The rows of just these files: what a batch ships to a worker process."""
        entries = {}
        for file in files:
            for key in (file, Path(file).name):
                if key in self._entries:
                    entries[key] = self._entries[key]
        return Manifest(entries)


@dataclass(frozen=True)
class PublishedDate:
    value: date | None
    source: str | None  # manifest, header
    precision: str | None  # day, month


NO_DATE = PublishedDate(None, None, None)  # frozen: one instance serves every article


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_id_for(content_sha256: str) -> str:
    """The article id is the content hash: a renamed copy of a file is the same article."""
    return content_sha256[:ARTICLE_ID_HEX_DIGITS]


def decode_text(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Bytes of an article file -> (text, encoding), or RejectedInput with the reason.

    The text is NFC with LF line ends and no control characters (the cleaner normalises spaces).
    """
    if len(raw) > max_bytes:
        raise RejectedInput(f"file is {len(raw):,} bytes, larger than the {max_bytes:,}-byte limit")
    if not raw.strip():
        raise RejectedInput("empty file")
    text, encoding = _decode(raw)
    if "\r" in text:  # a scan for one character; the two replaces cost ten times more
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if not (encoding in UTF8_ENCODINGS and _without_control_bytes(raw)):
        sample = text[:20_000]
        if len(CONTROL_CHARS.findall(sample)) > max(2, len(sample) // 100):
            raise RejectedInput("binary content: control characters found, this is not a text file")
        text = CONTROL_CHARS.sub("", text)
    if not any(ch.isalpha() for ch in text):
        raise RejectedInput("no letters in the file: nothing to read")
    return text, encoding


UTF8_ENCODINGS = ("utf-8", "utf-8-sig")
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # CONTROL_CHARS


def _without_control_bytes(raw: bytes) -> bool:
    """True when `raw` holds none of CONTROL_CHARS' bytes. UTF-8 writes those characters as
    these single bytes, which are never part of another character's bytes: UTF-8 bytes without
    them decode to a text without them, that need not be searched (8x faster than the regex)."""
    return len(raw.translate(None, CONTROL_BYTES)) == len(raw)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    head = raw[:4096]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: NULs in every other byte of ASCII text.
        odd_nuls, even_nuls = head[1::2].count(0), head[0::2].count(0)
        if (
            max(odd_nuls, even_nuls) > len(head) // 3
            and min(odd_nuls, even_nuls) <= len(head) // 50
        ):
            encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
            return raw.decode(encoding, errors="replace"), encoding
        raise RejectedInput("binary content: NUL bytes found, this is not a text file")
    if b"\x00" in head:
        raise RejectedInput("binary content: NUL bytes found, this is not a text file")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw[:200_000]).best()
    if best is None or best.encoding is None:
        raise RejectedInput("not valid UTF-8 and no other text encoding fits: undecodable file")
    return raw.decode(best.encoding, errors="replace"), best.encoding


def published_from(value: str | None, source: str) -> PublishedDate:
    """An ISO date, month or datetime found at `source` (manifest, header, html, record) ->
    PublishedDate; NO_DATE when the value is none of these."""
    day, precision = parse_published(value)
    return PublishedDate(day, source, precision) if day else NO_DATE


def date_from_url(url: str | None) -> PublishedDate:
    """A publication date written in a URL: /2023/09/20/, /2023/9/20/, /20230920/, 2024-03-31-..."""
    for pattern in URL_DATES:
        for match in pattern.finditer(url or ""):
            year, month, day = (int(part) for part in match.groups())
            try:
                return PublishedDate(date(year, month, day), "url", "day")
            except ValueError:
                continue
    return NO_DATE


def split_header(text: str) -> tuple[PublishedDate, str]:
    """Take a ` date YYYY-MM-DD ` metadata header off the first line; the title stays."""
    match = HEADER_DATE.match(text)
    if not match:
        return NO_DATE, text
    return published_from(match[1], "header"), text[match.end() :]


def choose_published(*candidates: PublishedDate) -> PublishedDate:
    """The first candidate with a date, in order of trust: manifest (known from outside the
    text), header line, the page's or record's own metadata, the URL; else none."""
    for candidate in candidates:
        if candidate.value is not None:
            return candidate
    return NO_DATE


def refine_with_dateline(published: PublishedDate, text: str) -> PublishedDate:
    """Use a dateline stamp ("MOSCOW, September 20. /TASS/") when nothing better is known: as
    the date when none was found, or to make a month-precision date exact when they agree."""
    if published.precision == "day":
        return published
    known_year = published.value.year if published.value else None
    stamped = dateline_date(text, known_year)
    if stamped is None:
        return published
    if published.value is None or (stamped.year, stamped.month) == (
        published.value.year,
        published.value.month,
    ):
        return PublishedDate(stamped, "dateline", "day")
    return published


def read_manifest(text: str) -> dict[str, ManifestEntry]:
    """manifest.csv text -> {file: entry}. Missing columns are empty; extra columns are ignored."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if header is None or "file" not in header:
        raise RejectedInput("manifest.csv has no 'file' column; expected file,source,url,published")
    # Rows as lists, read by column position (a dict per row took twice as long: 0.5 s at 100k).
    # As with a dict per row, a column named twice is read from its last place, and a short
    # row's missing cells are empty.
    position = {name: index for index, name in enumerate(header)}
    file, source, url, published = (
        position.get(name) for name in ("file", "source", "url", "published")
    )
    entries: dict[str, ManifestEntry] = {}
    # Sources and dates repeat from row to row: one string object each. A manifest is held for
    # the whole run; with slotted entries, 100,000 rows take 29 MB instead of 39 MB.
    repeated: dict[str, str] = {}
    for row in rows:
        name = _cell(row, file)
        if name and name not in entries:
            outlet, when = _cell(row, source), _cell(row, published)
            entries[name] = ManifestEntry(
                source=repeated.setdefault(outlet, outlet) if outlet else None,
                url=_cell(row, url),
                published=repeated.setdefault(when, when) if when else None,
            )
    return entries


def _cell(row: list[str], column: int | None) -> str | None:
    """A row's stripped cell in `column`; None when blank or missing."""
    if column is None or column >= len(row):
        return None
    return row[column].strip() or None


def list_article_files(source_dir: Path) -> list[Path]:
    """Every article file below source_dir (txt, html, jsonl, json), in a stable order (that of
    their paths' parts).

    Links are not followed: a file that points outside the source folder is never read (it is
    listed, to become a rejected row); a link inside it is skipped (its target is listed).
    """
    return [Path(path) for _, path in _scan_article_files(source_dir)]


def stamp_article_files(source_dir: Path) -> pd.DataFrame:
    """(file, file_size, file_mtime_ns) of every article file of list_article_files, in the same
    order; -1s for a file that cannot be read. An lstat per file (a link's own: links are never
    followed) and no Path objects: at 100k files, listing Paths and then stamping each took
    1.6-2.2 s of a run with nothing new, most of it in making Paths and their relative names."""
    rows = []
    for parts, path in _scan_article_files(source_dir):
        try:
            stat = os.lstat(path)
            stamp = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)
        rows.append(("/".join(parts), *stamp))
    return pd.DataFrame(rows, columns=["file", *FILE_STAMP_COLUMNS])


def _scan_article_files(source_dir: Path) -> list[tuple[tuple[str, ...], str]]:
    """(parts below source_dir, path) of every article file, sorted by parts. One directory
    scan per folder, with the entry types it returns (101k files: 0.7-1.0 s, where a glob of
    Path objects with a stat each took 1.7-2.0 s)."""
    found: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(str(source_dir), ())]
    while folders:
        folder, parts = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, (*parts, entry.name)))
                    continue
                if (
                    os.path.splitext(entry.name)[1].lower() not in ARTICLE_SUFFIXES
                    or entry.name == MANIFEST_NAME
                ):
                    continue
                if (
                    _links_outside(Path(entry.path), source_dir)
                    if entry.is_symlink()
                    else entry.is_file(follow_symlinks=False)
                ):
                    found.append(((*parts, entry.name), entry.path))
    found.sort(key=lambda item: item[0])
    return found


def relative_name(path: Path, source_dir: Path) -> str:
    """`path` below `source_dir` as a relative POSIX name ("2024/a.txt")."""
    prefix = str(source_dir).rstrip(os.sep) + os.sep
    name = str(path)
    if not name.startswith(prefix):
        return path.relative_to(source_dir).as_posix()
    return name[len(prefix) :].replace(os.sep, "/")


OUTSIDE_LINK = "a link to outside the source folder: refused, not read"


def _links_outside(path: Path, source_dir: Path) -> bool:
    return not path.resolve().is_relative_to(source_dir.resolve())


UNIT_COLUMNS = [
    "source_uri",
    "file",
    "record",
    "offset",
    "length",
    "content_sha256",
    "article_id",
    "size_bytes",
    "read_error",
]


def fingerprint_files(
    paths: Iterable[Path], source_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> pd.DataFrame:
    """One row per unit of work: a whole text or HTML file, or one record of a JSON file.

    `record` is -1 for a whole file; for JSON lines `offset`/`length` locate the record's bytes.
    The content hash of a unit is its article id: a renamed copy is the same article.
    """
    rows: list[tuple[object, ...]] = []
    for path in paths:
        name = relative_name(path, source_dir)
        suffix = path.suffix.lower()
        # One open, fstat and read per file (Path.is_symlink, stat and read_bytes took 2-3
        # times as long). A link is never followed: one is listed only when it points outside
        # the source folder.
        try:
            file = os.open(path, READ_NO_FOLLOW)
        except OSError as error:
            problem = OUTSIDE_LINK if error.errno == errno.ELOOP else cannot_read(error)
            rows.append((name, name, -1, 0, 0, "", "", 0, problem))
            continue
        try:
            size = os.fstat(file).st_size
            if size > max_bytes and suffix not in JSON_LINES_SUFFIXES:
                # Too large to be one article: rejected by size without reading it.
                rows.append((name, name, -1, 0, size, f"size:{size}", "", size, None))
                continue
            if suffix in JSON_LINES_SUFFIXES:  # streamed: memory stays at one chunk
                with open(file, "rb", closefd=False) as handle:
                    lines, raw = list(json_line_digests(handle)), b""
            else:
                raw = read_to_end(file, size)
        except OSError as error:
            rows.append((name, name, -1, 0, 0, "", "", 0, cannot_read(error)))
            continue
        finally:
            os.close(file)
        if suffix in JSON_LINES_SUFFIXES:
            for span, digest in lines:
                uri = f"{name}#{span.index + 1}"
                if span.length > max_bytes:  # one record too large to be an article: not read
                    size_key = f"size:{span.length}"
                    rows.append((uri, name, span.index, 0, 0, size_key, "", span.length, None))
                    continue
                rows.append(
                    (
                        uri,
                        name,
                        span.index,
                        span.offset,
                        span.length,
                        digest,
                        article_id_for(digest),
                        span.length,
                        None,
                    )
                )
        elif suffix in JSON_ARRAY_SUFFIXES:
            try:
                items = parse_json_array(raw)
            except RecordError as error:
                rows.append(
                    (name, name, -1, 0, len(raw), sha256_hex(raw), "", len(raw), str(error))
                )
                continue
            for index, item in enumerate(items):
                record = json.dumps(item, sort_keys=True, ensure_ascii=False)
                digest = sha256_hex(record.encode("utf-8", "surrogatepass"))  # "\ud800" escapes
                rows.append(
                    (
                        f"{name}#{index + 1}",
                        name,
                        index,
                        0,
                        0,
                        digest,
                        article_id_for(digest),
                        0,
                        None,
                    )
                )
        else:
            digest = sha256_hex(raw)
            rows.append(
                (name, name, -1, 0, len(raw), digest, article_id_for(digest), len(raw), None)
            )
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


# What a file looked like when it was fingerprinted: its rows are reused while both still hold.
FILE_STAMP_COLUMNS = ["file_size", "file_mtime_ns"]


def is_in(column: pd.Series, values: set[str]) -> pd.Series:
    """`column.isin(values)`, as a membership test per row: on an Arrow string column, isin
    took 0.1 s for 20k rows against a set of 20k (this: 5 ms)."""
    return pd.Series([value in values for value in column.tolist()], index=column.index, dtype=bool)


class Fingerprinted(NamedTuple):
    fingerprints: pd.DataFrame  # every file's units, UNIT_COLUMNS + FILE_STAMP_COLUMNS
    fresh: pd.DataFrame  # the same, of the files read this time (the others came from the cache)
    files_read: int


def fingerprint_with_cache(
    stamps: pd.DataFrame,
    source_dir: Path,
    cache: pd.DataFrame,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_files_to_read: Callable[[int], object] | None = None,
) -> Fingerprinted:
    """`fingerprint_files` of the files of `stamps` (stamp_article_files), reading only files
    that are new or changed since `cache` was made. `on_files_to_read` is told how many before
    they are read.

    `cache` is an earlier result of this function (UNIT_COLUMNS + FILE_STAMP_COLUMNS). A file
    whose size and modification time (in nanoseconds) are both unchanged is not read again: a
    run over an archive costs a `stat` per file, not a read and a hash. Rows with a read error
    are never reused, so a file that could not be read is tried again.
    """
    reusable = cache[cache["read_error"].isna()] if len(cache) else cache.iloc[0:0]
    unchanged_files: set[str] = set()
    if len(reusable):
        stamped = reusable[["file", *FILE_STAMP_COLUMNS]].drop_duplicates()
        unchanged_files = set(stamps.merge(stamped, how="inner")["file"])
    changed = [source_dir / file for file in stamps["file"].tolist() if file not in unchanged_files]
    if on_files_to_read is not None:
        on_files_to_read(len(changed))
    fresh = fingerprint_files(changed, source_dir, max_bytes).merge(stamps, on="file", how="left")
    reused = reusable[is_in(reusable["file"], unchanged_files)] if unchanged_files else None
    order = {file: position for position, file in enumerate(stamps["file"])}
    combined = pd.concat([reused, fresh], ignore_index=True)
    combined = combined.assign(_order=combined["file"].map(order), _record=combined["record"])
    combined = combined.sort_values(["_order", "_record"], kind="stable")
    combined = combined.drop(columns=["_order", "_record"]).reset_index(drop=True)
    return Fingerprinted(combined, fresh, len(changed))


def plan_new_files(
    fingerprints: pd.DataFrame,
    known_article_ids: set[str],
    known_rejections: set[tuple[str, str]],
) -> pd.DataFrame:
    """The units that need work: not loaded, not rejected before, first copy of each content.

    A copy of rejected content is rejected too (only its first copy got a row): without that, a
    second run over the same folder would reject the copy then.
    """
    # Most of the folder is loaded already: only the rest is tested against the rejections.
    unloaded = fingerprints[~is_in(fingerprints["article_id"], known_article_ids)]
    rejected_contents = {sha for _, sha in known_rejections if len(sha) == 64}  # not size:/""
    already_rejected = pd.Series(
        [
            (uri, sha) in known_rejections or sha in rejected_contents
            for uri, sha in zip(unloaded["source_uri"], unloaded["content_sha256"], strict=True)
        ],
        index=unloaded.index,
        dtype=bool,
    )
    todo = unloaded[~already_rejected]
    has_id = todo["article_id"] != ""
    first_copies = todo[has_id].drop_duplicates("article_id")
    return pd.concat([first_copies, todo[~has_id]]).sort_index().reset_index(drop=True)


ARTICLE_COLUMNS = [
    "article_id",
    "source_uri",
    "url",
    "source",
    "published_date",
    "published_date_source",
    "published_date_precision",
    "content_format",
    "encoding",
    "language",
    "raw_text",
    "ingested_at",
]
REJECTED_COLUMNS = ["source_uri", "content_sha256", "reason", "rejected_at"]


def unit_fields(
    unit: Any, source_dir: Path, max_bytes: int, json_cache: dict[str, tuple[Any, ...]]
) -> tuple[ArticleFields, str, str, PublishedDate]:
    """Read one planned unit -> (fields, format, encoding, header date). Raises RejectedInput."""
    if isinstance(unit.read_error, str):
        raise RejectedInput(unit.read_error)
    if unit.content_sha256.startswith("size:"):
        kind = "file" if unit.record < 0 else "record"
        raise RejectedInput(
            f"{kind} is {unit.size_bytes:,} bytes, larger than the {max_bytes:,}-byte limit"
        )
    path = os.path.join(source_dir, unit.file)  # a str: Path objects cost more than the read
    suffix = os.path.splitext(unit.file)[1].lower()
    try:
        if suffix in JSON_LINES_SUFFIXES:
            with open(path, "rb") as handle:
                handle.seek(unit.offset)
                line = handle.read(unit.length)
            if sha256_hex(line) != unit.content_sha256:
                raise RejectedInput("file changed while the run was reading it; retried next run")
            return parse_json_line(line), "jsonl", "utf-8", NO_DATE
        if suffix in JSON_ARRAY_SUFFIXES:
            if unit.file not in json_cache:
                json_cache[unit.file] = parse_json_array(read_bytes(path))
            return (
                record_fields(json_cache[unit.file][unit.record]),
                "json",
                "utf-8",
                NO_DATE,
            )
        raw = read_bytes(path)
    except RecordError as error:
        raise RejectedInput(str(error)) from None
    except OSError as error:
        raise RejectedInput(cannot_read(error)) from None
    if sha256_hex(raw) != unit.content_sha256:
        raise RejectedInput("file changed while the run was reading it; retried next run")
    text, encoding = decode_text(raw, max_bytes)
    if is_html(suffix, raw):
        try:
            return extract_html(text), "html", encoding, NO_DATE
        except RecordError as error:
            raise RejectedInput(str(error)) from None
    header_date, text = split_header(text)
    return ArticleFields(text=text), "text", encoding, header_date


def read_bytes(path: str) -> bytes:
    """The whole file, with one open, fstat and read: 6 us a file where open(path, "rb") and
    its read took 9 us and Path.read_bytes 12-18 us (20k files of 2-10 kB, in the page cache)."""
    file = os.open(path, READ)
    try:
        return read_to_end(file, os.fstat(file).st_size)
    finally:
        os.close(file)


# Non-blocking: a FIFO put in a file's place reads as empty instead of waiting for a writer.
READ = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
READ_NO_FOLLOW = READ | os.O_NOFOLLOW  # a link: OSError with errno ELOOP


def read_to_end(file: int, size: int) -> bytes:
    """The bytes of an open regular file from where it is to its end, `size` its length at its
    fstat. A regular file's read returns less than asked for only at its end, so one read does
    it unless the file grew since."""
    data = os.read(file, size + 1)
    if len(data) <= size:
        return data
    chunks = [data]
    while chunk := os.read(file, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def cannot_read(error: OSError) -> str:
    return f"cannot read file: {error.strerror or error}"


def read_articles(
    planned: pd.DataFrame,
    source_dir: Path,
    manifest: Manifest,
    run_at: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
    language_of: Callable[[str], str | None] = detect_language,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and decode planned units -> (articles, rejected). A bad unit never stops the others.

    `language_of` gives the `language` column: quick_language in a CPU worker leaves the few
    texts that need the language model UNDETERMINED_LANGUAGE, for identify_undetermined.
    """
    articles, rejected = [], []
    json_cache: dict[str, tuple[Any, ...]] = {}
    # Object columns: itertuples over Arrow-backed string columns costs 3x more per row.
    for unit in planned.astype(object).itertuples(index=False):
        try:
            fields, content_format, encoding, header_date = unit_fields(
                unit, source_dir, max_bytes, json_cache
            )
            if not any(ch.isalpha() for ch in fields.text):
                raise RejectedInput("no letters in the article text: nothing to read")
        except RejectedInput as error:
            rejected.append((unit.source_uri, unit.content_sha256, str(error), run_at))
            continue
        entry = manifest.entry_for(unit.file)
        url = entry.url or fields.url
        published = published_from(entry.published, "manifest")
        if published.value is None:  # the others are looked for only when the manifest has none
            published = choose_published(
                header_date,
                published_from(fields.published, fields.published_source or "record"),
                date_from_url(url),
            )
        published = refine_with_dateline(published, fields.text)
        articles.append(
            (
                unit.article_id,
                unit.source_uri,
                url,
                entry.source or fields.source,
                published.value,
                published.source,
                published.precision,
                content_format,
                encoding,
                language_of(fields.text),
                fields.text,
                run_at,
            )
        )
    return (
        pd.DataFrame(articles, columns=ARTICLE_COLUMNS),
        pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )


def identify_undetermined(articles: pd.DataFrame) -> pd.DataFrame:
    """`articles` with each UNDETERMINED_LANGUAGE replaced by the language model's answer.

    The model is freed after: a batch has a few such texts, and loading it again from the
    user's cached copy takes ~0.01 s, where keeping it would hold 60-80 MB through the run
    (without a cached copy it is kept: loading it from the package takes 0.5 s).
    """
    undetermined = articles["language"] == UNDETERMINED_LANGUAGE
    if not undetermined.any():
        return articles
    articles = articles.copy()
    articles.loc[undetermined, "language"] = [
        identify_language(text) for text in articles.loc[undetermined, "raw_text"]
    ]
    release_language_model_if_mapped()
    return articles


# Every Prefect task run costs ~50 ms of the flow's CPU and ~30 ms of the API server's
# (measured at 20k articles: 500-article batches spent 7.5 s more of the flow's CPU and 4.5 s more
# of the server's than 2,000-article batches), so batches are as large as memory allows...
MAX_BATCH_SIZE = 2000
# ...and small enough that every CPU worker gets a few of them, but not so small that a batch's
# fixed cost (five task runs, shipping its frames, writing its files: ~0.25 s of the flow's CPU)
# outweighs what a second worker saves (half of ~1 ms of stage work per article): a scheduled
# run with 200 new articles is one batch.
MIN_BATCH_SIZE = 200
BATCHES_PER_WORKER = 3


def batch_size_for(units: int, workers: int) -> int:
    """Articles per batch for `units` planned articles on `workers` CPU workers (1: the work
    runs in the flow's process, where more batches only add task runs)."""
    if workers <= 1:
        return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, units))
    # At least BATCHES_PER_WORKER batches per worker, and a whole number of batches per worker,
    # so that no worker idles through the last round (20,800 articles: 12 batches, not 11).
    batches = max(-(-units // MAX_BATCH_SIZE), BATCHES_PER_WORKER * workers)  # ceiling division
    batches = -(-batches // workers) * workers
    return max(MIN_BATCH_SIZE, -(-units // batches))


def in_publication_month_order(planned: pd.DataFrame, manifest: Manifest) -> pd.DataFrame:
    """The plan sorted by the month its manifest gives each file (files without one last),
    listing order kept within a month.

    The warehouse writes one Parquet file per table and published month of a batch, so a batch
    of one or two months writes a few files where a batch spread over years writes one per month
    (measured at 20k articles of 2022-2024: 129 files instead of 941, and 2 s less of the flow's
    CPU). A month the manifest does not give (found in the text later) only costs a file more.
    """
    month_of: dict[str | None, str] = {}  # published values repeat: each is parsed once
    months = []
    for file in planned["file"].tolist():
        published = manifest.entry_for(file).published
        if published not in month_of:
            day, _ = parse_published(published)
            month_of[published] = f"{day:%Y-%m}" if day else "~"  # "~" sorts after digits
        months.append(month_of[published])
    order = sorted(range(len(months)), key=months.__getitem__)  # stable
    return planned.iloc[order]


def chunk(frame: pd.DataFrame, batch_size: int) -> list[pd.DataFrame]:
    """Split a plan into batches of at most batch_size rows."""
    return [frame.iloc[start : start + batch_size] for start in range(0, len(frame), batch_size)]


def load_manifest(source_dir: Path) -> tuple[Manifest, str | None]:
    """The source folder's manifest (empty when there is none) and a problem message, if any."""
    path = source_dir / MANIFEST_NAME
    if not path.is_file():
        return Manifest(), None
    try:
        entries = read_manifest(path.read_text(encoding="utf-8-sig", errors="replace"))
    except (RejectedInput, csv.Error) as error:
        return Manifest(), f"{path}: {error}; publication dates fall back to the text"
    outside = [name for name in entries if OUTSIDE_PATH.search(name)]
    if not outside:
        return Manifest(entries), None
    kept = {name: entry for name, entry in entries.items() if name not in outside}
    return Manifest(kept), (
        f"{path}: file outside the source folder, row refused: {', '.join(outside[:10])}"
    )


# A fingerprint cache is a whole copy plus the changes that runs saved after it, one delta file
# each: a run that reads 200 new files of 100,000 writes their 200 rows (a few ms), not 100,000
# (0.12-0.14 s, and growing with the archive). The copy is written whole again, and the deltas
# removed, when they hold more than FINGERPRINT_DELTA_SHARE of the folder's rows or number
# FINGERPRINT_DELTAS_MAX, or when the cache holds that share of rows for files since removed.
FINGERPRINT_DELTAS_MAX = 16
FINGERPRINT_DELTA_SHARE = 0.1


def read_fingerprint_cache(path: Path) -> pd.DataFrame:
    """The fingerprints previous runs saved (each file's rows from the newest save that has
    them); empty when there are none or a part of them is unreadable."""
    columns = [*UNIT_COLUMNS, *FILE_STAMP_COLUMNS]
    empty = pd.DataFrame(columns=columns)
    try:
        whole = pd.read_parquet(path)
        deltas = [pd.read_parquet(delta) for delta in fingerprint_cache_deltas(path)]
    except (OSError, ValueError, pa.ArrowException):
        return empty
    if any(list(frame.columns) != columns for frame in (whole, *deltas)):
        return empty
    if not deltas:
        return whole
    changes = pd.concat(
        [delta.assign(_delta=number) for number, delta in enumerate(deltas)], ignore_index=True
    )
    newest = changes.groupby("file", sort=False)["_delta"].transform("max")
    changes = changes[changes["_delta"] == newest].drop(columns="_delta")
    unchanged = whole[~is_in(whole["file"], set(changes["file"]))]
    return pd.concat([unchanged, changes], ignore_index=True)


def save_fingerprint_cache(
    path: Path, fingerprints: pd.DataFrame, fresh: pd.DataFrame, cached_rows: int
) -> None:
    """Save a run's fingerprints for the next run: `fresh`, the rows of the files it read, as a
    delta; or all of `fingerprints` (every file's) as the whole copy, when it is due (above).
    `cached_rows`: how many rows read_fingerprint_cache gave this run. Each file is written
    whole, then renamed. A delta lost to a crash or a concurrent run only means its files are
    read again; a delta older than the whole copy can't mislead: a row is used only for a file
    of the same size and modification time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deltas = fingerprint_cache_deltas(path)
    most_rows = FINGERPRINT_DELTA_SHARE * len(fingerprints)
    if (
        not cached_rows  # no cache yet, or one that could not be read
        or len(deltas) >= FINGERPRINT_DELTAS_MAX
        or len(fresh) + sum(pq.read_metadata(delta).num_rows for delta in deltas) > most_rows
        or cached_rows + len(fresh) - len(fingerprints) > most_rows  # removed files' rows
    ):
        _write_parquet_whole(fingerprints, path)
        for delta in deltas:
            delta.unlink(missing_ok=True)
    elif len(fresh):
        number = int(deltas[-1].name.rsplit("-", 1)[1].split(".")[0]) + 1 if deltas else 1
        _write_parquet_whole(fresh, path.with_name(f"{path.stem}.delta-{number:06d}.parquet"))


def fingerprint_cache_deltas(path: Path) -> list[Path]:
    """The delta files of the fingerprint cache at `path`, oldest first."""
    return sorted(path.parent.glob(f"{path.stem}.delta-*.parquet"))


def _write_parquet_whole(frame: pd.DataFrame, path: Path) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    frame.to_parquet(partial, index=False)
    os.replace(partial, path)


@dataclass(frozen=True)
class IngestPlan:
    """What a run must read from its source folder."""

    planned: pd.DataFrame  # the files (and JSON records) that need work, UNIT_COLUMNS
    files_listed: int  # article files in the folder
    units_found: int  # their articles: a JSON-lines or JSON-array file may hold many
    files_read: int  # files read and hashed this time (the others' fingerprints were cached)


def plan_source(
    source_dir: Path,
    known_article_ids: set[str],
    known_rejections: set[tuple[str, str]],
    fingerprint_cache: Path,
) -> IngestPlan:
    """The source folder's units that are not loaded or rejected already (see plan_new_files),
    from its fingerprints: prefetched ones (prefetch_fingerprints) or fingerprint_source's."""
    source = _take_prefetched(source_dir, fingerprint_cache) or fingerprint_source(
        source_dir, fingerprint_cache
    )
    planned = plan_new_files(source.fingerprints, known_article_ids, known_rejections)
    return IngestPlan(
        planned[UNIT_COLUMNS], source.files_listed, len(source.fingerprints), source.files_read
    )


@dataclass(frozen=True)
class SourceFingerprints:
    """A source folder's units of work with their content hashes, as a plan starts from."""

    fingerprints: pd.DataFrame  # UNIT_COLUMNS + FILE_STAMP_COLUMNS, in listing order
    files_listed: int  # article files in the folder
    files_read: int  # files read and hashed this time (the others' fingerprints were cached)


def fingerprint_source(
    source_dir: Path,
    fingerprint_cache: Path,
    on_files_to_read: Callable[[int], object] | None = None,
) -> SourceFingerprints:
    """List and fingerprint the source folder. Only new or changed files are read (see
    fingerprint_with_cache, which tells `on_files_to_read` how many); the cache is saved back
    when it changed."""
    stamps = stamp_article_files(source_dir)
    saved = read_fingerprint_cache(fingerprint_cache)
    found = fingerprint_with_cache(stamps, source_dir, saved, on_files_to_read=on_files_to_read)
    if found.files_read or len(found.fingerprints) != len(saved):  # else the cache is exact
        save_fingerprint_cache(fingerprint_cache, found.fingerprints, found.fresh, len(saved))
    return SourceFingerprints(found.fingerprints, len(stamps), found.files_read)


# A prefetch is used by a plan made at most this long after it started; an older one (a run
# that waited for another's writer lock) is done again, cheaply, from the cache it saved.
PREFETCH_MAX_AGE_SECONDS = 60.0


class _Prefetch(NamedTuple):
    started: float  # time.monotonic()
    files_to_read: Future[int]  # known once the folder is listed and matched with the cache
    result: Future[SourceFingerprints]


# Prefetches not yet used, by (source folder, cache file).
_prefetched: dict[tuple[Path, Path], _Prefetch] = {}


def prefetch_fingerprints(source_dir: Path, fingerprint_cache: Path) -> Future[SourceFingerprints]:
    """Start fingerprint_source in a background thread; the next plan_source of the same folder
    and cache uses its result instead of doing the same work. Returns the thread's future.

    `newsevents run` calls it while the Prefect server starts, on a core that would idle: a first
    run over 20,000 files lists, reads and hashes them there (0.7 s), not on the run's path. A
    file that changes between the prefetch and its reading is caught by ingest's hash check
    (rejected, retried next run), as one that changes during a run is; one added after it is
    found by the next run. It saves the fingerprint cache before the run takes its writer lock:
    the save is atomic, and a cache saved by either of two runs is right for the files it lists.
    """
    files_to_read: Future[int] = Future()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch-fingerprints")
    result = executor.submit(
        fingerprint_source, source_dir, fingerprint_cache, files_to_read.set_result
    )
    key = _prefetch_key(source_dir, fingerprint_cache)
    _prefetched[key] = _Prefetch(time.monotonic(), files_to_read, result)
    executor.shutdown(wait=False)  # its thread ends after its one job
    return result


def prefetch_unless_pending(source_dir: Path, fingerprint_cache: Path) -> None:
    """prefetch_fingerprints, unless one of this folder and cache is pending (`newsevents run`
    starts one while the Prefect server starts; a deployment's run starts its own here)."""
    if _prefetch_key(source_dir, fingerprint_cache) not in _prefetched:
        prefetch_fingerprints(source_dir, fingerprint_cache)


def prefetched_files_to_read(
    source_dir: Path, fingerprint_cache: Path, wait_seconds: float
) -> int | None:
    """How many files the pending prefetch of this folder and cache found new or changed since
    the last run (so, to read), once it has listed the folder and before it reads them, waiting
    up to `wait_seconds`. None when there is no prefetch, it has not answered in that time (a
    folder that hangs) or it failed before (the plan then fingerprints the folder itself and
    meets the error)."""
    prefetch = _prefetched.get(_prefetch_key(source_dir, fingerprint_cache))
    if prefetch is None:
        return None
    pending: list[Future[Any]] = [prefetch.files_to_read, prefetch.result]
    wait(pending, wait_seconds, return_when=FIRST_COMPLETED)
    return prefetch.files_to_read.result() if prefetch.files_to_read.done() else None


def _take_prefetched(source_dir: Path, fingerprint_cache: Path) -> SourceFingerprints | None:
    """The prefetch for this folder and cache (waiting for it to finish), or None when there is
    none, it failed or it is too old."""
    prefetch = _prefetched.pop(_prefetch_key(source_dir, fingerprint_cache), None)
    if prefetch is None or prefetch.result.exception() is not None:
        return None
    if time.monotonic() - prefetch.started > PREFETCH_MAX_AGE_SECONDS:
        return None
    return prefetch.result.result()


def _prefetch_key(source_dir: Path, fingerprint_cache: Path) -> tuple[Path, Path]:
    return source_dir.resolve(), fingerprint_cache.absolute()
