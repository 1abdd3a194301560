"""Input formats: plain text, HTML pages, JSON lines / JSON arrays of scraped articles.

Pure functions from bytes or decoded text to the fields of an article. HTML extraction is done by
trafilatura (favor_precision) and htmldate, not by hand; our line cleaner runs afterwards.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from warehouse.user_cache import user_cache_dir

HTML_SUFFIXES = (".html", ".htm")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
JSON_ARRAY_SUFFIXES = (".json",)
TEXT_SUFFIXES = (".txt",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_LINES_SUFFIXES + JSON_ARRAY_SUFFIXES
LANGUAGE_SAMPLE_CHARS = 500  # enough for a reliable guess; the cost grows with length
MIN_HTML_WORDS = 8  # fewer words than this is a menu or an error page, not an article
LONE_SURROGATES = re.compile("[\ud800-\udfff]")
HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[ >])", re.I)


class RecordError(ValueError):
    """A record or page that holds no article; the message is the reason a user reads."""


@dataclass(frozen=True)
class ArticleFields:
    """What a file or record says about an article, before cleaning."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # as found: ISO date or datetime
    published_source: str | None = None  # html, record


@dataclass(frozen=True)
class RecordSpan:
    """Where one record sits in a JSON-lines file (byte offsets) or a JSON array (index)."""

    index: int
    offset: int
    length: int


def is_html(suffix: str, raw_start: bytes) -> bool:
    return suffix in HTML_SUFFIXES or bool(HTML_SNIFF.match(raw_start[:512]))


def extract_html(html: str) -> ArticleFields:
    """Main text, title, canonical URL and publication date of a page (trafilatura + htmldate)."""
    import trafilatura  # imported here: it costs about a second, and plain text never needs it

    document = trafilatura.bare_extraction(
        html, favor_precision=True, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (getattr(document, "text", None) or "").strip()
    if document is None:
        # lxml gave up (e.g. nesting deeper than it parses): fall back to the page's plain text.
        text = plain_text_of_html(html)
    if len(text.split()) < MIN_HTML_WORDS:
        raise RecordError("HTML page without article text (trafilatura found no main content)")
    title = (getattr(document, "title", None) or "").strip() or None
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    published = getattr(document, "date", None)
    return ArticleFields(
        text=text,
        title=title,
        url=getattr(document, "url", None) or None,
        source=getattr(document, "sitename", None) or None,
        published=published,
        published_source="html" if published else None,
    )


class _TextCollector(HTMLParser):
    """The visible text of a page, one line per block, without scripts, styles and navigation."""

    SKIPPED = frozenset(
        {"script", "style", "nav", "header", "footer", "aside", "noscript", "template"}
    )
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text_of_html(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def json_line_digests(
    handle: BinaryIO, chunk_bytes: int = 1 << 20
) -> Iterator[tuple[RecordSpan, str]]:
    """(span, sha256 hex of its bytes) per non-blank line of a JSON-lines file, read a chunk at a
    time: a 50 MB line is measured and hashed without being held in memory."""
    index = start = offset = 0
    digest, blank = hashlib.sha256(), True
    while chunk := handle.read(chunk_bytes):
        *ended, tail = chunk.split(b"\n")
        for piece in ended:
            digest.update(piece)
            end = offset + len(piece)
            if not blank or piece.strip():
                yield RecordSpan(index, start, end - start), digest.hexdigest()
            index, start, offset = index + 1, end + 1, end + 1
            digest, blank = hashlib.sha256(), True
        digest.update(tail)
        blank = blank and not tail.strip()
        offset += len(tail)
    if not blank:
        yield RecordSpan(index, start, offset - start), digest.hexdigest()


def parse_json_array(raw: bytes) -> tuple[Any, ...]:
    """The records of a JSON file: an array, or an object holding one under articles/items/data."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(f"invalid JSON: {error}") from None
    if isinstance(data, dict):
        data = data.get("articles") or data.get("items") or data.get("data") or [data]
    if not isinstance(data, list):
        raise RecordError("JSON file is neither an array of articles nor an object with 'articles'")
    return tuple(data)


def record_fields(record: Any) -> ArticleFields:
    """A scraped-article record -> its fields. Wrong types and missing text are RecordErrors."""
    if not isinstance(record, dict):
        raise RecordError(f"record is a JSON {type(record).__name__}, expected an object")

    def text_field(name: str) -> str | None:
        value = record.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise RecordError(f"field {name!r} is a {type(value).__name__}, expected a string")
        # "\ud800" escapes decode to lone surrogates, which no UTF-8 writer (Arrow) accepts.
        return LONE_SURROGATES.sub("\ufffd", value).strip() or None

    url, title = text_field("url"), text_field("title")
    source, published = text_field("source"), text_field("published")
    text, html = text_field("text"), text_field("html")
    if text is None and html is not None:
        page = extract_html(html)
        return ArticleFields(
            text=page.text,
            title=title or page.title,
            url=url or page.url,
            source=source or page.source,
            published=published or page.published,
            published_source="record" if published else page.published_source,
        )
    if text is None:
        raise RecordError("record has no 'text' or 'html' field with content")
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return ArticleFields(
        text=text,
        title=title,
        url=url,
        source=source,
        published=published,
        published_source="record" if published else None,
    )


def parse_json_line(raw_line: bytes) -> ArticleFields:
    try:
        record = json.loads(raw_line.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(f"invalid JSON line: {error}") from None
    return record_fields(record)


# English's commonest function words: a fifth or more of an English text's words, at most an
# eighth of a German, French, Dutch, Spanish, Italian, Portuguese, Polish, Romanian or Swedish
# one (measured on news sentences). Checking them first (0.01 ms) spares English articles
# py3langid: 0.17 ms each, and 0.5 s and 74 MB to load its model in each process. Anything less
# clear-cut goes to py3langid. (On the 447-article GDELT corpus, 446 take the quick path.)
_FUNCTION_WORDS = """the of and to in a is was that for on with by as at from it its has have had
were are be been this which said after before their they an or but not will would who he she
his her we our you your there than also more over about into up out new one two says"""
ENGLISH_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
# (words at least, share of function words at least): a long sample, or a short one (a headline).
ENGLISH_RULES = ((30, 0.2), (8, 0.25))
LOWER_WORD = re.compile(r"[a-z]+")


# Bytes a-z kept, every other byte a space: see lower_words.
_ONLY_A_TO_Z = bytes(byte if b"a"[0] <= byte <= b"z"[0] else b" "[0] for byte in range(256))
_ENGLISH_FUNCTION_WORDS_ASCII = frozenset(word.encode("ascii") for word in ENGLISH_FUNCTION_WORDS)


def lower_words(sample: str) -> list[bytes]:
    """The words LOWER_WORD finds in the lowercased sample (its runs of a-z), as ASCII bytes.

    Non-ASCII characters become "?" and every byte but a-z a space, so split() cuts the runs:
    half the time of LOWER_WORD.findall, which spent 12 us on a 500-character sample.
    """
    return sample.lower().encode("ascii", "replace").translate(_ONLY_A_TO_Z).split()


def reads_as_english(sample: str) -> bool:
    """True when the sample is plainly English: enough words, enough of them function words."""
    words = lower_words(sample)
    function_words = sum(map(_ENGLISH_FUNCTION_WORDS_ASCII.__contains__, words))
    return any(
        len(words) >= min_words and function_words >= min_share * len(words)
        for min_words, min_share in ENGLISH_RULES
    )


# ISO 639-2 "undetermined": what quick_language says of a text only the model can place.
UNDETERMINED_LANGUAGE = "und"


def quick_language(text: str) -> str | None:
    """'en' for a plainly English text, None for a text without letters, else
    UNDETERMINED_LANGUAGE: the cheap half of detect_language, without its model."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    return "en" if reads_as_english(sample) else UNDETERMINED_LANGUAGE


def identify_language(text: str) -> str:
    """ISO 639-1 code of the text's language by py3langid's model (loaded on first use)."""
    with _LANGUAGE_MODEL_LOCK:  # one load, however many task threads ask at once
        identifier = _language_identifier()
    language, _score = identifier.classify(text[:LANGUAGE_SAMPLE_CHARS])
    return str(language)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid ships its model); None for no letters."""
    language = quick_language(text)
    return identify_language(text) if language == UNDETERMINED_LANGUAGE else language


@functools.cache
def _language_identifier() -> Any:
    """py3langid's model: from this user's cached copy when there is one, else from the
    package's xz-compressed file (0.5 s), then cached for the next run.

    The cached copy loads in ~0.01 s: its two large arrays (67 MB) are memory-mapped, so a text
    reads only the parts of them it uses, and those leave memory with the model
    (release_language_model). The flow can then load it for a batch and free it after.
    """
    from py3langid import langid

    cached = language_model_cache_path()
    try:
        return _load_cached_model(cached)
    except Exception:  # noqa: BLE001 - absent, partial or stale: a cache miss, never an error
        pass
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        _save_model(identifier, cached)
        return _load_cached_model(cached)  # mapped, as every later load
    except Exception:  # noqa: BLE001 - a read-only home: the package's copy serves this run
        return identifier


# The model's two large arrays, kept as .npy files beside the cached copy and memory-mapped:
# the table of feature weights (28 MB) and the tokenizer's transition table (39 MB).
_MAPPED_PARTS = ("nb_ptc", "tk_nextmove")
_PICKLED_PARTS = ("nb_pc", "nb_classes", "tk_output", "tk_row")


def _array_path(cached: Path, name: str) -> Path:
    return cached.with_name(f"{cached.stem}.{name}.npy")


def _save_model(identifier: Any, cached: Path) -> None:
    """The large arrays as .npy files, then the other parts as `cached` (each written whole,
    then renamed: a reader finds all of them complete, or a miss)."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    for name in _MAPPED_PARTS:
        path = _array_path(cached, name)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            np.save(handle, np.asarray(getattr(identifier, name)))
        os.replace(partial, path)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    with partial.open("wb") as handle:
        parts = {name: getattr(identifier, name) for name in _PICKLED_PARTS}
        pickle.dump(parts, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, cached)


def _load_cached_model(cached: Path) -> Any:
    from py3langid.langid import LanguageIdentifier

    with cached.open("rb") as handle:
        parts = pickle.load(handle)
    mapped = {name: np.load(_array_path(cached, name), mmap_mode="r") for name in _MAPPED_PARTS}
    if mapped["nb_ptc"].shape[1] != len(parts["nb_pc"]):
        raise ValueError(f"{cached}: its arrays do not fit the model's other parts")
    return LanguageIdentifier(
        mapped["nb_ptc"],
        parts["nb_pc"],
        parts["nb_classes"],
        mapped["tk_nextmove"],
        parts["tk_output"],
        tk_row=parts["tk_row"],
    )


def language_model_cache_path() -> Path:
    """Where this user's copy of py3langid's loaded model is kept: named by the package version
    and the model file's size, so an upgrade never reads a stale copy, while every install of
    the same version (a new virtual environment, a fresh clone's) shares one copy (68 MB); named
    by the file's time as well, each install left a copy of its own. The folder is the user's
    own cache (XDG_CACHE_HOME or ~/.cache), as trusted as the installed package."""
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    stamp = f"{importlib.metadata.version('py3langid')}:{model.stat().st_size}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return user_cache_dir() / f"py3langid-model-{key}.pickle"


def release_language_model_if_mapped() -> None:
    """release_language_model, if the loaded model is the memory-mapped cached copy (loaded
    again in ~0.01 s); one loaded from the package (0.5 s: the cache folder is not writable)
    is kept."""
    with _LANGUAGE_MODEL_LOCK:
        if _language_identifier.cache_info().currsize and isinstance(
            _language_identifier().nb_ptc, np.memmap
        ):
            _language_identifier.cache_clear()


def release_language_model() -> None:
    """Free py3langid's model until the next identify_language: 78 MB when it was loaded from
    the package; when loaded from the cached copy, the pages of its arrays that texts touched."""
    with _LANGUAGE_MODEL_LOCK:
        _language_identifier.cache_clear()


_LANGUAGE_MODEL_LOCK = threading.Lock()
