"""Resolve dates: tag every time expression in a clean body with a TIMEX3 value.

How it works, for a newcomer:
1. A handful of regular expressions (built once at import from the word lists in
   tasks/data/dates_lexicon.json) find candidate spans: weekdays ("late on Thursday night"),
   day-month dates ("Feb. 24", "the night of 13-14 May"), numeric dates, months ("in mid-February"),
   years, fixed relative phrases ("last month", "overnight", "the day before"), counted offsets
   ("two days later"), durations ("for months"), clock times and sets ("every day").
2. Overlaps are settled by taking the earliest, then the longest candidate. For speed each
   pattern only runs in small windows around its trigger words (a month name, a year...).
3. Each kept span is resolved against the publication date, using the tense of the words around
   it (past report -> latest such day on or before publication; future -> the next one), or
   against the last *event* date mentioned before it ("a day earlier"). Dates governed by a speech
   verb ("..., the ministry said on Wednesday") are reporting dates and never serve as that anchor.

Pure functions only; the Prefect task that runs them on a batch is in tasks/stages.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

LEXICON_PATH = Path(__file__).parent / "data" / "dates_lexicon.json"


@dataclass(frozen=True)
class TimeExpression:
    text: str  # exact substring body[start_char:end_char]
    start_char: int
    end_char: int
    value: str  # TIMEX3 value: 2023-02-28, 2023-02, 2022, 2023-W11, 2023-W11-WE, P3D, XXXX-06
    type: str  # DATE, TIME, DURATION, SET
    granularity: str  # day, night, week, month, year, duration, unknown
    mod: str | None  # START, MID, END, APPROX or None
    anchor: str  # "publication" or "previous" (the date mentioned just before) or "none"
    reporting: bool = False  # a date governed by a speech verb ("said on Wednesday")


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, Any]:
    """The date word lists (months, weekdays, cue words, relative phrases)."""
    return json.loads(path.read_text(encoding="utf-8"))


_LEX = load_lexicon()
MONTHS: dict[str, int] = {**_LEX["months"], **_LEX["month_abbreviations"]}
MONTHS_NEEDING_CONTEXT = frozenset(_LEX["months_needing_context"])
WEEKDAYS: dict[str, int] = _LEX["weekdays"]
NUMBERS: dict[str, int] = _LEX["numbers"]
ORDINALS: dict[str, int] = _LEX["ordinals"]
VAGUE_QUANTITIES = frozenset(_LEX["vague_quantities"])
SPEECH_VERBS = frozenset(_LEX["speech_verbs"])
FUTURE_CUES = frozenset(_LEX["future_cues"])
FUTURE_CUES_BEFORE_TO = frozenset(_LEX["future_cues_before_to"])
MODAL_CUES = frozenset(_LEX["modal_cues"])
PAST_CUES = frozenset(_LEX["past_cues"])
ED_WORDS_NOT_PAST = frozenset(_LEX["ed_words_not_past"])
YEAR_NEXT_WORDS = frozenset(_LEX["year_next_words"])
QUANTITY_WORDS = frozenset(_LEX["quantity_words_before_numbers"])
DURATION_UNITS: dict[str, str] = _LEX["duration_units"]
SEASONS: dict[str, str] = _LEX["seasons"]
RELATIVE_PHRASES: dict[str, list[Any]] = {
    phrase: spec for phrase, spec in _LEX["relative_phrases"].items() if not phrase.startswith("_")
}


def _alternation(words: list[str], capitalize: bool = False) -> str:
    """Regex alternation of words where a longer word wins over its prefix ("last weekend" over
    "last week"); spaces match any whitespace run.

    For speed the words are merged into a prefix tree ("la(?:te|st)" for "late|last"): the regex
    engine then tests each letter once instead of once per word. It matches exactly what the
    flat alternation of the words, longest first, matches: two words can match the same text only
    when one is a prefix of the other, and the tree, like the longest-first order, tries the
    longer one first (a word ending at a node is an optional tail, tried after the longer ones).
    """
    tree: dict[str, dict] = {}
    for word in sorted(set(words)):
        node = tree
        for char in word.capitalize() if capitalize else word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    # Top level: "a...|b...|..." with no group around it, so that a pattern made of one
    # alternation still starts with a plain letter, which the regex engine scans for quickly.
    return "|".join(_branches(tree))


def _branches(node: dict[str, dict]) -> list[str]:
    return [
        (r"\s+" if char == " " else re.escape(char)) + _tree_regex(child)
        for char, child in node.items()
        if char
    ]


def _tree_regex(node: dict[str, dict]) -> str:
    branches = _branches(node)
    if not branches:
        return ""
    regex = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{regex})?" if "" in node else regex


# --------------------------------------------------------------------------------------------
# Grammar: regex fragments and the patterns built from them (compiled once)
# --------------------------------------------------------------------------------------------

_FULL_MONTH = _alternation(list(_LEX["months"]), capitalize=True)
_ABBR_MONTH = _alternation(list(_LEX["month_abbreviations"]), capitalize=True)
_MONTH = rf"(?:{_FULL_MONTH}|(?:{_ABBR_MONTH})(?![a-z])\.?)"
_WEEKDAY = _alternation(list(WEEKDAYS), capitalize=True)
_DAY = rf"(?:(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?|(?i:{_alternation(list(ORDINALS))}))"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_QUANTITY = rf"(?:{_alternation(list(NUMBERS) + list(VAGUE_QUANTITIES))}|\d+(?:\.\d+)?)"
_UNITS = _alternation(list(DURATION_UNITS))

# What may precede a day: "late on", "early", "in the early hours of", "during the night of".
_PRE_DAY = r"""
    (?:(?P<mod>(?i:early|late|later|earlier))\s+)?
    (?:(?P<prep>(?i:on|by|since|until|till|from|as\s+of|through|into|for
        |overnight\s+on|overnight\s+into|overnight\s+to))\s+)?
    (?:(?P<part>(?:(?i:in|during|on|overnight|throughout)\s+)?(?i:the\s+)?
        (?i:night|early\s+hours|small\s+hours|wee\s+hours|early\s+morning|morning|evening
        |afternoon)\s+of)\s+)?
"""
_TIME_OF_DAY = r"(?P<tod>\s+(?i:night|morning|evening|afternoon|overnight))?"

WEEKDAY_PATTERN = re.compile(
    rf"""(?<![\w-])
    {_PRE_DAY}
    (?P<lw>(?i:last|this|next)\s+week\s+)?
    (?P<rel>(?i:this\s+past|this\s+coming|this|last|next|coming|past)\s+)?
    (?P<wd>{_WEEKDAY})
    (?:\s*(?:(?i:to|into)|-|–)\s*(?P<wd2>{_WEEKDAY}))?
    {_TIME_OF_DAY}
    (?P<lw2>\s+(?i:last|this|next)\s+week)?
    (?![\w-])""",
    re.VERBOSE,
)

DAY_MONTH_PATTERN = re.compile(
    rf"""(?<![\w.,-])
    {_PRE_DAY}
    (?:(?P<wd>{_WEEKDAY}),?\s+)?
    (?:(?i:the)\s+)?
    (?:
        (?P<d1>{_DAY})(?:\s*[-–]\s*(?P<d1b>{_DAY}))?(?:\s+of)?\s+(?P<mon1>{_MONTH})
      | (?P<mon2>{_MONTH})\s+(?P<d2>{_DAY})(?:\s*[-–]\s*(?P<d2b>{_DAY}))?
    )
    (?:,?\s+(?P<y>{_YEAR})|\s+(?P<ry>(?i:last|this|next))\s+year)?
    {_TIME_OF_DAY}
    (?![\w])""",
    re.VERBOSE,
)

NUMERIC_DATE_PATTERN = re.compile(
    rf"""(?<![\w./-])
    (?:(?P<prep>(?i:on|by|since|until|from|as\s+of))\s+)?
    (?:
        (?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])
      | (?P<nd>\d{{1,2}})(?P<sep>[./-])(?P<nm>\d{{1,2}})(?P=sep)(?P<ny>{_YEAR})
    )
    (?![\w/-]|\.\d)""",
    re.VERBOSE,
)

MONTH_PATTERN = re.compile(
    rf"""(?<![\w-])
    (?:(?P<prep>(?i:in|since|by|until|till|from|during|through|throughout|of|before|after|for
        |around|as\s+of))\s+)?
    (?:(?P<mod>(?i:early|mid|late|the\s+(?:start|beginning|end|middle)\s+of|end|start))
        (?:\s*-\s*|\s+))?
    (?P<rel>(?i:this\s+past|last|this|next|past|coming)\s+)?
    (?P<mon>{_FULL_MONTH}|(?:{_ABBR_MONTH})\.?(?=,?\s+{_YEAR}))
    (?:(?:,?\s+|\s+of\s+)(?P<y>{_YEAR})(?!\d)|\s+(?:of\s+)?(?P<ry>(?i:last|this|next))\s+year)?
    (?![\w-])
    (?!\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b)  # "before February 24" is a day, not a month""",
    re.VERBOSE,
)

YEAR_PATTERN = re.compile(
    rf"""(?<![\w.,/:$€£#-])
    (?:(?P<prep>(?i:in|since|by|until|till|from|during|through|throughout|before|after|of|for
        |early|late|mid|the\s+end\s+of|the\s+start\s+of|the\s+beginning\s+of|the\s+middle\s+of
        |end|start))(?:\s*-\s*|\s+))?
    (?P<the>(?i:the)\s+)?
    (?P<y>{_YEAR})(?P<decade>s)?
    (?![\w]|[.,/]\d|[-–]\d|%)""",
    re.VERBOSE,
)

RELATIVE_PATTERN = re.compile(
    rf"(?<![\w-])(?:{_alternation(list(RELATIVE_PHRASES))})(?![\w-])", re.IGNORECASE
)

COUNT_PATTERN = re.compile(
    rf"""(?<![\w.,-])
    (?P<approx>(?i:just\s+over|over|more\s+than|nearly|almost|about|around|some|roughly
        |less\s+than)\s+)?
    (?P<n>(?i:{_alternation(list(NUMBERS))})|\d{{1,3}})\s+
    (?P<unit>(?i:days?|weeks?|months?|years?))\s+
    (?P<dir>(?i:earlier|later|before|after|prior|ago|previously))
    (?![\w-])""",
    re.VERBOSE,
)

DURATION_PATTERN = re.compile(
    rf"""(?<![\w.,-])
    (?:(?P<prep>(?i:for|over|in|during|within|after|throughout))\s+)?
    (?:(?P<det>(?i:the\s+(?:last|past|next|coming|previous|following)|(?:the\s+)?recent|past
        |coming))\s+)?
    (?:(?P<q>(?i:{_QUANTITY}))(?P<half>[\s-](?i:and)[\s-]a[\s-]half)?[\s-]+)?
    (?P<unit>(?i:{_UNITS}))
    (?P<long>-long)?
    (?P<half2>\s+and\s+a\s+half)?
    (?![\w-])""",
    re.VERBOSE,
)

TIME_PATTERN = re.compile(
    r"""(?<![\w.:,])
    (?:
        (?P<h>1[0-2]|0?[1-9])(?:[.:](?P<mi>[0-5]\d))?\s?(?P<ap>(?i:a\.m\.|p\.m\.|am|pm))(?![\w])
      | (?P<h24>[01]?\d|2[0-3]):(?P<mi24>[0-5]\d)
        (?=\s*(?:local\s+time|GMT|UTC|CET|EET|EEST|MSK|Moscow\s+time|Kyiv\s+time|Kiev\s+time))
    )""",
    re.VERBOSE,
)

SET_PATTERN = re.compile(
    r"(?<![\w-])(?i:every|each)\s+(?P<unit>(?i:day|night|week|month|year|morning|evening))"
    r"(?![\w-])"
)

SEASON_PATTERN = re.compile(
    rf"""(?<![\w-])
    (?:(?P<prep>(?i:in|during|over|by|since|until|through|throughout|of))\s+)?
    (?:(?i:the)\s+)?
    (?:(?P<rel>(?i:this|last|next|past|coming))\s+)?
    (?:(?P<mod>(?i:early|late|mid))(?:\s*-\s*|\s+))?
    (?P<season>(?i:winter|spring|summer|autumn|fall))
    (?:\s+(?:of\s+)?(?P<y>{_YEAR}))?
    (?![\w-])""",
    re.VERBOSE,
)

_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_SENTENCE_END = re.compile(
    r"""[.!?\n]  # every boundary starts with one of these, which the regex engine scans for fast
    (?:(?<=\n)                                  # a line break
      |(?<=[.!?])[\"”’)]*\s+(?=[A-Z“\"‘(])      # ". " before a capital or an opening quote
      |(?<=[a-z][.!?])(?=[A-Z][a-z])            # "attack.The": a missing space
    )""",
    re.VERBOSE,
)
_REPORTING_AFTER = re.compile(
    rf"^\s*,\s*(?:[\w'’.-]+\s+){{0,4}}?(?:{_alternation(list(SPEECH_VERBS))})\b"
)
_NOT_A_DURATION_AFTER = re.compile(r"[\s-]+old\b|['’]s\b|\s+(?:ago|earlier|later)\b")
_CLAUSE_END = re.compile(r"\s*(?:[,.;:)]|$)")
_CLAUSE_BREAK = re.compile(r"[,;:“”\"(]")
_NOT_DIGIT = re.compile(r"\D")
_YEAR_MONTH_VALUE = re.compile(r"\d{4}-\d{2}")
_YEAR_VALUE = re.compile(r"\d{4}")
_MOD_WORDS = {
    "early": "START",
    "start": "START",
    "beginning": "START",
    "mid": "MID",
    "middle": "MID",
    "late": "END",
    "end": "END",
}
_NIGHT_WORDS = ("night", "early hours", "small hours", "wee hours", "overnight")


# --------------------------------------------------------------------------------------------
# Candidates: what a pattern found, before resolution
# --------------------------------------------------------------------------------------------


# _Candidate and _Resolved are built for every match: NamedTuples, which build about twice as
# fast as frozen dataclasses.
class _Candidate(NamedTuple):
    start: int
    end: int
    kind: str  # weekday, day_month, month, year, relative, count, duration, time, set, season
    info: dict[str, Any]


def _squash(text: str | None) -> str:
    """Lowercase with single spaces: 'In  the early\nhours of' -> 'in the early hours of'."""
    return " ".join(text.lower().split()) if text else ""


def _mod_of(words: str) -> str | None:
    for word, mod in _MOD_WORDS.items():
        if word in words.split() or words.startswith(word):
            return mod
    return None


def _is_night(*parts: str | None) -> bool:
    text = " ".join(_squash(part) for part in parts)
    return any(word in text for word in _NIGHT_WORDS)


def _weekday_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    end = m.end()
    wd2 = m["wd2"]
    night = _is_night(m["part"], m["tod"], m["prep"])
    if wd2 and not night:  # "from Monday to Wednesday": keep only the first day
        wd2, end = None, m.end("wd")
    day = WEEKDAYS[(wd2 or m["wd"]).lower()]
    week = _squash(m["lw"] or m["lw2"]).split(" ")[0] or None
    info = {
        "weekday": day,
        "rel": _squash(m["rel"]) or None,
        "week": week,
        "mod": _squash(m["mod"]) or None,
        "night": night,
    }
    return _Candidate(m.start(), end, "weekday", info)


def _day_month_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    month_word = m["mon1"] or m["mon2"]
    month = MONTHS[month_word.rstrip(".").lower()]
    first, second = (m["d1"], m["d1b"]) if m["mon1"] else (m["d2"], m["d2b"])
    night = _is_night(m["part"], m["tod"], m["prep"])
    day_text = second if (second and night) else first
    digits = _NOT_DIGIT.sub("", day_text)
    day = int(digits) if digits else ORDINALS[day_text.lower()]
    year = int(m["y"]) if m["y"] else None
    try:
        date(year or 2000, month, day)  # 2000: a leap year, so 29 February passes without one
    except ValueError:
        return None
    info = {
        "month": month,
        "day": day,
        "year": year,
        "year_rel": _squash(m["ry"]) or None,
        "mod": _squash(m["mod"]) or None,
        "night": night,
    }
    return _Candidate(m.start(), m.end(), "day_month", info)


def _numeric_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    if m["iy"]:
        year, month, day = int(m["iy"]), int(m["im"]), int(m["id"])
    else:
        first, second, year = int(m["nd"]), int(m["nm"]), int(m["ny"])
        # Day first (24-08-2023) unless only the other order is possible (08/24/2023).
        day, month = (second, first) if second > 12 >= first else (first, second)
    try:
        date(year, month, day)
    except ValueError:
        return None
    info = {"month": month, "day": day, "year": year, "mod": None, "night": False}
    return _Candidate(m.start(), m.end(), "day_month", info)


def _month_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    month_word = m["mon"].rstrip(".").lower()
    has_context = m["prep"] or m["mod"] or m["rel"] or m["y"] or m["ry"]
    if month_word in MONTHS_NEEDING_CONTEXT and not has_context:
        return None  # "May" the verb, "March" the walk
    info = {
        "month": MONTHS[month_word],
        "year": int(m["y"]) if m["y"] else None,
        "rel": _squash(m["rel"]) or None,
        "year_rel": _squash(m["ry"]) or None,
        "mod": _mod_of(_squash(m["mod"])) if m["mod"] else None,
    }
    return _Candidate(m.start(), m.end(), "month", info)


def _next_word(body: str, end: int) -> str:
    found = _WORD.match(body, end + 1) if body[end : end + 1] == " " else None
    return found.group() if found else ""


def _previous_word(body: str, start: int) -> str:
    words = _WORD.findall(body[max(0, start - 20) : start])
    tail = body[max(0, start - 2) : start]
    if "$" in tail or "#" in tail:
        return "$"
    return words[-1] if words else ""


def _year_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    start = m.start()
    prep = _squash(m["prep"])
    next_word = _next_word(body, m.end())
    if m["the"] and not m["decade"]:  # "the 2022 invasion": tag the year only
        start, prep = m.start("y"), ""
    noun_follows = next_word[:1].islower() and next_word not in YEAR_NEXT_WORDS
    plural_follows = len(next_word) > 3 and next_word.endswith("s")
    if not m["decade"] and noun_follows and (not prep or plural_follows):
        return None  # "2000 troops", "in 2000 homes"
    if not prep and _previous_word(body, start) in QUANTITY_WORDS:
        return None  # "some 2000", "more than 2022"
    if not prep and body[m.end() : m.end() + 1].isdigit():
        return None
    info = {"year": int(m["y"]), "decade": bool(m["decade"]), "mod": _mod_of(prep)}
    return _Candidate(start, m.end(), "year", info)


def _is_title_word(body: str, start: int) -> bool:
    """'Russia Today': a capitalised word that does not start a sentence."""
    before = body[max(0, start - 3) : start].rstrip(" ")
    return bool(before) and before[-1] not in '.!?\n"“‘(:;-–—'


_DETERMINERS = frozenset({"the", "its", "their", "his", "her", "these", "those", "that"})


def _relative_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    phrase = _squash(m.group())
    if phrase.endswith((" before", " after")) and _next_word(body, m.end())[:1].islower():
        return None  # "the day before the invasion": relative to an event, not a date
    if "same" in phrase and _next_word(body, m.end()) == "as":
        return None  # "on the same day as Ukraine"
    capitalised = m.group()[0].isupper()
    if phrase in ("today", "tonight") and capitalised and _is_title_word(body, m.start()):
        return None  # "Russia Today", "USA Today"
    unit, offset, granularity, mod, anchor = RELATIVE_PHRASES[phrase]
    info = {"unit": unit, "offset": offset, "granularity": granularity, "mod": mod}
    info["anchor"] = anchor
    # "the overnight attacks" points back at a night already dated: not a new anchor.
    info["back_reference"] = _previous_word(body, m.start()).lower() in _DETERMINERS
    return _Candidate(m.start(), m.end(), "relative", info)


def _number_value(word: str) -> float | None:
    """'two' -> 2, '24' -> 24, 'several' -> None (an unknown count)."""
    squashed = _squash(word)
    if squashed in NUMBERS:
        return NUMBERS[squashed]
    try:
        return float(squashed)
    except ValueError:
        return None


def _count_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    direction = m["dir"].lower()
    if direction in ("before", "after") and not _CLAUSE_END.match(body, m.end(), m.end() + 8):
        return None  # "two days after the attack", "a day after Xi met Putin"
    count = _number_value(m["n"])
    if count is None:
        return None
    sign = 1 if direction in ("later", "after") else -1
    info = {
        "unit": m["unit"].lower().rstrip("s"),
        "offset": int(count) * sign,
        "anchor": "publication" if direction == "ago" else "previous",
        "mod": "APPROX" if m["approx"] else None,
    }
    return _Candidate(m.start(), m.end(), "count", info)


def _duration_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    unit_word = m["unit"].lower()
    plural = unit_word.endswith("s")
    if not (m["q"] or m["long"] or m["det"] or (m["prep"] and plural)):
        return None  # a bare "day" or "years"
    if _NOT_A_DURATION_AFTER.match(body, m.end(), m.end() + 10):
        return None  # an age ("20 years old"), "a minute's silence", "two days ago" (a date)
    start, quantity = m.start(), m["q"]
    if quantity and quantity.lower() in ("a", "an") and plural:  # "a days-long battle"
        start, quantity = m.start("unit"), None
    elif m["q"] and (m["prep"] or "").lower() == "in" and not m["det"]:
        start = m.start("q")  # "his first visit in three years": the duration is "three years"
    count = _number_value(quantity) if quantity else (None if plural else 1)
    if count is not None and (m["half"] or m["half2"]):
        count += 0.5
    info = {"unit": DURATION_UNITS[unit_word], "count": count}
    return _Candidate(start, m.end(), "duration", info)


def _time_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    if m["h24"]:
        hour, minute = int(m["h24"]), int(m["mi24"])
    else:
        hour, minute = int(m["h"]) % 12, int(m["mi"] or 0)
        if m["ap"].lower().startswith("p"):
            hour += 12
    return _Candidate(m.start(), m.end(), "time", {"hour": hour, "minute": minute})


def _set_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    return _Candidate(m.start(), m.end(), "set", {"unit": m["unit"].lower()})


def _season_candidate(m: re.Match[str], body: str) -> _Candidate | None:
    season = m["season"].lower()
    if not (m["rel"] or m["y"]):
        return None  # "in the dead of winter", "fall" the verb
    info = {
        "season": SEASONS[season],
        "winter": season == "winter",
        "year": int(m["y"]) if m["y"] else None,
        "rel": _squash(m["rel"]) or None,
        "mod": _mod_of(_squash(m["mod"])) if m["mod"] else None,
    }
    return _Candidate(m.start(), m.end(), "season", info)


# Speed: a full pattern is only tried in small windows around its trigger words (a month name,
# a weekday, a year, a unit word...). Triggers are found with plain substring search and a few
# regexes that begin with a literal or a digit, which the regex engine scans quickly.
_NAME_TRIGGER = re.compile(rf"(?:{_WEEKDAY}|{_FULL_MONTH}|{_ABBR_MONTH})(?![a-z])")
# The years of _YEAR, as two patterns that each start with literal text ("20", "1"): the engine
# finds those with a fast text search, where one pattern starting with [12] tests every character.
# A year is four digits with no digit after it, so the two never overlap; a digit before it is
# checked in _triggers.
_YEAR_TRIGGERS = (re.compile(r"20\d\d(?!\d)"), re.compile(r"1[89]\d\d(?!\d)"))  # = _YEAR
_CLOCK_TRIGGER = re.compile(r"\d(?:\s?[aApP]\.?[mM]\b|:\d\d)")
# Where _CLOCK_TRIGGER may match, in the byte copy of the body that _triggers searches (digits
# and non-ASCII characters, which may be digits or spaces, are "0" there): every match of it
# starts at a match of this pattern, which begins with a literal ("0") that the regex engine
# scans for quickly, where _CLOCK_TRIGGER begins with \d, a test on every character.
_CLOCK_PLACES = re.compile(rb"0(?=:0|.?[ap])", re.DOTALL)
# The body as bytes for the trigger search, one byte per character (so offsets are kept): ASCII
# letters lower-cased; digits, "?" and the non-ASCII characters (which encode() turns into "?")
# become "0"; other ASCII characters stay as they are.
_TRIGGER_BYTES = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?", b"abcdefghijklmnopqrstuvwxyz" + b"0" * 11
)
_SUBSTRING_TRIGGERS = {
    "unit": ("day", "week", "month", "year", "hour", "decade", "minute"),
    "word": ("night", "morning", "evening", "afternoon", "tomorrow", "Tomorrow", "today", "Today")
    + ("yesterday", "Yesterday", "overnight", "Overnight", "tonight", "Tonight"),
    "season": ("winter", "spring", "summer", "autumn", "fall", "Winter", "Spring", "Summer")
    + ("Autumn", "Fall"),
}


def _substring_searches() -> list[tuple[bytes, list[tuple[str, int, bytes, frozenset[str]]]]]:
    """The byte searches that find the _SUBSTRING_TRIGGERS: (searched word, the trigger words it
    finds: (class, where the trigger word starts before the hit, the word, its written forms)).

    Each trigger is searched lower-cased ("night" finds "night" and "Night" at once), and a word
    that ends with another trigger word is found through that one's hits ("to|day" and
    "yester|day" through "day"): fewer passes over the text.
    """
    words = {  # (class, word lower-cased), once each -> the forms written in the list
        (name, needle.lower().encode()): frozenset(needles)
        for name, needles in _SUBSTRING_TRIGGERS.items()
        for needle in needles
    }
    searches: dict[bytes, list[tuple[str, int, bytes, frozenset[str]]]] = {}
    for (name, word), written_forms in sorted(words.items(), key=lambda item: len(item[0][1])):
        searched = next((other for other in searches if word.endswith(other)), word)
        offset = len(word) - len(searched)
        searches.setdefault(searched, []).append((name, offset, word, written_forms))
    return list(searches.items())


_SUBSTRING_SEARCHES = _substring_searches()


def _triggers(body: str) -> dict[str, list[tuple[int, int]]]:
    """Trigger class -> spans of its trigger words in `body`."""
    found: dict[str, list[tuple[int, int]]] = {"weekday": [], "month": []}
    for match in _NAME_TRIGGER.finditer(body):
        found["weekday" if match.group().lower() in WEEKDAYS else "month"].append(match.span())
    found["year"] = sorted(
        match.span()
        for pattern in _YEAR_TRIGGERS
        for match in pattern.finditer(body)
        if not body[match.start() - 1 : match.start()].isdigit()
    )
    # Searching bytes is about twice as fast as searching text (see _TRIGGER_BYTES).
    haystack = body.encode("ascii", "replace").translate(_TRIGGER_BYTES)
    found["clock"] = _clock_spans(body, haystack)
    # A hit is kept when the body has a written form of the trigger word there, at the start of
    # a word ("day", not "Sunday").
    for name in _SUBSTRING_TRIGGERS:
        found[name] = []
    for searched, words in _SUBSTRING_SEARCHES:
        at = haystack.find(searched)
        while at != -1:
            for name, offset, word, written_forms in words:
                start = at - offset
                if (
                    (not offset or (start >= 0 and haystack.startswith(word, start)))
                    and (start == 0 or not body[start - 1].isalpha())
                    and body[start : start + len(word)] in written_forms
                ):
                    found[name].append((start, start + len(word)))
            at = haystack.find(searched, at + 1)
    for name in _SUBSTRING_TRIGGERS:
        found[name].sort()
    return found


def _clock_spans(body: str, haystack: bytes) -> list[tuple[int, int]]:
    """The spans _CLOCK_TRIGGER.finditer(body) gives, trying the pattern only at _CLOCK_PLACES."""
    spans: list[tuple[int, int]] = []
    for place in _CLOCK_PLACES.finditer(haystack):
        if spans and place.start() < spans[-1][1]:
            continue  # inside the previous match, where finditer does not look
        match = _CLOCK_TRIGGER.match(body, place.start())
        if match:
            spans.append(match.span())
    return spans


# Order is the tie-break for candidates of equal start and length: earlier rules win.
# Each rule: pattern, candidate builder, trigger classes, and how far the span may reach before
# and after its trigger ("late on the night of Tuesday, 14 May": 40 characters before "May").
_RULES = (
    (DAY_MONTH_PATTERN, _day_month_candidate, ("month",), 80, 30),
    (NUMERIC_DATE_PATTERN, _numeric_candidate, ("year",), 20, 10),
    (WEEKDAY_PATTERN, _weekday_candidate, ("weekday",), 60, 40),
    (MONTH_PATTERN, _month_candidate, ("month",), 40, 20),
    (RELATIVE_PATTERN, _relative_candidate, ("unit", "word"), 40, 25),
    (COUNT_PATTERN, _count_candidate, ("unit",), 25, 15),
    (SEASON_PATTERN, _season_candidate, ("season",), 40, 15),
    (YEAR_PATTERN, _year_candidate, ("year",), 30, 5),
    (SET_PATTERN, _set_candidate, ("unit", "word"), 10, 5),
    (DURATION_PATTERN, _duration_candidate, ("unit",), 50, 25),
    (TIME_PATTERN, _time_candidate, ("clock",), 5, 10),
)


def _windows(
    spans: list[tuple[int, int]], length: int, before: int, after: int
) -> list[tuple[int, int]]:
    """Merged [start, end) windows around trigger spans."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        low, high = max(0, start - before), min(length, end + after)
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def find_candidates(body: str) -> list[_Candidate]:
    """Every rule's matches, then the earliest-longest non-overlapping ones, in text order."""
    triggers = _triggers(body)
    found: list[tuple[int, int, int, _Candidate]] = []
    merged_spans: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # rules share trigger classes
    for priority, (pattern, build, classes, before, after) in enumerate(_RULES):
        if len(classes) == 1:
            spans = triggers[classes[0]]  # already in text order
        elif classes in merged_spans:
            spans = merged_spans[classes]
        else:
            spans = merged_spans[classes] = sorted(
                span for name in classes for span in triggers[name]
            )
        if not spans:
            continue
        # The windows are disjoint and in text order, so each match starts at a new place.
        for low, high in _windows(spans, len(body), before, after):
            for match in pattern.finditer(body, low, high):
                candidate = build(match, body)
                if candidate is None or candidate.end <= candidate.start:
                    continue
                length = candidate.end - candidate.start
                found.append((candidate.start, -length, priority, candidate))
    found.sort(key=lambda row: row[:3])
    kept: list[_Candidate] = []
    last_end = 0
    for start, _, _, candidate in found:
        if start >= last_end:
            kept.append(candidate)
            last_end = candidate.end
    return kept


# --------------------------------------------------------------------------------------------
# Context: tense and reporting verbs around a span
# --------------------------------------------------------------------------------------------


def _sentence_left(body: str, start: int, width: int = 160) -> str:
    """The text of the sentence before `start` (at most `width` characters)."""
    low = max(0, start - width)
    window = body[low : start + 1]  # one more character: a boundary needs to see what follows
    cut = 0
    for boundary in _SENTENCE_END.finditer(window):
        if boundary.end() <= start - low:
            cut = boundary.end()
    return body[low + cut : start]


def _sentence_right(body: str, end: int, width: int = 80) -> str:
    window = body[end : end + width]
    boundary = _SENTENCE_END.search(window)
    return window[: boundary.start()] if boundary else window


def _is_past_word(word: str) -> bool:
    if word in PAST_CUES:
        return True
    return len(word) > 4 and word.endswith("ed") and word not in ED_WORDS_NOT_PAST


def _word_cue(words: list[str], index: int) -> str | None:
    """'future', 'past' or None for words[index], looking at its neighbours in text order."""
    word = words[index]
    if not word[:1].islower():
        return None
    after = words[index + 1] if index + 1 < len(words) else ""
    before = words[index - 1] if index > 0 else ""
    if word in FUTURE_CUES_BEFORE_TO:  # "plans to", "set to", "due to"... but "due to the storm"
        return "future" if after == "to" and (word != "due" or before in _BE_FORMS) else None
    if word in MODAL_CUES:  # "could strike on Monday", but "could have struck on Monday"
        return "past" if after == "have" else "future"
    if word in FUTURE_CUES or word.endswith(("'ll", "’ll")):
        return "future"
    if _is_past_word(word) and after not in ("be", "been", "being"):  # "will be held"
        return "past"
    return None


_BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been"})
_WEAK_MODALS = frozenset({"may", "might", "could", "can", "must", "should"})


def is_future(body: str, start: int, end: int) -> bool:
    """Is the span in a future-tense context? Nearest cue before it wins, then after it."""
    left = _WORD.findall(_sentence_left(body, start))[-18:]
    for index in range(len(left) - 1, -1, -1):
        cue = _word_cue(left, index)
        if cue:
            return cue == "future"
    right = _WORD.findall(_sentence_right(body, end))[:7]
    for index in range(min(6, len(right))):
        if right[index] in _WEAK_MODALS:  # "Girkin's arrest on July 21 may be..." is no future
            continue
        cue = _word_cue(right, index)
        if cue:
            return cue == "future"
    return False


def is_reporting(body: str, start: int, end: int) -> bool:
    """Is the span the date of a statement ('said on Wednesday'), not of an event?"""
    left = _CLAUSE_BREAK.split(_sentence_left(body, start))[-1]
    words = _WORD.findall(left)[-14:]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word == "that":
            return False
        if word.lower() in SPEECH_VERBS:
            # "explosions were reported on Friday" is about the explosions
            return index == 0 or words[index - 1] not in _BE_FORMS
        if word[:1].islower() and (_is_past_word(word) or word in FUTURE_CUES):
            return False
    return bool(_REPORTING_AFTER.match(body, end, min(len(body), end + 80)))


# --------------------------------------------------------------------------------------------
# Date arithmetic
# --------------------------------------------------------------------------------------------


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _week_value(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weekday_date(
    published: date, weekday: int, rel: str | None, week: str | None, future: bool, today_ok: bool
) -> date:
    """The calendar day a weekday names, seen from the publication date."""
    if week:  # "last week Tuesday"
        monday = published - timedelta(days=published.weekday())
        monday += timedelta(weeks={"last": -1, "this": 0, "next": 1}[week])
        return monday + timedelta(days=weekday)
    back = (published.weekday() - weekday) % 7  # days since the latest such day (0 = today)
    ahead = (weekday - published.weekday()) % 7  # days until the next such day (0 = today)
    if rel in ("last", "past", "this past"):
        return published - timedelta(days=back or 7)
    if rel in ("next", "coming", "this coming"):
        return published + timedelta(days=ahead or 7)
    if future:
        return published + timedelta(days=ahead or (0 if today_ok or rel == "this" else 7))
    return published - timedelta(days=back)


def _month_year(
    published: date, month: int, rel: str | None, year_rel: str | None, future: bool
) -> int:
    """The year of a month named without one ('in June', 'last June', 'May last year')."""
    if year_rel:
        return published.year + {"last": -1, "this": 0, "next": 1}[year_rel]
    if rel in ("last", "past", "this past"):
        return published.year if month < published.month else published.year - 1
    if rel in ("next", "coming"):
        return published.year if month > published.month else published.year + 1
    if rel == "this":
        return published.year
    if future:
        return published.year if month >= published.month else published.year + 1
    return published.year if month <= published.month else published.year - 1


# --------------------------------------------------------------------------------------------
# Resolution: candidate -> TimeExpression
# --------------------------------------------------------------------------------------------


class _Resolved(NamedTuple):
    value: str
    type: str
    granularity: str
    mod: str | None
    anchor: str
    day: date | None = None  # the calendar day, for day/night expressions
    reporting: bool = False


_DAY_MODS = {"early": "START", "late": "END"}


def _resolve_weekday(c: _Candidate, body: str, published: date | None) -> _Resolved:
    info = c.info
    granularity = "night" if info["night"] else "day"
    mod = _DAY_MODS.get(info["mod"] or "")
    if published is None:
        return _Resolved(f"XXXX-WXX-{info['weekday'] + 1}", "DATE", granularity, mod, "none")
    future = info["rel"] in (None, "this") and is_future(body, c.start, c.end)
    today_ok = info["mod"] == "later" or _squash(body[c.start : c.end]).endswith(
        ("night", "evening", "afternoon")
    )
    day = _weekday_date(published, info["weekday"], info["rel"], info["week"], future, today_ok)
    return _Resolved(day.isoformat(), "DATE", granularity, mod, "publication", day)


def _resolve_day_month(c: _Candidate, body: str, published: date | None) -> _Resolved:
    info = c.info
    granularity = "night" if info["night"] else "day"
    mod = _DAY_MODS.get(info["mod"] or "")
    month, day_number, year = info["month"], info["day"], info["year"]
    anchor = "publication"
    if year is None and published is not None and info.get("year_rel"):  # "June 4 this year"
        year = published.year + {"last": -1, "this": 0, "next": 1}[info["year_rel"]]
        anchor = "publication"
    elif year is None:
        if published is None:
            return _Resolved(f"XXXX-{month:02d}-{day_number:02d}", "DATE", granularity, mod, "none")
        year = published.year
        future = is_future(body, c.start, c.end)
        if not future and (month, day_number) > (published.month, published.day):
            year -= 1
        elif future and (month, day_number) < (published.month, published.day):
            year += 1
        if month == 2 and day_number == 29:  # keep a leap day in a leap year
            while year % 4:
                year += 1 if future else -1
    else:
        anchor = "none"
    day = date(year, month, day_number)
    return _Resolved(day.isoformat(), "DATE", granularity, mod, anchor, day)


def _resolve_month(c: _Candidate, body: str, published: date | None) -> _Resolved:
    info = c.info
    month, year = info["month"], info["year"]
    anchor = "none"
    if year is None:
        if published is None:
            return _Resolved(f"XXXX-{month:02d}", "DATE", "month", info["mod"], "none")
        needs_tense = info["rel"] is None and info["year_rel"] is None
        future = needs_tense and is_future(body, c.start, c.end)
        year = _month_year(published, month, info["rel"], info["year_rel"], future)
        anchor = "publication"
    return _Resolved(f"{year}-{month:02d}", "DATE", "month", info["mod"], anchor)


def _resolve_year(c: _Candidate, body: str, published: date | None) -> _Resolved:
    info = c.info
    value = str(info["year"])[:3] if info["decade"] else str(info["year"])
    return _Resolved(value, "DATE", "year", info["mod"], "none")


def _shifted_value(anchor_day: date, unit: str, offset: int) -> tuple[str, date | None]:
    """The value of `anchor_day` moved by `offset` units, and the day when it is a day."""
    if unit in ("day", "night"):
        day = anchor_day + timedelta(days=offset)
        return day.isoformat(), day
    if unit == "week":
        return _week_value(anchor_day + timedelta(weeks=offset)), None
    if unit == "month":
        year, month = _shift_month(anchor_day.year, anchor_day.month, offset)
        return f"{year}-{month:02d}", None
    return str(anchor_day.year + offset), None


def _previous_for(unit: str, previous: dict[str, date]) -> date | None:
    """The last event date precise enough for `unit`: a day for 'a day earlier', a year will
    do for 'three years later'."""
    if unit in ("day", "night", "week", "weekend"):
        return previous.get("day")
    return previous.get("month") if unit == "month" else previous.get("year")


def _remember(previous: dict[str, date], r: _Resolved) -> None:
    """Record an event date as the anchor of later relative expressions, at its precision."""
    if r.day is not None:
        previous.update(day=r.day, month=r.day, year=r.day)
    elif _YEAR_MONTH_VALUE.fullmatch(r.value):
        previous.update(month=date(int(r.value[:4]), int(r.value[5:]), 1))
        previous["year"] = previous["month"]
    elif _YEAR_VALUE.fullmatch(r.value):
        previous["year"] = date(int(r.value), 1, 1)


_UNKNOWN = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "weekend": "XXXX-WXX-WE", "month": "XXXX-XX"}


def _anchor_for(
    wanted: str, unit: str, published: date | None, previous: dict[str, date]
) -> tuple[date | None, str]:
    """The day a relative expression counts from: the date mentioned before it when it asks for
    that ("a day earlier") and one is known, else the publication date."""
    if wanted == "previous":
        day = _previous_for(unit, previous)
        if day is not None:
            return day, "previous"
    return published, "publication"


def _resolve_relative(
    c: _Candidate, body: str, published: date | None, previous: dict[str, date]
) -> _Resolved:
    info = c.info
    unit, offset, granularity, mod = info["unit"], info["offset"], info["granularity"], info["mod"]
    anchor_day, anchor = _anchor_for(info["anchor"], unit, published, previous)
    if anchor_day is None:
        return _Resolved(_UNKNOWN.get(unit, "XXXX"), "DATE", granularity, mod, "none")
    if unit == "weekend":
        if offset is None:  # "over the weekend": the latest one, or the coming one
            weekend_started = anchor_day.weekday() >= 5
            future = is_future(body, c.start, c.end)
            offset = 0 if (future or weekend_started) else -1
        week = _week_value(anchor_day + timedelta(weeks=offset))
        return _Resolved(f"{week}-WE", "DATE", granularity, mod, anchor)
    value, day = _shifted_value(anchor_day, unit, offset)
    return _Resolved(value, "DATE", granularity, mod, anchor, day)


def _resolve_count(
    c: _Candidate, body: str, published: date | None, previous: dict[str, date]
) -> _Resolved:
    info = c.info
    unit, offset = info["unit"], info["offset"]
    anchor_day, anchor = _anchor_for(info["anchor"], unit, published, previous)
    if anchor_day is None:
        return _Resolved(_UNKNOWN.get(unit, "XXXX"), "DATE", unit, info["mod"], "none")
    if unit == "week" and anchor == "previous":  # "a week earlier" than a day is a day
        unit, offset = "day", offset * 7
    value, day = _shifted_value(anchor_day, unit, offset)
    return _Resolved(value, "DATE", "day" if day else unit, info["mod"], anchor, day)


def _resolve_duration(c: _Candidate) -> _Resolved:
    unit, count = c.info["unit"], c.info["count"]
    amount = "X" if count is None else f"{count:g}"
    if unit == "H":
        value = f"PT{amount}H"
    elif unit == "MIN":
        value = f"PT{amount}M"
    else:
        value = f"P{amount}{unit}"
    return _Resolved(value, "DURATION", "duration", None, "none")


_SET_VALUES = {"day": "P1D", "night": "P1D", "morning": "P1D", "evening": "P1D"}


def _resolve_set(c: _Candidate) -> _Resolved:
    unit = c.info["unit"]
    value = _SET_VALUES.get(unit, f"P1{unit[0].upper()}")
    return _Resolved(value, "SET", "unknown", None, "none")


def _resolve_season(c: _Candidate, published: date | None) -> _Resolved:
    info = c.info
    year = info["year"]
    anchor = "none"
    if year is None:
        if published is None:
            return _Resolved(f"XXXX-{info['season']}", "DATE", "unknown", info["mod"], "none")
        # A winter belongs to the year it starts in: January 2023 is in winter 2022.
        year = published.year - (1 if info["winter"] and published.month <= 2 else 0)
        year += {"last": -1, "past": -1, "next": 1, "coming": 1}.get(info["rel"] or "", 0)
        anchor = "publication"
    return _Resolved(f"{year}-{info['season']}", "DATE", "unknown", info["mod"], anchor)


def _resolve_time(
    c: _Candidate, body: str, resolved: list[tuple[_Candidate, _Resolved]]
) -> _Resolved:
    """A clock time takes its day from a day expression in the same sentence, if any."""
    hour, minute = c.info["hour"], c.info["minute"]
    sentence_start = c.start - len(_sentence_left(body, c.start, 400))
    sentence_end = c.end + len(_sentence_right(body, c.end, 400))
    same_sentence = [
        (other, r)
        for other, r in resolved
        if r.day is not None and sentence_start <= other.start and other.end <= sentence_end
    ]
    clock = f"T{hour:02d}:{minute:02d}"
    if not same_sentence:
        return _Resolved(f"XXXX-XX-XX{clock}", "TIME", "unknown", None, "none")
    other, nearest = min(same_sentence, key=lambda pair: abs(pair[0].start - c.start))
    day = nearest.day
    assert day is not None
    # "overnight" and "the night of 13-14 May" carry the morning date: evening hours are the eve.
    morning_dated = re.search(r"overnight|\d\s*[-–]\s*\d", body[other.start : other.end], re.I)
    if nearest.granularity == "night" and hour >= 12 and morning_dated and day > date.min:
        day -= timedelta(days=1)
    return _Resolved(f"{day.isoformat()}{clock}", "TIME", "unknown", None, nearest.anchor, day)


def _resolve(
    c: _Candidate, body: str, published: date | None, previous: dict[str, date]
) -> _Resolved:
    """The value of one (non-time) candidate."""
    if c.kind == "weekday":
        return _resolve_weekday(c, body, published)
    if c.kind == "day_month":
        return _resolve_day_month(c, body, published)
    if c.kind == "month":
        return _resolve_month(c, body, published)
    if c.kind == "year":
        return _resolve_year(c, body, published)
    if c.kind == "relative":
        return _resolve_relative(c, body, published, previous)
    if c.kind == "count":
        return _resolve_count(c, body, published, previous)
    if c.kind == "duration":
        return _resolve_duration(c)
    if c.kind == "set":
        return _resolve_set(c)
    return _resolve_season(c, published)


MONTH_LEVEL = frozenset({"month", "year", "duration", "unknown"})


def tag_time_expressions(
    body: str, published: date | None, published_precision: str | None = "day"
) -> list[TimeExpression]:
    """Every time expression of `body` with its TIMEX3 value, sorted by start_char.

    `published` anchors relative expressions; with None, values that need it get XXXX forms.
    A publication date known only to the month (`published_precision` "month") anchors only
    month- and year-level expressions: "last month" resolves, "on Tuesday" stays XXXX.
    """
    return [TimeExpression(*row) for row in _expression_rows(body, published, published_precision)]


# A row of _expression_rows: the fields of TimeExpression, in order (plain tuples are much
# cheaper to build than frozen dataclasses, and time_expressions_frame only needs the tuples).
_ROW_START, _ROW_GRANULARITY = 1, 5


def _expression_rows(
    body: str, published: date | None, published_precision: str | None
) -> list[tuple[Any, ...]]:
    """tag_time_expressions as tuples of TimeExpression's fields."""
    if published is not None and published_precision == "month":
        by_month = _tag(body, published)
        unanchored = {row[_ROW_START]: row for row in _tag(body, None)}
        return [
            row
            if row[_ROW_GRANULARITY] in MONTH_LEVEL or row[_ROW_START] not in unanchored
            else unanchored[row[_ROW_START]]
            for row in by_month
        ]
    return _tag(body, published)


def _tag(body: str, published: date | None) -> list[tuple[Any, ...]]:
    if not body:
        return []
    candidates = find_candidates(body)
    resolved: list[tuple[_Candidate, _Resolved]] = []
    previous: dict[str, date] = {}  # the last event day, month and year mentioned
    times: list[int] = []
    for c in candidates:
        reporting = False
        if c.kind == "time":  # resolved once every day in the text is known
            times.append(len(resolved))
            r = _Resolved("", "TIME", "unknown", None, "none")
        else:
            try:
                r = _resolve(c, body, published, previous)
            except (OverflowError, ValueError):  # arithmetic beyond year 1 or 9999
                continue
        if r.day is not None:
            reporting = is_reporting(body, c.start, c.end)
        if r.type == "DATE" and not (reporting or c.info.get("back_reference")):
            _remember(previous, r)
        resolved.append((c, r._replace(reporting=True) if reporting else r))  # False in r
    days = [(c, r) for c, r in resolved if r.day is not None]
    for index in times:
        c, _ = resolved[index]
        resolved[index] = (c, _resolve_time(c, body, days))
    return [
        (body[c.start : c.end], c.start, c.end, r.value, r.type, r.granularity, r.mod, r.anchor)
        + (r.reporting,)
        for c, r in resolved
    ]


# --------------------------------------------------------------------------------------------
# Publication dates
# --------------------------------------------------------------------------------------------

_PUBLISHED = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?\s*$"
)


def parse_published(value: str | None) -> tuple[date | None, str | None]:
    """A manifest `published` value -> (date, 'day' | 'month'); (None, None) when unusable.

    '2023-09-20' and '2022-01-25T09:00:00Z' are days; '2023-09' is the first of the month.
    """
    match = _PUBLISHED.match(value or "")
    if not match:
        return None, None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"] or 1))
    except ValueError:
        return None, None
    return day, ("day" if match["d"] else "month")


def as_date(value: Any) -> date | None:
    """A published_date cell (date, Timestamp, ISO string, None/NaT) -> date or None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_published(value)[0]
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return pd.Timestamp(value).date()
    return None  # None, NaN, anything else


# --------------------------------------------------------------------------------------------
# Batch + Prefect task
# --------------------------------------------------------------------------------------------

EXPRESSION_COLUMNS = [
    "article_id",
    "text",
    "start_char",
    "end_char",
    "value",
    "type",
    "granularity",
    "mod",
    "anchor",
    "reporting",
]


# The article columns time_expressions_frame reads (the last one optional).
DATES_INPUT_COLUMNS = ["article_id", "body", "published_date", "published_date_precision"]


def time_expressions_frame(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles (article_id, body, published_date) -> one row per tagged time expression."""
    rows = []
    precisions = articles.get("published_date_precision", pd.Series(["day"] * len(articles)))
    # tolist(): iterating a list is faster than iterating an Arrow-backed column.
    for article_id, body, published, precision in zip(
        articles["article_id"].tolist(),
        articles["body"].tolist(),
        articles["published_date"].tolist(),
        precisions.tolist(),
        strict=True,
    ):
        text = body if isinstance(body, str) else ""
        rows += [
            (article_id, *row) for row in _expression_rows(text, as_date(published), precision)
        ]
    return pd.DataFrame(rows, columns=EXPRESSION_COLUMNS)


# --------------------------------------------------------------------------------------------
# Publication date from the text itself: a dateline or byline stamp in the first lines
# --------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<month>(?i:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r"))\.?"
_DATELINE_PATTERNS = (
    # "Tuesday, 14 May 2024, 07:06" / "14 May 2024"
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH_NAME}\s*,?\s+(?P<year>(?:19|20)\d{{2}})\b"),
    # "May 14, 2024"
    re.compile(
        rf"\b{_MONTH_NAME}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{{2}})\b"
    ),
    # "14.05.2024"
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<monthnum>\d{1,2})\.(?P<year>(?:19|20)\d{2})\b"),
    # "MOSCOW, September 20. /TASS/" (no year: only usable when the year is known otherwise)
    re.compile(rf"^[A-Z][A-Z .'-]+,\s+{_MONTH_NAME}\s+(?P<day>\d{{1,2}})\b"),
)
# Page stamps that are not the article's own date.
_NOT_PUBLICATION = re.compile(
    r"\b(?:updated|modified|last edited|copyright|©|accessed|retrieved)\b", re.IGNORECASE
)
# A stamp opens its line (after a place or weekday) or stands on a short line of its own; a date
# inside the first sentence ("On 14 May 2024, drones attacked ...") is an event date, not one.
_STAMP_PREFIX = re.compile(
    r"^(?:[A-Z][A-Za-z .'-]{1,40},\s*)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?"
)
STAMP_LINE_MAX_WORDS = 8
DATELINE_LINES = 4
DATELINE_MAX_CHARS = 160


def dateline_date(text: str, known_year: int | None = None) -> date | None:
    """The publication date a dateline or byline stamp gives in the first lines of `text`.

    "Tuesday, 14 May 2024, 07:06", "May 14, 2024", "MOSCOW, September 20. /TASS/" (the last one
    only when `known_year` is given). Lines that are page stamps ("Updated ...") are ignored.
    """
    lines = [line for line in text.splitlines() if line.strip()][:DATELINE_LINES]
    for line in lines:
        head = line.strip()[:DATELINE_MAX_CHARS]
        if _NOT_PUBLICATION.search(head):
            continue
        for pattern in _DATELINE_PATTERNS:
            match = pattern.search(head)
            prefix = _STAMP_PREFIX.match(head)  # all of it optional: it always matches
            opens_line = match is not None and prefix is not None and match.start() <= prefix.end()
            if not match or not (opens_line or len(head.split()) <= STAMP_LINE_MAX_WORDS):
                continue
            groups = match.groupdict()
            year = int(groups["year"]) if groups.get("year") else known_year
            month = (
                int(groups["monthnum"])
                if groups.get("monthnum")
                else _MONTHS[groups["month"].lower()]
            )
            if year is None:
                continue
            try:
                return date(year, month, int(groups["day"]))
            except ValueError:
                continue
    return None
