"""Extract drone-attack events from a clean article body.

One `DroneEvent` per article x date x first-level region; one `DroneTotal` per nationwide figure
("Russia has downed 53 Ukrainian drones"). The rules are general and table-driven:

1. Split the body into paragraphs and sentences (compiled regexes, offsets kept).
2. Keep sentences that speak of drones (tasks/data/extract_phrases.toml) and of an attack or a
   shoot-down; skip generic, hypothetical and background sentences.
3. Find the regions and towns named (tasks/gazetteer.py), dropping places that are only an
   origin ("from occupied Crimea"), a distance reference ("110km south-east of the capital"),
   an intended target ("intended to attack the Russian capital"), a visit or a metonym
   ("the Kyiv regime", "Moscow's invasion").
4. Bind each drone count to the region it is said of ("44 of them were downed in Rostov");
   a count over a list of regions or over a country is a nationwide total.
5. Give each row its date (sentence, then paragraph, then the article's lead date, then the
   publication date), its outcomes (killed, injured, damage, also from the next sentences)
   and its claimant, then merge rows about the same date and region. The merged row keeps
   one count and one claimant; each source's own figures are kept apart as its claims
   (`DroneClaim`, `_claim_of`): the ministry's "44" and the governor's "more than 40" are two
   claims about one attack.
6. Sentences without drones may report other conflict events at the same grain: a missile
   attack, shelling, a ground battle or a territory change. Cue lists (with fast substring
   triggers) type each place by the nearest cue; generic, hedged, historical and diplomatic
   sentences are skipped.
7. Every row also gets its outcome (intercepted / hit / mixed / unknown), weapon and target
   (tasks/data/extract_weapons.csv, extract_targets.csv), casualty qualifiers, ACLED codes
   (`acled_codes`), coordinates from the gazetteer, the body offsets of the place, count and
   time expression it used, and a confidence score (`_confidence`).

`extract_drone_events` is the pure function; `extract_tables` (bottom) runs it over a batch of
articles and returns the `events`, `drone_totals` and `claims` tables (`extract_frames`: the
first two).
"""

from __future__ import annotations

import csv
import hashlib
import re
import re._constants as _sre  # regex item codes, for required_literals
import re._parser as _sre_parser
import sys
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from tasks.clean import literal_trigger
from tasks.dates import TimeExpression, as_date
from tasks.gazetteer import CITY_REGION, PlaceMatch, find_places, region_name, region_point

DATA_DIR = Path(__file__).parent / "data"
PHRASES_TOML = DATA_DIR / "extract_phrases.toml"
WEAPONS_CSV = DATA_DIR / "extract_weapons.csv"
TARGETS_CSV = DATA_DIR / "extract_targets.csv"


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DroneEvent:
    """One row per article x event type x date x first-level region.

    Drone attacks are the core; missile_attack, shelling, ground_battle and territory_change
    rows share the same columns (their drone counts stay null).
    """

    event_type: str  # drone_attack, missile_attack, shelling, ground_battle, territory_change
    event_date: date | None
    event_date_start: date | None  # the evening before for an overnight attack, else = event_date
    date_precision: str  # day, night, week, month, publication, unknown
    country_code: str  # ISO 3166-1 alpha-2 of the region
    admin1_code: str  # ISO 3166-2 of the region (country code for a country-level place)
    location: str  # the most specific named place
    attacker: str | None  # "UA" or "RU"
    drones_launched: int | None
    drones_destroyed: int | None
    count_qualifier: str | None  # exact, at_least, approx, vague
    killed: int | None
    injured: int | None
    damage: bool | None
    claimed_by: str | None
    evidence: str  # the sentence(s) the row came from
    evidence_start: int  # char offset of the evidence in body
    evidence_end: int
    outcome: str | None = None  # intercepted, hit, mixed, unknown (null for battles)
    weapon: str | None = None  # "Shahed-136/Geran-2", "Lancet", "Iskander", ... when named
    target: str | None = None  # oil depot, refinery, substation, airbase, residential, ...
    killed_qualifier: str | None = None  # exact, at_least, approx (null when killed is null)
    injured_qualifier: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str | None = None  # town, region, country
    place_start: int | None = None  # body offsets of the place name used
    place_end: int | None = None
    count_start: int | None = None  # body offsets of the count used (null: no count)
    count_end: int | None = None
    date_start: int | None = None  # body offsets of the time expression used (null: none)
    date_end: int | None = None
    confidence: float = 0.0  # 0..1, see _confidence


# Conflict events share the drone row's columns.
ConflictEvent = DroneEvent


@dataclass(frozen=True)
class DroneTotal:
    """A nationwide figure without a region, for the country whose defences met the drones."""

    country_code: str
    event_date: date | None
    drones_launched: int | None
    drones_destroyed: int | None
    count_qualifier: str | None
    claimed_by: str | None
    evidence: str
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class DroneClaim:
    """What one source says about one event row: its own figures and the sentence(s) it said
    them in. An event row has one claim per source (two when a source changes its figure); its
    own merged values keep the most exact count and the first source."""

    event_type: str  # the key of the event row the claim supports
    event_date: date | None
    admin1_code: str
    claimed_by: str | None  # null: no source named near the sentence
    drones_launched: int | None
    drones_destroyed: int | None
    count_qualifier: str | None  # exact, at_least, approx, vague
    killed: int | None
    injured: int | None
    damage: bool | None
    evidence: str  # body[evidence_start:evidence_end]: the claim's sentence(s)
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class Extraction:
    events: tuple[DroneEvent, ...]
    totals: tuple[DroneTotal, ...]
    claims: tuple[DroneClaim, ...] = ()  # every event's claims, in the order of `events`


# --------------------------------------------------------------------------------------------
# Compiled phrase lists
# --------------------------------------------------------------------------------------------


@cache
def _phrases() -> dict[str, Any]:
    with PHRASES_TOML.open("rb") as handle:
        return tomllib.load(handle)


def _words(key: str) -> str:
    return "|".join(f"(?:{item})" for item in _phrases()[key])


# --- Literal text every match of a phrase contains (the Cue pre-filter below) -------------------

MAX_LITERALS = 64  # cap on the alternatives one requirement may list ("(?:a|b)(?:c|d)": 4)
_ZERO_WIDTH = {_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT}  # \b, ^, lookarounds: they match no text


def fold_for_literals(text: str, lowered: str | None = None) -> str:
    """Lower-case `text` so that wherever an ignore-case regex matches an ASCII literal, the
    folded text holds that literal in lower case. `str.lower` alone is not enough for three
    letters the regex equates with ASCII ones: "İ" (lowered to "i" plus a combining dot), "ı"
    and "ſ" (kept as they are). The offsets of the folded text may differ from the text's.
    `lowered`: text.lower(), when the caller has it already."""
    folded = text.lower() if lowered is None else lowered
    if not text.isascii():
        folded = folded.replace("i\u0307", "i").replace("ı", "i").replace("ſ", "s")
    return folded


def required_literals(phrase: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case strings such that every match of the regex `phrase` (ignoring case) contains
    one of them; None when its literal text gives no such set.

    "(?:weeks|months|years) ago" -> {"weeks ago", "months ago", "years ago"}: stretches of exact
    text (literals, optional letters, groups of literal alternatives) are multiplied out, and
    the most selective set wins (`_selectivity`).
    """
    found = _sequence_requirement(list(_sre_parser.parse(phrase, flags)))
    return None if found is None else frozenset(found)


def _exact_strings(op: object, arg: Any) -> set[str] | None:
    """The strings a regex item can match, when it matches only literal ASCII text."""
    if op in _ZERO_WIDTH:
        return {""}
    if op is _sre.LITERAL:
        char = chr(arg)
        return {char.lower()} if char.isascii() else None
    if op is _sre.SUBPATTERN:
        return _sequence_strings(list(arg[-1]))
    if op is _sre.BRANCH:
        strings = _union_over_branches(arg[1], _sequence_strings)
        return strings if strings is not None and len(strings) <= MAX_LITERALS else None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, high, item = arg
        once = _sequence_strings(list(item))
        if once is None or high != 1:
            return None
        return once | {""} if low == 0 else once
    return None


def _sequence_strings(items: list) -> set[str] | None:
    """The strings a sequence of regex items can match, when it matches only literal text."""
    strings = {""}
    for op, arg in items:
        exact = _exact_strings(op, arg)
        if exact is None or len(strings) * len(exact) > MAX_LITERALS:
            return None
        strings = {a + b for a in strings for b in exact}
    return strings


def _sequence_requirement(items: list) -> set[str] | None:
    """The most selective set of strings one of which every match of the sequence contains:
    the strings of a stretch of consecutive exact items (multiplied out), or what a required
    group contains."""
    pieces: list[tuple[set[str] | None, tuple]] = []  # (exact strings, item)
    for op, arg in items:
        exact = _exact_strings(op, arg)
        previous = pieces[-1][0] if pieces else None
        if exact is not None and len(exact) == 1 and previous is not None and len(previous) == 1:
            # One piece per run of single strings: "d", "r", "o", ... -> "drone".
            pieces[-1] = ({next(iter(previous)) + next(iter(exact))}, (op, arg))
            continue
        pieces.append((exact, (op, arg)))
    candidates: list[set[str] | None] = []
    for start, (_, item) in enumerate(pieces):
        candidates.append(_item_requirement(*item))  # what a group holds, exact or not
        strings = {""}
        for stretch in pieces[start:]:
            if stretch[0] is None or len(strings) * len(stretch[0]) > MAX_LITERALS:
                break
            strings = {a + b for a in strings for b in stretch[0]}
            candidates.append(strings)
    usable = [c for c in candidates if c and "" not in c]
    return max(usable, key=_selectivity, default=None)


GOOD_LITERAL_LENGTH = 6  # strings this long are rare enough; fewer of them test faster


def _selectivity(strings: set[str]) -> tuple[int, int, int]:
    shortest = min(map(len, strings))
    return (min(shortest, GOOD_LITERAL_LENGTH), -len(strings), shortest)


def _item_requirement(op: object, arg: Any) -> set[str] | None:
    """What a required, not exact, group contains (None: nothing known)."""
    if op is _sre.SUBPATTERN:
        return _sequence_requirement(list(arg[-1]))
    if op is _sre.BRANCH:
        return _union_over_branches(arg[1], _sequence_requirement)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] >= 1:
        return _sequence_requirement(list(arg[2]))
    return None


def _union_over_branches(
    branches: Iterable[Any], of_branch: Callable[[list], set[str] | None]
) -> set[str] | None:
    """`of_branch` of every alternative of a branch, united; None when one of them is None."""
    strings: set[str] = set()
    for branch in branches:
        found = of_branch(list(branch))
        if found is None:
            return None
        strings |= found
    return strings


def _without_redundant(strings: Iterable[str]) -> tuple[str, ...]:
    """The strings, less those that contain another one (finding the shorter one suffices)."""
    unique = sorted(set(strings), key=lambda s: (len(s), s))
    kept: list[str] = []
    for string in unique:
        if not any(shorter in string for shorter in kept):
            kept.append(string)
    return tuple(kept)


class Gated:
    """A compiled regex behind a substring test: a text that holds none of `required` (strings
    one of which every match contains, see `required_literals`) cannot match, and `in` takes
    far less time than `re`, which tries every alternative at every position of the text (0.13
    ms an article for the drone nouns alone). Without such strings, every text goes to the
    regex. search, finditer and sub work as re.Pattern's."""

    __slots__ = ("pattern", "required")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        required = required_literals(pattern, flags)
        self.required = None if required is None else _without_redundant(required)

    def _may_match(self, text: str) -> bool:
        return self.required is None or self.holds_required(fold_for_literals(text))

    def holds_required(self, folded: str) -> bool:
        """May a text whose `fold_for_literals` is `folded` match? (Fold once, test many.)"""
        if self.required is None:
            return True
        for string in self.required:  # noqa: SIM110 - a plain loop: faster than any()
            if string in folded:
                return True
        return False

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if not self._may_match(text[pos:endpos]):
            return None
        return self.pattern.search(text, pos, endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._may_match(text) else iter(())

    def sub(self, replacement: str, text: str) -> str:
        return self.pattern.sub(replacement, text) if self._may_match(text) else text


class Cue(Gated):
    """A phrase list's regex (whole words, ignoring case), gated like any `Gated` regex, and
    then run with only the phrases whose own required literals the text holds: a phrase
    without them matches nowhere in the text, so leaving it out of the alternation changes no
    match, and `re` (which under IGNORECASE tries every alternative at every word) runs faster.

    The phrases' literal starts (clean.literal_trigger) were this module's first such test, on
    the case-folded text. It is wrong on texts with "ı" or "İ" (casefold keeps "ı" and turns "İ"
    into two characters, while the regex takes both for "i"): it may skip a text the regex
    matches. On such texts it is kept, so that the output stays what it has been; on all others
    it only skips texts the regex cannot match, which the other tests do as well.
    """

    __slots__ = ("starts", "phrases", "literals", "phrases_of", "unfiltered")

    def __init__(self, phrases: list[str]) -> None:
        self.phrases = tuple(phrases)
        super().__init__(_alternation(self.phrases).pattern, re.IGNORECASE)
        # Lower-cased first: the regex ignores case, and literal_trigger reads lower-case text.
        starts = [literal_trigger(phrase.lower()) for phrase in phrases]
        self.starts = (
            None if None in starts else _without_redundant(s for s in starts if s is not None)
        )
        literals = [required_literals(phrase, re.IGNORECASE) for phrase in phrases]
        # Each literal once, with the indices of the phrases that require it, and the phrases
        # without literals, which every text may match.
        self.phrases_of: dict[str, list[int]] = {}
        for index, found in enumerate(literals):
            for literal in _without_redundant(found or ()):
                self.phrases_of.setdefault(literal, []).append(index)
        self.literals = tuple(self.phrases_of)
        self.unfiltered = {index for index, found in enumerate(literals) if found is None}

    def _pattern_for(self, text: str, lowered: str | None = None) -> re.Pattern[str] | None:
        """The regex of the phrases `text` may match; None when it may match none.
        `lowered`: text.lower(), when the caller has it already."""
        if self.starts is not None and ("ı" in text or "İ" in text):
            folded = text.casefold()
            if not any(start in folded for start in self.starts):
                return None
        folded = fold_for_literals(text, lowered)
        if not self.holds_required(folded):
            return None
        return _subset_pattern(self, tuple([lit for lit in self.literals if lit in folded]))

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        pattern = self._pattern_for(text[pos:endpos])
        return None if pattern is None else pattern.search(text, pos, endpos)

    def search_lowered(self, text: str, lowered: str) -> re.Match[str] | None:
        """search(text), given text.lower() (a long text's, to lower it once)."""
        pattern = self._pattern_for(text, lowered)
        return None if pattern is None else pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pattern = self._pattern_for(text)
        return iter(()) if pattern is None else pattern.finditer(text)

    def sub(self, replacement: str, text: str) -> str:
        pattern = self._pattern_for(text)
        return text if pattern is None else pattern.sub(replacement, text)


@lru_cache(maxsize=4096)  # texts hold few combinations of a phrase list's literals
def _subset_pattern(cue: Cue, literals: tuple[str, ...]) -> re.Pattern[str] | None:
    """The regex of the phrases of `cue` that a text holding (of the phrases' literals) only
    `literals` may match; None when it may match none."""
    may_match = set(cue.unfiltered)
    for literal in literals:
        may_match.update(cue.phrases_of[literal])
    if not may_match:
        return None
    return _alternation(tuple(cue.phrases[index] for index in sorted(may_match)))


@lru_cache(maxsize=4096)  # one regex per subset of a phrase list (fixed data), not per text
def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """The phrases as whole words, ignoring case, earlier phrases first."""
    alternatives = "|".join(f"(?:{phrase})" for phrase in phrases)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _compile(key: str) -> Cue:
    return Cue(_phrases()[key])


DRONE_NOUN = _words("drone_nouns")
WEAK_NOUN = _words("weak_drone_nouns")
DRONE_RE = _compile("drone_nouns")
WEAK_DRONE_RE = Gated(r"\b(?:aerial|airborne|air) targets?\b", re.IGNORECASE)
DESTROY_RE = _compile("destroy_verbs")
ATTACK_RE = _compile("attack_verbs")
LAUNCH_RE = _compile("launch_verbs")
GENERIC_RE = _compile("generic_cues")
BACKGROUND_RE = _compile("background_cues")
HYPOTHETICAL_RE = _compile("hypothetical_cues")
NO_CASUALTY_RE = _compile("no_casualty_cues")
NO_INJURY_RE = _compile("no_injury_cues")
NO_DAMAGE_RE = _compile("no_damage_cues")
DAMAGE_RE = _compile("damage_cues")
CLAIMANT_RES = [
    (Gated(rf"\b{pattern}\b", re.IGNORECASE), label) for pattern, label in _phrases()["claimants"]
]
# A quotation that speaks of the future: "“We will respond to every drone attack,” he said."
QUOTED_FUTURE_RE = Gated(r"^\W*[“\"][^”\"]*\b(?:will|would|could|should|must|may|might)\b")
OTHER_WEAPON_RE = Gated(
    r"\b(?:missiles?|shell(?:ing|ed|s)|artillery|rockets?|bombs?|airstrikes?|air strikes?)\b",
    re.IGNORECASE,
)

# Other conflict events (read from sentences that do not speak of drones).
MISSILE_RE = _compile("missile_nouns")
SHELLING_RE = _compile("shelling_nouns")
STRIKE_RE = _compile("strike_verbs")
BATTLE_RE = _compile("battle_cues")
TERRITORY_RE = _compile("territory_cues")
DIPLOMACY_RE = _compile("diplomacy_cues")
HEDGE_RE = _compile("other_event_hedges")
OTHER_TRIGGERS: dict[str, tuple[str, ...]] = {
    event_type: tuple(stems) for event_type, stems in _phrases()["other_event_triggers"].items()
}
# Something reached the ground: the attack hit, not only was shot down.
IMPACT_RE = Gated(
    r"\b(?:hit|hits|struck|crashed into|crashed on|slammed into|fell on(?:to)?|exploded|"
    r"explosions?|detonated)\b",
    re.IGNORECASE,
)


def _lexicon(path: Path) -> list[tuple[Gated, str, str]]:
    """(compiled pattern, label, family) rows of a lexicon CSV (family defaults to "")."""
    with path.open(encoding="utf-8") as handle:
        return [
            (
                Gated(rf"\b(?:{row['pattern']})\b", re.IGNORECASE),
                row["label"],
                row.get("family") or "",
            )
            for row in csv.DictReader(handle)
        ]


WEAPONS = _lexicon(WEAPONS_CSV)
TARGETS = _lexicon(TARGETS_CSV)
WEAPON_FAMILY = {"drone_attack": "drone", "missile_attack": "missile", "shelling": "artillery"}

# A sentence that continues the previous drone sentence: "The attacks — in ... — had been
# suppressed", "It fell near ...".
ANAPHOR_RE = Gated(
    r"^\W*(?:The|These|Those|Both)\s+(?:attacks?|strikes?|raids?)\b|^\W*(?:It|They)\s+"
    r"(?:fell|crashed|exploded|hit|struck|landed|was|were)\b"
    r"|\b(?:\d+|all|most|some|none) of them\b"
)

# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

PARAGRAPH_RE = re.compile(r"[^\n]+")
# Regexes of abbreviations (without their full stop) that end no sentence.
ABBREVIATIONS = [
    "Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Lt", "Col", "Sgt",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "No", r"U\.S", r"U\.K", "approx", "vs", "etc",
    "[A-Z]",  # an initial: "J. Smith"
]  # fmt: skip


def _not_after_abbreviation() -> str:
    """Lookbehinds that fail after the full stop of an abbreviation ("Mr.", "U.S."): `re` then
    skips it (fewer matches for Python to test). One lookbehind per length (they need a fixed
    width), and \\b in them sees the text before, as a search of the sentence so far would."""
    by_length: dict[int, list[str]] = {}
    for abbreviation in ABBREVIATIONS:
        length = len(re.sub(r"\\.|\[.*?\]", "_", abbreviation))
        by_length.setdefault(length, []).append(abbreviation)
    return "".join(rf"(?<!\b(?:{'|'.join(group)})\.)" for group in by_length.values())


SENTENCE_END_RE = re.compile(
    rf"(?:\.{_not_after_abbreviation()}|[!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])"
)
# The same for a paragraph without "!" or "?": `re` scans faster for a literal first character
# than for a class of them.
FULL_STOP_END_RE = re.compile(rf"\.{_not_after_abbreviation()}[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


class _Sentence(NamedTuple):  # a NamedTuple: an article has dozens, built fast
    start: int
    end: int
    text: str
    paragraph: int


def split_sentences(body: str) -> list[_Sentence]:
    """Sentences with their offsets; every line of the body is a paragraph."""
    sentences: list[_Sentence] = []
    for paragraph_no, paragraph in enumerate(PARAGRAPH_RE.finditer(body)):
        text, base, cursor = paragraph.group(), paragraph.start(), 0
        ends = SENTENCE_END_RE if "!" in text or "?" in text else FULL_STOP_END_RE
        for end in ends.finditer(text):
            stop = end.end()
            piece = text[cursor:stop].rstrip()
            if piece:  # (rstripped: not only whitespace)
                sentences.append(
                    _Sentence(base + cursor, base + cursor + len(piece), piece, paragraph_no)
                )
            cursor = stop
        piece = text[cursor:].rstrip()
        if piece:
            sentences.append(
                _Sentence(base + cursor, base + cursor + len(piece), piece, paragraph_no)
            )
    return sentences


# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------

CAPITALS = {"RU": "RU-MOW", "UA": "UA-30", "BY": "BY", "PL": "PL", "MD": "MD", "RO": "RO"}
FOREIGN = {"BY", "PL", "MD", "RO"}
OCCUPIED_BY_RU = {"UA-43", "UA-40"}  # Crimea and Sevastopol: drones there come from Ukraine
BARE_CAPITAL_RE = re.compile(r"\bthe (?:country[’']s |nation[’']s )?capital\b(?![’']s)")
# Text just before a place that makes it something other than where the drones were.
# The \b before the alternatives, not in each: `re` then tries them at word starts only (4x
# faster).
NOT_LOCATION_BEFORE_RE = Gated(
    r"\b(?:from|by|accus\w+|"
    r"(?<!in the )(?:north|south|east|west)(?:-?(?:north|south|east|west))?(?:ern)?\s+of|"
    r"intend\w* to (?:attack|strike|hit)|head\w* (?:to|towards?|for)|"
    r"on (?:its|their) way to|flying towards?|towards?|visit (?:to|in)|trip to|"
    r"heads? to|heading to|travel\w* to|border\w*|neighbou?ring|located in|"
    r"based in|headquartered in|stationed in|near the border with|"
    r"citizens? of|president of|pressure on|war (?:on|against|with)|ties with|"
    r"relations with|talks with|threats? to|danger to|banks? of)"
    r"(?:\s+(?:the|occupied|annexed|Russian-occupied|Russian-annexed|southern|northern|"
    r"Russia[’']s|Ukraine[’']s|"
    r"eastern|western|central|of|from|to))*\s*$",
    re.IGNORECASE,
)
DISTANCE_BEFORE_RE = Gated(
    r"\d\s*(?:km|kilometres?|kilometers?|miles?)\b[^,;]{0,30}\b(?:of|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
METONYM_AFTER_RE = re.compile(
    r"^(?:[’']s\b|\s+(?:regime|government|authorities|officials|leadership|said|says|"
    r"(?:has|have|had) (?:said|denied|claimed|accused|blamed|warned|insisted|long)|"
    r"claims?|claimed|accused|accuses|denied|denies|blamed|blames|warned|warns|"
    r"launch(?:ed|es)|sen[dt]s?|fired|attack(?:ed|s)|target(?:ed|s)|struck|strikes|hits?|"
    r"us(?:ed|es)|carried|stepped|retaliated|responded|"
    r"maintains|maintained|increases|insists|wants|river|River|direction)\b)"
)
RIVER_AFTER_RE = re.compile(r"^\s+(?:river|River)\b")
CAPITAL_CODES = {"RU-MOW", "UA-30"}
PLURAL_REGION_RE = re.compile(r"\b(?:regions|oblasts|provinces|krais)$", re.IGNORECASE)
LIST_GAP_RE = re.compile(r"^(?:,\s*|\s+and\s+|,\s+and\s+|\s+or\s+|\s*/\s*)(?:the\s+)?$")


@dataclass(frozen=True)
class _Place:
    start: int  # offset in the sentence
    end: int
    admin1_code: str
    country_code: str
    name: str
    kind: str
    point: tuple[float, float] | None = None  # the place's own coordinates
    named: bool = True  # False for "the capital", resolved by context


def _is_location(sentence: str, match: PlaceMatch) -> bool:
    if match.text.isupper() and len(match.text) > 3:
        return False  # a dateline: "KYIV, Jan 10 (Reuters) -"
    before = sentence[max(0, match.start - 60) : match.start]
    after = sentence[match.end : match.end + 14]
    if NOT_LOCATION_BEFORE_RE.search(before) or DISTANCE_BEFORE_RE.search(before):
        return False
    if match.admin1_code in CAPITAL_CODES and match.kind == "city":
        return not METONYM_AFTER_RE.match(after)
    return not RIVER_AFTER_RE.match(after)


def _places(sentence: str, context_country: str | None) -> list[_Place]:
    """First-level places where the sentence's drones were, in order of mention."""
    found = [
        _Place(
            m.start,
            m.end,
            m.admin1_code,
            m.country_code,
            m.name,
            m.kind,
            None if m.latitude is None or m.longitude is None else (m.latitude, m.longitude),
        )
        for m in find_places(sentence)
        if _is_location(sentence, m)
    ]
    if context_country in CAPITALS:
        for m in BARE_CAPITAL_RE.finditer(sentence):
            fake = PlaceMatch(
                m.start(),
                m.end(),
                m.group(),
                "",
                CAPITALS[context_country],
                context_country,
                "city",
            )
            if _is_location(sentence, fake):
                found.append(
                    _Place(
                        m.start(),
                        m.end(),
                        fake.admin1_code,
                        context_country,
                        region_name(fake.admin1_code),
                        "city",
                        named=False,
                    )
                )
        found.sort(key=lambda p: p.start)
    return found


def _groups(sentence: str, places: list[_Place]) -> list[list[_Place]]:
    """Places listed together ("the Kursk, Belgorod and Krasnodar regions") form one group."""
    groups: list[list[_Place]] = []
    for place in places:
        if groups and LIST_GAP_RE.match(sentence[groups[-1][-1].end : place.start]):
            groups[-1].append(place)
        else:
            groups.append([place])
    # "Kyiv, Donetsk and Khmelnytskyi oblasts": every name of the list is a region.
    for group in groups:
        if len(group) > 1 and PLURAL_REGION_RE.search(sentence[group[-1].start : group[-1].end]):
            group[:] = [
                _Place(
                    p.start,
                    p.end,
                    CITY_REGION.get(p.admin1_code, p.admin1_code),
                    p.country_code,
                    region_name(CITY_REGION.get(p.admin1_code, p.admin1_code)),
                    "region",
                    named=p.named,
                )
                for p in group
            ]
    return groups


# --------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "a dozen": 12,
}
VAGUE_WORDS = r"dozens|several|scores|hundreds|a number|multiple|many|numerous|a few|some"
QUALIFIERS = {
    "more than": "at_least",
    "over": "at_least",
    "at least": "at_least",
    "upwards of": "at_least",
    "no fewer than": "at_least",
    "about": "approx",
    "around": "approx",
    "some": "approx",
    "nearly": "approx",
    "almost": "approx",
    "approximately": "approx",
    "up to": "approx",
    "roughly": "approx",
}
_NUMBER = (
    r"\d{1,4}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|a hundred|a dozen|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
)
_QUALIFIER = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
_NOUN = rf"(?:{DRONE_NOUN}|{WEAK_NOUN}|targets|of them|of which|of those)"
_ADJECTIVES = r"(?:[\w-]+\s+){0,3}?"
COUNT_RE = re.compile(
    rf"\b(?:(?P<all>all)\s+)?(?:(?P<qual>{_QUALIFIER})\s+)?(?<![-\w])(?P<num>{_NUMBER})\s+"
    rf"(?:of\s+(?:the\s+)?(?P<total>{_NUMBER})\s+)?{_ADJECTIVES}{_NOUN}\b"
    rf"|\b(?P<vague>{VAGUE_WORDS})\s+(?:of\s+)?{_ADJECTIVES}{_NOUN}\b"
    rf"|\banother\s+(?P<another>{_NUMBER})\b"
    rf"|(?:,|:|\band)\s+(?P<ellipsis>{_NUMBER})(?P<each>\s+each)?\s+"
    rf"(?=(?:more\s+)?(?:in|over|above)\s+(?:the\s+)?[A-Z])"
    rf"|\b(?:{_words('destroy_verbs')})\s+(?P<active>a|an|one|another|a single)\s+(?:[\w-]+\s+)?"
    rf"(?:{DRONE_NOUN})\b(?!\s+(?:attacks?|strikes?|raids?|assaults?|threats?))"
    rf"|\b(?P<single>a|an|one|the|another|a single)\s+(?!first|second|third|last|other|next)"
    rf"(?:[\w-]+\s+)?(?:{DRONE_NOUN}|device|aircraft)\s+"
    rf"(?:was|has been|had been)\s+(?:\w+\s+)?(?={_words('destroy_verbs')})"
    rf"|\bwith\s+(?P<with>{_NUMBER})\s+{_ADJECTIVES}(?:{DRONE_NOUN})\b[^.;]*?\b"
    rf"(?P<repelled>repelled|foiled|thwarted|suppressed|stopped|repulsed)",
    re.IGNORECASE,
)


UNIDENTIFIED_RE = Gated(r"\b(?:unspecified|unidentified|unknown)\b", re.IGNORECASE)
ALL_DESTROYED_RE = Gated(
    rf"\ball(?: of)?(?: them| which| those)?\s+(?:were|was|have been|had been)\s+"
    rf"(?:{_words('destroy_verbs')})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Count:
    start: int
    end: int
    launched: int | None
    destroyed: int | None
    qualifier: str
    base: int = 0  # body offset of the sentence the count is in (start/end are in the sentence)
    each: bool = False  # "one each over Oryol and Bryansk": the count holds for every place


def _number(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    if "-" in text:
        tens, ones = text.split("-", 1)
        return NUMBER_WORDS[tens] + NUMBER_WORDS[ones]
    return NUMBER_WORDS[text]


def _last(pattern: Cue | re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - keep the last match
        pass
    return found


def _role(sentence: str, start: int, end: int, low: int, high: int) -> str | None:
    """Is the count at [start, end) about drones launched or destroyed? The nearest verb wins."""
    window_after = sentence[end:high]
    window_before = sentence[low:start]
    after = DESTROY_RE.search(window_after)
    before = _last(DESTROY_RE, window_before)
    launch_after = LAUNCH_RE.search(window_after)
    launch_before = _last(LAUNCH_RE, window_before)
    candidates = []
    if after:
        candidates.append((after.start(), "destroyed"))
    if before:
        candidates.append((len(window_before) - before.end(), "destroyed"))
    if launch_after:
        candidates.append((launch_after.start() + 5, "launched"))
    if launch_before:
        candidates.append((len(window_before) - launch_before.end() + 5, "launched"))
    return min(candidates)[1] if candidates else None


def _counts(sentence: str) -> list[_Count]:
    matches = list(COUNT_RE.finditer(sentence))
    counts: list[_Count] = []
    for index, m in enumerate(matches):
        if UNIDENTIFIED_RE.search(m.group(0)):
            continue  # "two unspecified aerial targets": not a claim about drones
        low = matches[index - 1].end() if index else 0
        high = matches[index + 1].start() if index + 1 < len(matches) else len(sentence)
        clause_low = max(low, sentence.rfind(";", 0, m.start()) + 1)
        semicolon = sentence.find(";", m.end())
        clause_high = min(high, semicolon) if semicolon >= 0 else high
        if m.group("with"):
            value = _number(m.group("with"))
            counts.append(_Count(m.start(), m.end(), value, value, "exact"))
            continue
        if m.group("single") or m.group("active"):
            counts.append(_Count(m.start(), m.end(), None, 1, "exact"))
            continue
        if m.group("vague"):
            role = _role(sentence, m.start(), m.end(), clause_low, clause_high)
            if role:
                counts.append(_Count(m.start(), m.end(), None, None, "vague"))
            continue
        if m.group("ellipsis") and not counts:
            continue
        raw = m.group("num") or m.group("another") or m.group("ellipsis")
        value = _number(raw)
        qualifier = QUALIFIERS.get((m.group("qual") or "").lower(), "exact")
        if m.group("qual") and m.group("qual").lower() == "some" and value < 2:
            continue
        role = _role(sentence, m.start(), m.end(), clause_low, clause_high)
        if (m.group("another") or m.group("ellipsis")) and counts:
            # "37 were downed in Kursk, another 37 in Voronezh and 17 in Belgorod"
            role = "destroyed" if counts[-1].destroyed is not None else "launched"
        if role is None:
            continue
        if m.group("total"):
            counts.append(_Count(m.start(), m.end(), _number(m.group("total")), value, qualifier))
        elif m.group("all") and role == "destroyed":
            counts.append(_Count(m.start(), m.end(), value, value, qualifier))
        elif role == "destroyed":
            counts.append(_Count(m.start(), m.end(), None, value, qualifier))
        elif ALL_DESTROYED_RE.search(sentence, m.end(), high):
            # "launched 16 drones at Crimea, all of which were destroyed"
            counts.append(_Count(m.start(), m.end(), value, value, qualifier))
        else:
            counts.append(_Count(m.start(), m.end(), value, None, qualifier))
        if m.group("each"):
            counts[-1] = replace(counts[-1], each=True)
    return _merge_launch_destroy(counts)


def _merge_launch_destroy(counts: list[_Count]) -> list[_Count]:
    """ "launched 37 Shahed drones ...; 33 Shaheds were shot down" is one figure: 37 and 33."""
    merged: list[_Count] = []
    for count in counts:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.destroyed is None
            and previous.launched is not None
            and count.launched is None
            and count.destroyed is not None
        ):
            merged[-1] = _Count(
                previous.start, count.end, previous.launched, count.destroyed, count.qualifier
            )
        else:
            merged.append(count)
    return merged


# --------------------------------------------------------------------------------------------
# Outcomes, attacker, claimant
# --------------------------------------------------------------------------------------------

KILLED_RE = Gated(
    rf"\b(?:(?P<n1>{_NUMBER})\s+(?:\w+\s+){{0,2}}?(?:were|was|have been|had been)\s+killed"
    rf"|(?:killing|killed)\s+(?:at least\s+)?(?P<n2>{_NUMBER})(?=\s+(?:people|persons?|civilians?"
    rf"|residents?|men|women|children|soldiers|servicemen))"
    rf"|(?P<n3>{_NUMBER})\s+(?:people\s+|civilians\s+|persons\s+)?(?:died|dead)"
    rf"|(?P<n4>{_NUMBER})\s+(?:people|civilians|persons)\s+killed"
    rf"|(?:killing|killed)\s+(?P<one>an?)\s+(?:\w+\s+)?(?:man|woman|person|child|civilian|"
    rf"resident|boy|girl|driver|soldier|serviceman))\b",
    re.IGNORECASE,
)
INJURED_RE = Gated(
    rf"\b(?:(?P<n1>{_NUMBER})\s+(?:\w+\s+){{0,2}}?(?:were|was|have been|had been)\s+"
    rf"(?:injured|wounded|hurt)|(?:injuring|wounding|injured|wounded)\s+(?:at least\s+)?"
    rf"(?P<n2>{_NUMBER})(?!\s+(?:drones?|UAVs?)))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Outcome:
    killed: int | None = None
    injured: int | None = None
    damage: bool | None = None
    killed_qualifier: str | None = None
    injured_qualifier: str | None = None


QUALIFIER_BEFORE_RE = re.compile(rf"\b(?P<qual>{_QUALIFIER})\s+$", re.IGNORECASE)


def _casualty_qualifier(text: str, m: re.Match[str], groups: Sequence[str]) -> str:
    """ "at least 10 people were killed" -> at_least; "killing about 20" -> approx."""
    number_start = next((m.start(g) for g in groups if m.group(g)), m.start())
    before = QUALIFIER_BEFORE_RE.search(text, max(0, number_start - 16), number_start)
    if before is None:
        return "exact"
    return (
        "approx"
        if before.group("qual").lower() == "up to"
        else QUALIFIERS[before.group("qual").lower()]
    )


def _outcome(text: str) -> _Outcome:
    killed = injured = None
    killed_qualifier = injured_qualifier = None
    damage = None
    if NO_CASUALTY_RE.search(text):
        killed, killed_qualifier = 0, "exact"
    if NO_INJURY_RE.search(text):
        injured, injured_qualifier = 0, "exact"
    if m := KILLED_RE.search(text):
        number = m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4")
        killed = 1 if m.group("one") else _number(number)
        killed_qualifier = _casualty_qualifier(text, m, ("n1", "n2", "n3", "n4", "one"))
    if m := INJURED_RE.search(text):
        injured = _number(m.group("n1") or m.group("n2"))
        injured_qualifier = _casualty_qualifier(text, m, ("n1", "n2"))
    rest = NO_DAMAGE_RE.sub(" ", text)
    if DAMAGE_RE.search(rest):
        damage = True
    elif rest != text:
        damage = False
    return _Outcome(killed, injured, damage, killed_qualifier, injured_qualifier)


UA_DRONES_RE = Gated(
    r"\b(?:Ukrainian (?:drones?|UAVs?)|Kyiv regime|Kiev regime|Ukraine (?:launched|attacked|"
    r"used|sent|fired)|Ukrainian forces (?:launched|attacked))\b",
    re.IGNORECASE,
)
RU_DRONES_RE = Gated(
    r"\b(?:Russian (?:drones?|UAVs?|attack drones?)|Shaheds?|Shahed-\w+|Gerans?|Iranian-made|"
    r"Russia (?:launched|attacked|used|sent|fired))\b",
    re.IGNORECASE,
)
MAYOR_RE = Gated(
    r"\b(?P<city>the capital[’']s|the city[’']s|[A-Z][a-z]+(?:[’']s)?)\s+[Mm]ayor,?\s*"
    r"(?P<name>(?:[A-Z][a-z]+\s?){1,3})?|\b[Mm]ayor of (?P<of>[A-Z][a-z]+),?\s*"
    r"(?P<name2>(?:[A-Z][a-z]+\s?){1,3})?|\bMayor (?P<name3>(?:[A-Z][a-z]+\s?){1,3})"
)
CITING_RE = re.compile(r"\bciting\s+(?:the\s+)?$", re.IGNORECASE)


def _attacker(text: str, admin1_code: str, country_code: str) -> str | None:
    if country_code == "RU" or admin1_code in OCCUPIED_BY_RU:
        return "UA"
    if UA_DRONES_RE.search(text) and not RU_DRONES_RE.search(text):
        return "UA"
    if country_code in {"UA", *FOREIGN}:
        return "RU"
    return None


def _region_label(admin1_code: str) -> str:
    name = region_name(admin1_code)
    if admin1_code in CITY_REGION or admin1_code in OCCUPIED_BY_RU - {"UA-43"}:
        return name  # a city: "Kyiv military administration", "Sevastopol governor"
    return name if name.lower().endswith("region") else f"{name} region"


def _claimant(text: str, admin1_code: str, country_code: str) -> str | None:
    best: tuple[int, str] | None = None
    if m := MAYOR_RE.search(text):
        city_text = m.group("city") or m.group("of") or ""
        if "capital" in city_text and country_code in CAPITALS:
            city = region_name(CAPITALS[country_code])
        elif "-" in admin1_code and ("city" in city_text or "capital" in city_text):
            city = region_name(admin1_code)
        elif m.group("name3"):  # "..., Mayor Sergei Sobyanin said": the mayor of the place
            city = region_name(admin1_code) if admin1_code in CITY_REGION else ""
        else:
            city = re.sub(r"[’']s$", "", city_text)
        person = (m.group("name") or m.group("name2") or m.group("name3") or "").strip()
        if city:
            best = (m.start(), f"{city} mayor {person}".strip())
    folded = fold_for_literals(text)
    for pattern, label in CLAIMANT_RES:
        if not pattern.holds_required(folded):
            continue
        for m in pattern.pattern.finditer(text):
            if CITING_RE.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            if best is not None and m.start() >= best[0]:
                break
            side = "RU" if admin1_code in OCCUPIED_BY_RU else country_code
            country = {"RU": "Russian", "UA": "Ukrainian"}.get(side, "")
            if "{region}" in label:
                if "-" not in admin1_code:
                    break
                label_text = label.replace("{region} ", _region_label(admin1_code) + " ")
            else:
                label_text = label.replace("{country}", country).strip()
            best = (m.start(), label_text)
            break
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

DAY_VALUE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
RECENT_DAYS = 7


NIGHT_RE = re.compile(r"night|overnight", re.IGNORECASE)
EVENING_OF_DAY_RE = re.compile(r"\b(?:night|evening|late)\b", re.IGNORECASE)
MORNING_AFTER_RE = re.compile(
    r"overnight|early hours|small hours|wee hours|\d\s*[-–]\s*\d", re.IGNORECASE
)


@dataclass(frozen=True)
class _When:
    day: date | None
    start: date | None
    precision: str
    span: tuple[int, int] | None = None  # body offsets of the time expression


def _as_when(expression: TimeExpression) -> _When | None:
    m = DAY_VALUE_RE.match(expression.value)
    if not m:
        return None
    day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    span = (expression.start_char, expression.end_char)
    night = (
        expression.granularity == "night"
        or "TNI" in expression.value
        or bool(NIGHT_RE.search(expression.text))
    )
    if (
        night
        and EVENING_OF_DAY_RE.search(expression.text)
        and not MORNING_AFTER_RE.search(expression.text)
    ):
        # "on Tuesday night", "late on Thursday": the value is the evening the night began.
        return _When(day, day, "night", span)
    if night:
        # "overnight", "the night of 13-14 May", "the early hours of Friday": the value is the
        # morning after, and the attack may have begun the evening before.
        evening = day - timedelta(days=1) if day > date.min else day  # no day before year 1
        return _When(day, evening, "night", span)
    precision = "week" if expression.granularity == "week" else "day"
    return _When(day, day, precision, span)


def _is_recent(when: _When, published: date | None) -> bool:
    if published is None or when.day is None:
        return True
    # A difference of days, not published ± a timedelta: that overflows near year 1 or 9999.
    return -1 <= (published - when.day).days <= RECENT_DAYS


def _expression_time(
    sentence: _Sentence,
    expressions: Sequence[TimeExpression],
    starts: Sequence[int],
    published: date | None,
) -> tuple[_When | None, bool | None]:
    """(the sentence's own day, is it about the past?) from the time expressions inside it
    (`expressions` sorted by start, `starts` their start offsets); None for "past" when the
    sentence has no date and only its wording can tell."""
    first = bisect_left(starts, sentence.start)
    if first == len(starts) or starts[first] >= sentence.end:
        return None, None  # no time expression in the sentence (most sentences)
    inside = expressions[first : bisect_left(starts, sentence.end, first)]
    # "were shot down on Tuesday night, the ministry said on Wednesday": the reporting date
    # ("said on Wednesday") is only used when the sentence has no other date.
    for expression in sorted(inside, key=lambda e: bool(getattr(e, "reporting", False))):
        when = _as_when(expression)
        if when is None:
            if expression.type in {"DATE"} and expression.granularity in {"month", "year"}:
                return None, True
            continue
        return when, not _is_recent(when, published)
    return None, None


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


@dataclass
class _Claim:
    """A DroneClaim being built: one source's figures for a row, read with the row's own rules
    (`_merge_count`, `_apply_outcome`) but only from that source's sentences."""

    claimed_by: str | None
    launched: int | None = None
    destroyed: int | None = None
    qualifier: str | None = None
    killed: int | None = None
    injured: int | None = None
    damage: bool | None = None
    killed_qualifier: str | None = None
    injured_qualifier: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    count_span: tuple[int, int] | None = None  # kept for _merge_count, not written out
    intercepted: bool = False
    impact: bool = False


@dataclass
class _Row:
    """A DroneEvent being built from one or more sentences."""

    when: _When
    admin1_code: str
    country_code: str
    location: str
    attacker: str | None
    location_rank: int = -1
    launched: int | None = None
    destroyed: int | None = None
    qualifier: str | None = None
    killed: int | None = None
    injured: int | None = None
    damage: bool | None = None
    claimed_by: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    event_type: str = "drone_attack"
    killed_qualifier: str | None = None
    injured_qualifier: str | None = None
    place_span: tuple[int, int] | None = None  # body offsets of the place used for `location`
    place_named: bool = True  # False when the place was "the capital", resolved by context
    point: tuple[float, float] | None = None
    geo_precision: str | None = None
    count_span: tuple[int, int] | None = None
    intercepted: bool = False  # a stop verb or a destroyed count was said of the row
    impact: bool = False  # a hit, damage or casualties were said of the row
    weapon: str | None = None
    target: str | None = None
    claims: list[_Claim] = field(default_factory=list)  # one per source (see _claim_of)
    claim: _Claim | None = None  # the claim a sentence without its own source adds to


QUALIFIER_RANK = {"exact": 3, "approx": 2, "at_least": 1, "vague": 0, None: -1}
LOCATION_RANK = {"region": 0, "country": 0, "city": 1}  # towns, villages, airbases: 2


@dataclass
class _Pending:
    """A drone sentence without a region; the next one may say where ("The first drone ...")."""

    count: _Count | None
    when: _When | None
    sentence: _Sentence
    country: str | None


def _is_drone_sentence(
    text: str, names_drones: bool, previous_was_drone: bool, article_has_drones: bool
) -> bool:
    """`names_drones`: DRONE_RE matches the text."""
    if names_drones:
        return True
    if article_has_drones and WEAK_DRONE_RE.search(text):
        return True
    return previous_was_drone and bool(ANAPHOR_RE.search(text)) and not OTHER_WEAPON_RE.search(text)


def _merge_count(row: _Row | _Claim, count: _Count | None) -> None:
    if count is None:
        return
    if count.launched is not None or count.destroyed is not None:
        if row.count_span is None:
            row.count_span = (count.base + count.start, count.base + count.end)
        row.intercepted = row.intercepted or count.destroyed is not None
    if QUALIFIER_RANK[count.qualifier] > QUALIFIER_RANK[row.qualifier] or (
        row.launched is None and row.destroyed is None
    ):
        if count.destroyed is not None or row.destroyed is None:
            row.destroyed = count.destroyed if count.destroyed is not None else row.destroyed
        if count.launched is not None:
            row.launched = count.launched
        row.qualifier = count.qualifier
    else:
        if row.launched is None and count.launched is not None:
            row.launched = count.launched
        if row.destroyed is None and count.destroyed is not None:
            row.destroyed = count.destroyed


def _apply_outcome(row: _Row | _Claim, outcome: _Outcome) -> None:
    if outcome.killed is not None and (row.killed is None or outcome.killed > row.killed):
        row.killed, row.killed_qualifier = outcome.killed, outcome.killed_qualifier
    if outcome.injured is not None and (row.injured is None or outcome.injured > row.injured):
        row.injured, row.injured_qualifier = outcome.injured, outcome.injured_qualifier
    if outcome.damage is True or (outcome.damage is False and row.damage is None):
        row.damage = outcome.damage
    if outcome.damage or outcome.killed or outcome.injured:
        row.impact = True


def _claim_of(
    row: _Row, claimed_by: str | None, span: tuple[int, int], count: _Count | None = None
) -> _Claim:
    """The claim of `row` that a sentence (body offsets `span`) by `claimed_by` adds to.

    A named source adds to its own latest claim, or takes over the claim no source was named
    for yet, or opens its first claim. A sentence without a source adds to the claim read last.
    Either way, a count that disagrees with the claim's ("the ministry later said 25 drones")
    opens a new claim, unless it comes from a sentence the claim already holds.
    """
    claim = row.claim if claimed_by is None else None
    if claimed_by is not None:
        own = [c for c in row.claims if c.claimed_by == claimed_by]
        unattributed = [c for c in row.claims if c.claimed_by is None]
        claim = own[-1] if own else unattributed[-1] if unattributed else None
    if claim is None or (span not in claim.spans and _disagrees(claim, count)):
        claim = _Claim(claimed_by)
        row.claims.append(claim)
    if claimed_by is not None:
        claim.claimed_by = claimed_by
    if span not in claim.spans:
        claim.spans.append(span)
    row.claim = claim
    return claim


def _disagrees(claim: _Claim, count: _Count | None) -> bool:
    """Does the count give a different number of drones than the claim already holds?"""
    if count is None:
        return False
    return (count.launched is not None and claim.launched not in (None, count.launched)) or (
        count.destroyed is not None and claim.destroyed not in (None, count.destroyed)
    )


def _place_point(place: _Place) -> tuple[tuple[float, float] | None, str | None]:
    """Coordinates of the place and their precision: a town's own point, else the region's
    (or a city-region's) representative point, else the country's."""
    if place.point is not None and place.kind not in {"region", "country"}:
        return place.point, "town"
    point = region_point(place.admin1_code)
    if point is None:
        return None, None
    if "-" not in place.admin1_code:
        return point, "country"
    return point, "town" if place.kind == "city" else "region"


def _set_place(row: _Row, place: _Place, sentence: _Sentence) -> None:
    """Make `place` the row's location when it is more specific than the one it has."""
    rank = LOCATION_RANK.get(place.kind, 2)
    if rank > row.location_rank or row.place_span is None:
        if rank > row.location_rank:
            row.location, row.location_rank = place.name, rank
        row.place_span = (sentence.start + place.start, sentence.start + place.end)
        row.place_named = place.named
        row.point, row.geo_precision = _place_point(place)


def _note_text(row: _Row, text: str) -> None:
    """Weapon, target and the signs of an interception or an impact in the row's text."""
    family = WEAPON_FAMILY.get(row.event_type)
    if row.weapon is None and family:
        row.weapon = _first_label(WEAPONS, text, family)
    if row.target is None:
        row.target = _first_label(TARGETS, text, "")
    if DESTROY_RE.search(text):
        row.intercepted = True
    if IMPACT_RE.search(NO_DAMAGE_RE.sub(" ", text)):
        row.impact = True


def _first_label(lexicon: list[tuple[Gated, str, str]], text: str, family: str) -> str | None:
    """The label of the lexicon entry named first in the text."""
    best: tuple[int, str] | None = None
    folded = fold_for_literals(text)
    for pattern, label, entry_family in lexicon:
        if (family and entry_family != family) or not pattern.holds_required(folded):
            continue
        m = pattern.pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), label)
    return best[1] if best else None


def _bind_counts(
    text: str, counts: list[_Count], groups: list[list[_Place]], national: bool
) -> tuple[dict[int, _Count], list[_Count]]:
    """Counts per group index, and counts that are nationwide totals."""
    per_group: dict[int, _Count] = {}
    totals: list[_Count] = []
    for index, count in enumerate(counts):
        next_start = counts[index + 1].start if index + 1 < len(counts) else len(text)
        prev_end = counts[index - 1].end if index else 0
        target = next(
            (g for g, group in enumerate(groups) if count.end <= group[0].start < next_start),
            None,
        )
        if target is not None and PART_OF_TOTAL_RE.search(text, count.end, groups[target][0].start):
            # "destroyed 30 of 35 drones, mainly targeting the Mykolaiv region"
            totals.append(count)
            continue
        if target is None:
            before = [
                g for g, group in enumerate(groups) if prev_end <= group[-1].end <= count.start
            ]
            target = before[-1] if before else None
        if national and index == 0 and target is None:
            # "Russia has downed 53 drones, the majority of which targeted the Rostov region"
            totals.append(count)
            continue
        if target is None:
            if len(groups) == 1 and len(groups[0]) == 1 and len(counts) == 1:
                per_group[0] = count
            else:
                totals.append(count)
        elif len(groups[target]) > 1 and not count.each:
            totals.append(count)
        elif target not in per_group:
            per_group[target] = count
    return per_group, totals


PART_OF_TOTAL_RE = Gated(
    r"\b(?:mainly|mostly|majority|most of (?:them|which)|including|in particular|among them)\b",
    re.IGNORECASE,
)
NATIONAL_SUBJECT_RE = Gated(
    r"(?<!by )\b(?:Russia|Ukraine)(?:[’']s)?\s+(?:(?:air\s+)?defen[cs]es?\s+"
    r"(?:units\s+|systems\s+|forces\s+)?|air force\s+|military\s+|forces\s+|armed forces\s+)?"
    r"(?:(?!were\b|was\b|are\b|is\b|been\b)\w+\s+){0,4}?"
    rf"(?:{_words('destroy_verbs')})",
    re.IGNORECASE,
)
ANAPHORIC_OUTCOME_RE = Gated(
    r"\b(?:after|following|during|in|by) the (?:drone )?(?:attacks?|strikes?|raids?)\b",
    re.IGNORECASE,
)
# A drone event on a neighbouring country's soil: debris found, a crash, airspace violated.
FOREIGN_EVENT_RE = Gated(
    r"\b(?:crash\w*|fell|landed|found|debris|fragments?|wreckage|airspace|violat\w*|entered)\b",
    re.IGNORECASE,
)
CLAIMANT_SIDE = {"Russian": "RU", "Ukrainian": "UA"}
COUNTRY_PLACE_RE = re.compile(r"\b(?:over|in|across|above|into|on)\s+(?:the\s+)?$")
UNNAMED_REGION_RE = Gated(
    r"\b(?:regions?|oblasts?|provinces?) (?:bordering|neighbou?ring|near|around|adjacent)"
    r"|\b(?:in|over|above) the (?:region|oblast|province)\b",
    re.IGNORECASE,
)


NO_TIME: tuple[_When | None, bool | None] = (None, None)  # a sentence without time expressions
NO_TYPES: frozenset[str] = frozenset()


@dataclass
class _State:
    """What the walk through one article remembers from sentence to sentence."""

    rows: dict[tuple[date | None, str], _Row] = field(default_factory=dict)
    totals: list[DroneTotal] = field(default_factory=list)
    last_group: list[tuple[date | None, str]] = field(default_factory=list)  # rows just written
    last_paragraph: int = -10
    pending: _Pending | None = None
    context_country: str | None = None  # country of the last region named ("the capital")
    paragraph_when: dict[int, _When] = field(default_factory=dict)
    paragraph_source: dict[int, _Sentence] = field(default_factory=dict)
    last_total: tuple[str, int] | None = None  # (country, paragraph) of the last total
    other_rows: dict[tuple[str, date | None, str], _Row] = field(default_factory=dict)
    # The drone model named in the last drone sentence without a region, and its paragraph:
    # "Russia launched 31 Shahed drones. Air defences downed 24 over Kharkiv ..."
    weapon_context: tuple[str, int] | None = None


def extract_drone_events(
    body: str, published: date | None, expressions: Sequence[TimeExpression]
) -> Extraction:
    """Drone-attack rows, other conflict events and nationwide drone totals of one article."""
    lower = body.lower()
    has_drones = bool(DRONE_RE.search_lowered(body, lower))
    triggers = _trigger_positions(lower)
    if not has_drones and not triggers:
        return Extraction((), ())
    sentences = split_sentences(body)
    if not sentences:
        return Extraction((), ())
    expressions = sorted(expressions, key=lambda e: e.start_char)
    starts = [e.start_char for e in expressions]
    # Both looked up per sentence index, for the few sentences a time expression or a trigger
    # stem starts in (a bisect per sentence and event type cost more than all the rest).
    sentence_starts = [sentence.start for sentence in sentences]
    times = {
        index: _expression_time(sentences[index], expressions, starts, published)
        for index in sorted({bisect_right(sentence_starts, start) - 1 for start in starts})
        if index >= 0
    }
    triggered = _triggered(triggers, sentences, sentence_starts)
    publication = _When(published, published, "publication" if published else "unknown")

    # Pass 1: which sentences are about drones.
    flags: list[bool] = [False] * len(sentences)
    article_has_drones = previous = False
    for index, sentence in enumerate(sentences if has_drones else ()):
        names_drones = bool(DRONE_RE.search(sentence.text))
        previous = _is_drone_sentence(sentence.text, names_drones, previous, article_has_drones)
        article_has_drones = article_has_drones or names_drones
        flags[index] = previous
    # The article's lead date (the first day said of a drone attack, else the first recent day
    # in the first paragraphs), found when a row first needs it.
    lead: _When | None = None
    lead_found = False

    # Pass 2: read each sentence in order.
    state = _State()
    for index, sentence in enumerate(sentences):
        own_when, past = times.get(index, NO_TIME)
        if own_when is not None and not past:
            state.paragraph_when[sentence.paragraph] = own_when
        other = NO_TYPES if flags[index] else triggered.get(index, NO_TYPES)
        # Most sentences with a trigger stem have no cue of its event type: they report no
        # other event, and whether they speak of the past does not matter.
        cues = _other_event_cues(sentence.text, other) if other else None
        if past is None and (flags[index] or cues is not None or state.rows):
            past = bool(BACKGROUND_RE.search(sentence.text))
        if not flags[index]:
            if state.rows:
                _read_context_sentence(state, sentence, bool(past))
            if cues is not None and not past:
                if not lead_found:
                    lead = _lead_date(sentences, flags, times)
                    lead_found = True
                _read_other_sentence(state, sentences, index, own_when, lead or publication, cues)
        elif not past and _reports_an_attack(sentence.text):
            if not lead_found:
                lead = _lead_date(sentences, flags, times)
                lead_found = True
            _read_drone_sentence(state, sentences, index, flags, own_when, lead or publication)

    rows = [*state.rows.values(), *state.other_rows.values()]
    events = tuple(_to_event(body, row) for row in rows)
    claims = tuple(claim for row in rows for claim in _to_claims(body, row))
    return Extraction(events, tuple(state.totals), claims)


def _reports_an_attack(text: str) -> bool:
    if GENERIC_RE.search(text) or HYPOTHETICAL_RE.search(text) or QUOTED_FUTURE_RE.search(text):
        return False
    return bool(ATTACK_RE.search(text) or DESTROY_RE.search(text))


def _read_context_sentence(state: _State, sentence: _Sentence, is_past: bool) -> None:
    """A sentence without drones may still tell the outcome of the rows just written
    ("There was no damage to infrastructure and no casualties were reported")."""
    text = sentence.text
    places = [p for p in _places(text, state.context_country) if p.kind != "country"]
    if places and ANAPHORIC_OUTCOME_RE.search(text) and not is_past:
        # "power cuts had been reintroduced in Kiev following the attacks"
        codes = {p.admin1_code for p in places}
        for key in [k for k in state.rows if k[1] in codes][-1:]:
            outcome = _outcome(text)
            _apply_outcome(state.rows[key], outcome)
            state.rows[key].spans.append((sentence.start, sentence.end))
            _add_outcome_claim(state.rows[key], sentence, outcome)
    if any(p.admin1_code not in {k[1] for k in state.last_group} for p in places):
        state.last_group = []  # the text has moved on to another place
    elif state.last_group and sentence.paragraph - state.last_paragraph <= 3 and not is_past:
        outcome = _outcome(text)
        if outcome != _Outcome():
            for key in state.last_group:
                _apply_outcome(state.rows[key], outcome)
                state.rows[key].spans.append((sentence.start, sentence.end))
                _add_outcome_claim(state.rows[key], sentence, outcome)


def _add_outcome_claim(row: _Row, sentence: _Sentence, outcome: _Outcome) -> None:
    """A sentence that tells only an outcome adds it to its own source's claim (when it names
    one) or to the claim read last."""
    if outcome == _Outcome():
        return
    claimed_by = _claimant(sentence.text, row.admin1_code, row.country_code)
    _apply_outcome(_claim_of(row, claimed_by, (sentence.start, sentence.end)), outcome)


def _read_drone_sentence(
    state: _State,
    sentences: list[_Sentence],
    index: int,
    flags: list[bool],
    own_when: _When | None,
    lead: _When,
) -> None:
    sentence = sentences[index]
    text = sentence.text
    places = _places(text, state.context_country)
    countries = [p for p in places if p.kind == "country" and p.country_code not in FOREIGN]
    regions = [
        p
        for p in places
        if p.kind != "country" or (p.country_code in FOREIGN and FOREIGN_EVENT_RE.search(text))
    ]
    if regions:
        state.context_country = regions[-1].country_code
    elif countries and state.context_country is None:
        state.context_country = countries[0].country_code
    when = own_when or state.paragraph_when.get(sentence.paragraph)
    counts = [replace(count, base=sentence.start) for count in _counts(text)]
    if not regions:
        _read_regionless_sentence(state, sentences, index, flags, countries, counts, when, lead)
        return

    # A previous region-less sentence may give this one its count, date and claimant.
    inherited = state.pending
    if inherited is not None and sentence.paragraph - inherited.sentence.paragraph > 1:
        inherited = None
    state.pending = None
    when = when or (inherited.when if inherited else None) or lead

    national = bool(countries and NATIONAL_SUBJECT_RE.search(text))
    groups = _groups(text, regions)
    per_group, total_counts = _bind_counts(text, counts, groups, national)
    if inherited and inherited.count and not counts and len({p.admin1_code for p in regions}) == 1:
        per_group[0] = inherited.count
        _drop_total(state.totals, inherited)
    for total in total_counts:
        country = countries[0].country_code if countries else regions[0].country_code
        claimant = _claimant_near(sentences, index, "", country)
        _add_total(state.totals, country, when, total, claimant, sentence)

    keys: list[tuple[date | None, str]] = []
    for g, group in enumerate(groups):
        segment = _segment(text, groups, g) if len(groups) > 1 else text
        outcome = _outcome(segment)
        for place in group:
            key = (when.day, place.admin1_code)
            claimant = _row_claimant(state, sentences, index, place, inherited)
            row = state.rows.get(key)
            if row is None:
                attacker = _attacker(text, place.admin1_code, place.country_code)
                row = _Row(when, place.admin1_code, place.country_code, place.name, attacker)
                state.rows[key] = row
            _set_place(row, place, sentence)
            if row.claimed_by is None:
                row.claimed_by = claimant
            count = None
            if len(group) == 1 or (g in per_group and per_group[g].each):
                count = per_group.get(g)
            _merge_count(row, count)
            _apply_outcome(row, outcome)
            claim = _claim_of(row, claimant, (sentence.start, sentence.end), count)
            _merge_count(claim, count)
            _apply_outcome(claim, outcome)
            if count is not None and inherited is not None and count is inherited.count:
                # "... shot down two drones. The first drone was neutralised in Istra": the
                # claim's count was said in the earlier sentence.
                _claim_of(row, claimant, (inherited.sentence.start, inherited.sentence.end))
            _note_text(row, segment)
            if DESTROY_RE.search(text, 0, groups[0][0].start):
                row.intercepted = True  # "10 drones were shot down over Kursk, four over ..."
            if row.weapon is None:
                row.weapon = _first_label(WEAPONS, text, "drone") or _weapon_context(
                    state, sentence
                )
            row.spans.append((sentence.start, sentence.end))
            if key not in keys:
                keys.append(key)
    state.last_group, state.last_paragraph = keys, sentence.paragraph


def _read_regionless_sentence(
    state: _State,
    sentences: list[_Sentence],
    index: int,
    flags: list[bool],
    countries: list[_Place],
    counts: list[_Count],
    when: _When | None,
    lead: _When,
) -> None:
    """ "Russia has downed 53 Ukrainian drones", "The UAVs were neutralised": a nationwide
    total, an outcome or a source for the rows just written, or a count the next sentence
    places."""
    sentence = sentences[index]
    text = sentence.text
    claimant = _claimant(text, "", "")
    recent_total = state.last_total
    country = (
        _national_country(text)
        or _defender(text)
        or _country_over(text, countries)
        or CLAIMANT_SIDE.get((claimant or "").split(" ")[0])
        or (recent_total[0] if recent_total and sentence.paragraph - recent_total[1] <= 1 else None)
    )
    if state.last_group and sentence.paragraph - state.last_paragraph <= 3:
        outcome = _outcome(text)
        for key in state.last_group:
            row = state.rows[key]
            _apply_outcome(row, outcome)
            if row.claimed_by is None and claimant:
                row.claimed_by = _claimant(text, row.admin1_code, row.country_code)
                # The source of the rows just written: their unattributed claim is its claim.
                _claim_of(row, row.claimed_by, (sentence.start, sentence.end))
            _add_outcome_claim(row, sentence, outcome)
    if counts and country is None and _count_of_last_row(state, sentence, counts[0]):
        return
    state.pending = _Pending(counts[0] if counts else None, when, sentence, country)
    if weapon := _first_label(WEAPONS, text, "drone"):
        state.weapon_context = (weapon, sentence.paragraph)
    if country:
        claimant = _claimant(text, country, country)
    if counts and not UNNAMED_REGION_RE.search(text) and country:
        _add_total(state.totals, country, when or lead, counts[0], claimant, sentence)
        state.last_total = (country, sentence.paragraph)
        if not _consumable(sentences, index, flags):
            state.pending.count = None


def _weapon_context(state: _State, sentence: _Sentence) -> str | None:
    """The drone model of a region-less drone sentence of this or the previous paragraph."""
    if state.weapon_context and sentence.paragraph - state.weapon_context[1] <= 1:
        return state.weapon_context[0]
    return None


def _count_of_last_row(state: _State, sentence: _Sentence, count: _Count) -> bool:
    """ "A drone attack on Sevastopol was repelled. Two drones were destroyed.": a count said
    without a place or a country, in the paragraph of a row for a single region that has no
    count yet, is that row's count. Returns whether the count was used."""
    if len(state.last_group) != 1 or sentence.paragraph != state.last_paragraph:
        return False
    row = state.rows[state.last_group[0]]
    if row.launched is not None or row.destroyed is not None:
        return False
    _merge_count(row, count)
    row.spans.append((sentence.start, sentence.end))
    claimed_by = _claimant(sentence.text, row.admin1_code, row.country_code)
    _merge_count(_claim_of(row, claimed_by, (sentence.start, sentence.end), count), count)
    return True


def _row_claimant(
    state: _State,
    sentences: list[_Sentence],
    index: int,
    place: _Place,
    inherited: _Pending | None,
) -> str | None:
    """The sentence's source, else its neighbours', else the pending sentence's, else the
    first source of this or the previous paragraph."""
    sentence = sentences[index]
    claimant = _claimant_near(sentences, index, place.admin1_code, place.country_code)
    if claimant is None and inherited:
        claimant = _claimant(inherited.sentence.text, place.admin1_code, place.country_code)
    if claimant is not None:
        state.paragraph_source.setdefault(sentence.paragraph, sentence)
        return claimant
    source = state.paragraph_source.get(sentence.paragraph) or state.paragraph_source.get(
        sentence.paragraph - 1
    )
    return _claimant(source.text, place.admin1_code, place.country_code) if source else None


def _segment(text: str, groups: list[list[_Place]], g: int) -> str:
    start = 0 if g == 0 else groups[g][0].start
    end = groups[g + 1][0].start if g + 1 < len(groups) else len(text)
    return text[start:end]


def _national_country(text: str) -> str | None:
    """ "Russia has downed 53 drones" -> RU."""
    m = NATIONAL_SUBJECT_RE.search(text)
    if m is None:
        return None
    return "RU" if m.group().lower().startswith("russia") else "UA"


def _country_over(text: str, countries: list[_Place]) -> str | None:
    """ "drones were shot down over Russia" -> RU (a country named as the place, not the actor)."""
    for country in countries:
        if COUNTRY_PLACE_RE.search(text[max(0, country.start - 12) : country.start]):
            return country.country_code
    return None


def _defender(text: str) -> str | None:
    if UA_DRONES_RE.search(text):
        return "RU"
    if RU_DRONES_RE.search(text):
        return "UA"
    return None


def _consumable(sentences: list[_Sentence], index: int, flags: list[bool]) -> bool:
    """May the next sentence say where these drones were? It must be a drone sentence of the
    same or the next paragraph ("... shot down two drones. The first drone was neutralised in
    the town of Istra, in the Moscow region")."""
    if index + 1 >= len(sentences) or not flags[index + 1]:
        return False
    return sentences[index + 1].paragraph - sentences[index].paragraph <= 1


def _add_total(
    totals: list[DroneTotal],
    country: str,
    when: _When,
    count: _Count,
    claimant: str | None,
    sentence: _Sentence,
) -> None:
    if count.launched is None and count.destroyed is None:
        return
    for index, existing in enumerate(totals):
        if existing.country_code == country and existing.event_date == when.day:
            # "attacked with 28 Shahed drones ... destroyed 21": one figure, two sentences.
            totals[index] = DroneTotal(
                country,
                when.day,
                existing.drones_launched
                if existing.drones_launched is not None
                else count.launched,
                existing.drones_destroyed
                if existing.drones_destroyed is not None
                else count.destroyed,
                existing.count_qualifier,
                existing.claimed_by or claimant,
                existing.evidence,
                existing.evidence_start,
                existing.evidence_end,
            )
            return
    totals.append(
        DroneTotal(
            country,
            when.day,
            count.launched,
            count.destroyed,
            count.qualifier,
            claimant,
            sentence.text,
            sentence.start,
            sentence.end,
        )
    )


def _drop_total(totals: list[DroneTotal], pending: _Pending) -> None:
    totals[:] = [t for t in totals if t.evidence_start != pending.sentence.start]


def _claimant_near(
    sentences: list[_Sentence], index: int, admin1_code: str, country_code: str
) -> str | None:
    """The source named in the sentence, else in its neighbours of the same paragraph."""
    paragraph = sentences[index].paragraph
    for offset in (0, 1, -1):
        j = index + offset
        if 0 <= j < len(sentences) and sentences[j].paragraph == paragraph:
            claimant = _claimant(sentences[j].text, admin1_code, country_code)
            if claimant:
                return claimant
    return None


def _lead_date(
    sentences: list[_Sentence],
    flags: list[bool],
    times: dict[int, tuple[_When | None, bool | None]],
) -> _When | None:
    """`times`: `_expression_time` of the sentences with a time expression, by index."""
    first_paragraphs: _When | None = None
    for index in sorted(times):
        when, is_past = times[index]
        if when is None or is_past:
            continue
        sentence, is_drone = sentences[index], flags[index]
        if is_drone and (ATTACK_RE.search(sentence.text) or DESTROY_RE.search(sentence.text)):
            return when
        if first_paragraphs is None and sentence.paragraph <= 2:
            first_paragraphs = when
    return first_paragraphs


# --------------------------------------------------------------------------------------------
# Other conflict events: missile attacks, shelling, ground battles, territory changes
# --------------------------------------------------------------------------------------------

CAPTURE_BEFORE_RE = re.compile(
    rf"\b(?:{_words('capture_verbs')})\s+(?:the\s+)?(?:(?:village|town|city|settlement)s?\s+"
    r"(?:of\s+)?)?$",
    re.IGNORECASE,
)
UA_ACTOR_RE = Gated(
    r"\b(?:Ukrainian (?:forces|troops|army|military|soldiers|units|brigades?|defenders|marines|"
    r"fighters|artillery|missiles?|strikes?|shelling|defen[cs]e forces|counteroffensive)|"
    r"Ukraine[’']s (?:forces|troops|army|military|armed forces|defen[cs]e ministry|general staff)|"
    r"Armed Forces of Ukraine|Kyiv regime|Kiev regime|"
    r"(?:Ukraine|Kyiv|Kiev)\b[^.;]{0,40}?\bits (?:forces|troops|army|soldiers|military|units)|"
    r"Ukraine (?:launched|fired|attacked|struck|shelled|liberated|recaptured|retook))\b",
    re.IGNORECASE,
)
RU_ACTOR_RE = Gated(
    r"\b(?:Russian (?:forces|troops|army|military|soldiers|units|brigades?|occupiers|invaders|"
    r"fighters|artillery|missiles?|strikes?|shelling|defen[cs]e ministry|airborne)|"
    r"Russia[’']s (?:forces|troops|army|military|armed forces|defen[cs]e ministry)|"
    r"occupiers|invaders|Wagner|Russian-backed|"
    r"(?:Russia|Moscow)\b[^.;]{0,40}?\bits (?:forces|troops|army|soldiers|military|units)|"
    r"Russia (?:launched|fired|attacked|struck|shelled|captured|seized))\b",
    re.IGNORECASE,
)
CAPTURE_WORD_RE = Gated(rf"\b(?:{_words('capture_verbs')})\b", re.IGNORECASE)
WITHDRAWAL_RE = Gated(
    r"\b(?:pulled out|withdr[ae]wn?|withdrawing|retreat(?:ed|ing)?|abandon(?:ed|ing))\b",
    re.IGNORECASE,
)
SIDE_OF_CLAIMANT_RE = re.compile(r"^(?P<side>Russian|Ukrainian)\b")


def _stems_to_scan(triggers: dict[str, tuple[str, ...]]) -> list[tuple[str, list[str]]]:
    """(stem, the event types it triggers) to search the body for: each stem once ("storm" is a
    battle's and a missile's), and not a stem that holds another stem of its event types
    ("retook": wherever it is, "took" is found in the same sentence)."""
    types_of: dict[str, list[str]] = {}
    for event_type, stems in triggers.items():
        for stem in stems:
            types_of.setdefault(stem, []).append(event_type)
    return [
        (stem, types)
        for stem, types in types_of.items()
        if not any(
            other != stem and other in stem and set(types) <= set(types_of[other])
            for other in types_of
        )
    ]


TRIGGER_SCAN = _stems_to_scan(OTHER_TRIGGERS)


# Characters of English news text, most frequent first (the rest are rarer): a stem is looked
# for at its least frequent character (see _trigger_scan). A stem whose least frequent
# character is one of the first COMMON_ANCHORS (up to "c": 2.4% of the text or more) would
# stop the regex too often: `str.find` looks for it.
FREQUENT_CHARACTERS = " etainsorhdlucfmpgwybkv"
COMMON_ANCHORS = FREQUENT_CHARACTERS.index("c") + 1


def _anchor(stem: str) -> int:
    """The offset of the stem's least frequent character (the first of equals)."""
    rank = {char: index for index, char in enumerate(FREQUENT_CHARACTERS)}
    return min(range(len(stem)), key=lambda i: -rank.get(stem[i], len(FREQUENT_CHARACTERS)))


class _Stem(NamedTuple):
    text: str
    anchor: int  # offset of the character the scan regex starts the stem with
    event_types: list[str]
    also: tuple[int, ...] = ()  # stems that may match at the same anchor position (see below)


def _trigger_scan(
    scan: list[tuple[str, list[str]]],
) -> tuple[re.Pattern[str], list[_Stem]]:
    """One regex for all the stems of `scan` and the stem of each of its groups. Each
    alternative starts with its stem's least frequent character, then a lookbehind for the
    stem's start, the rest of the stem and an empty group (m.lastindex: which stem matched).
    `re` skips the positions whose character starts no alternative by a table lookup, about
    five in six: one pass over the body instead of a `str.find` pass per stem (1.7x slower).
    `re` reports one alternative per position: `also` lists the later stems of the same
    character that the text may match there too."""
    by_char: dict[str, list[_Stem]] = {}
    for written, event_types in scan:
        at = _anchor(written)
        by_char.setdefault(written[at], []).append(_Stem(written, at, event_types))
    stems = [stem for group in by_char.values() for stem in group]
    for index, stem in enumerate(stems):
        also = tuple(
            later
            for later in range(index + 1, len(stems))
            if stems[later].text[stems[later].anchor] == stem.text[stem.anchor]
            and _aligned(stem, stems[later])
        )
        stems[index] = stem._replace(also=also)
    alternatives = (
        re.escape(char)
        + "(?:"
        + "|".join(
            f"(?<={re.escape(s.text[: s.anchor + 1])}){re.escape(s.text[s.anchor + 1 :])}()"
            for s in group
        )
        + ")"
        for char, group in by_char.items()
    )
    return re.compile("|".join(alternatives)), stems


def _aligned(first: _Stem, second: _Stem) -> bool:
    """May one text hold both stems with their anchors at the same position?"""
    return all(
        first.text[offset + first.anchor] == char
        for offset, char in ((i - second.anchor, c) for i, c in enumerate(second.text))
        if 0 <= offset + first.anchor < len(first.text)
    )


TRIGGER_FIND = [
    (stem, types)
    for stem, types in TRIGGER_SCAN
    if stem[_anchor(stem)] in FREQUENT_CHARACTERS[:COMMON_ANCHORS]
]
TRIGGER_SCAN_RE, TRIGGER_STEMS = _trigger_scan(
    [item for item in TRIGGER_SCAN if item not in TRIGGER_FIND]
)


def _trigger_positions(lower: str) -> dict[str, list[int]]:
    """Per event type, the sorted offsets of its trigger stems in the lower-cased body: a fast
    test (no regex per sentence) of which sentences may report such an event (`_triggered`).
    The offsets are the scan's, a stem's own or the one it holds (see _stems_to_scan)."""
    positions: dict[str, list[int]] = {}
    m = TRIGGER_SCAN_RE.search(lower)
    while m is not None:
        at = m.start()
        stem = TRIGGER_STEMS[m.lastindex - 1]  # type: ignore[operator]
        found = [stem]
        for later in stem.also:
            other = TRIGGER_STEMS[later]
            if at >= other.anchor and lower.startswith(other.text, at - other.anchor):
                found.append(other)
        for each in found:
            for event_type in each.event_types:
                positions.setdefault(event_type, []).append(at - each.anchor)
        m = TRIGGER_SCAN_RE.search(lower, at + 1)
    for stem_text, event_types in TRIGGER_FIND:
        found_at = lower.find(stem_text)
        while found_at >= 0:
            for event_type in event_types:
                positions.setdefault(event_type, []).append(found_at)
            found_at = lower.find(stem_text, found_at + 1)
    for offsets in positions.values():
        offsets.sort()
    return positions


def _triggered(
    positions: dict[str, list[int]], sentences: list[_Sentence], sentence_starts: list[int]
) -> dict[int, frozenset[str]]:
    """The event types whose trigger stems occur in a sentence, by sentence index (only the
    sentences that have some). `sentence_starts`: the sentences' start offsets."""
    types: dict[int, set[str]] = {}
    for event_type, offsets in positions.items():
        for offset in offsets:
            index = bisect_right(sentence_starts, offset) - 1
            if index >= 0 and offset < sentences[index].end:
                types.setdefault(index, set()).add(event_type)
    return {index: frozenset(found) for index, found in types.items()}


OTHER_CUE_REACH = 80  # a place this close (in characters) to a cue takes the cue's event type
NO_GROUND_FIGHTING = CAPITAL_CODES  # "fighting the regime in Moscow": capitals are metonyms


def _is_battlefield_report(text: str) -> bool:
    """Not generic, hypothetical, historical, hedged or diplomatic."""
    return not (
        GENERIC_RE.search(text)
        or HYPOTHETICAL_RE.search(text)
        or QUOTED_FUTURE_RE.search(text)
        or DIPLOMACY_RE.search(text)
        or HEDGE_RE.search(text)
    )


OTHER_CUE_RES = {
    "territory_change": TERRITORY_RE,
    "ground_battle": BATTLE_RE,
    "missile_attack": MISSILE_RE,
    "shelling": SHELLING_RE,
}
NEEDS_STRIKE_VERB = {"missile_attack", "shelling"}


def _other_cues(text: str, types: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, event type) of every conflict-event cue of a sentence without drones, for
    the event types whose trigger stems the sentence has."""
    cues: list[tuple[int, int, str]] = []
    struck: bool | None = None
    for event_type, pattern in OTHER_CUE_RES.items():
        if event_type not in types:
            continue
        if event_type in NEEDS_STRIKE_VERB:
            struck = bool(STRIKE_RE.search(text)) if struck is None else struck
            if not struck:
                continue
        cues += [(m.start(), m.end(), event_type) for m in pattern.finditer(text)]
    return cues


def _other_event_type(
    text: str, place: _Place, cues: list[tuple[int, int, str]], reach: int
) -> str | None:
    """The type of the cue nearest the place, when it is within `reach` characters."""
    if CAPTURE_BEFORE_RE.search(text, max(0, place.start - 40), place.start):
        return "territory_change"  # "Russian troops captured Avdiivka"
    best: tuple[int, str] | None = None
    for start, end, event_type in cues:
        distance = max(start - place.end, place.start - end, 0)
        if distance <= reach and (best is None or distance < best[0]):
            best = (distance, event_type)
    if best is None:
        return None
    if best[1] == "shelling" and any(
        t == "missile_attack" and max(start - place.end, place.start - end, 0) <= reach
        for start, end, t in cues
    ):
        return "missile_attack"  # "missile and artillery attacks on Kyiv": the missiles
    if best[1] in {"ground_battle", "territory_change"} and place.admin1_code in NO_GROUND_FIGHTING:
        return None
    return best[1]


def _side(text: str, event_type: str, admin1_code: str, country_code: str, claimant: str | None):
    """Who attacked or took ground: the one side the sentence names as actor, else the side of
    the claimant for a territory change, else the other side of the region's country."""
    ukrainian, russian = bool(UA_ACTOR_RE.search(text)), bool(RU_ACTOR_RE.search(text))
    if ukrainian != russian:
        actor = "UA" if ukrainian else "RU"
        if event_type == "territory_change" and WITHDRAWAL_RE.search(text):
            return "RU" if actor == "UA" else "UA"  # "Ukrainian troops pulled out of Krynky"
        return actor
    if event_type == "territory_change":
        m = SIDE_OF_CLAIMANT_RE.match(claimant or "")
        return CLAIMANT_SIDE[m.group("side")] if m else None
    if country_code == "RU" or admin1_code in OCCUPIED_BY_RU:
        return "UA"
    return "RU" if country_code == "UA" else None


def _other_event_cues(text: str, types: frozenset[str]) -> list[tuple[int, int, str]] | None:
    """The sentence's cues of the event types its trigger stems name (`_other_cues`); None when
    it cannot report such an event: no cue, and no capture verb for a territory change."""
    cues = _other_cues(text, types)
    if not cues and not ("territory_change" in types and CAPTURE_WORD_RE.search(text)):
        return None
    return cues


def _read_other_sentence(
    state: _State,
    sentences: list[_Sentence],
    index: int,
    own_when: _When | None,
    lead: _When,
    cues: list[tuple[int, int, str]],
) -> None:
    """A missile attack, shelling, a ground battle or a territory change in a named region
    (`cues`: see _other_event_cues)."""
    sentence = sentences[index]
    text = sentence.text
    places = [
        p
        for p in _places(text, state.context_country)
        if p.kind != "country" and p.country_code in {"RU", "UA"}
    ]
    if not places or not _is_battlefield_report(text):
        return
    when = own_when or state.paragraph_when.get(sentence.paragraph) or lead
    outcome = _outcome(text)
    # With a single place in the sentence, every cue of the sentence is about it.
    reach = len(text) if len({p.admin1_code for p in places}) == 1 else OTHER_CUE_REACH
    for place in places:
        event_type = _other_event_type(text, place, cues, reach)
        if event_type is None:
            continue
        key = (event_type, when.day, place.admin1_code)
        row = state.other_rows.get(key)
        claimant = _claimant_near(sentences, index, place.admin1_code, place.country_code)
        if row is None:
            attacker = _side(text, event_type, place.admin1_code, place.country_code, claimant)
            row = _Row(
                when,
                place.admin1_code,
                place.country_code,
                place.name,
                attacker,
                event_type=event_type,
            )
            state.other_rows[key] = row
        _set_place(row, place, sentence)
        if row.claimed_by is None:
            row.claimed_by = claimant
        _apply_outcome(row, outcome)
        _apply_outcome(_claim_of(row, claimant, (sentence.start, sentence.end)), outcome)
        _note_text(row, text)
        if (sentence.start, sentence.end) not in row.spans:
            row.spans.append((sentence.start, sentence.end))


# --------------------------------------------------------------------------------------------
# Outcome, ACLED coding, confidence
# --------------------------------------------------------------------------------------------

STRIKE_TYPES = {"drone_attack", "missile_attack", "shelling"}
ACLED_REMOTE = "Explosions/Remote violence"


def _outcome_label(row: _Row) -> str | None:
    """intercepted (stopped, nothing reported to have landed), hit (landed, damaged, killed or
    injured, nothing stopped), mixed (both), unknown (neither said); null for battles."""
    if row.event_type not in STRIKE_TYPES:
        return None
    if row.intercepted and row.impact:
        return "mixed"
    if row.intercepted:
        return "intercepted"
    return "hit" if row.impact else "unknown"


def acled_codes(event_type: str, outcome: str | None, attacker: str | None, country: str):
    """ACLED (event type, sub-event type) for a row.

    Interceptions (all drones or missiles stopped) are "Strategic developments" / "Disrupted
    weapons use"; drone strikes otherwise "Explosions/Remote violence" / "Air/drone strike";
    missiles and shelling "Explosions/Remote violence" / "Shelling/artillery/missile attack";
    ground fighting "Battles" / "Armed clash"; a state taking back ground in its own country
    "Battles" / "Government regains territory", and a state taking another state's ground
    "Battles" / "Armed clash" (ACLED keeps "Non-state actor overtakes territory" for non-state
    groups)."""
    if event_type in {"drone_attack", "missile_attack"} and outcome == "intercepted":
        return "Strategic developments", "Disrupted weapons use"
    if event_type == "drone_attack":
        return ACLED_REMOTE, "Air/drone strike"
    if event_type in {"missile_attack", "shelling"}:
        return ACLED_REMOTE, "Shelling/artillery/missile attack"
    if event_type == "territory_change" and attacker is not None and attacker == country:
        return "Battles", "Government regains territory"
    return "Battles", "Armed clash"


def _confidence(row: _Row, date_in_own_sentence: bool) -> float:
    """0.3 for an event sentence with a place; +0.2 the place is named (not "the capital");
    +0.2 the date is a time expression of the row's own sentence (+0.1 from elsewhere in the
    article, 0 for the publication date); +0.2 an explicit drone count; +0.1 a named source."""
    score = 0.3
    if row.place_named:
        score += 0.2
    if row.when.span is not None:
        score += 0.2 if date_in_own_sentence else 0.1
    if row.launched is not None or row.destroyed is not None:
        score += 0.2
    if row.claimed_by:
        score += 0.1
    return round(min(score, 1.0), 2)


EVIDENCE_REACH = 1500


def _evidence_span(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """One stretch of the body: from the first sentence to the last one within EVIDENCE_REACH
    characters of it."""
    ordered = sorted(set(spans))
    start = ordered[0][0]
    return start, max(e for s, e in ordered if s - start <= EVIDENCE_REACH)


def _to_claims(body: str, row: _Row) -> list[DroneClaim]:
    """The row's claims in the order of their evidence. Two claims of one source that would
    start at the same sentence (so share a claim_id) keep the first."""
    claims: dict[tuple[str | None, int], DroneClaim] = {}
    for claim in row.claims:
        start, end = _evidence_span(claim.spans)
        claims.setdefault(
            (claim.claimed_by, start),
            DroneClaim(
                event_type=row.event_type,
                event_date=row.when.day,
                admin1_code=row.admin1_code,
                claimed_by=claim.claimed_by,
                drones_launched=claim.launched,
                drones_destroyed=claim.destroyed,
                count_qualifier=claim.qualifier,
                killed=claim.killed,
                injured=claim.injured,
                damage=claim.damage,
                evidence=body[start:end],
                evidence_start=start,
                evidence_end=end,
            ),
        )
    return sorted(claims.values(), key=lambda c: (c.evidence_start, c.claimed_by or ""))


def _to_event(body: str, row: _Row) -> DroneEvent:
    # The evidence is one stretch of the body (body[start:end]), see _evidence_span.
    spans = sorted(set(row.spans))
    start, end = _evidence_span(spans)
    evidence = body[start:end]
    outcome = _outcome_label(row)
    acled_type, acled_sub = acled_codes(row.event_type, outcome, row.attacker, row.country_code)
    date_span = row.when.span
    own_sentence = date_span is not None and spans[0][0] <= date_span[0] < spans[0][1]
    point = row.point or region_point(row.admin1_code)
    precision = row.geo_precision or (
        None if point is None else "region" if "-" in row.admin1_code else "country"
    )
    return DroneEvent(
        event_type=row.event_type,
        event_date=row.when.day,
        event_date_start=row.when.start,
        date_precision=row.when.precision,
        country_code=row.country_code,
        admin1_code=row.admin1_code,
        location=row.location,
        attacker=row.attacker,
        drones_launched=row.launched,
        drones_destroyed=row.destroyed,
        count_qualifier=row.qualifier,
        killed=row.killed,
        injured=row.injured,
        damage=row.damage,
        claimed_by=row.claimed_by,
        evidence=evidence,
        evidence_start=start,
        evidence_end=end,
        outcome=outcome,
        weapon=row.weapon,
        target=row.target,
        killed_qualifier=row.killed_qualifier if row.killed is not None else None,
        injured_qualifier=row.injured_qualifier if row.injured is not None else None,
        acled_event_type=acled_type,
        acled_sub_event_type=acled_sub,
        latitude=None if point is None else point[0],
        longitude=None if point is None else point[1],
        geo_precision=precision,
        place_start=row.place_span[0] if row.place_span else None,
        place_end=row.place_span[1] if row.place_span else None,
        count_start=row.count_span[0] if row.count_span else None,
        count_end=row.count_span[1] if row.count_span else None,
        date_start=date_span[0] if date_span else None,
        date_end=date_span[1] if date_span else None,
        confidence=_confidence(row, own_sentence),
    )


# --------------------------------------------------------------------------------------------
# A batch of articles -> its tables (the Prefect task is in tasks/stages.py)
# --------------------------------------------------------------------------------------------

EVENT_COLUMNS = ["event_id", "article_id", *DroneEvent.__dataclass_fields__]
TOTAL_COLUMNS = ["total_id", "article_id", *DroneTotal.__dataclass_fields__]
CLAIM_KEY_FIELDS = ("event_type", "event_date", "admin1_code")  # DroneClaim's event key
CLAIM_VALUE_FIELDS = [
    name for name in DroneClaim.__dataclass_fields__ if name not in CLAIM_KEY_FIELDS
]
CLAIM_COLUMNS = ["claim_id", "event_id", "article_id", *CLAIM_VALUE_FIELDS]
ID_HEX_DIGITS = 16


def _row_id(*parts: object) -> str:
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS]


def _values(row: DroneEvent | DroneTotal) -> list[object]:
    """The row's field values in column order (dataclasses.astuple without its deep copies:
    the values are immutable)."""
    return [getattr(row, name) for name in row.__dataclass_fields__]


def _expressions_by_article(expressions: pd.DataFrame) -> dict[str, list[TimeExpression]]:
    by_article: dict[str, list[TimeExpression]] = {}
    if expressions is None or expressions.empty:
        return by_article
    reporting = (
        expressions["reporting"].tolist()
        if "reporting" in expressions
        else [False] * len(expressions)
    )
    # Column by column (tolist) rather than row by row (itertuples): the same values, and much
    # faster on Arrow-backed columns.
    columns = zip(
        expressions["article_id"].tolist(),
        expressions["text"].tolist(),
        expressions["start_char"].tolist(),
        expressions["end_char"].tolist(),
        expressions["value"].tolist(),
        expressions["type"].tolist(),
        expressions["granularity"].tolist(),
        expressions["mod"].tolist(),
        expressions["mod"].isna().tolist(),
        expressions["anchor"].tolist(),
        reporting,
        strict=True,
    )
    for (
        article_id,
        text,
        start_char,
        end_char,
        value,
        type_,
        granularity,
        mod,
        mod_missing,
        anchor,
        is_reporting,
    ) in columns:
        by_article.setdefault(article_id, []).append(
            TimeExpression(
                text=text,
                start_char=int(start_char),
                end_char=int(end_char),
                value=value,
                type=type_,
                granularity=granularity,
                mod=None if mod_missing else mod,
                anchor=anchor,
                reporting=bool(is_reporting),
            )
        )
    return by_article


def is_english(language: object) -> bool:
    """Extract from English articles and from articles of unknown language ("en", "en-GB",
    None, NaN); skip the others ("ru", "uk")."""
    if not isinstance(language, str) or not language.strip():
        return True
    return language.strip().lower().replace("_", "-").split("-")[0] == "en"


class ExtractedTables(NamedTuple):
    """The extract stage's three tables, with the columns of warehouse/tables/<name>.sql."""

    events: pd.DataFrame
    totals: pd.DataFrame  # drone_totals
    claims: pd.DataFrame


# The article columns extract_tables reads (the last one optional).
EXTRACT_INPUT_COLUMNS = ["article_id", "body", "published_date", "language"]


def extract_tables(articles: pd.DataFrame, expressions: pd.DataFrame) -> ExtractedTables:
    """Articles (article_id, body, published_date, optional language) and their tagged time
    expressions -> the events, drone_totals and claims frames, in one pass over the articles.
    Articles in a language other than English are skipped.
    """
    by_article = _expressions_by_article(expressions)
    events: list[list[object]] = []
    totals: list[list[object]] = []
    claims: list[list[object]] = []
    languages = articles["language"].tolist() if "language" in articles else [None] * len(articles)
    for article_id, body, published, language in zip(
        articles["article_id"].tolist(),  # lists: faster to walk than Arrow-backed columns
        articles["body"].tolist(),
        articles["published_date"].tolist(),
        languages,
        strict=True,
    ):
        if not is_english(language):
            continue
        text = body if isinstance(body, str) else ""
        result = extract_drone_events(text, as_date(published), by_article.get(article_id, []))
        for event in result.events:
            key = _row_id(article_id, event.event_type, event.event_date, event.admin1_code)
            events.append([key, article_id, *_values(event)])
        for total in result.totals:
            key = _row_id(article_id, total.country_code, total.event_date)
            totals.append([key, article_id, *_values(total)])
        for claim in result.claims:
            event_id = _row_id(article_id, claim.event_type, claim.event_date, claim.admin1_code)
            values = [getattr(claim, name) for name in CLAIM_VALUE_FIELDS]
            key = _row_id(event_id, claim.claimed_by, claim.evidence_start)
            claims.append([key, event_id, article_id, *values])
    return ExtractedTables(
        pd.DataFrame(events, columns=EVENT_COLUMNS, dtype=object),
        pd.DataFrame(totals, columns=TOTAL_COLUMNS, dtype=object),
        pd.DataFrame(claims, columns=CLAIM_COLUMNS, dtype=object),
    )


def extract_frames(
    articles: pd.DataFrame, expressions: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, drone_totals) of `extract_tables`."""
    tables = extract_tables(articles, expressions)
    return tables.events, tables.totals


__all__ = [
    "DroneEvent",
    "DroneTotal",
    "ConflictEvent",
    "DroneClaim",
    "ExtractedTables",
    "Extraction",
    "acled_codes",
    "extract_drone_events",
    "extract_frames",
    "extract_tables",
    "is_english",
]
