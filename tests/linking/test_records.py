"""What linking compares: birth years from dates or ages, division codes, bounded blocking."""

import json

from testimonia.linking.records import LinkRecord, birth_years, bounded_keys, hometown_levels


def test_birth_years_from_a_date_or_an_age_at_a_dated_event():
    assert birth_years("1958", None, None) == (1958, 1958)
    assert birth_years("1958~", None, None)[0] <= 1958 <= birth_years("1958~", None, None)[1]
    assert birth_years(None, 60, "2018") == (1957, 1958)  # "about 60 in 2018" agrees with "born 1958"
    assert birth_years(None, 66, "2018-05") == (1951, 1952)
    assert birth_years(None, None, "2018") is None and birth_years("not a date", None, None) is None


def test_hometown_levels_from_chinese_division_codes():
    assert hometown_levels("654028") == (None, "654028", "6540")  # Nilka County, Ili
    assert hometown_levels("654028100") == ("654028100", "654028", "6540")  # a township, in its county
    assert hometown_levels("654028000") == (None, "654028", "6540")  # no township named
    assert hometown_levels("654000") == (None, None, "6540")  # a prefecture alone
    assert hometown_levels("KZ") == (None, None, None) and hometown_levels(None) == (None, None, None)


def test_blocking_leaves_out_keys_too_many_persons_share_and_says_so():
    common = [LinkRecord(id=f"p{i}", names=("Muhammad",), name_keys=("part:MHMT",)) for i in range(5)]
    paired = [LinkRecord(id=f"q{i}", names=("Muhammad Ali",), name_keys=("pair:L|MHMT", "part:MHMT")) for i in range(2)]
    nameless = [LinkRecord(id="n", resident="blind")]
    kept, report = bounded_keys(common + paired + nameless, max_block=4)
    assert report.keys_skipped == 1 and report.largest_skipped == [(7, "part:MHMT")]
    assert report.persons_without_keys == 5 and report.persons_without_names == 1
    assert [r.name_keys for r in kept if r.id.startswith("q")] == [("pair:L|MHMT",)] * 2


def test_a_common_key_is_blocked_on_with_a_birth_year_or_a_county():
    common = [LinkRecord(id=f"p{i}", names=("Muhammad",), name_keys=("part:MHMT",), birth=(1950 + i % 3, 1950 + i % 3),
                         county="654028" if i < 2 else None) for i in range(6)]
    aged = LinkRecord(id="aged", names=("Muhammad",), name_keys=("part:MHMT",), birth=(1951, 1952))  # from an age
    decade = LinkRecord(id="decade", names=("Muhammad",), name_keys=("part:MHMT",), birth=(1950, 1959))
    kept, report = bounded_keys([*common, aged, decade], max_block=4)
    keys = {r.id: set(r.name_keys) for r in kept}
    assert report.keys_skipped == 1 and "part:MHMT" not in set().union(*keys.values())
    assert keys["p0"] == {"part:MHMT@born:1950", "part:MHMT@county:654028"}  # two born in 1950, two in the county
    assert keys["aged"] == {"part:MHMT@born:1951", "part:MHMT@born:1952"}  # each year an age allows
    assert keys["decade"] == set() and report.persons_without_keys == 1  # "born in the 1950s" blocks on nothing


def test_compound_keys_of_a_key_usable_alone_and_their_own_bound():
    records = [LinkRecord(id=f"p{i}", names=("Rahile Dawut",), name_keys=("pair:DWT|RHL", "part:RHL"),
                          birth=(1966, 1966), county="654028") for i in range(3)]
    kept, _ = bounded_keys(records, max_block=3)
    assert set(kept[0].name_keys) == {"pair:DWT|RHL", "part:RHL", "part:RHL@born:1966", "part:RHL@county:654028"}
    kept, _ = bounded_keys(records, max_block=2)  # shared by three: too common alone and with birth or county
    assert kept[0].name_keys == ()


def test_evidence_changes_with_what_is_compared_only():
    record = LinkRecord(id="p1", names=("Rahile Dawut",), birth=(1966, 1966))
    assert record.evidence == LinkRecord(id="p1", names=("Rahile Dawut",), birth=(1966, 1966), changed=False).evidence
    assert record.evidence != LinkRecord(id="p1", names=("Rahile Dawut", "热依拉·达吾提"), birth=(1966, 1966)).evidence
    assert "resident" not in record.compared()  # the blind index is never shown
    assert json.loads(record.shown) == json.loads(json.dumps(record.compared()))


def test_a_compound_key_still_too_common_is_refined_with_both_birth_year_and_county():
    # five bearers of Muhammad born in 1950: too many for the compound bound, by birth year or by county alone
    records = [LinkRecord(id=f"p{i}", names=("Muhammad",), name_keys=("part:MHMT",), birth=(1950, 1950),
                          county="654028" if i < 2 else "654002") for i in range(5)]
    kept, _ = bounded_keys(records, max_block=4, max_compound=3)
    keys = {r.id: set(r.name_keys) for r in kept}
    assert keys["p0"] == {"part:MHMT@county:654028", "part:MHMT@born:1950@county:654028"}
    assert keys["p4"] == {"part:MHMT@county:654002", "part:MHMT@born:1950@county:654002"}
    kept, _ = bounded_keys(records, max_block=4, max_compound=2)  # three in 654002: too many even with both
    assert {r.id: set(r.name_keys) for r in kept}["p4"] == set()
    assert kept[0].name_keys == ("part:MHMT@county:654028", "part:MHMT@born:1950@county:654028")
