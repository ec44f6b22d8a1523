"""What linking compares of a person (a `LinkRecord`), built from registry values, and bounded blocking.

Pure: services/linking.py reads the registry and hands these over. A record holds only what the
comparisons need: every name form, the names' blocking keys (testimonia.names), sex, ethnicity, the
birth years a birth date or an age at a dated event allows (and the day, when known), the hometown's
township, county and prefecture (China's division codes: the first 9, 6 and 4 digits), the counties of
the person's events, the occupation, the keyed blind index
of a resident ID number (never the number), facilities named in events, and the names of related persons.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

from ..domain.dates import InvalidDate, birth_range_from_age, parse_date

#: A blocking key shared by more persons than this is not blocked on: it would make every pair of them a
#: candidate (quadratic); those persons are still found through their other keys.
MAX_BLOCK = 300
#: The bound on a compound key (a name key with a birth year or county): lower, as it is a second chance
#: for persons a name key alone did not reach, and the number of pairs it makes grows with the registry.
#: 50 rather than 100: at 100,000 persons (seed 3) 24 % fewer candidate pairs, 0.6 % fewer true pairs
#: reached, pairwise F1 0.953 instead of 0.954 (docs/benchmarks.md).
MAX_COMPOUND = 50


#: What a reviewer is not shown of a record: identifiers, blocking keys, and the resident ID's blind index.
_NOT_SHOWN = frozenset({"id", "name_keys", "changed", "resident"})


@dataclass(frozen=True)
class LinkRecord:
    id: str
    names: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()
    sex: str | None = None
    ethnicity: str | None = None
    birth: tuple[int, int] | None = None  # earliest and latest birth year
    birth_day: str | None = None  # the birth date, when known to the day (ISO)
    township: str | None = None
    county: str | None = None
    prefecture: str | None = None
    occupation: str | None = None
    places: tuple[str, ...] = ()  # the counties (6 digits) of the person's events
    resident: str | None = None  # blind index of the PRC resident ID number
    facilities: tuple[str, ...] = ()
    relatives: tuple[str, ...] = ()  # names of persons related to this one
    changed: bool = True  # added or changed since the last run

    def compared(self) -> dict:
        """The fields compared, as plain JSON values (what a reviewer is shown as evidence)."""
        values = {name: getattr(self, name) for name in _SHOWN}
        values["resident_id"] = "given" if self.resident else None
        return values

    @cached_property
    def shown(self) -> str:
        """compared() as JSON, made once: a record is shown in every pair proposed with it."""
        return json.dumps(self.compared(), ensure_ascii=False)

    @cached_property
    def evidence(self) -> str:
        """A fingerprint of the compared fields: a decision holds until it changes."""
        values = self.compared() | {"resident": self.resident}
        return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


#: The fields compared() gives, in their order.
_SHOWN = tuple(f.name for f in fields(LinkRecord) if f.name not in _NOT_SHOWN)


def birth_years(birth_date: str | None, age_years: int | None, age_at: str | None) -> tuple[int, int] | None:
    """Earliest and latest birth year from an EDTF birth date, else from an age at a dated event."""
    try:
        if birth_date:
            span = parse_date(birth_date)
        elif age_years is not None and age_at:
            span = birth_range_from_age(age_years, age_at)
        else:
            return None
    except InvalidDate:
        return None
    return span.earliest.year, span.latest.year


def birth_day(birth_date: str | None) -> str | None:
    """The birth date when it names a single day, else None."""
    try:
        span = parse_date(birth_date) if birth_date else None
    except InvalidDate:
        return None
    return span.earliest.isoformat() if span and span.earliest == span.latest else None


def hometown_levels(code: str | None) -> tuple[str | None, str | None, str | None]:
    """A Chinese division code's township (9 digits), county (6) and prefecture (4), each None where the
    code does not reach it; all None outside China."""
    if not code or not code.isdigit() or len(code) < 6 or code.startswith("00"):
        return None, None, None
    county = code[:6] if not code[:6].endswith("00") else None
    township = code[:9] if county and len(code) >= 9 and code[6:9] != "000" else None
    return township, county, code[:4]


@dataclass
class BlockingReport:
    """What blocking left out, and why."""

    keys_skipped: int = 0  # name keys too common to block on alone
    largest_skipped: list[tuple[int, str]] = field(default_factory=list)  # (persons, key) of the biggest
    persons_without_names: int = 0
    persons_without_keys: int = 0  # names, but every key too common, alone and with birth year or county


#: A birth range longer than this many years ("born in the 1970s") gives no birth-year blocking key.
BLOCKING_BIRTH_SPAN = 3


def bounded_keys(records: list[LinkRecord], max_block: int = MAX_BLOCK,
                 max_compound: int = MAX_COMPOUND) -> tuple[list[LinkRecord], BlockingReport]:
    """The records with their blocking keys limited to those shared by at most `max_block` persons.

    Besides the name keys themselves: compound keys, a name key joined with a birth year the person may
    have been born in (`part:MHMT@born:1970`) or with their county (`part:MHMT@county:654028`), for every
    one-part key and every key too common alone, kept under their own, lower bound (`max_compound`); and,
    where one of those is still too common, the key with both (`part:MHMT@born:1970@county:654028`), under
    the same bound. They compare records that share one name part and a birth year or a county, and
    persons whose every key is too common alone ("Muhammad", "Gulnar"), without comparing every bearer of
    a common name with every other.
    """
    bound = min(max_compound, max_block)
    counts = Counter(key for record in records for key in set(record.name_keys))
    too_common = {key for key, n in counts.items() if n > max_block}
    # a compound key many persons have is kept once (interned)
    compound = {r.id: [sys.intern(k) for k in _compound_keys(r, too_common)] for r in records}
    compound_counts = Counter(key for keys in compound.values() for key in keys)
    refined = {r.id: [sys.intern(k) for k in _refined_keys(r, compound[r.id], compound_counts, bound)]
               for r in records}
    refined_counts = Counter(key for keys in refined.values() for key in keys)
    report = BlockingReport(keys_skipped=len(too_common),
                            largest_skipped=sorted(((counts[k], k) for k in too_common), reverse=True)[:5])
    kept = []
    for record in records:
        keys = (tuple(k for k in record.name_keys if k not in too_common)
                + tuple(k for k in compound[record.id] if compound_counts[k] <= bound)
                + tuple(k for k in refined[record.id] if refined_counts[k] <= bound))
        if not record.names:
            report.persons_without_names += 1
        elif not keys:
            report.persons_without_keys += 1
        kept.append(record if keys == record.name_keys else replace(record, name_keys=keys))
    return kept, report


def _birth_places(record: LinkRecord) -> list[str]:
    """The birth years a record may have been born in, as key suffixes (none for a long range)."""
    if record.birth and record.birth[1] - record.birth[0] < BLOCKING_BIRTH_SPAN:
        return [f"born:{year}" for year in range(record.birth[0], record.birth[1] + 1)]
    return []


def _compound_keys(record: LinkRecord, too_common: set[str]) -> list[str]:
    keys = {k for k in record.name_keys if k.startswith("part:") or k in too_common}
    places = ([f"county:{record.county}"] if record.county else []) + _birth_places(record)
    return [f"{key}@{where}" for key in sorted(keys) for where in places]


def _refined_keys(record: LinkRecord, compound: list[str], counts: Counter, bound: int) -> list[str]:
    """A name key with both a birth year and the county, where the key with one of them is too common."""
    if not record.county:
        return []
    crowded = {key.split("@", 1)[0] for key in compound if counts[key] > bound}
    return [f"{key}@{born}@county:{record.county}" for key in sorted(crowded) for born in _birth_places(record)]
