"""Counts for the statistics pages: persons by status, hometown, year of events, age, and facility.

Uncertain values count fractionally: an event dated "2018/2019" gives half a person to each year, an
age known as a range ("in his 40s", born "197X") spreads one person evenly over the ages it allows.
On public pages (`actor` None: publishable persons only) a count below SMALL for a county or a
facility is not given (`None`: the page says "fewer than 5"), since a small count identifies a family.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import and_, select

from ..domain.dates import InvalidDate, parse_date
from ..store.schema import events, facilities, persons
from .access import Actor
from .overview import place_name
from .registry import Registry
from .search import Filters, filter_conditions
from .visibility import publishable_condition, visible_persons

SMALL = 5
AGE_BAND = 10


def statistics(registry: Registry, actor: Actor | None, filters: Filters | None = None,
               today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    who = visible_persons(actor) if actor is not None else [publishable_condition(), persons.c.hidden == 0]
    where = and_(*who, *filter_conditions(registry, filters or Filters()))
    with registry.db.reading() as conn:
        people = conn.execute(select(persons.c.id, persons.c.status, persons.c.hometown_code, persons.c.birth_date,
                                     persons.c.age_years, persons.c.age_at).where(where)).mappings().all()
        ids = {p["id"] for p in people}
        happened = [e for e in conn.execute(select(events.c.person_id, events.c.date_earliest, events.c.date_latest,
                                                   events.c.facility_id)
                                            .where(events.c.person_id.in_(select(persons.c.id).where(where))))
                    .mappings() if e["person_id"] in ids]
        places = {f["id"]: dict(f) for f in conn.execute(select(facilities.c.id, facilities.c.name, facilities.c.lat,
                                                                facilities.c.lon)).mappings()}
    by_status = Counter(p["status"] or "unknown" for p in people)
    by_prefecture = Counter(place_name(registry, (p["hometown_code"] or "")[:4] or None) for p in people)
    by_county = Counter(place_name(registry, (p["hometown_code"] or "")[:6] or None) for p in people)
    years: dict[str, dict[int, float]] = defaultdict(dict)
    at_facility: dict[str, set[str]] = defaultdict(set)
    for event in happened:
        for year, share in _year_shares(event["date_earliest"], event["date_latest"]).items():
            years[event["person_id"]][year] = max(years[event["person_id"]].get(year, 0.0), share)
        if event["facility_id"]:
            at_facility[event["facility_id"]].add(event["person_id"])
    by_year: Counter = Counter()
    for shares in years.values():
        by_year.update(shares)
    by_age: Counter = Counter()
    for p in people:
        by_age.update(_age_band_shares(p, today))
    public = actor is None
    return {
        "persons": len(people),
        "by_status": by_status.most_common(),
        "by_prefecture": by_prefecture.most_common(),
        "by_county": [(name, _shown(n, public)) for name, n in by_county.most_common()],
        "by_year": sorted((year, round(n, 2)) for year, n in by_year.items()),
        "by_age": sorted(((band, round(n, 2)) for band, n in by_age.items()), key=lambda b: int(b[0].split("–")[0])),
        "facilities": sorted(({"name": places[f]["name"], "lat": places[f]["lat"], "lon": places[f]["lon"],
                               "persons": _shown(len(who_), public)} for f, who_ in at_facility.items()
                              if f in places and places[f]["lat"] is not None),
                             key=lambda f: f["name"]),
        "small": SMALL,
    }


def _shown(count: int, public: bool) -> int | None:
    return None if public and 0 < count < SMALL else count


def _year_shares(earliest: dt.date | None, latest: dt.date | None) -> dict[int, float]:
    """How much of an event's date range falls in each year (by days)."""
    if earliest is None or latest is None:
        return {}
    total = (latest - earliest).days + 1
    shares = {}
    for year in range(earliest.year, latest.year + 1):
        start, end = max(earliest, dt.date(year, 1, 1)), min(latest, dt.date(year, 12, 31))
        shares[year] = ((end - start).days + 1) / total
    return shares


def _age_band_shares(person: dict[str, Any], today: dt.date) -> dict[str, float]:
    """One person spread over age bands ("40–49"), evenly over the ages their record allows, today."""
    if person["age_years"] is not None:
        try:
            at = parse_date(person["age_at"]).latest.year if person["age_at"] else today.year
        except InvalidDate:
            at = today.year
        low = high = person["age_years"] + (today.year - at)
    elif person["birth_date"]:
        try:
            born = parse_date(person["birth_date"])
        except InvalidDate:
            return {}
        low, high = today.year - born.latest.year, today.year - born.earliest.year
    else:
        return {}
    ages = range(max(low, 0), max(high, 0) + 1)
    shares: Counter = Counter()
    for age in ages:
        band = age // AGE_BAND * AGE_BAND
        shares[f"{band}–{band + AGE_BAND - 1}"] += 1 / len(ages)
    return shares
