"""Clean boilerplate: drop page cruft lines, keep every sentence of the report.

A crawler's text dump of a news page holds the article (title, subheads, paragraphs, quotes) and
the page around it: sign-up forms, ad markers, "Recommended" links, photo credits, comment
prompts, share buttons. This stage decides line by line what is cruft, in four passes:

1. hard rules on each line alone: the phrase lexicon (data/boilerplate_phrases.txt), photo and
   agency credits (data/clean_credits.txt), gallery counters, bylines, datelines, link lines,
   and in a batch (clean_texts) lines repeated across many documents of the same source;
2. document rules: exact duplicates of an earlier line, ALL-CAPS link lines, a signature at the
   end ("-al jazeera", "— AP");
3. block smoothing: cruft comes in blocks, so a short run of lines that do not read as sentences
   between removed lines is removed too, and so are a one- or two-word line just before removed
   lines and a tag list next to them. A line that reads as a sentence (data/clean_stopwords.txt
   gives the stopword density) is never smoothed away, nor is the title;
4. assembly: kept lines in order, paragraph breaks kept, runs of blank lines collapsed.

Later stages compute character offsets into `CleanResult.body`: it is exactly what we return.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).parent / "data"

# A line reads as a sentence when it is this long, ends like one and has this share of stopwords.
SENTENCE_MIN_WORDS = 8
SENTENCE_MIN_STOPWORD_RATIO = 0.15
# Phrase rules of mode "any" / "short" only look at lines up to this many words.
ANY_MAX_WORDS = 40
SHORT_MAX_WORDS = 12
# Block smoothing: at most this many non-sentence lines sandwiched between removed lines go too.
SMOOTHING_MAX_RUN = 2
# A line of at most this many words, without end punctuation, just before a removed line goes too.
TINY_LINE_MAX_WORDS = 2
# A line of tags or menu items next to cruft: this many words, nearly all capitalised, no stopword.
TAG_LIST_MIN_WORDS = 4
TAG_LIST_MIN_CAPITALISED = 0.8
# A credit line ("Photo: ...", "Source: ...") has at most this many words.
CREDIT_MAX_WORDS = 10
# ALL-CAPS lines of at least this many words are links to other stories (not the title).
ALL_CAPS_MIN_WORDS = 6
# A repeated line is template when it is in this many documents of a source, and this share.
REPEATED_MIN_DOCS = 3
REPEATED_MIN_SHARE = 0.5
# A title has between these many words and does not end with . , ; :
TITLE_MIN_WORDS, TITLE_MAX_WORDS = 2, 30
# Smoothing never removes the first kept line when it opens the text or has this many words.
TITLE_PROTECT_MIN_WORDS = 5


@dataclass(frozen=True)
class RemovedLine:
    line_no: int  # 0-based index of the line in the input text
    text: str
    reason: str  # which rule removed it, e.g. "phrase:subscribe", "duplicate_line"


@dataclass(frozen=True)
class CleanResult:
    body: str  # the clean text: kept lines in order, paragraphs separated by one blank line
    title: str | None  # first kept line when it looks like a headline
    removed: tuple[RemovedLine, ...]  # every removed non-blank line, in input order
    author: str | None = None  # from a byline ("By: MRT Desk") or an end signature ("-al jazeera")
    dateline_place: str | None = None  # from a dateline opening the report ("KYIV, Ukraine (AP) —")


# --- reference data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhraseRule:
    label: str
    mode: str  # line | start | any | short
    kind: str  # block | inline
    pattern: str


PHRASE_MODES = ("line", "start", "any", "short")
PHRASE_KINDS = ("block", "inline")


def parse_phrase_rules(text: str) -> list[PhraseRule]:
    """The lexicon file's text -> rules; a malformed row raises ValueError naming the row."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 3)
        if len(fields) != 4 or fields[1] not in PHRASE_MODES or fields[2] not in PHRASE_KINDS:
            raise ValueError(f"boilerplate phrase row {number}: expected LABEL MODE KIND REGEX")
        re.compile(fields[3])  # fail here, with the row, rather than in the combined pattern
        rules.append(PhraseRule(*fields))
    return rules


def _read_word_list(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [
        item
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
        for item in ([line.strip()] if name == "clean_credits.txt" else line.split())
    ]


def _compile_anchored(rules: list[PhraseRule]) -> list[tuple[str, re.Pattern[str]]]:
    """Modes line and start: one alternation per mode, each rule a named group, one call a line."""
    compiled = []
    for mode in ("line", "start"):
        parts = [f"(?P<r{i}>{rule.pattern})" for i, rule in enumerate(rules) if rule.mode == mode]
        if parts:
            compiled.append((mode, re.compile("|".join(parts), re.IGNORECASE)))
    return compiled


LITERAL_PREFIX = re.compile(r"(?:\\b)?([a-z][a-z ']*)(.?)")


def literal_trigger(pattern: str) -> str | None:
    """The lower-case text every match of `pattern` contains, when the regex starts with literal
    text ("\\bsign up (?:to|for)" -> "sign up "); None when it does not. Searching a line only
    when it contains the trigger keeps the "any" rules cheap (a substring test, not a regex)."""
    match = LITERAL_PREFIX.match(pattern)
    if match is None or _has_top_level_alternation(pattern):
        return None
    text = match[1]
    if match[2] in ("?", "*", "{"):  # "thanks?": the last letter is optional
        text = text[:-1]
    return text if len(text.strip()) >= 3 else None


def _has_top_level_alternation(pattern: str) -> bool:
    """Whether `pattern` is "a|b" at its outer level (escapes and [classes] skipped)."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


# A pattern that opens with a group of alternatives: "(?:>>+|»+)\s*$", "\b(?:original|full) ...".
LEADING_GROUP = re.compile(r"(?:\\b)?\(\?:([^()\[\]\\]*)\)")
REGEX_SYNTAX = re.compile(r"[.^$*+?{}\[\]|()\\]")


def group_triggers(pattern: str) -> tuple[str, ...] | None:
    """For a pattern that opens with a group of alternatives each starting with literal text,
    lower-case texts one of which the lower-cased line contains whenever the pattern matches it:
    "(?:>>+|»+)\\s*$" -> (">>", "»"), "\\b(?:original|full) " -> ("nal", "full"); else None.
    Each text is the longest run of an alternative's literal start made of characters that
    lower-casing finds exactly where (?i) matches them (see _lowers_like_ignorecase)."""
    group = LEADING_GROUP.match(pattern)
    if group is None or _has_top_level_alternation(pattern):
        return None
    texts = []
    for alternative in group[1].split("|"):
        syntax = REGEX_SYNTAX.search(alternative)
        literal = alternative[: syntax.start()] if syntax else alternative
        if alternative[len(literal) : len(literal) + 1] in ("?", "*", "{"):
            literal = literal[:-1]  # the last character is optional
        kept = "".join(char if _lowers_like_ignorecase(char) else "|" for char in literal)
        longest = max(kept.split("|"), key=len)
        if not longest:
            return None
        texts.append(longest)
    return tuple(texts)


def _lowers_like_ignorecase(char: str) -> bool:
    """Whether the lower-cased line holds `char` wherever (?i) matches it: a character without
    case (">", "»", " ") or a letter a-z other than i and s, which (?i) also matches with "ı", "İ"
    and "ſ", characters that lower() does not turn into i or s."""
    caseless = char.lower() == char == char.upper()
    return caseless or ("a" <= char <= "z" and char not in "is")


def _compile_searched(rules: list[PhraseRule]) -> list[tuple[str, re.Pattern, PhraseRule]]:
    """Modes any and short, in lexicon order: (trigger, pattern, rule), the trigger a text the
    lower-cased line contains whenever the pattern matches ("" when there is none to test). A rule
    with several possible triggers (group_triggers) has one row each, one after the other."""
    searched: list[tuple[str, re.Pattern, PhraseRule]] = []
    for rule in rules:
        if rule.mode in ("any", "short"):
            pattern = re.compile(rule.pattern, re.IGNORECASE)
            single = literal_trigger(rule.pattern)
            triggers = (single,) if single else group_triggers(rule.pattern) or ("",)
            searched.extend((trigger, pattern, rule) for trigger in triggers)
    return searched


PHRASE_RULES = parse_phrase_rules(
    (DATA_DIR / "boilerplate_phrases.txt").read_text(encoding="utf-8")
)
LINE_START_PATTERNS = _compile_anchored(PHRASE_RULES)
SEARCH_RULES = _compile_searched(PHRASE_RULES)
# The rules phrase_rule tries on a line of more than SHORT_MAX_WORDS words.
SEARCH_RULES_LONG_LINE = [row for row in SEARCH_RULES if row[2].mode != "short"]
STOPWORDS = frozenset(_read_word_list("clean_stopwords.txt"))
CREDIT_NAMES = _read_word_list("clean_credits.txt")

# --- line patterns --------------------------------------------------------------------------------

# Characters a crawler leaves that no reader sees: NBSP-like spaces become spaces, zero-widths go.
INVISIBLE = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\u200c": "",
             "\u200d": "", "\u2060": "", "\ufeff": ""}  # fmt: skip
TERMINAL_CHARS = frozenset(".!?…")
CLOSING_CHARS = "\"'”’»)]"
TITLE_BAD_END = re.compile(r"[.,;:]$")
WORD_CHARS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

_AGENCY = "|".join(
    re.escape(name) for name in sorted({*CREDIT_NAMES, *(n.upper() for n in CREDIT_NAMES)},
                                       key=len, reverse=True)
)  # fmt: skip
# A photographer's name inside a credit: up to four words ("Sergei Chuzavkov", "Ludovic Marin").
_NAME = r"(?:[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,3})"
# "Reuters", "AFP via Getty Images", "Sergei Chuzavkov/AFP/Getty Images", "PAP / EPA / PAP",
# "PAP/ Reuters/ Maciej Zieliński": names joined by "/" around at least one agency.
_SLASHED = rf"(?:{_NAME}\s?/\s?)*(?:{_AGENCY})(?:\s?/\s?(?:{_AGENCY}|{_NAME}))*"
_CREDIT = rf"(?:{_SLASHED}(?:\s*(?:,|\||\bvia\b|&)\s*{_SLASHED})*)"
CREDIT_ALONE = re.compile(
    rf"(?:(?:photo|photograph|image|picture|credit)s?\s*:?\s*)?[©(]?\s*{_CREDIT}\s*\)?\.?",
    re.IGNORECASE,
)
# "Photo: Stringer, Anadolu Agency", "Cover photo: President’s Office", "Photo credit: ...".
PHOTO_LABEL = re.compile(
    r"(?:cover |main |top |header )?(?:photo|photograph|image|picture|video|illustration)s?"
    r"(?: credits?)?\s*:\s*\S|photos? courtesy\b",
    re.IGNORECASE,
)
SOURCE_LABEL = re.compile(r"(?:sources?|credits?)\s*:\s*[^.!?]+", re.IGNORECASE)
# A caption ending in a credit (the line has no end punctuation after it). Each pattern comes
# with what every one of its matches contains, tested first because it is much cheaper than the
# pattern: an agency name (AGENCY_NAME, same case) and/or a piece of text ("" for none).
CAPTION_ENDINGS = [
    # "... city of Bakhmut. Reuters", "... in Bucha. Anatolii Stepanov/Pool/Getty Images"
    (True, "", re.compile(rf"[.!?][\"'”’]?\s+\(?{_CREDIT}\)?$")),
    # "... in Kyiv (Clodagh Kilcoyne/PA)", "... in Kharkov PAP/MyKola Kasyeniak"
    (True, "/", re.compile(rf"(?:^|\s)\(?(?:{_NAME}\s?/\s?)+(?:{_AGENCY})"
                          rf"(?:\s?/\s?(?:{_AGENCY}|{_NAME}))*(?:\s+via\s+{_SLASHED})?\)?$")),
    (True, "/", re.compile(rf"(?:^|\s)\(?(?:{_AGENCY})(?:\s?/\s?(?:{_AGENCY}|{_NAME}))+\)?$")),
    (True, "via", re.compile(rf"\s{_SLASHED}\s+via\s+{_SLASHED}$")),
    # "... Photograph: AP", "...Credit: Visit Ukraine", "Mark Hannah Courtesy of Mark Hannah"
    (False, ":", re.compile(r"(?:^|\s)(?:photograph|photo|image|picture|credit)s?"
                            r"\s*:\s*[^.!?]{1,60}$", re.IGNORECASE)),
    (False, "", re.compile(r"\s(?:courtesy of|photos? courtesy)\s[^.!?]{1,60}$", re.IGNORECASE)),
    # "Russian army on the border with Ukraine tvn24.pl": a caption credited to a website
    (False, ".", re.compile(r"\s[\w-]+\.(?:pl|ru|ua|com|net|org)$")),
]  # fmt: skip
# "Potential scenario of the invasion of Ukraine PAP": a bare agency name after a caption.
CAPTION_BARE = re.compile(rf"\s(?P<before>[\w’'-]+)\s+(?:{_CREDIT})$")
# Any agency name of the credit list, as written there (a credit pattern needs one to match).
AGENCY_NAME = re.compile(_AGENCY)
# Words after which a trailing agency name is the object of a sentence, not a credit.
NOT_CREDIT_BEFORE = frozenset(
    {"told", "tells", "tell", "said", "says", "say", "reported", "reports", "report", "quoted",
     "quotes", "cited", "cites", "citing", "interview", "via"}
)  # fmt: skip
# The same words twice or more on one line: a pull quote the page repeated.
REPEATED_TEXT = re.compile(r"(.{6,}?)(?:\s*\1)+")
GALLERY_COUNTER = re.compile(r"\d{1,3}\s?/\s?\d{1,3}(?!\d)")
BYLINE = re.compile(
    r"(?:By|BY|Written by|Words by|Authors?(?:/authors?)?|AUTHOR)\s*:?\s+(?P<name>[^.!?]{2,80})",
    re.IGNORECASE,
)
BYLINE_MAX_WORDS = 10
# "CNN —", "Hong Kong CNN —"; not an AFP subhead in dashes ("– Putin accuses US –").
DATELINE = re.compile(r"[^\W\d_][^.!?—–]{0,40}\s[—–]")
SIGNATURE = re.compile(r"[-–—]+\s*(?P<name>[^\W\d_][\w .&'’/-]{1,40})")  # "-al jazeera", "— AP"
SIGNATURE_MAX_WORDS = 4


# --- per-line features ----------------------------------------------------------------------------


@dataclass  # not frozen: one is built per line, and a frozen __init__ costs twice as much
class LineFeatures:
    text: str  # the stripped line
    n_words: int
    terminal: bool  # ends with . ! ? … (closing quotes and brackets allowed)

    @cached_property
    def stopword_ratio(self) -> float:
        words = WORD_CHARS.findall(self.text)
        return sum(1 for word in words if word.lower() in STOPWORDS) / len(words) if words else 0.0

    @property
    def is_sentence(self) -> bool:
        return (
            self.n_words >= SENTENCE_MIN_WORDS
            and self.terminal
            and self.stopword_ratio >= SENTENCE_MIN_STOPWORD_RATIO
        )


def line_features(line: str) -> LineFeatures:
    tail = line.rstrip(CLOSING_CHARS)
    return LineFeatures(line, len(line.split()), bool(tail) and tail[-1] in TERMINAL_CHARS)


def normalise_lines(text: str) -> list[str]:
    """CRLF -> LF, NBSP -> space, zero-widths removed, NFC, trailing whitespace stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char, replacement in INVISIBLE.items():  # str.translate is slower on long texts
        if char in text:
            text = text.replace(char, replacement)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return [line.rstrip() for line in text.split("\n")]


def phrase_rule(line: str, n_words: int) -> PhraseRule | None:
    """The lexicon rule that matches the stripped line, if any: modes line, start, any, short."""
    for mode, pattern in LINE_START_PATTERNS:
        match = pattern.fullmatch(line) if mode == "line" else pattern.match(line)
        if match and match.lastgroup:
            return PHRASE_RULES[int(match.lastgroup[1:])]
    if n_words > ANY_MAX_WORDS:
        return None
    lowered = line.lower()
    for trigger, pattern, rule in (
        SEARCH_RULES if n_words <= SHORT_MAX_WORDS else SEARCH_RULES_LONG_LINE
    ):
        if trigger in lowered and pattern.search(line):  # "" is in every line
            return rule
    return None


def caption_credit(line: str, features: LineFeatures) -> bool:
    """A photo caption that ends with its credit (a sentence never ends without punctuation)."""
    if features.terminal:
        return False
    has_agency = AGENCY_NAME.search(line) is not None
    for needs_agency, needed_text, pattern in CAPTION_ENDINGS:
        if (needs_agency and not has_agency) or needed_text not in line:
            continue  # the pattern cannot match
        match = pattern.search(line)
        # "... said on Sunday.(DPA, AFP/ viewer)": a source note glued to a paragraph, not a caption
        if match and (not line.endswith(")") or match.group(0).lstrip(" .!?\"'”’").startswith("(")):
            return True
    if not has_agency:
        return False
    bare = CAPTION_BARE.search(line)
    return bare is not None and bare["before"].lower() not in NOT_CREDIT_BEFORE | STOPWORDS


def line_rule(line: str, features: LineFeatures) -> tuple[str, str] | None:
    """(reason, kind) of the hard rule that removes this stripped line on its own, if any."""
    if not line[0].isalpha() and not any(char.isalpha() for char in line):  # most open with one
        return "no_letters", "block"
    if len(line) <= 2:
        return "fragment", "block"
    rule = phrase_rule(line, features.n_words)
    if rule is not None:
        return f"phrase:{rule.label}", rule.kind
    if CREDIT_ALONE.fullmatch(line):
        return "credit_alone", "block"
    if features.n_words <= CREDIT_MAX_WORDS and not features.terminal:
        if PHOTO_LABEL.match(line):
            return "photo_credit", "block"
        if SOURCE_LABEL.fullmatch(line):
            return "source_credit", "block"
    if caption_credit(line, features):
        return "caption_credit", "block"
    if not features.terminal and len(line) <= 300 and REPEATED_TEXT.fullmatch(line):
        return "repeated_text", "block"
    if GALLERY_COUNTER.match(line) and not features.is_sentence:
        return "gallery_counter", "block"
    if features.n_words <= 6 and DATELINE.fullmatch(line):
        return "dateline", "block"
    if byline_name(line, features) is not None:
        return "byline", "block"
    urls = URL.findall(line) if "://" in line or "www." in line else None
    if urls and sum(len(url) for url in urls) * 2 >= len(line):
        return "link_line", "block"
    return None


def byline_name(line: str, features: LineFeatures) -> str | None:
    if features.n_words > BYLINE_MAX_WORDS or features.terminal:
        return None
    match = BYLINE.fullmatch(line)
    if match is None or not line[:1].isupper():
        return None
    name = match["name"].strip()
    # "By the numbers" is a subhead: after "By" a name starts with a capital and is no stopword.
    if line[:2].lower() == "by" and (
        not name[:1].isupper() or name.split()[0].lower() in STOPWORDS
    ):
        return None
    return name


# --- the cleaner ----------------------------------------------------------------------------------


def clean_text(text: str, template_lines: frozenset[str] = frozenset()) -> CleanResult:
    """One article's text as crawled -> its clean body, title, removed lines and author.

    `template_lines` are stripped lines known to be template of the article's source (see
    clean_texts); they are removed with reason "repeated_in_source".
    """
    return _clean_lines(normalise_lines(text), template_lines, {})


# A stripped line -> its features and hard-rule hit (line_rule), which depend on the line alone.
LineHits = dict[str, tuple["LineFeatures", tuple[str, str] | None]]


def _clean_lines(
    lines: list[str], template_lines: frozenset[str], line_hits: LineHits
) -> CleanResult:
    """`line_hits` is shared by a batch: wire copy and page furniture repeat across documents."""
    stripped = [line.strip() for line in lines]
    features: dict[int, LineFeatures] = {}
    reasons: dict[int, str] = {}  # line_no -> reason, for removed lines
    inline: set[int] = set()  # removed markers whose neighbours are still article text
    author: str | None = None

    # Pass 1: rules on each line alone.
    for number, line in enumerate(stripped):
        if not line:
            continue
        known = line_hits.get(line)
        if known is None:
            feats = line_features(line)
            known = line_hits[line] = feats, line_rule(line, feats)
        feats, hit = known
        features[number] = feats
        if hit is None and line in template_lines:
            hit = ("repeated_in_source", "block")
        if hit is not None:
            reasons[number] = hit[0]
            if hit[1] == "inline":
                inline.add(number)
            if hit[0] == "byline" and author is None:
                author = byline_name(line, feats)

    # Pass 2: document rules. The title is the first line the hard rules kept.
    title_no = next((n for n in features if n not in reasons), None)
    seen: set[str] = set()
    for number in features:
        line = stripped[number]
        if number not in reasons and number != title_no:
            if line in seen and not _is_exclamation(features[number]):
                reasons[number] = "duplicate_line"
            elif _is_all_caps_link(line, features[number]):
                reasons[number] = "all_caps_line"
        seen.add(line)
    last_kept = next((n for n in reversed(features) if n not in reasons), None)
    if last_kept is not None and last_kept != title_no and not features[last_kept].terminal:
        signature = _signature_name(stripped[last_kept])
        if signature is not None:
            reasons[last_kept] = "signature"
            author = author or signature

    # Pass 3: block smoothing over non-blank lines; inline markers are transparent.
    order = [n for n in features if n not in inline]
    protected = set()
    if title_no is not None and (
        title_no == first_line_no(stripped) or features[title_no].n_words >= TITLE_PROTECT_MIN_WORDS
    ):
        protected.add(title_no)
    reasons.update(_smooth(order, reasons, features, protected))

    # Pass 4: assembly.
    kept = [n for n in features if n not in reasons]
    title = None
    if kept and _looks_like_title(stripped[kept[0]], features[kept[0]]):
        title = stripped[kept[0]]
    removed = tuple(
        RemovedLine(number, lines[number], reasons[number]) for number in sorted(reasons)
    )
    body, dateline_place = strip_inline_dateline(_assemble(lines, reasons), title)
    return CleanResult(body, title, removed, author, dateline_place)


# "KYIV, Ukraine (AP) — ", "MOSCOW, September 20. /TASS/. ", "KYIV, Jan 10 (Reuters) - ": a place in
# capitals, maybe a date, then an agency mark and/or a dash. It is metadata, not part of the report.
INLINE_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'.-]{2,}(?: [A-Z][A-Z'.-]{2,})*"  # KYIV, NEW YORK
    r"(?:,[ \t]+[A-Z][\w'.-]+(?: [A-Z][\w'.-]+)*)?)"  # , Ukraine
    r"(?:,[ \t]+[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?\.?[ \t]*"  # , Jan 10
    r"(?:(?:\([A-Za-z][\w ]{1,20}\)|/[A-Za-z]{2,10}/)\.?[ \t]*"  # (Reuters) or /TASS/.
    r"(?:[—–-]{1,2}[ \t]+)?|[—–-]{1,2}[ \t]+)"  # and/or a dash
    r"(?=\S)"
)


def strip_inline_dateline(body: str, title: str | None) -> tuple[str, str | None]:
    """Take a dateline off the start of the report's first paragraph -> (body, place)."""
    start = len(title) + 2 if title and body.startswith(title + "\n\n") else 0
    match = INLINE_DATELINE.match(body, start)
    if match is None:
        return body, None
    return body[:start] + body[match.end() :], match["place"]


def first_line_no(stripped: list[str]) -> int | None:
    return next((n for n, line in enumerate(stripped) if line), None)


def _is_exclamation(features: LineFeatures) -> bool:
    """A short line that ends like a sentence ("Glory to Ukraine!") may repeat in a speech."""
    return features.terminal and features.n_words < SENTENCE_MIN_WORDS


def _is_all_caps_link(line: str, features: LineFeatures) -> bool:
    return features.n_words >= ALL_CAPS_MIN_WORDS and line.isupper()


def _signature_name(line: str) -> str | None:
    match = SIGNATURE.fullmatch(line)
    if match is None or len(line.split()) > SIGNATURE_MAX_WORDS:
        return None
    return match["name"].strip()


def _smooth(
    order: list[int],
    reasons: dict[int, str],
    features: dict[int, LineFeatures],
    protected: set[int],
) -> dict[int, str]:
    """Lines to remove because they sit in a block of removed lines (see the module docstring)."""
    extra: dict[int, str] = {}
    position = 0
    while position < len(order):
        if order[position] in reasons:
            position += 1
            continue
        end = position
        while end < len(order) and order[end] not in reasons:
            end += 1
        run = order[position:end]  # kept lines order[position:end]
        removed_before = position > 0
        at_end = end == len(order)
        if (
            removed_before
            and len(run) <= SMOOTHING_MAX_RUN
            and not any(n in protected or features[n].is_sentence for n in run)
            # the end of the text closes a block only for lines that do not end like a sentence
            and not (at_end and any(features[n].terminal for n in run))
        ):
            extra.update((n, "block_smoothing") for n in run)
        else:
            for index, number in enumerate(run):
                feats = features[number]
                next_to_cruft = (index == 0 and removed_before) or (
                    index == len(run) - 1 and not at_end
                )
                if not next_to_cruft or number in protected or feats.terminal:
                    continue
                # Only a line followed by cruft: a short line followed by text is a subhead.
                if feats.n_words <= TINY_LINE_MAX_WORDS and index == len(run) - 1 and not at_end:
                    extra[number] = "short_near_removed"
                elif _is_tag_list(feats):
                    extra[number] = "tag_list"
        position = end
    return extra


def _is_tag_list(features: LineFeatures) -> bool:
    """ "Ukraine Russia Kyiv Moscow Belgorod": capitalised words without a single stopword."""
    words = features.text.split()
    if not TAG_LIST_MIN_WORDS <= len(words) <= SHORT_MAX_WORDS or features.stopword_ratio > 0:
        return False
    capitalised = sum(1 for word in words if word[:1].isupper())
    return capitalised >= TAG_LIST_MIN_CAPITALISED * len(words)


def _looks_like_title(line: str, features: LineFeatures) -> bool:
    return (
        TITLE_MIN_WORDS <= features.n_words <= TITLE_MAX_WORDS
        and TITLE_BAD_END.search(line) is None
    )


def _assemble(lines: list[str], reasons: dict[int, str]) -> str:
    """Kept lines in order; a blank line between paragraphs; no leading or trailing blanks."""
    out: list[str] = []
    pending_blank = False
    for number, line in enumerate(lines):
        if number in reasons:
            continue
        if not line.strip():
            pending_blank = bool(out)
            continue
        if pending_blank:
            out.append("")
            pending_blank = False
        out.append(line)
    return "\n".join(out)


def template_lines_by_source(
    texts: Sequence[str], sources: Sequence[str | None]
) -> dict[str, frozenset[str]]:
    """Lines that are template of a source: verbatim in >= 3 of its documents and >= 50% of them."""
    return _templates([normalise_lines(text) for text in texts], sources)


def _templates(
    documents: Sequence[list[str]], sources: Sequence[str | None]
) -> dict[str, frozenset[str]]:
    docs_per_source = Counter(source for source in sources if source is not None)
    line_docs: dict[str, Counter[str]] = defaultdict(Counter)
    for lines, source in zip(documents, sources, strict=True):
        if source is not None and docs_per_source[source] >= REPEATED_MIN_DOCS:
            line_docs[source].update({line.strip() for line in lines} - {""})
    return {
        source: frozenset(
            line
            for line, count in line_docs[source].items()
            if count >= REPEATED_MIN_DOCS and count >= REPEATED_MIN_SHARE * n_docs
        )
        for source, n_docs in docs_per_source.items()
    }


def clean_texts(texts: Sequence[str], sources: Sequence[str | None]) -> list[CleanResult]:
    """Clean a batch; lines repeated across documents of one source are removed as template."""
    if len(texts) != len(sources):
        raise ValueError(f"{len(texts)} texts but {len(sources)} sources")
    documents = [normalise_lines(text) for text in texts]
    templates = _templates(documents, sources)
    line_hits: LineHits = {}
    return [
        _clean_lines(
            lines, templates.get(source, frozenset()) if source else frozenset(), line_hits
        )
        for lines, source in zip(documents, sources, strict=True)
    ]


# --- batch wrapper for the flow -------------------------------------------------------------------

REMOVED_COLUMNS = ["article_id", "line_no", "text", "reason"]


# What clean_articles reads of an articles frame: a CPU worker is sent only these.
CLEAN_INPUT_COLUMNS = ["article_id", "source", "raw_text"]
CLEANED_COLUMNS = ["title", "body", "author", "dateline_place", "n_removed_lines"]


def clean_articles(articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles with raw_text -> (a new frame adding title, body, author, dateline_place,
    n_removed_lines; one row per removed line: article_id, line_no, text, reason)."""
    cleaned, removed = cleaned_fields(articles)
    return with_fields(articles, cleaned), removed


def with_fields(articles: pd.DataFrame, fields: pd.DataFrame) -> pd.DataFrame:
    """`articles` with the columns of `fields`, a frame with a row per article in their order."""
    aligned = fields.set_axis(articles.index)
    return articles.assign(**{column: aligned[column] for column in aligned.columns})


def cleaned_fields(articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What clean_articles adds, alone: (CLEANED_COLUMNS, a row per article in its order; the
    removed lines). A worker returns only these, not the raw text the caller holds already."""
    sources = [
        None if pd.isna(s) else str(s) for s in articles.get("source", [None] * len(articles))
    ]
    results = clean_texts(list(articles["raw_text"]), sources)
    cleaned = pd.DataFrame(
        {
            "title": [r.title for r in results],
            "body": [r.body for r in results],
            "author": [r.author for r in results],
            "dateline_place": [r.dateline_place for r in results],
            "n_removed_lines": [len(r.removed) for r in results],
        },
        columns=CLEANED_COLUMNS,
    )
    removed = pd.DataFrame(
        [
            (article_id, line.line_no, line.text, line.reason)
            for article_id, result in zip(articles["article_id"], results, strict=True)
            for line in result.removed
        ],
        columns=REMOVED_COLUMNS,
    )
    return cleaned, removed
