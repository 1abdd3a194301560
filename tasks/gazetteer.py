"""Gazetteer: find first-level regions, towns and countries named in a text.

The reference data lives in tasks/data/gazetteer_regions.csv (one row per first-level region,
with its English spellings), tasks/data/gazetteer_places.csv (hand-made: towns, districts and
airbases mapped to their region) and tasks/data/gazetteer_geonames.csv (towns of RU and UA of
5,000 people or more, of BY, MD, PL and RO of 15,000 or more, written by
scripts/build_geonames_gazetteer.py from GeoNames; names ambiguous in English news left out).
Rows carry a latitude and longitude: for a region, a representative point (its administrative
centre); for a country, its capital; for a place, its own point (blank when not known well
enough). On a name found in several files the first wins: regions, hand-made places, GeoNames.

All are loaded once. `find_places` looks at each capitalised word that starts a known name and
tries the names starting with that word, longest first, so "Moscow region" wins over "Moscow"
and "Nizhny Novgorod" over "Nizhny".
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from warehouse.user_cache import cached_pickle, user_cache_dir

DATA_DIR = Path(__file__).parent / "data"
REGIONS_CSV = DATA_DIR / "gazetteer_regions.csv"
PLACES_CSV = DATA_DIR / "gazetteer_places.csv"
GEONAMES_CSV = DATA_DIR / "gazetteer_geonames.csv"

# Words that turn a bare region name into an explicit first-level region: "the Kursk region",
# "Belgorod and Oryol oblasts", "the Adygea Republic", "Krasnodar Krai".
REGION_WORDS = (
    r"(?:regions?|oblasts?|Oblasts?|Regions?|provinces?|Province|krais?|Krai|territory|Republic)"
)
_REGION_WORD_RE = re.compile(rf"\s+{REGION_WORDS}$")
_WORD_RE = re.compile(r"\w+")
_CAPITALISED_RE = re.compile(r"(?<![\w-])[A-Z]\w*")


# A city that is its own first-level region, and the region around it.
CITY_REGION = {"RU-MOW": "RU-MOS", "UA-30": "UA-32", "RU-SPE": "RU-LEN"}


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    text: str  # the text as written
    name: str  # canonical name of the matched place ("Kolomna", "Moscow region")
    admin1_code: str  # ISO 3166-2 code of the first-level region (country code for a country)
    country_code: str  # ISO 3166-1 alpha-2
    kind: str  # region, city, town, village, airbase, district, country, ...
    latitude: float | None = None  # of the place itself (a region: its administrative centre)
    longitude: float | None = None


@dataclass(frozen=True)
class _Entry:
    name: str
    admin1_code: str
    country_code: str
    kind: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class _Gazetteer:
    first_words: dict[str, tuple[str, ...]]  # lower-cased first word -> names it starts
    entries: dict[str, _Entry]  # lower-cased alias -> entry
    region_names: dict[str, str]  # admin1_code -> canonical name
    region_points: dict[str, tuple[float, float]]  # admin1_code -> (latitude, longitude)


def _aliases(name: str, aliases: str) -> list[str]:
    found = [name, *(a.strip() for a in aliases.split("|") if a.strip())]
    return list(dict.fromkeys(found))


def _coordinate(value: str | None) -> float | None:
    return float(value) if value else None


@cache
def _load() -> _Gazetteer:
    """The gazetteer, read from the user's cache: 12-15 ms, where deriving it from the CSV files
    takes 43-59 ms, in every process that finds places (a small run's flow, each CPU worker)."""
    return cached_pickle(_cache_path(), _from_csv_files, lambda kept: isinstance(kept, _Gazetteer))


def _cache_path() -> Path:
    """Named by a hash of this module and the CSV files: an edit to any of them derives it anew."""
    stamp = hashlib.sha256()
    for path in (Path(__file__), REGIONS_CSV, PLACES_CSV, GEONAMES_CSV):
        stamp.update(path.read_bytes())
    return user_cache_dir() / f"gazetteer-{stamp.hexdigest()[:16]}.pickle"


def _from_csv_files() -> _Gazetteer:
    entries: dict[str, _Entry] = {}
    region_names: dict[str, str] = {}
    region_points: dict[str, tuple[float, float]] = {}
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, country = row["admin1_code"], row["country_code"]
            region_names[code] = row["name"]
            latitude, longitude = _coordinate(row["latitude"]), _coordinate(row["longitude"])
            if latitude is not None and longitude is not None:
                region_points[code] = (latitude, longitude)
            is_country = code == country
            for alias in _aliases(row["name"], row["aliases"]):
                if is_country:
                    kind = "country"
                elif _REGION_WORD_RE.search(alias):
                    kind = "region"
                else:
                    kind = "city" if code in {"RU-MOW", "RU-SPE", "UA-30", "UA-40"} else "region"
                if alias.lower() not in entries:
                    entries[alias.lower()] = _Entry(
                        row["name"], code, country, kind, latitude, longitude
                    )
    with PLACES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["admin1_code"]
            country = code.split("-")[0]
            latitude, longitude = _coordinate(row["latitude"]), _coordinate(row["longitude"])
            entry = _Entry(row["name"], code, country, row["kind"], latitude, longitude)
            for alias in _aliases(row["name"], row["aliases"]):
                entries.setdefault(alias.lower(), entry)  # one entry for all of a row's names
    with GEONAMES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            # Regions of Belarus, Poland, ... are not in the gazetteer: the country stands in.
            code = row["admin1_code"] if row["admin1_code"] in region_names else row["country_code"]
            latitude, longitude = _coordinate(row["latitude"]), _coordinate(row["longitude"])
            entry = _Entry(row["name"], code, row["country_code"], "town", latitude, longitude)
            for alias in _aliases(row["name"], row["aliases"]):
                entries.setdefault(alias.lower(), entry)
    # One regex per first word, alternatives longest first. Region aliases written bare
    # ("Kursk") also match with a region word after them ("Kursk region", "Kursk Oblast").
    by_first_word: dict[str, list[str]] = {}
    for alias in sorted(entries, key=len, reverse=True):
        first_word = _WORD_RE.match(alias)
        if first_word:  # find_places starts at a word: a name that starts otherwise is never met
            by_first_word.setdefault(first_word.group(), []).append(alias)
    first_words = {word: tuple(aliases) for word, aliases in by_first_word.items()}
    return _Gazetteer(first_words, entries, region_names, region_points)


@cache
def _pattern(first_word: str) -> re.Pattern[str]:
    """The names starting with `first_word`, compiled on first use (thousands of them)."""
    aliases = _load().first_words[first_word]
    alternatives = "|".join(re.escape(alias).replace(r"\ ", r"\s+") for alias in aliases)
    return re.compile(
        rf"(?P<name>{alternatives})(?P<suffix>\s+{REGION_WORDS})?(?![\w-])", re.IGNORECASE
    )


def find_places(text: str) -> list[PlaceMatch]:
    """Every gazetteer place named in `text`, in order, longest match first.

    Names must start with a capital letter ("kyiv regime" in lowercase is not matched).
    """
    gazetteer = _load()
    matches: list[PlaceMatch] = []
    covered = 0
    # Names are only tried where a capitalised word starts a known name.
    for word in _CAPITALISED_RE.finditer(text):
        if word.start() < covered:
            continue
        first_word = word.group().lower()
        if first_word not in gazetteer.first_words:
            continue
        match = _pattern(first_word).match(text, word.start())
        if match is None:
            continue
        covered = match.end()
        written = match.group("name")
        entry = gazetteer.entries[re.sub(r"\s+", " ", written).lower()]
        kind, code = entry.kind, entry.admin1_code
        latitude, longitude = entry.latitude, entry.longitude
        if match.group("suffix") and kind != "country":
            # "Moscow and Kaluga regions", "Kyiv Oblast": the region around a city.
            kind, code = "region", CITY_REGION.get(code, code)
            latitude, longitude = gazetteer.region_points.get(code, (None, None))
        matches.append(
            PlaceMatch(
                start=match.start("name"),
                end=match.end(),
                text=text[match.start("name") : match.end()],
                name=entry.name,
                admin1_code=code,
                country_code=entry.country_code,
                kind=kind,
                latitude=latitude,
                longitude=longitude,
            )
        )
    return matches


def region_name(admin1_code: str) -> str:
    """The canonical English name of a first-level region ("RU-BEL" -> "Belgorod")."""
    return _load().region_names[admin1_code]


def region_point(admin1_code: str) -> tuple[float, float] | None:
    """A representative point of a region (its administrative centre) or country (its capital)."""
    return _load().region_points.get(admin1_code)


def region_codes() -> frozenset[str]:
    """All first-level region codes in the gazetteer (countries excluded)."""
    return frozenset(code for code in _load().region_names if "-" in code)
