"""Counts for the statistics pages: persons by status, hometown, year of events, age, and facility.

Uncertain values count fractionally: an event dated "2018/2019" gives half a person to each year, an
age known as a range ("in his 40s", born "197X") spreads one person evenly over the ages it allows.
On public pages (`actor` None: publishable persons only) no count below SMALL is given, since a small
count identifies a family; nor is any count from which one could be worked out: in a table whose total
is shown (statuses, prefectures, the counties of a prefecture, age bands), the smallest other counts
are withheld with it until at least two are withheld and together they reach SMALL, and a county
of a withheld prefecture is withheld. A withheld count is `None`; the page says "not shown".

Statistics of a large registry take seconds (every person and event is read; docs/benchmarks.md), and
the public page is open to anyone: the latest results are kept per kind of reader and filters until the
audit chain grows, which every change to the registry makes it do.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict, defaultdict
from typing import Any

from sqlalchemy import and_, select

from ..domain.dates import InvalidDate, parse_date
from ..domain.vocab import UserRole
from ..store.schema import events, facilities, persons
from .access import Actor
from .overview import place_name
from .registry import Registry
from .search import Filters, filter_conditions
from .visibility import publishable_condition, visible_persons, withdrawn_source_ids

SMALL = 5
AGE_BAND = 10
KEPT = 32  # results kept per registry (readers' scopes × filters)
_keeping = threading.Lock()


def statistics(registry: Registry, actor: Actor | None, filters: Filters | None = None,
               today: dt.date | None = None) -> dict[str, Any]:
    """The counts (read-only: a result may be handed to later callers)."""
    today = today or dt.date.today()
    filters = filters or Filters()
    with registry.db.reading() as conn:  # read before counting: a change in between only renews it sooner
        version = registry.audit.head(conn)
    key = (_scope(actor), tuple(sorted(vars(filters).items())), today)
    kept: OrderedDict = registry.derived.setdefault("statistics", OrderedDict())
    with _keeping:
        if key in kept and kept[key][0] == version:
            kept.move_to_end(key)
            return kept[key][1]
    result = _counted(registry, actor, filters, today)
    with _keeping:
        kept[key] = (version, result)
        kept.move_to_end(key)
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return result


def _scope(actor: Actor | None) -> tuple:
    """What decides which records the counts cover (services.visibility)."""
    if actor is None:
        return ("public",)
    if actor.role is UserRole.ADMIN:
        return ("admin",)
    return ("projects", tuple(sorted(actor.projects)))


def _counted(registry: Registry, actor: Actor | None, filters: Filters, today: dt.date) -> dict[str, Any]:
    who = visible_persons(actor) if actor is not None else [publishable_condition(), persons.c.hidden == 0]
    where = and_(*who, *filter_conditions(registry, filters))
    with registry.db.reading() as conn:
        people = conn.execute(select(persons.c.id, persons.c.status, persons.c.hometown_code, persons.c.birth_date,
                                     persons.c.age_years, persons.c.age_at).where(where)).mappings().all()
        ids = {p["id"] for p in people}
        # a withdrawn testimony's events count for admins only (read once: a lookup per event costs more)
        withdrawn = set() if actor is not None and actor.role is UserRole.ADMIN else withdrawn_source_ids(conn)
        happened = [e for e in conn.execute(select(events.c.person_id, events.c.date_earliest, events.c.date_latest,
                                                   events.c.facility_id, events.c.source_id)
                                            .where(events.c.person_id.in_(select(persons.c.id).where(where))))
                    .mappings() if e["person_id"] in ids and e["source_id"] not in withdrawn]
        places = {f["id"]: dict(f) for f in conn.execute(select(facilities.c.id, facilities.c.name, facilities.c.lat,
                                                                facilities.c.lon)).mappings()}
    by_status = Counter(p["status"] or "unknown" for p in people)
    by_prefecture = Counter((p["hometown_code"] or "")[:4] or None for p in people)  # by division code
    by_county = Counter((p["hometown_code"] or "")[:6] or None for p in people)
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
    counted = {"persons": len(people), "by_status": by_status, "by_prefecture": by_prefecture, "by_county": by_county,
               "by_year": by_year, "by_age": by_age,
               "facilities": Counter({f: len(who_) for f, who_ in at_facility.items()
                                      if f in places and places[f]["lat"] is not None})}
    shown = _public(counted) if actor is None else counted
    named = {code: place_name(registry, code) for code in by_county | by_prefecture}
    return {
        "persons": shown["persons"],
        "by_status": _largest_first(shown["by_status"]),
        "by_prefecture": [(named[code], n) for code, n in _largest_first(shown["by_prefecture"])],
        "by_county": [(named[code], n) for code, n in _largest_first(shown["by_county"])],
        "by_year": sorted((year, _rounded(n)) for year, n in shown["by_year"].items()),
        "by_age": sorted(((band, _rounded(n)) for band, n in shown["by_age"].items()),
                         key=lambda b: int(b[0].split("–")[0])),
        "facilities": sorted(({"name": places[f]["name"], "lat": places[f]["lat"], "lon": places[f]["lon"],
                               "persons": n} for f, n in shown["facilities"].items()), key=lambda f: f["name"]),
        "small": SMALL,
    }


def _public(counted: dict[str, Any]) -> dict[str, Any]:
    """The counts a public page may show: the withheld ones replaced by None (see the module's rule)."""
    shown = dict(counted)
    if 0 < counted["persons"] < SMALL:
        shown["persons"] = None
    for table in ("by_status", "by_prefecture", "by_age"):
        shown[table] = _withheld(counted[table], complete=True)
    for table in ("by_year", "facilities"):  # a person counts in several years or facilities: no total to subtract from
        shown[table] = _withheld(counted[table], complete=False)
    shown["by_county"] = {}
    for prefecture in counted["by_prefecture"]:  # a county's code begins with its prefecture's
        counties = Counter({c: n for c, n in counted["by_county"].items() if (c or "")[:4] == (prefecture or "")})
        withheld = shown["by_prefecture"][prefecture] is None
        shown["by_county"].update({c: None for c in counties} if withheld else _withheld(counties, complete=True))
    return shown


def _withheld(counts: Counter, complete: bool) -> dict[Any, float | None]:
    """The counts with every one below SMALL replaced by None; when they are `complete` (they add up
    to a total the page shows), also the smallest others, until at least two are withheld and the
    withheld ones together reach SMALL (or all are)."""
    withheld = {key for key, n in counts.items() if 0 < n < SMALL}
    others = sorted((key for key in counts if key not in withheld), key=lambda key: counts[key])
    while complete and withheld and others and (len(withheld) < 2 or sum(counts[k] for k in withheld) < SMALL):
        withheld.add(others.pop(0))
    return {key: None if key in withheld else n for key, n in counts.items()}


def _largest_first(counts: dict) -> list[tuple[Any, float | None]]:
    """Counts largest first, the withheld ones last in the order of their keys (their order by size
    would say something of their sizes)."""
    return sorted(counts.items(), key=lambda item: (item[1] is None, -(item[1] or 0), str(item[0] or "")))


def _rounded(n: float | None) -> float | None:
    return None if n is None else round(n, 2)


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
