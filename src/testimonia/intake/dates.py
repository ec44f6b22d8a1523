"""Date phrases of a report → EDTF, resolved against the document's own date where the text allows.

"in January" (a report of 6 May 2018) → 2018-01; "last year" → 2017; "on April 29" → 2018-04-29;
"for almost a year" → 2017 (a duration counted back from the document date, at its unit's precision);
"since 2017" → 2017. dateparser reads the calendar phrases; the durations are counted here. A phrase
that names no time the text fixes ("recently", "one day") resolves to None and is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from dateparser.date import DateDataParser
from dateutil.relativedelta import relativedelta

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
            "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
            "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "several": 3, "a few": 3, "few": 3}
_UNITS = {"year": "years", "month": "months", "week": "weeks", "day": "days"}
_DURATION = re.compile(
    r"^(?:for\s+)?(?:almost|nearly|about|around|over|more than|less than|roughly|some)?\s*"
    r"(?P<n>\d+|a few|an?|several|few|" + "|".join(w for w in _NUMBERS if " " not in w and len(w) > 2) + r")\s+"
    r"(?P<unit>year|month|week|day)s?(?P<ago>\s+ago)?$", re.I)
_OFFSET = re.compile(r"^(?:(?P<n>\S+(?:\s+few)?)\s+(?P<unit>year|month|week|day)s?\s+(?P<dir>after|later|before|earlier)"
                     r"|(?P<dir2>after|within)\s+(?:almost\s+|about\s+|nearly\s+)?(?P<n2>\S+(?:\s+few)?)\s+"
                     r"(?P<unit2>year|month|week|day)s?$)", re.I)
# Words around a calendar phrase that dateparser need not see.
_LEADING = re.compile(r"^(?:in|on|at|since|from|by|until|till|around|about|of|during|early|late|mid-?|the|"
                      r"end of|beginning of|start of|spring|summer|autumn|fall|winter|of)\s+", re.I)
_YEARISH = re.compile(r"^(?:19|20)\d{2}$")
_UNDATABLE = re.compile(r"^(?:recently|one day|now|today|every day|daily|at the time|then|later|soon|"
                        r"the past|the time|years|months|weeks|days)$", re.I)


@lru_cache(maxsize=8)
def _parser(base: dt.date) -> DateDataParser:
    settings = {"RELATIVE_BASE": dt.datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
                "RETURN_TIME_AS_PERIOD": True, "REQUIRE_PARTS": []}
    return DateDataParser(languages=["en"], settings=settings)


def _edtf(day: dt.date, period: str) -> str:
    if period == "year":
        return f"{day.year:04d}"
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _count(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS.get(word)


# The calendar forms reports use most, read by the standard library before dateparser is asked.
_FORMATS = (("%B %d, %Y", "day"), ("%B %d %Y", "day"), ("%d %B %Y", "day"), ("%b %d, %Y", "day"),
            ("%d %b %Y", "day"), ("%Y-%m-%d", "day"), ("%d.%m.%Y", "day"), ("%B %Y", "month"), ("%b %Y", "month"))


def _calendar(text: str) -> tuple[dt.date, str] | None:
    for form, period in _FORMATS:
        try:
            return dt.datetime.strptime(text, form).date(), period
        except ValueError:
            continue
    return None


_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # the month each begins
_SEASON = re.compile(r"^(?:(?:in|since|from|during|by|until|till|of)\s+)?(?:the\s+)?(?:early\s+|late\s+)?"
                     r"(?:(?P<which>last|this)\s+)?(?P<season>spring|summer|autumn|fall|winter)"
                     r"(?:(?:\s+of)?\s+(?P<year>(?:19|20)\d{2})|\s+of\s+(?P<named>this|last)\s+year)?$", re.I)


def season(name: str, year: int) -> str:
    """A season of a year as the EDTF interval of its months: spring 2018 → 2018-03/2018-05; winter
    2018 → 2018-12/2019-02 (the winter that begins in that year)."""
    start = dt.date(year, _SEASONS[name.lower()], 1)
    end = start + relativedelta(months=2)
    return f"{_edtf(start, 'month')}/{_edtf(end, 'month')}"


def _season(text: str, document_date: dt.date | None) -> str | None:
    """"in the spring of 2018", "last summer", "this autumn", "since the spring of this year"."""
    match = _SEASON.match(text)
    if not match:
        return None
    name, which = match["season"].lower(), (match["which"] or "").lower()
    if match["year"]:
        return season(name, int(match["year"]))
    if document_date is None or not (which or match["named"]):
        return None  # "in the autumn": the paragraph's year, or none
    first = _SEASONS[name]
    if which == "last":  # the latest one that has ended before the document
        year = document_date.year - (document_date < dt.date(document_date.year, first, 1) + relativedelta(months=3))
    else:  # "this summer", "the summer of this year"; "this winter" in January began the year before
        year = document_date.year - (first == 12 and document_date.month < 3)
        year -= match["named"] == "last"
    return season(name, year)


_RANGE = re.compile(r"^(?:from |between )?(?P<start>[A-Za-z]+(?: \d{1,2})?) (?:to|until|and) "
                    r"(?P<end>[A-Za-z]+(?: \d{1,2})?,? (?P<year>(?:19|20)\d{2}))$")


def _in_document_year(text: str, document_date: dt.date) -> str | None:
    """"January", "April 29", "29 April", "last year", "this year", "last month": in the document's
    own calendar; a month or day that would fall after the document is the previous year's."""
    lower = text.lower()
    named_year = re.match(r"^(?P<rest>.+?),? (?:of )?(?P<which>this|last) year$", lower)
    if named_year:  # "October last year", "February of last year", "2 July of this year"
        return in_year(named_year["rest"], str(document_date.year - (named_year["which"] == "last")))
    last = re.match(r"^last (?P<rest>[a-z]+)$", lower)
    if last and (month := in_year(last["rest"], str(document_date.year))):
        if month[:7] >= document_date.isoformat()[:7]:  # "last December", told in December or before
            return in_year(last["rest"], str(document_date.year - 1))
        return month
    if lower in ("last year", "the previous year", "the year before"):
        return f"{document_date.year - 1:04d}"
    if lower == "this year":
        return f"{document_date.year:04d}"
    if lower == "last month":
        return _edtf(document_date - relativedelta(months=1), "month")
    for form, period in (("%B", "month"), ("%b", "month"), ("%B %d", "day"), ("%d %B", "day"), ("%b %d", "day")):
        try:
            parsed = dt.datetime.strptime(f"{text} {document_date.year}", f"{form} %Y").date()
        except ValueError:
            continue
        if (parsed.year, parsed.month, parsed.day if period == "day" else 1) > (
                document_date.year, document_date.month, document_date.day if period == "day" else 1):
            parsed = parsed - relativedelta(years=1)
        return _edtf(parsed, period)
    return None


@lru_cache(maxsize=4096)
def parse_day(text: str) -> dt.date | None:
    """A full calendar date written in the text (a dateline), or None."""
    text = " ".join(text.split()).strip(" ,.;:()")
    if not re.search(r"\d{4}", text):
        return None
    known = _calendar(text)
    if known:
        return known[0] if known[1] == "day" else None
    data = _parser(dt.date.today()).get_date_data(text)
    return data.date_obj.date() if data.date_obj and data.period == "day" else None


@lru_cache(maxsize=4096)
def resolve(phrase: str, document_date: dt.date | None) -> str | None:
    """The EDTF date a phrase fixes, or None when it fixes none."""
    text = " ".join(phrase.replace("’", "'").split()).strip(" ,.;:()'")
    if not text or _UNDATABLE.match(text) or _OFFSET.match(text):
        return None  # an offset ("two weeks later") is counted from another event: see shift()
    duration = _DURATION.match(text)
    if duration:
        if document_date is None:
            return None
        count, unit = _count(duration["n"]), _UNITS[duration["unit"].lower()]
        start = document_date - relativedelta(**{unit: count or 1})
        return _edtf(start, {"years": "year", "months": "month"}.get(unit, "day"))
    if (seasonal := _season(text, document_date)) is not None:
        return seasonal
    span = _RANGE.match(text)
    if span and (start := in_year(span["start"], span["year"])):
        return start  # "from March to September 2018": when it began
    while (stripped := _LEADING.sub("", text)) != text:
        text = stripped
    if _YEARISH.match(text):
        return text
    if re.match(r"^(?:19|20)\d{2}s$", text):  # "the 2010s"
        return text[:3] + "X"
    known = _calendar(text)
    if known:
        return _edtf(*known)
    if document_date is not None and (near := _in_document_year(text, document_date)):
        return near
    base = document_date or dt.date.today()
    if document_date is None and not re.search(r"(?:19|20)\d{2}", text):
        return None  # a relative phrase with nothing to be relative to
    data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    if document_date is not None and day > document_date:
        day = day - relativedelta(years=1)
    period = "day" if data.period in ("day", "week", "time") else data.period
    if period == "week":
        period = "day"
    return _edtf(day, period)


def is_duration(phrase: str) -> bool:
    """"15 months", "almost a year": a length of time."""
    return bool(_DURATION.match(" ".join(phrase.split()).rstrip("'’")))  # "ten years' imprisonment"


def in_year(phrase: str, year: str) -> str | None:
    """"May", "12 May", "August": in a year another phrase named ("in May of that year")."""
    text = " ".join(phrase.split())
    for form, period in (("%B", "month"), ("%b", "month"), ("%B %d", "day"), ("%d %B", "day"), ("%b %d", "day")):
        try:
            return _edtf(dt.datetime.strptime(f"{text} {year}", f"{form} %Y").date(), period)
        except ValueError:
            continue
    return None


def _offset(phrase: str) -> re.Match | None:
    return _OFFSET.match(" ".join(phrase.replace("’", "'").split()).strip(" ,.;:()"))


def is_offset(phrase: str) -> bool:
    """"two weeks later", "after 40 days", "three weeks after": a time counted from another event."""
    return _offset(phrase) is not None


def shift(anchor: str, phrase: str) -> str | None:
    """"three weeks after" an anchor date (EDTF): the anchor moved, at the anchor's precision or coarser."""
    if "/" in anchor:  # "two months later" than a season: both ends moved
        ends = [shift(end, phrase) for end in anchor.split("/")]
        return "/".join(ends) if len(ends) == 2 and all(ends) else None
    match = _offset(phrase)
    count = _count(match["n"] or match["n2"]) if match else None
    if not match or count is None or not re.fullmatch(r"\d{4}(-\d{2}){0,2}", anchor):
        return None
    parts = [int(p) for p in anchor.split("-")]
    day = dt.date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 15)
    sign = -1 if (match["dir"] or "").lower() in ("before", "earlier") else 1
    moved = day + sign * relativedelta(**{_UNITS[(match["unit"] or match["unit2"]).lower()]: count})
    return _edtf(moved, ("year", "month", "day")[len(parts) - 1])
