"""Boilerplate cleaner: real page cruft out, every sentence of the report kept, exact values."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.clean import (
    CLEAN_INPUT_COLUMNS,
    CLEANED_COLUMNS,
    CleanResult,
    RemovedLine,
    clean_articles,
    clean_text,
    clean_texts,
    cleaned_fields,
    literal_trigger,
    parse_phrase_rules,
    template_lines_by_source,
    with_fields,
)
from tasks.ingest import split_header
from tests.conftest import CORPUS_DIR

SEEDS = Path(__file__).parent.parent / "seeds"
GOLDEN = Path(__file__).parent / "golden" / "clean"

# Quality floors on the golden set (measured: drop precision 1.000, recall 0.973, shingle F1 0.999).
MIN_DROP_PRECISION = 0.97
MIN_DROP_RECALL = 0.93
MIN_SHINGLE_F1 = 0.99


def seed_text(prefix: str) -> str:
    """A seed as the clean stage sees it: ingest has taken the ` date ... ` header off."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return split_header(path.read_text(encoding="utf-8"))[1]


def reasons(result: CleanResult) -> list[tuple[str, str]]:
    return [(line.text, line.reason) for line in result.removed]


def kept_lines(result: CleanResult) -> list[str]:
    return [line for line in result.body.split("\n") if line]


def is_dropped(line: str, before: str = "", after: str = "") -> str | None:
    """Clean `line` between two article sentences; the reason it was removed, or None if kept."""
    context = [
        before or "Russian air defences shot down two drones over the Belgorod region overnight.",
        line,
        after or "The regional governor said there were no casualties in the attack on Tuesday.",
    ]
    result = clean_text("\n".join(context))
    return {removed.line_no: removed.reason for removed in result.removed}.get(1)


# --- seeds ----------------------------------------------------------------------------------------


def test_seed_000_keeps_the_report_and_drops_the_photo_caption() -> None:
    result = clean_text(seed_text("000"))
    assert reasons(result) == [
        (
            "Ukrainian troops amid devastation in the frontline city of Bakhmut. Reuters",
            "caption_credit",
        ),
    ]
    assert len(kept_lines(result)) == 28
    assert result.body.startswith(
        "Russia’s defence ministry claims Ukraine has carried out drone attacks on its territory."
        "\n\nOn Tuesday, a drone was shot down in the Moscow region,"
    )
    assert "“The UAVs were neutralised by electronic warfare units.”" in kept_lines(result)
    assert result.body.endswith("welcome Finland and Sweden as members,” he said.")
    assert result.title is None  # the first line ends with a full stop: a standfirst
    assert result.author is None


def test_seed_001_drops_sign_up_block_links_comments_gallery_and_paywall() -> None:
    result = clean_text(seed_text("001"))
    assert [line.line_no for line in result.removed] == [*range(0, 8), 13, 18, *range(21, 32)]
    assert reasons(result) == [
        (
            "For free real time breaking news alerts sent straight to your inbox sign up to our "
            "breaking news emails Sign up to our free breaking news emails",
            "phrase:sign_up",
        ),
        ("Please enter a valid email address", "phrase:email_form"),
        ("Please enter a valid email address", "phrase:email_form"),
        ("SIGN UP", "phrase:sign_up"),
        (
            "I would like to be emailed about offers, events and updates from The Independent. "
            "Read our privacy notice",
            "phrase:email_form",
        ),
        ("Thanks for signing up to the", "phrase:sign_up"),
        ("Breaking News email", "block_smoothing"),
        (
            "{{ #verifyErrors }} {{ message }} {{ /verifyErrors }} {{ ^verifyErrors }} Something "
            "went wrong. Please try again later {{ /verifyErrors }}",
            "phrase:template_markup",
        ),
        (
            "Recommended Zelensky urges Trump to ‘not waste time’ and share proposal on ending "
            "Russian invasion of Ukraine Ukraine-Russia war – live: Putin ‘weaponising’ food as "
            "troops target cargo ship in Black Sea Ukraine ‘has one month to hold knife to "
            "Crimea’s throat’ and force Putin into peace talks",
            "phrase:recommended",
        ),
        (
            "Recommended Zelensky says ‘Russian society has raised a second Hitler’ in attack on "
            "Putin",
            "phrase:recommended",
        ),
        ("More about Ukraine belgorod Kyiv Russia Moscow", "phrase:read_more"),
        (
            "Join our commenting forum Join thought-provoking conversations, follow other "
            "Independent readers and see their replies",
            "phrase:comments",
        ),
        ("Comments", "phrase:comments"),
        ("1/ 1Drones shot down over Russian cities near Ukraine border", "gallery_counter"),
        ("Drones shot down over Russian cities near Ukraine border", "block_smoothing"),
        (
            "Russian missiles launched from Russia’s Belgorod region flying towards Kharkiv, "
            "eastern Ukraine, on 17 September amid the Russian invasion of Ukraine",
            "block_smoothing",
        ),
        ("AFP via Getty Images", "credit_alone"),
        ("? Subscribe to Independent Premium to bookmark this article", "phrase:subscribe"),
        (
            "Want to bookmark your favourite articles and stories to read or reference later? "
            "Start your Independent Premium subscription today.",
            "phrase:subscribe",
        ),
        ("Subscribe", "phrase:subscribe"),
        ("Already subscribed? Log in", "phrase:subscribe"),
    ]
    kept = kept_lines(result)
    assert len(kept) == 11
    assert kept[0].startswith("Russia’s air defence units have shot down two Ukrainian drones")
    assert kept[3].startswith("The drones were shot down at 10.30pm and 11.45pm local time")
    assert "on its Telegram channel on Wednesday" in kept[3]
    assert kept[-1] == (
        "Last month, three people were killed in a drone attack in Belgorod after another drone "
        "had targeted central Moscow."
    )
    assert "\n\n" not in result.body  # the dump had no blank lines: none are invented
    assert result.title is None


def test_seed_002_drops_repeated_title_and_signature() -> None:
    result = clean_text(seed_text("002"))
    title = "Russia downs dozens of drones as Kremlin warns NATO over Ukraine"
    assert reasons(result) == [(title, "duplicate_line"), ("-al jazeera", "signature")]
    assert [line.line_no for line in result.removed] == [4, 48]
    assert result.title == title
    assert result.author == "al jazeera"
    kept = kept_lines(result)
    assert len(kept) == 23
    assert kept[:2] == [
        title,
        "Kremlin says Russia, NATO relations have slipped to the level of ‘direct confrontation’ "
        "over the war in Ukraine.",
    ]
    assert "‘Direct confrontation’" in kept  # a subhead
    assert kept[-1].startswith("The military alliance has expanded with the entry of Finland")
    assert result.body.startswith(f"{title}\n\nKremlin says Russia, NATO relations")


def test_seed_003_drops_byline_date_stub_repeated_title_and_comment_prompt() -> None:
    result = clean_text(seed_text("003"))
    title = "Drones attack Ukrainian capital as Putin heads to Belarus"
    assert reasons(result) == [
        ("By: MRT Desk", "byline"),
        ("Published on:", "phrase:published_on"),
        (title, "duplicate_line"),
        ("Leave a Comment", "phrase:comments"),
    ]
    assert result.title == title
    assert result.author == "MRT Desk"
    kept = kept_lines(result)
    assert len(kept) == 20
    assert "Reuters was unable to independently verify these reports on the battlefield." in kept
    assert result.body.startswith(f"{title}\n\nRussian President Vladimir Putin was heading")
    assert "\n\n\n" not in result.body  # the double blank line in the dump is collapsed


def test_seed_004_keeps_everything_including_subheads() -> None:
    result = clean_text(seed_text("004"))
    assert result.removed == ()
    kept = kept_lines(result)
    assert len(kept) == 24
    assert result.title == (
        "Ukraine prepares for the siege of Bakhmut while keeping the pulse in the south"
    )
    for subhead in (
        "Klishchivka, new reconquest",
        "New rain of drones in Russia",
        "Moscow troops resist the push",
        "A “long” war",
    ):
        assert subhead in kept


# --- single rules on real lines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("ADVERTISEMENT", "phrase:advertisement"),
        ("Advertisement", "phrase:advertisement"),
        ("Continuation of the material under the video", "phrase:advertisement"),
        ("The rest of the article can be found under video material:", "phrase:advertisement"),
        ("CLICK HERE TO GET THE FOX NEWS APP", "phrase:app_promo"),
        ("NEW You can now listen to Fox News articles!", "phrase:app_promo"),
        (
            "See the video exercises of the US elite division, which is to partly reach Poland",
            "phrase:video_promo",
        ),
        ("WATCH: GANGS WREAK HAVOC ON HAITI", "phrase:video_promo"),
        (
            "Video Marta Klimkiewicz: Polish agriculture loses PLN 6.5 billion a year to drought",
            "phrase:video_promo",
        ),
        ("Newsletter As news happens", "phrase:newsletter"),
        (
            "Sign up to First Edition, our free daily newsletter – every weekday morning at 7am "
            "BST",
            "phrase:sign_up",
        ),
        (
            "skip past newsletter promotion Sign up to First Edition Free daily newsletter",
            "phrase:sign_up",
        ),
        (
            "By submitting your email, you agree to our Terms of Service and Privacy Policy . You "
            "may "
            "also receive promotional emails from The Washington Post.",
            "phrase:email_form",
        ),
        ("We need your consent to load this Social Media content.", "phrase:cookie"),
        (
            "JOIN US ON TELEGRAM! Follow our coverage of the war on the @Kyivpost_official.",
            "phrase:follow_us",
        ),
        ("Subscribe to us Twitter", "phrase:subscribe"),
        ("Read also: Ukraine asks Germany to provide more tanks", "phrase:read_more"),
        (
            "READ MORE: 12 Telegram Accounts to Follow for the Latest Ukrainian Counteroffensive "
            "News",
            "phrase:read_more",
        ),
        ("Related: Kremlin says talks with Kyiv are frozen", "phrase:read_more"),
        ("More messages on Gazeta.pl's main page", "phrase:read_more"),
        ("You can read more latest information on Gazeta.pl.", "phrase:read_more"),
        (
            "Read the original article via Atlantic Council’s Ukraine Alert here.",
            "phrase:read_more",
        ),
        (
            "Help Ukraine, join the collection.You will pay the money at pcpm.org.pl/ukraina >>>",
            "phrase:read_more",
        ),
        (
            "Other Topics of Interest Estonia’s PM: NATO Troop Training in Ukraine Won't Trigger "
            "War",
            "phrase:recommended",
        ),
        ("Share this article Share", "phrase:share"),
        ("Leave a Comment", "phrase:comments"),
        ("Published on: 19 December 2022", "phrase:published_on"),
        ("Fox News' Brooke Singman contributed to this report.", "phrase:contributed"),
        (
            "The views expressed are the author’s and not necessarily those of Kyiv Post",
            "phrase:disclaimer",
        ),
        (
            "Editor’s Note: Mark Hannah is a senior fellow at the Eurasia Group.",
            "phrase:editors_note",
        ),
        ("Image 2 of 3 prev next", "phrase:gallery"),
        ("Expand", "phrase:gallery"),
        (
            "View image in fullscreen Satellite imagery provided by Maxar of Millerovo Airfield, "
            "16 "
            "miles from the Ukraine border. Photograph: AP",
            "phrase:caption_prefix",
        ),
        ("Reuters", "credit_alone"),
        ("AFP via Getty Images", "credit_alone"),
        ("(Reuters)", "credit_alone"),
        ("Photo: EPA-EFE", "credit_alone"),
        ("Photo: Stringer, Anadolu Agency", "credit_alone"),
        ("PAP / EPA / PAP", "credit_alone"),
        ("Xie Huanchi/Xinhua News/East News/East News", "credit_alone"),
        ("Photo credit: President's Office", "photo_credit"),
        ("Cover photo: President’s Office", "photo_credit"),
        ("Source: PAP, Reuters", "source_credit"),
        (
            "Ukrainian troops amid devastation in the frontline city of Bakhmut. Reuters",
            "caption_credit",
        ),
        (
            "Kishida (center) visited the site of a mass grave in Bucha. Sergei "
            "Chuzavkov/AFP/Getty "
            "Images",
            "caption_credit",
        ),
        (
            "French President Emmanuel Macron has said he cannot rule out sending Western troops "
            "to "
            "Ukraine. Ludovic Marin/AFP via Getty Images",
            "caption_credit",
        ),
        (
            "Leo Varadkar visits the Motherland monument in Kyiv (Clodagh Kilcoyne/PA)",
            "caption_credit",
        ),
        ("Potential scenario of the invasion of Ukraine PAP", "caption_credit"),
        ("Russian army on the border with Ukraine tvn24.pl", "caption_credit"),
        ("Mark Hannah Courtesy of Mark Hannah", "caption_credit"),
        ("1/ 1Drones shot down over Russian cities near Ukraine border", "gallery_counter"),
        ("Hong Kong CNN —", "dateline"),
        ("By: MRT Desk", "byline"),
        ("Author/author: TAS/KA", "byline"),
        (
            "US TO MOVE MORE TROOPS TO NATO'S EASTERN FLANK AMID RUSSIA-UKRAINE SITUATION",
            "all_caps_line",
        ),
        (
            "New Russian elite New Russian elite New Russian elite New Russian elite",
            "repeated_text",
        ),
        ("https://t.me/s/kpszsu", "link_line"),
        ("***", "no_letters"),
        ("ol", "fragment"),
    ],
)
def test_cruft_line_is_removed_with_its_reason(line: str, reason: str) -> None:
    assert is_dropped(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Klishchivka, new reconquest",
        "New rain of drones in Russia",
        "‘Direct confrontation’",
        "Johnson's appeal",
        "– Putin accuses US –",
        "Glory to Ukraine!",
        "“The UAVs were neutralised by electronic warfare units.”",
        "Writing on the Telegram messaging app, he said the drone attacks had focused on "
        "Morozovsk.",
        "The channel, which has more than 500,000 subscribers, posted a video of the strike.",
        "Ukraine’s major western allies have yet to sign up to establish a tribunal to try Putin.",
        "It says anyone signing up for the tours can expect walks among bomb debris.",
        "Reuters was unable to independently verify these reports on the battlefield.",
        "Zelensky said in an interview with Reuters",
        "The advertisement campaign urged Russians to sign military contracts, the ministry said.",
        "More than 40 drones were downed over the Rostov region, the governor said.",
        "Video of the gathering in the courtyard shows students erupting in sustained applause.",
        "If it turned out that the murder was linked to the war, “it would be a disaster.”(DPA, "
        "AFP)",
        "Tours offer a look at daily life in the country in the midst of conflict.Credit: Visit "
        "Ukraine",
        "He knows for sure – WHICH ONE OF US IS LYING?",
        "By the way, today I am especially grateful to our guys from the 110th brigade!",
        "By the numbers",
        "By The Way",
    ],
)
def test_article_line_is_kept(line: str) -> None:
    assert is_dropped(line) is None


# --- document rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_body", "expected_reasons"),
    [
        # a short line sandwiched between removed lines goes with them
        (
            "Drones hit Kursk\nShare\nKursk region\nFacebook\nRelated: Drones hit Belgorod\nMore "
            "text.",
            "Drones hit Kursk\nMore text.",
            ["phrase:share", "block_smoothing", "phrase:share", "phrase:read_more"],
        ),
        (
            "Drones hit Kursk\nTwo drones were shot down over the city, the governor said.\nShare\n"
            "Gallery of the damage\nPhoto: Reuters\nThe report goes on here.",
            "Drones hit Kursk\nTwo drones were shot down over the city, the governor said.\n"
            "The report goes on here.",
            ["phrase:share", "block_smoothing", "credit_alone"],
        ),
        # at the end of the text, only lines that do not end like a sentence
        (
            "Drones hit Kursk\nThe governor said.\nRelated: other story\nFigures were not "
            "verified.",
            "Drones hit Kursk\nThe governor said.\nFigures were not verified.",
            ["phrase:read_more"],
        ),
        (
            "Drones hit Kursk\nThe governor said.\nRelated: other story\nDrones over Belgorod",
            "Drones hit Kursk\nThe governor said.",
            ["phrase:read_more", "block_smoothing"],
        ),
        # ... but never a line that reads as a sentence
        (
            "Drones hit Kursk\nSubscribe\nThe governor said two drones were shot down over the "
            "city.\n"
            "Subscribe now",
            "Drones hit Kursk\nThe governor said two drones were shot down over the city.",
            ["phrase:subscribe", "phrase:subscribe"],
        ),
        # a one- or two-word line just before cruft goes; one just after cruft is a subhead
        (
            "Title of the story\nA sentence of the report ends here.\nPhotos\nRead more: Other "
            "story",
            "Title of the story\nA sentence of the report ends here.",
            ["short_near_removed", "phrase:read_more"],
        ),
        (
            "Title of the story\nRead more: Other story\nDefence spending\nThe report goes on "
            "here.",
            "Title of the story\nDefence spending\nThe report goes on here.",
            ["phrase:read_more"],
        ),
        # a tag list next to cruft goes; a Title Case subhead with stopwords stays
        (
            "Drones hit Kursk\nThe report.\nUkraine Russia Kyiv Moscow Belgorod\nRelated: other",
            "Drones hit Kursk\nThe report.",
            ["tag_list", "phrase:read_more"],
        ),
        (
            "Drones hit Kursk\nThe report.\nRelated: other story\nDrones Over Moscow Again\nText.",
            "Drones hit Kursk\nThe report.\nDrones Over Moscow Again\nText.",
            ["phrase:read_more"],
        ),
        # an ad marker is transparent: the subhead after it is text
        (
            "Title of the story\nADVERTISEMENT\nState Department: conditions are unpredictable\n"
            "The report goes on here.",
            "Title of the story\nState Department: conditions are unpredictable\n"
            "The report goes on here.",
            ["phrase:advertisement"],
        ),
        # a repeated exclamation in a speech is kept; a repeated headline is not
        (
            "Ladies and Gentlemen!\nWe will defend our land.\nLadies and Gentlemen!",
            "Ladies and Gentlemen!\nWe will defend our land.\nLadies and Gentlemen!",
            [],
        ),
        # signature at the end: "— AP" and "(Reuters)" alone
        (
            "Drones hit Kursk\n\nTwo drones were shot down.\n\n— AP",
            "Drones hit Kursk\n\nTwo drones were shot down.",
            ["signature"],
        ),
        # a closing line that ends like a sentence is not a signature
        (
            "Drones hit Kursk\n\nTwo drones were shot down.\n\n- Thank you.",
            "Drones hit Kursk\n\nTwo drones were shot down.\n\n- Thank you.",
            [],
        ),
        (
            "Drones hit Kursk\n\nTwo drones were shot down.\n\n(Reuters)",
            "Drones hit Kursk\n\nTwo drones were shot down.",
            ["credit_alone"],
        ),
    ],
)
def test_document_rules(text: str, expected_body: str, expected_reasons: list[str]) -> None:
    result = clean_text(text)
    assert result.body == expected_body
    assert [line.reason for line in result.removed] == expected_reasons


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("Title\r\nFirst line.\r\n\r\nSecond line.", "Title\nFirst line.\n\nSecond line."),
        ("Title\rFirst line.", "Title\nFirst line."),
        ("Drones\u00a0over\u202fKyiv", "Drones over Kyiv"),
        ("Dro\u200bnes over\u2060 Kyiv\ufeff", "Drones over Kyiv"),
        ("Cafe\u0301 strike", "Caf\u00e9 strike"),
        ("Title   \nLine with trailing space.  \t", "Title\nLine with trailing space."),
        ("\n\n\nTitle\n\n\n\nFirst line.\n\n\n", "Title\n\nFirst line."),
        ("Title\n  \n \t\nFirst line.", "Title\n\nFirst line."),
        ("Title\n\nADVERTISEMENT\n\nFirst line.", "Title\n\nFirst line."),
        ("", ""),
        ("\n \n", ""),
    ],
)
def test_normalisation_and_paragraphs(text: str, body: str) -> None:
    assert clean_text(text).body == body


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Russia downs dozens of drones\n\nThe ministry said.", "Russia downs dozens of drones"),
        ("Will Russia attack again?\n\nThe ministry said.", "Will Russia attack again?"),
        ("The ministry said 40 drones were downed.\n\nMore text.", None),
        ("Subscribe\nDrones hit Kursk overnight\nThe governor said.", "Drones hit Kursk overnight"),
        ("Drones\nThe governor said.", None),
    ],
)
def test_title(text: str, title: str | None) -> None:
    assert clean_text(text).title == title


def test_removed_lines_carry_input_line_numbers_and_original_text() -> None:
    result = clean_text("Drones hit Kursk\n\nADVERTISEMENT  \nTwo drones were shot down.")
    assert result.removed == (RemovedLine(2, "ADVERTISEMENT", "phrase:advertisement"),)


# --- batches: template lines of a source ----------------------------------------------------------


def test_clean_texts_removes_lines_repeated_across_a_source() -> None:
    footer = "Kyiv Independent is funded by its readers"
    texts = [
        f"Strike number {n}\nDrones hit depot {n}, officials said.\n{footer}" for n in range(4)
    ]
    texts.append(f"Other outlet\nDrones hit depot 9, officials said.\n{footer}")
    sources = ["Kyiv Independent"] * 4 + ["Other"]
    results = clean_texts(texts, sources)
    assert [reasons(r) for r in results[:4]] == [[(footer, "repeated_in_source")]] * 4
    assert results[4].removed == ()  # one document of "Other": not enough to call it template
    assert results[0].body == "Strike number 0\nDrones hit depot 0, officials said."


@pytest.mark.parametrize(
    ("n_docs", "n_with_line", "template"),
    [(3, 3, True), (6, 3, True), (7, 3, False), (2, 2, False), (10, 5, True)],
)
def test_template_needs_three_documents_and_half_of_the_source(
    n_docs: int, n_with_line: int, template: bool
) -> None:
    texts = [
        f"Story {n}\nShared footer line" if n < n_with_line else f"Story {n}" for n in range(n_docs)
    ]
    found = template_lines_by_source(texts, ["Outlet"] * n_docs)["Outlet"]
    assert ("Shared footer line" in found) is template


def test_clean_texts_matches_clean_text_when_lines_repeat() -> None:
    # A batch computes each distinct line's hard-rule hit once: the seeds share lines
    # ("Advertisement", "Subscribe") and must clean as they do one by one.
    texts = [seed_text(prefix) for prefix in ("000", "001", "002", "003", "004")] * 2
    texts.append("Drones hit Kursk\nSubscribe\nAdvertisement\nTwo drones were shot down.")
    assert clean_texts(texts, [None] * len(texts)) == [clean_text(text) for text in texts]


def test_clean_texts_ignores_unknown_sources_and_checks_lengths() -> None:
    texts = ["Drones hit Kursk\nSame footer here"] * 5
    assert all(r.removed == () for r in clean_texts(texts, [None] * 5))
    with pytest.raises(ValueError, match="5 texts but 4 sources"):
        clean_texts(texts, [None] * 4)


def test_clean_articles_returns_new_frames() -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2"],
            "source": ["MRT", None],
            "raw_text": [seed_text("003"), "Drones hit Kursk\nSubscribe"],
        }
    )
    before = articles.copy()
    cleaned, removed = clean_articles(articles)
    pd.testing.assert_frame_equal(articles, before)  # the input is not mutated
    assert list(cleaned["title"]) == [
        "Drones attack Ukrainian capital as Putin heads to Belarus",
        "Drones hit Kursk",
    ]
    assert list(cleaned["n_removed_lines"]) == [4, 1]
    assert cleaned["author"].iloc[0] == "MRT Desk" and pd.isna(cleaned["author"].iloc[1])
    assert removed.to_dict("records")[-1] == {
        "article_id": "a2",
        "line_no": 1,
        "text": "Subscribe",
        "reason": "phrase:subscribe",
    }
    assert list(removed.columns) == ["article_id", "line_no", "text", "reason"]


def test_a_worker_returns_only_the_cleaned_fields_which_join_back_to_the_same_frame() -> None:
    """The clean task sends a worker three columns and gets back only what cleaning adds (not
    the raw text again); joined to the batch, that is exactly clean_articles' frame."""
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2"],
            "source": ["MRT", None],
            "raw_text": [seed_text("003"), "Drones hit Kursk\nSubscribe"],
            "url": ["https://example.org/1", None],
        },
        index=[7, 3],  # a batch cut from a larger frame keeps its index
    )
    fields, removed = cleaned_fields(articles[CLEAN_INPUT_COLUMNS])
    assert list(fields.columns) == CLEANED_COLUMNS
    assert list(fields["title"]) == [
        "Drones attack Ukrainian capital as Putin heads to Belarus",
        "Drones hit Kursk",
    ]
    expected, expected_removed = clean_articles(articles)
    pd.testing.assert_frame_equal(with_fields(articles, fields), expected)
    pd.testing.assert_frame_equal(removed, expected_removed)


# --- the lexicon file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("subscribe any block", "expected LABEL MODE KIND REGEX"),
        ("subscribe anywhere block subscribe", "expected LABEL MODE KIND REGEX"),
        ("subscribe any everywhere subscribe", "expected LABEL MODE KIND REGEX"),
    ],
)
def test_malformed_lexicon_row_is_reported(row: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_phrase_rules(f"# comment\n\n{row}\n")


@pytest.mark.parametrize(
    ("pattern", "trigger"),
    [
        (r"\bsign up (?:to|for)", "sign up "),
        (r"\bthanks? (?:you )?for signing up\b", "thank"),
        (r"\bnewsletters?\b", "newsletter"),
        (r"\b(?:enter|provide) valid email", None),
        (r"\{\{.*\}\}", None),
        (r"\bad\b", None),
        (r"\bsign up (?:to|for)|subscribe", None),
        (r"\bsign up [|(]x[)]", "sign up "),
        (r"\bsign up \|", "sign up "),
    ],
)
def test_literal_trigger(pattern: str, trigger: str | None) -> None:
    assert literal_trigger(pattern) == trigger


# --- golden set -----------------------------------------------------------------------------------


def read_golden(path: Path) -> list[tuple[str, str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        label, line = raw.split("\t", 1)
        assert label in ("keep", "drop"), f"{path.name}: bad label {label!r}"
        rows.append((label, line))
    return rows


def shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def test_golden_set_quality_floor() -> None:
    paths = sorted(GOLDEN.glob("*.labels.tsv"))
    assert len(paths) >= 25
    tp = fp = fn = 0
    common = predicted = expected = 0
    for path in paths:
        rows = read_golden(path)
        result = clean_text("\n".join(line for _, line in rows))
        dropped = {removed.line_no for removed in result.removed}
        for number, (label, _) in enumerate(rows):
            tp += number in dropped and label == "drop"
            fp += number in dropped and label == "keep"
            fn += number not in dropped and label == "drop"
        got = shingles(result.body)
        want = shingles("\n".join(line for label, line in rows if label == "keep"))
        common, predicted, expected = (
            common + len(got & want),
            predicted + len(got),
            expected + len(want),
        )
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    shingle_p, shingle_r = common / predicted, common / expected
    shingle_f1 = 2 * shingle_p * shingle_r / (shingle_p + shingle_r)
    assert precision >= MIN_DROP_PRECISION, f"drop precision {precision:.3f}"
    assert recall >= MIN_DROP_RECALL, f"drop recall {recall:.3f}"
    assert shingle_f1 >= MIN_SHINGLE_F1, f"shingle F1 {shingle_f1:.4f}"


# --- robustness -----------------------------------------------------------------------------------


def check_invariants(text: str, result: CleanResult) -> None:
    """Every body line is an input line (normalised), in order; removed lines are non-blank."""
    inputs = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body_lines = [line for line in result.body.split("\n") if line]
    removed_numbers = {removed.line_no for removed in result.removed}
    assert all(removed.text.strip() for removed in result.removed)
    assert len(body_lines) + len(removed_numbers) == sum(1 for line in inputs if line.strip())
    assert "\n\n\n" not in result.body and result.body == result.body.strip("\n")
    assert result.title is None or result.body.lstrip().startswith(result.title)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "",
                " ",
                "ADVERTISEMENT",
                "Subscribe",
                "Reuters",
                "Drones hit Kursk",
                "The governor said two drones were shot down over the city overnight.",
                "Share",
                "***",
                "Photo: AP",
                "Read more: other story",
                "By: Desk",
                "— AP",
                "Drones hit Kursk",
                "ol",
            ]
        )
        | st.text(max_size=40),
        max_size=30,
    )
)
def test_invariants_on_hostile_input(lines: list[str]) -> None:
    text = "\n".join(line.replace("\r", "") for line in lines)
    text = "".join(
        ch for ch in text if ch not in "\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff"
    )
    text = unicodedata.normalize("NFC", text)
    check_invariants(text, clean_text(text))


@pytest.mark.slow
def test_corpus_is_cleaned_fast_and_keeps_most_text() -> None:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"{CORPUS_DIR} is absent")
    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS_DIR.glob("*.txt"))]
    started = time.perf_counter()
    results = [clean_text(text) for text in texts]
    elapsed = time.perf_counter() - started
    for text, result in zip(texts, results, strict=True):
        check_invariants(text, result)
    kept_chars = sum(len(result.body) for result in results)
    assert kept_chars >= 0.9 * sum(len(text.strip()) for text in texts)
    assert elapsed / len(texts) < 0.002  # budget 0.5 ms; loose here so a busy CI box passes


# (text, body, dateline_place): a dateline opening the report is metadata, not report text
# fmt: off
DATELINE_CASES = [
    ("Drones hit Kyiv\n\nKYIV, Ukraine (AP) — Russian drones attacked Kyiv overnight.", "Drones hit Kyiv\n\nRussian drones attacked Kyiv overnight.", "KYIV, Ukraine"),
    ("Drones downed\n\nMOSCOW, September 20. /TASS/. Air defences downed two drones.", "Drones downed\n\nAir defences downed two drones.", "MOSCOW"),
    ("Drones launched\n\nKYIV, Jan 10 (Reuters) - Russia launched 20 drones.", "Drones launched\n\nRussia launched 20 drones.", "KYIV"),
    ("MOSCOW (Reuters) - Drones hit Moscow on Monday.", "Drones hit Moscow on Monday.", "MOSCOW"),
    ("Alliance news\n\nNATO allies have agreed to send more air defences.", "Alliance news\n\nNATO allies have agreed to send more air defences.", None),
    ("Drones hit Kyiv\n\nRussian drones attacked KYIV (the capital) overnight.", "Drones hit Kyiv\n\nRussian drones attacked KYIV (the capital) overnight.", None),
]
# fmt: on


@pytest.mark.parametrize(("text", "body", "place"), DATELINE_CASES)
def test_inline_dateline_is_taken_off_and_kept_as_metadata(text, body, place):
    result = clean_text(text)
    assert (result.body, result.dateline_place) == (body, place)
