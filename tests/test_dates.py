"""The date stage: table-driven checks of tag_time_expressions against a careful reader.

tests/golden/time_phrases.csv holds real sentences (seeds and the GDELT corpus, plus a few
news-style sentences for conventions the sample lacks), the publication date, a span and its value.
An empty value means the span must NOT be tagged (numbers, "May" the verb, ages).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.dates import (
    EXPRESSION_COLUMNS,
    TimeExpression,
    parse_published,
    tag_time_expressions,
    time_expressions_frame,
)
from tasks.stages import dates_task
from tests.conftest import CORPUS_DIR

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "time_phrases.csv"
EXPECTED = ROOT / "tests" / "expected-events.jsonl"
SEEDS = ROOT / "seeds"
HEADER = re.compile(r"^\ufeff?[ \t]*date[ \t]+\d{4}-\d{2}(?:-\d{2})?\b[ \t]*")


def _golden_rows() -> list[tuple[str, str, str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        return [
            (r["sentence"], r["published"], r["text"], r["value"]) for r in csv.DictReader(handle)
        ]


def _tag(sentence: str, published: str | None) -> list[TimeExpression]:
    return tag_time_expressions(sentence, date.fromisoformat(published) if published else None)


def _show(found: list[TimeExpression]) -> str:
    return "; ".join(f"[{x.text}]={x.value}" for x in found)


@pytest.mark.parametrize(("sentence", "published", "text", "value"), _golden_rows())
def test_golden_phrase(sentence: str, published: str, text: str, value: str) -> None:
    found = _tag(sentence, published)
    if value:
        assert (text, value) in [(x.text, x.value) for x in found], _show(found)
    else:
        start = sentence.index(text)
        end = start + len(text)
        overlapping = [x for x in found if x.start_char < end and start < x.end_char]
        assert overlapping == [], _show(overlapping)


def test_golden_table_is_big_enough() -> None:
    assert len(_golden_rows()) >= 150


# The other fields, for the conventions that name them.
# Row: "sentence | published | text | type granularity mod anchor"; mod "-" is None, anchor "pub"
# is publication and "prev" the previous date.
FIELD_ROWS = [
    "Drones were downed overnight. | 2024-04-05 | overnight | DATE night - pub",
    "Drones hit Sumy on Tuesday night. | 2023-09-20 | on Tuesday night | DATE night - pub",
    "In the early hours of Friday. | 2024-04-07 | In the early hours of Friday | DATE night - pub",
    "He said in mid-February that... | 2023-02-28 | in mid-February | DATE month MID pub",
    "Work halted in early December. | 2024-05-08 | in early December | DATE month START pub",
    "Fighting grew in late January. | 2023-02-16 | in late January | DATE month END pub",
    "Missiles hit early on Wednesday. | 2024-04-24 | early on Wednesday | DATE day START pub",
    "Blasts late on Friday night. | 2022-02-19 | late on Friday night | DATE night END pub",
    "Kyiv was hit on Tuesday. A day earlier, Odesa. | 2023-09-20 | A day earlier | DATE day - prev",
    "A day earlier, two drones were downed. | 2023-09-20 | A day earlier | DATE day - pub",
    "Ukraine has for months launched drones. | 2024-04-05 | for months | DURATION duration - none",
    "He confirmed attacks every day. | 2023-09-20 | every day | SET unknown - none",
    "Ukraine applied in February 2022. | 2023-02-28 | in February 2022 | DATE month - none",
    "It began over two months ago. | 2022-04-25 | over two months ago | DATE month APPROX pub",
    "Drones fell at 10.30pm on Tuesday night. | 2023-09-20 | 10.30pm | TIME unknown - pub",
    "It happened last week. | 2024-05-07 | last week | DATE week - pub",
    "Sweden joined in March. | 2024-04-05 | in March | DATE month - pub",
    "Finland joined last year. | 2024-04-05 | last year | DATE year - pub",
    "The Soviet Union fell in 1991. | 2022-12-19 | in 1991 | DATE year - none",
]


@pytest.mark.parametrize("row", FIELD_ROWS)
def test_fields(row: str) -> None:
    sentence, published, text, fields = row.split(" | ")
    found = {x.text: x for x in _tag(sentence, published)}
    assert text in found, _show(list(found.values()))
    x = found[text]
    anchor = {"publication": "pub", "previous": "prev"}.get(x.anchor, x.anchor)
    assert f"{x.type} {x.granularity} {x.mod or '-'} {anchor}" == fields


# Without a publication date, values that need one keep X placeholders.
@pytest.mark.parametrize(
    ("sentence", "text", "value"),
    [
        ("Ukraine was granted candidate status in June.", "in June", "XXXX-06"),
        ("Putin was heading to Belarus on Monday.", "on Monday", "XXXX-WXX-1"),
        ("The invasion began on Feb. 24.", "on Feb. 24", "XXXX-02-24"),
        ("Three people were killed last month.", "last month", "XXXX-XX"),
        ("Finland joined last year.", "last year", "XXXX"),
        ("Drones were shot down overnight.", "overnight", "XXXX-XX-XX"),
        ("Ukraine applied in February 2022.", "in February 2022", "2022-02"),
        ("The Soviet Union fell in 1991.", "in 1991", "1991"),
        ("The siege lasted for months.", "for months", "PXM"),
    ],
)
def test_without_publication_date(sentence: str, text: str, value: str) -> None:
    found = {x.text: x for x in _tag(sentence, None)}
    assert found[text].value == value
    if not re.match(r"^(\d{4}|P)", value):
        assert found[text].anchor == "none"


# A date governed by a speech verb is a reporting date: never the anchor of "a day earlier".
@pytest.mark.parametrize(
    ("sentence", "text", "reporting"),
    [
        ("Ukraine said on Tuesday that its troops were under pressure.", "on Tuesday", True),
        (
            "The ministry said in two posts on its Telegram channel on Wednesday.",
            "on Wednesday",
            True,
        ),
        (
            "On Tuesday, a drone was shot down in the Moscow region, the governor said.",
            "On Tuesday",
            False,
        ),
        (
            "Speaking to reporters in Brussels on Thursday, Blinken said aid is needed.",
            "on Thursday",
            True,
        ),
        (
            "The defence ministry claimed Ukraine launched drone attacks overnight.",
            "overnight",
            False,
        ),
    ],
)
def test_reporting_dates(sentence: str, text: str, reporting: bool) -> None:
    found = {x.text: x for x in _tag(sentence, "2023-09-20")}
    assert found[text].reporting is reporting


def _seed_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        for expression in record.get("time_expressions") or []:
            cases.append(
                (record["file"], record["pub_date"], expression["text"], expression["value"])
            )
    return cases


@pytest.mark.parametrize(("file", "published", "text", "value"), _seed_cases())
def test_seed_expectations(file: str, published: str, text: str, value: str) -> None:
    body = HEADER.sub("", (SEEDS / file).read_text(encoding="utf-8"), count=1)
    found = _tag(body, published)
    hits = [x for x in found if text in x.text and x.value == value]
    assert hits, f"{text!r}={value} not in: {_show(found)}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-20", (date(2023, 9, 20), "day")),
        ("2022-01-25T09:00:00Z", (date(2022, 1, 25), "day")),
        ("2022-01-25T09:00:00+02:00", (date(2022, 1, 25), "day")),
        ("2023-09", (date(2023, 9, 1), "month")),
        ("", (None, None)),
        (None, (None, None)),
        ("yesterday", (None, None)),
        ("2023-02-30", (None, None)),
        ("2023-13", (None, None)),
    ],
)
def test_parse_published(value: str | None, expected: tuple[date | None, str | None]) -> None:
    assert parse_published(value) == expected


def _check_invariants(body: str, found: list[TimeExpression]) -> None:
    previous_end = 0
    for x in found:
        assert body[x.start_char : x.end_char] == x.text
        assert x.start_char >= previous_end  # sorted, non-overlapping
        assert x.end_char > x.start_char
        assert x.type in ("DATE", "TIME", "DURATION", "SET")
        assert x.anchor in ("publication", "previous", "none")
        previous_end = x.end_char


# Words that start date patterns, for hostile word salads.
_DATE_WORD_TEXT = (
    "on in late early Later the night of overnight Monday Tuesday Sunday May March Feb. 24 "
    "13-14 2022 1991 last this next week month year day days ago earlier later before for two "
    "three a said will mid-February 10.30pm 24-08-2023 , . ’s every since start weekend summer"
)
DATE_WORDS = st.sampled_from(_DATE_WORD_TEXT.split())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.dates()))
def test_random_text_never_raises(body: str, published: date | None) -> None:
    _check_invariants(body, tag_time_expressions(body, published))


@settings(max_examples=300, deadline=None)
@given(st.lists(DATE_WORDS, max_size=40), st.one_of(st.none(), st.dates()))
def test_date_word_salad_never_raises(words: list[str], published: date | None) -> None:
    body = " ".join(words)
    _check_invariants(body, tag_time_expressions(body, published))


def test_frame_has_the_table_columns() -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "body": ["On Tuesday, a drone was shot down.", "Nothing here.", "Attacks overnight."],
            "published_date": [date(2023, 2, 28), None, pd.Timestamp("2024-04-05")],
        }
    )
    frame = time_expressions_frame(articles)
    assert list(frame.columns) == EXPRESSION_COLUMNS
    assert frame[["article_id", "text", "value"]].values.tolist() == [
        ["a1", "On Tuesday", "2023-02-28"],
        ["a3", "overnight", "2024-04-05"],
    ]


@pytest.mark.parametrize(
    ("published", "value"),
    [
        (date(2024, 4, 5), "2024-04-05"),
        (pd.Timestamp("2024-04-05 09:00"), "2024-04-05"),
        ("2024-04-05T09:00:00Z", "2024-04-05"),
        (None, "XXXX-XX-XX"),
        (pd.NaT, "XXXX-XX-XX"),
        (float("nan"), "XXXX-XX-XX"),
    ],
)
def test_frame_accepts_any_published_cell(published: object, value: str) -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["a1"],
            "body": ["Drones hit overnight."],
            "published_date": [published],
        }
    )
    assert time_expressions_frame(articles)["value"].tolist() == [value]


def test_dates_task_wraps_the_frame_function() -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["a1"],
            "body": ["In March, it joined."],
            "published_date": ["2024-04-05"],
        }
    )
    from prefect.logging import disable_run_logger

    with disable_run_logger():
        frames = dates_task.fn({"articles": articles})
    assert frames["time_expressions"]["value"].tolist() == ["2024-03"]
    assert frames["articles"] is articles


def test_corpus_offsets_and_order() -> None:
    if not CORPUS_DIR.is_dir():
        pytest.skip("corpus folder absent")
    with (CORPUS_DIR / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = 0
    for row in rows:
        body = (CORPUS_DIR / row["file"]).read_text(encoding="utf-8")
        found = tag_time_expressions(body, parse_published(row["published"])[0])
        _check_invariants(body, found)
        total += len(found)
    assert total > 5 * len(rows)  # about six expressions per article


# A publication date known only to the month anchors month- and year-level expressions only.
# (sentence, text, value)
# fmt: off
MONTH_PRECISION_CASES = [
    ("Drones attacked Kursk on Tuesday, the governor said.", "on Tuesday", "XXXX-WXX-2"),
    ("Two drones were downed overnight, the ministry said.", "overnight", "XXXX-XX-XX"),
    ("Last month, three people were killed in a drone attack.", "Last month", "2023-08"),
    ("Sweden joined the alliance in March.", "in March", "2023-03"),
    ("Finland joined last year.", "last year", "2022"),
]
# fmt: on


@pytest.mark.parametrize(("sentence", "text", "value"), MONTH_PRECISION_CASES)
def test_month_precision_publication_date_anchors_only_month_level(sentence, text, value):
    tagged = {x.text: x.value for x in tag_time_expressions(sentence, date(2023, 9, 1), "month")}
    assert tagged[text] == value
