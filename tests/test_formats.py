"""HTML pages, JSON lines and JSON arrays load end to end; bad records become rejected rows."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from tasks.formats import (
    RecordError,
    _language_identifier,
    detect_language,
    extract_html,
    identify_language,
    language_model_cache_path,
    reads_as_english,
    record_fields,
    release_language_model,
    release_language_model_if_mapped,
)
from tasks.ingest import (
    Manifest,
    fingerprint_files,
    list_article_files,
    plan_new_files,
    read_articles,
)

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
RUN_AT = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def read_fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    source = tmp_path_factory.mktemp("formats")
    for path in FIXTURES.iterdir():
        shutil.copy(path, source / path.name)
    planned = plan_new_files(fingerprint_files(list_article_files(source), source), set(), set())
    articles, rejected = read_articles(planned, source, Manifest(), RUN_AT)
    return articles.set_index("source_uri"), rejected.set_index("source_uri")


def test_html_page_main_text_title_url_and_date(
    read_fixtures: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    page = read_fixtures[0].loc["kyiv-attack.html"]
    assert page["content_format"] == "html"
    assert page["url"] == "https://news.example.com/2024/03/31/russia-launches-37-shahed-drones"
    assert (page["published_date"], page["published_date_source"]) == (date(2024, 3, 31), "html")
    assert page["raw_text"].startswith("Russia launches 37 Shahed drones at Ukraine overnight\n")
    assert "Air defence units shot down 33 of the Shahed drones" in page["raw_text"]
    for cruft in (
        "Subscribe",
        "Sign up to our newsletter",
        "All rights reserved",
        "dataLayer",
        "Zelensky visits",
    ):
        assert cruft not in page["raw_text"], cruft
    assert page["language"] == "en"


def test_json_lines_records_load_and_bad_records_are_rejected(
    read_fixtures: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    articles, rejected = read_fixtures
    first = articles.loc["scraped.jsonl#1"]
    assert first["content_format"] == "jsonl"
    assert first["raw_text"].startswith("Two drones downed over Belgorod\n\nRussia's air defences")
    assert (first["published_date"], first["published_date_source"]) == (
        date(2023, 9, 20),
        "record",
    )
    assert first["source"] == "Example Wire"
    from_html = articles.loc["scraped.jsonl#5"]
    assert from_html["raw_text"].startswith("Drone hits Kursk substation")
    assert "electricity substation in the Kursk region" in from_html["raw_text"]
    assert articles.loc["scraped.jsonl#7", "language"] == "ru"
    assert rejected["reason"].to_dict() == {
        "scraped.jsonl#2": "record has no 'text' or 'html' field with content",
        "scraped.jsonl#3": "invalid JSON line: Expecting value: line 1 column 1 (char 0)",
        "scraped.jsonl#4": "field 'url' is a int, expected a string",
        "feed.json#2": "record has no 'text' or 'html' field with content",
        "feed.json#3": "record is a JSON list, expected an object",
    }


def test_json_array_records(read_fixtures: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    odesa = read_fixtures[0].loc["feed.json#1"]
    assert (odesa["content_format"], odesa["published_date"]) == ("json", date(2023, 7, 18))
    assert "20 of the 25 drones were destroyed" in odesa["raw_text"]


def test_a_renamed_json_lines_file_is_the_same_articles(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "scraped.jsonl", tmp_path / "a.jsonl")
    shutil.copy(FIXTURES / "scraped.jsonl", tmp_path / "b.jsonl")
    planned = plan_new_files(
        fingerprint_files(list_article_files(tmp_path), tmp_path), set(), set()
    )
    assert sorted(planned["source_uri"]) == [f"a.jsonl#{n}" for n in (1, 2, 3, 4, 5, 7)]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"text": None, "html": None}, "no 'text' or 'html'"),
        ({"text": ["a list"]}, "field 'text' is a list"),
        ({"text": "ok", "published": 20230920}, "field 'published' is a int"),
        ("just a string", "record is a JSON str"),
        ({"html": "<html><body><nav>Home</nav></body></html>"}, "HTML page without article text"),
    ],
)
def test_record_errors(record: object, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        record_fields(record)


def test_html_without_main_text_is_an_error() -> None:
    with pytest.raises(RecordError, match="without article text"):
        extract_html("<html><body></body></html>")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Russia's air defences shot down two Ukrainian drones over the Belgorod region.", "en"),
        ("Сили ППО збили над Київщиною 15 ударних безпілотників типу Shahed.", "uk"),
        ("Rosyjskie drony zaatakowały w nocy obwód lwowski, poinformowały władze.", "pl"),
        ("12 345 ...", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


LONG_ENGLISH = (
    "Russian air defence systems destroyed 12 Ukrainian drones over the Belgorod region "
    "overnight, the defence ministry in Moscow said on Sunday. The governor of the region said "
    "that a woman was injured in the attack and that several houses were damaged by debris."
)
LONG_GERMAN = (
    "Die russische Luftabwehr hat in der Nacht über der Region Belgorod mehrere Drohnen "
    "abgeschossen, teilte das Verteidigungsministerium in Moskau mit. Es gab keine Verletzten, "
    "die Schäden werden noch untersucht und die Behörden prüfen den Vorfall weiter genau."
)
LONG_FRENCH = (
    "Les forces russes ont abattu plusieurs drones ukrainiens au-dessus de la région de "
    "Belgorod dans la nuit, a indiqué le ministère de la Défense à Moscou. Il n'y a pas eu de "
    "blessés selon les autorités locales et une enquête est en cours sur les dégâts causés."
)


LONG_DUTCH = (
    "De Russische luchtverdediging heeft in de nacht boven de regio Belgorod meerdere drones "
    "neergeschoten, meldde het ministerie van Defensie in Moskou. Er was geen schade en het is "
    "nog onduidelijk wie de aanval uitvoerde."
)
PORTUGUESE = (
    "A defesa aérea russa abateu vários drones ucranianos sobre a região de Belgorod durante a "
    "noite, informou o Ministério da Defesa em Moscou. Não houve feridos."
)


@pytest.mark.parametrize(
    ("text", "fast_path", "language"),
    [
        (LONG_ENGLISH, True, "en"),
        ("Two people in hospital after parasite outbreak in Devon", True, "en"),  # a headline
        (LONG_GERMAN, False, "de"),
        (LONG_FRENCH, False, "fr"),
        (LONG_DUTCH, False, "nl"),  # shares "in", "is", "was" with English
        (PORTUGUESE, False, "pt"),  # shares "a"
    ],
)
def test_plain_english_skips_the_language_model_and_others_do_not(
    text: str, fast_path: bool, language: str
) -> None:
    assert reads_as_english(text) is fast_path
    assert detect_language(text) == language


def test_task_threads_asking_at_once_load_the_language_model_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Three batches' ingest tasks can finish together; each load costs 0.5 s and 78 MB."""
    from py3langid.langid import LanguageIdentifier

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no cached copy yet

    loads = []
    real_load = LanguageIdentifier.from_model_file.__func__

    def counted_load(cls: type, *args: object, **kwargs: object) -> object:
        loads.append(args)
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", classmethod(counted_load))
    release_language_model()
    text = "La défense aérienne russe a abattu douze drones ukrainiens dans la région."
    with ThreadPoolExecutor(max_workers=4) as pool:
        languages = list(pool.map(identify_language, [text] * 4))
    release_language_model()
    assert languages == ["fr"] * 4
    assert len(loads) == 1


def test_the_language_model_is_loaded_from_a_cached_copy_after_the_first_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from py3langid.langid import LanguageIdentifier

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "La défense aérienne russe a abattu douze drones ukrainiens dans la région."
    release_language_model()
    assert identify_language(text) == "fr"  # from the package's file, then cached
    cached = language_model_cache_path()
    assert cached.parent == tmp_path / "newsevents" and cached.is_file()

    def no_package_file(*args: object, **kwargs: object) -> None:
        raise AssertionError("the package's model file was read again")

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", no_package_file)
    release_language_model()
    assert identify_language(text) == "fr"  # from the cached copy
    monkeypatch.undo()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = cached.read_bytes()
    cached.write_bytes(b"half a pickle")  # a damaged copy is a miss, then rewritten
    release_language_model()
    assert identify_language(text) == "fr"
    assert cached.read_bytes() == whole
    # The two large arrays sit beside it, memory-mapped when it is loaded.
    arrays = sorted(path.name for path in cached.parent.glob("*.npy"))
    assert arrays == [f"{cached.stem}.nb_ptc.npy", f"{cached.stem}.tk_nextmove.npy"]
    release_language_model()
    assert type(_language_identifier().nb_ptc).__name__ == "memmap"  # the copy, now
    release_language_model()


def test_the_model_is_freed_after_a_batch_only_when_it_loads_again_quickly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """From the memory-mapped cached copy it is freed (0.01 s to load again); from the package,
    when the cache folder cannot be written (0.5 s to load), it is kept."""
    text = "La défense aérienne russe a abattu douze drones ukrainiens dans la région."
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    release_language_model()
    assert identify_language(text) == "fr"
    release_language_model_if_mapped()
    assert _language_identifier.cache_info().currsize == 0
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o500)
    monkeypatch.setenv("XDG_CACHE_HOME", str(read_only))
    if os.access(read_only, os.W_OK):  # root writes anywhere: a file where the folder would be
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
        (tmp_path / "a-file").write_text("")
    assert identify_language(text) == "fr"
    release_language_model_if_mapped()
    assert _language_identifier.cache_info().currsize == 1  # kept
    release_language_model()
