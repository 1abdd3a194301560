"""Gazetteer: region codes are valid ISO 3166-2 and names resolve as war news uses them."""
# ruff: noqa: E501  (test tables keep one real sentence per line)

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import pycountry
import pytest

import tasks.gazetteer
from tasks.gazetteer import (
    DATA_DIR,
    GEONAMES_CSV,
    PLACES_CSV,
    REGIONS_CSV,
    find_places,
    region_codes,
    region_name,
    region_point,
)


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_region_code_is_iso_3166_2():
    codes = {row["admin1_code"] for row in _rows(REGIONS_CSV) if "-" in row["admin1_code"]}
    unknown = {code for code in codes if pycountry.subdivisions.get(code=code) is None}
    assert unknown == set()


def test_all_russian_and_ukrainian_regions_are_present():
    codes = region_codes()
    russia = {s.code for s in pycountry.subdivisions.get(country_code="RU")}
    ukraine = {s.code for s in pycountry.subdivisions.get(country_code="UA")}
    assert russia - codes == set()
    assert ukraine - codes == set()
    assert (len(russia), len(ukraine)) == (83, 27)


def test_every_place_maps_to_a_known_region():
    known = {row["admin1_code"] for row in _rows(REGIONS_CSV)}
    assert {row["admin1_code"] for row in _rows(PLACES_CSV)} - known == set()


def test_place_coordinates_are_plausible():
    for row in _rows(PLACES_CSV):
        if row["latitude"]:
            assert 40 <= float(row["latitude"]) <= 70, row["name"]
            assert 20 <= float(row["longitude"]) <= 60, row["name"]


# Rough boxes around each country: a region's point outside them is a typo.
BOXES = {
    "RU": (41, 82, 19, 180),
    "UA": (44, 53, 22, 41),
    "BY": (51, 57, 23, 33),
    "PL": (49, 55, 14, 25),
    "MD": (45, 49, 26, 31),
    "RO": (43, 49, 20, 30),
}


def test_every_region_and_country_has_a_point_inside_its_country():
    for row in _rows(REGIONS_CSV):
        south, north, west, east = BOXES[row["country_code"]]
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        assert south <= latitude <= north and west <= longitude <= east, row["name"]


def test_places_lie_near_their_region():
    """A place far from its region's point is most likely mapped to the wrong region."""
    for row in _rows(PLACES_CSV):
        if row["latitude"]:
            latitude, longitude = region_point(row["admin1_code"])
            assert abs(float(row["latitude"]) - latitude) <= 2.5, row["name"]
            assert abs(float(row["longitude"]) - longitude) <= 4, row["name"]


# (code, latitude, longitude): administrative centres
# fmt: off
POINTS = [
    ("UA-43", 44.95, 34.10),  # Simferopol
    ("UA-30", 50.45, 30.52),  # Kyiv
    ("RU-MOW", 55.76, 37.62),  # Moscow
    ("RU-ROS", 47.24, 39.71),  # Rostov-on-Don
    ("UA-12", 48.46, 35.05),  # Dnipro
    ("MD", 47.01, 28.86),  # Chisinau
]
# fmt: on


@pytest.mark.parametrize(("code", "latitude", "longitude"), POINTS)
def test_region_point(code, latitude, longitude):
    assert region_point(code) == (latitude, longitude)


# (text, matched text, latitude, longitude): a town's own point, a region's centre
# fmt: off
COORDINATE_CASES = [
    ("close to the city of Kolomna", "Kolomna", 55.10, 38.77),
    ("a drone over the Kursk region", "Kursk region", 51.73, 36.19),
    ("in Kyiv Oblast", "Kyiv Oblast", 50.45, 30.52),
    ("fragments found near Plauru", "Plauru", 45.34, 28.82),
]
# fmt: on


@pytest.mark.parametrize(("text", "written", "latitude", "longitude"), COORDINATE_CASES)
def test_find_places_gives_coordinates(text, written, latitude, longitude):
    (match,) = find_places(text)
    assert (match.text, match.latitude, match.longitude) == (written, latitude, longitude)


# (text, [(matched text, admin1_code, kind)])
# fmt: off
CASES = [
    ("a drone was shot down in the Moscow region", [("Moscow region", "RU-MOS", "region")]),
    ("drones attacked Moscow overnight", [("Moscow", "RU-MOW", "city")]),
    ("the Russian capital", [("Russian capital", "RU-MOW", "city")]),
    ("Russian drones attacked Kiev", [("Kiev", "UA-30", "city")]),
    ("private homes in the Kiev region", [("Kiev region", "UA-32", "region")]),
    ("in Kyiv Oblast", [("Kyiv Oblast", "UA-32", "region")]),
    ("the Moscow and Kaluga regions", [("Moscow", "RU-MOW", "city"), ("Kaluga regions", "RU-KLU", "region")]),
    ("the Kaluga and Moscow regions", [("Kaluga", "RU-KLU", "region"), ("Moscow regions", "RU-MOS", "region")]),
    ("Belgorod and Oryol oblasts", [("Belgorod", "RU-BEL", "region"), ("Oryol oblasts", "RU-ORL", "region")]),
    ("in the Krasnodar region and the Adygea Republic", [("Krasnodar region", "RU-KDA", "region"), ("Adygea Republic", "RU-AD", "region")]),
    ("a fire at an oil depot in Krasnodar", [("Krasnodar", "RU-KDA", "region")]),
    ("close to the city of Kolomna", [("Kolomna", "RU-MOS", "town")]),
    ("in Ramenskoe, 50 kilometers from the capital", [("Ramenskoe", "RU-MOS", "town")]),
    ("the Morozovsk district, northeast of Rostov", [("Morozovsk district", "RU-ROS", "town"), ("Rostov", "RU-ROS", "region")]),
    ("the annexed Crimean peninsula", [("Crimean peninsula", "UA-43", "region")]),
    ("a drone over Sevastopol", [("Sevastopol", "UA-40", "city")]),
    ("attacks on Kharkov and Zaporozhye", [("Kharkov", "UA-63", "region"), ("Zaporozhye", "UA-23", "region")]),
    ("the southern regions of Zaporizhia, Odesa and Dnipropetrovsk", [("Zaporizhia", "UA-23", "region"), ("Odesa", "UA-51", "region"), ("Dnipropetrovsk", "UA-12", "region")]),
    ("in Nizhny Novgorod and Veliky Novgorod", [("Nizhny Novgorod", "RU-NIZ", "region"), ("Veliky Novgorod", "RU-NGR", "region")]),
    ("the Engels airbase", [("Engels airbase", "RU-SAR", "airbase")]),
    ("a drone fell in Moldova", [("Moldova", "MD", "country")]),
    ("the kyiv regime", []),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_places(text, expected):
    assert [(m.text, m.admin1_code, m.kind) for m in find_places(text)] == expected


def test_match_offsets_point_into_the_text():
    text = "Drones were downed over the Kursk, Belgorod and Krasnodar regions."
    assert [text[m.start : m.end] for m in find_places(text)] == [
        "Kursk",
        "Belgorod",
        "Krasnodar regions",
    ]


@pytest.mark.parametrize(
    ("code", "name"),
    [("RU-BEL", "Belgorod"), ("RU-MOS", "Moscow region"), ("UA-30", "Kyiv"), ("UA-43", "Crimea")],
)
def test_region_name(code, name):
    assert region_name(code) == name


# ---------------------------------------------------------------------------------------------
# GeoNames towns (tasks/data/gazetteer_geonames.csv, built by scripts/build_geonames_gazetteer.py)
# ---------------------------------------------------------------------------------------------

ADMIN1_CSV = DATA_DIR / "geonames_admin1_to_iso.csv"


def _keys(row):
    return [row["name"].lower(), *(a.lower() for a in row["aliases"].split("|") if a)]


# (text, matched text, canonical name, admin1_code): towns only the GeoNames file knows
# fmt: off
GEONAMES_CASES = [
    ("Drones attacked an oil refinery in Tolyatti overnight", "Tolyatti", "Tolyatti", "RU-SAM"),
    ("a fire broke out at the Togliatti synthetic rubber plant", "Togliatti", "Tolyatti", "RU-SAM"),
    ("the Severstal steel plant in Cherepovets was hit by a drone", "Cherepovets", "Cherepovets", "RU-VLG"),
    ("a drone hit a refinery in Volzhsky, the governor said", "Volzhsky", "Volzhsky", "RU-VGG"),
    ("drones struck a truck plant in Naberezhnye Chelny", "Naberezhnye Chelny", "Naberezhnyye Chelny", "RU-TA"),
    ("an explosion at a plant in Almetyevsk injured two people", "Almetyevsk", "Almetyevsk", "RU-TA"),
    ("a drone was downed over Makhachkala", "Makhachkala", "Makhachkala", "RU-DA"),
    ("a drone attack on Grozny was repelled", "Grozny", "Grozny", "RU-CE"),
    ("Drones targeted the Kstovo area on Sunday night", "Kstovo", "Kstovo", "RU-NIZ"),
    ("Russian missiles hit Dniprodzerzhynsk, now called Kamianske", "Dniprodzerzhynsk", "Kamyanske", "UA-12"),
    ("shelling of the Saltivka district left three dead", "Saltivka", "Saltivka", "UA-63"),
    ("Shahed drones hit Obolon district of the capital", "Obolon district", "Obolon", "UA-30"),
    ("a drone crashed near Mozyr in Belarus", "Mozyr", "Mazyr", "BY"),
    ("drone debris was found near Braila, on the Danube", "Braila", "Braila", "RO"),
    ("a drone fell near Tiraspol, in Transnistria", "Tiraspol", "Tiraspol", "MD"),
]
# fmt: on


@pytest.mark.parametrize(("text", "written", "name", "code"), GEONAMES_CASES)
def test_geonames_town_resolves_to_its_region(text, written, name, code):
    match = find_places(text)[0]
    assert (match.text, match.name, match.admin1_code, match.kind) == (written, name, code, "town")
    assert match.latitude is not None and match.longitude is not None


# Words that are also GeoNames towns of RU, UA, BY, MD, PL or RO, left out by the precision guard
# fmt: off
AMBIGUOUS_CASES = [
    "He flew from New York to Kyiv",  # a village in Donetsk; a world city wins
    "Ukrainian forces shelled the Azov coast",  # Azov (Rostov): the sea, the regiment
    "said Kirill Mikhailov, an analyst at the Conflict Intelligence Team",  # Mikhaylov (Ryazan)
    "Roman Starovoit, the governor, said",  # Roman (Romania): a first name
    "a statue of Yuri Gagarin was damaged",  # Gagarin (Smolensk): a person
    "Marks and scratches on the debris",  # Marks (Saratov): an English word
    "the town of Kirovsk was shelled",  # towns in Luhansk, Leningrad and Murmansk regions
    "the Desna river near the border",  # a Kyiv district named after the river
    "the Druzhba pipeline was hit",  # the pipeline, not the town
    "a port in Alexandria was closed",  # Romania's Alexandria; Egypt's is 100 times larger
    "Bor and Mir are short",  # under four letters
]
# fmt: on


@pytest.mark.parametrize("text", AMBIGUOUS_CASES)
def test_ambiguous_town_names_do_not_match(text):
    towns = [m.text for m in find_places(text) if m.kind == "town"]
    assert towns == []


def test_hand_entries_win_over_geonames():
    (match,) = find_places("drones attacked Kremenchuk")
    assert (match.admin1_code, match.kind, match.latitude) == ("UA-53", "city", 49.07)


def test_admin1_table_maps_every_russian_and_ukrainian_region():
    rows = _rows(ADMIN1_CSV)
    iso = {row["iso_code"] for row in rows}
    for country in ("RU", "UA"):
        assert {s.code for s in pycountry.subdivisions.get(country_code=country)} - iso == set()
    assert all(pycountry.subdivisions.get(code=code) is not None for code in iso)
    geonames_codes = [row["geonames_code"] for row in rows]
    assert len(geonames_codes) == len(set(geonames_codes))
    table = {row["geonames_code"]: row["iso_code"] for row in rows}
    assert (table["UA.11"], table["UA.20"]) == ("UA-43", "UA-40")  # Crimea, Sevastopol


def test_geonames_file_is_sorted_and_deduplicated():
    rows = _rows(GEONAMES_CSV)
    assert len(rows) > 3000
    order = [(row["name"].lower(), row["admin1_code"]) for row in rows]
    assert order == sorted(order)
    keys = [key for row in rows for key in _keys(row)]
    assert len(keys) == len(set(keys))


def test_geonames_file_leaves_hand_entries_and_short_names_to_others():
    taken = {key for path in (REGIONS_CSV, PLACES_CSV) for row in _rows(path) for key in _keys(row)}
    rows = _rows(GEONAMES_CSV)
    keys = {key for row in rows for key in _keys(row)}
    assert keys & taken == set()
    assert all(len(key) >= 4 for key in keys)


def test_geonames_codes_and_points_are_valid():
    for row in _rows(GEONAMES_CSV):
        code, country = row["admin1_code"], row["country_code"]
        assert code == country or pycountry.subdivisions.get(code=code).country_code == country
        south, north, west, east = BOXES[country]
        assert south <= float(row["latitude"]) <= north, row["name"]
        assert west <= float(row["longitude"]) <= east, row["name"]


def test_the_gazetteer_is_kept_in_the_user_cache_and_derived_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # After the test, pass or fail, the next test's gazetteer comes from the real CSV files.
    request.addfinalizer(tasks.gazetteer._load.cache_clear)
    request.addfinalizer(tasks.gazetteer._pattern.cache_clear)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    tasks.gazetteer._load.cache_clear()  # as in a new process
    derived = tasks.gazetteer._load()
    kept = list((tmp_path / "newsevents").glob("gazetteer-*.pickle"))
    assert len(kept) == 1 and region_name("RU-BEL") == "Belgorod"

    def no_csv() -> None:
        raise AssertionError("the CSV files were read again")

    tasks.gazetteer._load.cache_clear()  # a new process reads the kept copy
    with monkeypatch.context() as patched:
        patched.setattr(tasks.gazetteer, "_from_csv_files", no_csv)
        assert tasks.gazetteer._load() == derived

    # A damaged copy is derived again and rewritten.
    kept[0].write_bytes(b"half a pickle")
    tasks.gazetteer._load.cache_clear()
    assert tasks.gazetteer._load() == derived
    assert pickle.loads(kept[0].read_bytes()) == derived

    # An edited CSV file is another copy, with its names.
    places = tmp_path / "places.csv"
    places.write_text(
        PLACES_CSV.read_text(encoding="utf-8") + "Testovo,,RU-BEL,village,,\n", encoding="utf-8"
    )
    monkeypatch.setattr(tasks.gazetteer, "PLACES_CSV", places)
    tasks.gazetteer._load.cache_clear()
    assert [place.admin1_code for place in find_places("Drones hit Testovo.")] == ["RU-BEL"]
    assert len(list((tmp_path / "newsevents").glob("gazetteer-*.pickle"))) == 2
