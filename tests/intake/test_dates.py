"""Date phrases resolved against the document's date, as docs/intake.md lists them."""

import datetime as dt

import pytest

from testimonia.intake.dates import parse_day, resolve, shift

MAY_6_2018 = dt.date(2018, 5, 6)


@pytest.mark.parametrize(("phrase", "expected"), [
    ("in January", "2018-01"),
    ("In January 2018", "2018-01"),
    ("on April 29", "2018-04-29"),
    ("in December", "2017-12"),  # after the document's date: the year before
    ("last year", "2017"),
    ("in October last year", "2017-10"),
    ("In March of this year", "2018-03"),
    ("on 2 April of this year", "2018-04-02"),
    ("In November of last year", "2017-11"),
    ("last October", "2017-10"),
    ("last April", "2018-04"),
    ("last summer", "2017-06/2017-08"),  # a report of May: the summer before the last, as its months
    ("last spring", "2017-03/2017-05"),  # this spring has not ended by 6 May
    ("last winter", "2017-12/2018-02"),  # a winter runs into the next year
    ("this summer", "2018-06/2018-08"),
    ("since the spring of this year", "2018-03/2018-05"),
    ("In the autumn of last year", "2017-09/2017-11"),
    ("in spring 2019", "2019-03/2019-05"),
    ("in the autumn", None),  # no year: the paragraph's, which extraction knows
    ("from March to September 2016", "2016-03"),  # a stay: when it began
    ("in May of that year", None),  # "that year" is the paragraph's: extraction resolves it
    ("two years ago", "2016"),
    ("for almost a year", "2017"),
    ("for eight months", "2017-09"),
    ("for six weeks", "2018-03-25"),
    ("since 2017", "2017"),
    ("in the spring of 2016", "2016-03/2016-05"),
    ("in the winter of 2016", "2016-12/2017-02"),
    ("on July 30, 2017", "2017-07-30"),
    ("3 March 2018", "2018-03-03"),
    ("the 2010s", "201X"),
    ("recently", None),
    ("one day", None),
    ("a month later", None),  # counted from another event: shift(), not the document's date
    ("after four months", None),
])
def test_resolve(phrase, expected):
    assert resolve(phrase, MAY_6_2018) == expected


def test_relative_phrases_need_a_document_date():
    assert resolve("last year", None) is None
    assert resolve("in March 2019", None) == "2019-03"


def test_shift_counts_from_an_anchor_at_its_precision():
    assert shift("2017-07-30", "three weeks after") == "2017-08-20"
    assert shift("2017-07", "two months later") == "2017-09"
    assert shift("2017", "a year before") == "2016"
    assert shift("2017-07-30", "soon after") is None
    assert shift("2017-05-10", "Two weeks later") == "2017-05-24"
    assert shift("2017-03", "after four months") == "2017-07"
    assert shift("2017-05-24", "After 40 days") == "2017-07-03"
    assert shift("2017-03/2017-05", "two months later") == "2017-05/2017-07"  # a season moved


def test_parse_day_wants_a_whole_date():
    assert parse_day("May 6, 2018") == MAY_6_2018
    assert parse_day("6 May 2018") == MAY_6_2018
    assert parse_day("May 2018") is None
    assert parse_day("Monday") is None

