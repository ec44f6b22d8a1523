import datetime as dt

import pytest

from testimonia.domain.dates import InvalidDate, birth_range_from_age, parse_date
from testimonia.domain.prc_id import InvalidResidentId, check_character, normalise_resident_id


@pytest.mark.parametrize(("text", "earliest", "latest"), [
    ("2018-01", dt.date(2018, 1, 1), dt.date(2018, 1, 31)),
    ("2017-07-30", dt.date(2017, 7, 30), dt.date(2017, 7, 30)),
    ("2016~", dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
    ("2017/2018", dt.date(2017, 1, 1), dt.date(2018, 12, 31)),
])
def test_edtf_ranges(text, earliest, latest):
    r = parse_date(text)
    assert (r.earliest, r.latest) == (earliest, latest)


@pytest.mark.parametrize("bad", ["", "January 2018", "2018-13", "../2018", "2018-02-30"])
def test_invalid_edtf(bad):
    with pytest.raises(InvalidDate):
        parse_date(bad)


def test_age_at_a_dated_event_gives_a_birth_range():
    r = birth_range_from_age(66, "2018-05-06")
    assert r.earliest == dt.date(1951, 5, 7) and r.latest == dt.date(1952, 5, 6)


def _valid(first17: str) -> str:
    return first17 + check_character(first17)


def test_resident_id_check_digit():
    number = _valid("65402819800101123")
    assert normalise_resident_id(number) == number
    assert normalise_resident_id(number[:6] + " " + number[6:]) == number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidResidentId) as err:
        normalise_resident_id(wrong)
    assert number not in str(err.value)  # the message never repeats the number


def test_resident_id_birth_date_must_exist():
    with pytest.raises(InvalidResidentId):
        normalise_resident_id(_valid("65402819801301123"))


@pytest.mark.parametrize("text", ["2018", "2018-02", "2016-02", "2018-12-31", "2016-02-29", "0999-01"])
def test_plain_dates_agree_with_the_edtf_parser(text):
    """The fast path for plain dates gives what the full EDTF parser gives."""
    from edtf import parse_edtf, struct_time_to_date

    parsed = parse_edtf(text)
    expected = (struct_time_to_date(parsed.lower_strict()), struct_time_to_date(parsed.upper_strict()))
    r = parse_date(text)
    assert (r.earliest, r.latest) == expected


@pytest.mark.parametrize("bad", ["2018-00", "2017-02-29", "2018-1", "18-01-01"])
def test_plain_looking_invalid_dates(bad):
    with pytest.raises(InvalidDate):
        parse_date(bad)
