"""The gazetteer: the full division tables, facilities, and resolution of the names reports use."""

import pytest

from testimonia.gazetteer import Gazetteer
from testimonia.gazetteer.load import load_facilities, load_places


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer()


def test_counts_match_the_reference_tables():
    places = load_places()
    by_len = {n: sum(1 for p in places if p.code.isdigit() and len(p.code) == n) for n in (4, 6, 9)}
    assert by_len == {4: 15, 6: 108, 9: 1405}
    facilities = load_facilities()
    assert len(facilities) == 504
    assert sum(f.type == "unknown" for f in facilities) == 56
    assert all(f.source_type is None or f.type != "unknown" for f in facilities)


@pytest.mark.parametrize(("text", "code"), [
    ("Nileke County", "654028"), ("尼勒克县", "654028"), ("Yining County", "654021"), ("Yining City", "654002"),
    ("伊宁市", "654002"), ("伊宁县", "654021"), ("Kazakhstan", "KZ"), ("654028", "654028"),
])
def test_resolve(gazetteer, text, code):
    assert gazetteer.resolve(text).code == code


def test_city_and_county_of_one_name_are_kept_apart_by_the_words_around(gazetteer):
    assert gazetteer.resolve("Yining", context="she lived in Yining County for years").code == "654021"
    assert gazetteer.resolve("Yining", context="a school in Yining city").code == "654002"
    assert gazetteer.resolve("Yining").code == "654002"  # with no kind word, the city


def test_hierarchy(gazetteer):
    assert gazetteer.ancestors("654028") == ["6540", "65", "CN"]


@pytest.mark.parametrize(("text", "code"), [
    ("Nilka", "654028"), ("Nilka County", "654028"), ("Qumul", "6505"), ("Aqsu Prefecture", "6529"), ("Aqsu", "652901"),
    ("Ghulja", "654002"), ("Almaty", "KZ-75"),
])
def test_names_reports_use(gazetteer, text, code):
    assert gazetteer.resolve(text).code == code


def test_every_county_and_prefecture_has_pinyin_and_every_other_alias_a_source():
    """Official names (pinyin, Chinese, a country's English names) need none; every other alias names its page."""
    for place in load_places():
        if place.code.isdigit() and len(place.code) in (4, 6):
            assert any(a.kind == "pinyin" for a in place.aliases), place.code
        official = ("pinyin", "chinese") if len(place.code) > 2 and place.code.isdigit() else ("pinyin", "chinese", "english")
        for alias in place.aliases:
            if alias.kind not in official:
                assert alias.source and alias.source.startswith("http"), (place.code, alias.text)


def test_kazakhstan_regions_have_iso_codes():
    regions = [p for p in load_places() if p.parent_code == "KZ"]
    assert len(regions) >= 17
    assert all(p.code.startswith("KZ-") for p in regions)
