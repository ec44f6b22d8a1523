"""Uncertain and partial dates in EDTF (ISO 8601-2): `2018-01`, `2017-07-30`, `2016~`, `2017/2018`."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException


class InvalidDate(ValueError):
    """A value that is not an EDTF date we can place on a calendar."""


@dataclass(frozen=True)
class DateRange:
    """An EDTF string with the earliest and latest day it can mean."""

    edtf: str
    earliest: dt.date
    latest: dt.date


# Plain calendar dates (level 0 without intervals) are most of what people type; they are read here
# directly. Everything else (qualifiers, intervals, unspecified digits, sets) goes to the edtf parser,
# which is exact but takes milliseconds per call.
_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(text: str) -> DateRange:
    """Parse an EDTF string; open intervals and unparseable strings raise InvalidDate."""
    return _parse(text.strip())


@lru_cache(maxsize=65536)
def _parse(value: str) -> DateRange:
    if not value:
        raise InvalidDate("empty date")
    plain = _PLAIN.match(value)
    if plain:
        return _plain_range(value, *plain.groups())
    try:
        parsed = parse_edtf(value)
        earliest = struct_time_to_date(parsed.lower_strict())
        latest = struct_time_to_date(parsed.upper_strict())
    except (EDTFParseException, TypeError, ValueError, OverflowError) as exc:
        raise InvalidDate(f"{value!r} is not an EDTF date (examples: 2018-01, 2017-07-30, 2016~, 2017/2018)") from exc
    if not isinstance(earliest, dt.date) or not isinstance(latest, dt.date):
        raise InvalidDate(f"{value!r} has an open end; give both ends of the interval")
    return DateRange(value, earliest, latest)


def _plain_range(value: str, year: str, month: str | None, day: str | None) -> DateRange:
    try:
        if day:
            exact = dt.date(int(year), int(month), int(day))
            return DateRange(value, exact, exact)
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return DateRange(value, dt.date(int(year), int(month), 1), dt.date(int(year), int(month), last))
        return DateRange(value, dt.date(int(year), 1, 1), dt.date(int(year), 12, 31))
    except (ValueError, calendar.IllegalMonthError):
        raise InvalidDate(f"{value!r} is not an EDTF date (examples: 2018-01, 2017-07-30, 2016~, 2017/2018)") from None


def latest_day(text: str | None) -> dt.date | None:
    """The latest possible day of an EDTF date, or None for no date."""
    return parse_date(text).latest if text else None


def birth_range_from_age(years: int, at: str) -> DateRange:
    """The birth dates consistent with being `years` old on the date `at` ("66 in May 2018")."""
    when = parse_date(at)
    earliest = _minus_years(when.earliest, years + 1) + dt.timedelta(days=1)
    latest = _minus_years(when.latest, years)
    return DateRange(f"{earliest.year}/{latest.year}", earliest, latest)


def _minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
