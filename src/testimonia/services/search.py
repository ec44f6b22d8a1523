"""Search persons by any name form, place, facility or source text, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, exists, or_, select, true

from ..domain.prc_id import InvalidResidentId, normalise_resident_id
from ..domain.vocab import Sensitivity, UserRole
from ..names import THRESHOLD as NAME_THRESHOLD
from ..names import NameCode, best_score, han_bigrams, prepare, search_words
from ..names.keys import phonetic_tokens_of_part
from ..names.structure import read_part
from ..store.schema import events, facilities, names, persons
from ..store.search import CANDIDATES, Query, matching_documents
from .access import Actor
from .registry import Registry
from .visibility import not_withdrawn, visible_persons

PHONETIC_CANDIDATES = 100  # persons matched only phonetically, checked with testimonia.names
# Scores: a resident ID number is certain; a match as written comes next; a person found by the sound of
# their names scores half the names capability's score (≤ 0.5), so below every match as written.
RESIDENT_ID_SCORE, AS_WRITTEN_SCORE, BY_SOUND_FACTOR = 2.0, 1.0, 0.5


@dataclass
class Filters:
    status: str | None = None
    county: str | None = None  # a division code or name
    prefecture: str | None = None
    ethnicity: str | None = None
    sex: str | None = None
    event_year: int | None = None
    facility: str | None = None


# A result row holds COLUMNS, read by position: a Row's attributes cost about a microsecond each in
# SQLAlchemy 2.1 (by name, through its key map), its items a few nanoseconds, and a search reads hundreds.
COLUMNS = (persons.c.id, persons.c.status, persons.c.ethnicity, persons.c.sex, persons.c.hometown_code)
Found = dict[str, tuple[float, Row]]  # person id → (score, the person's COLUMNS)


def search_persons(registry: Registry, actor: Actor, query: str = "", filters: Filters | None = None,
                   limit: int = 50, page: int | None = None) -> list[dict[str, Any]]:
    """Persons the actor may see that match the query (any name form in any script, places,
    facilities, source text) and the filters: matches as written first — the query's words as whole
    words, then as parts of longer ones (their beginnings; in Chinese characters, their pairs of
    characters), each in store.search's order (on SQLite, the order they were recorded) —, then persons
    found only by the sound of their names, best first; without a query, the filters alone, oldest first.

    `page`: how many of the `limit` results the caller lists (a page that counts more than it shows).
    Only those carry their name forms, and each later kind of match is looked for only while the
    earlier ones do not fill it: parts cost about twice the whole words at a million persons (a prefix
    reads every longer word, a common pair of characters a long list), matching by sound more still."""
    page = limit if page is None else min(page, limit)
    filters = filters or Filters()
    # a name only a withdrawn testimony gave is neither shown nor matched, but for admins
    shown = [] if actor.role is UserRole.ADMIN else [not_withdrawn(names.c.source_id)]
    with registry.db.reading() as conn:
        conditions = visible_persons(actor) + filter_conditions(registry, filters)
        if not query.strip():
            rows = conn.execute(select(*COLUMNS).where(and_(*conditions))
                                .order_by(persons.c.created_at, persons.c.id).limit(limit)).all()
            scores: dict[str, float] = {}
        else:
            found = _resident_id_match(registry, conn, actor, query, conditions)
            whole_words, parts = _query(query, parts=False), _query(query, parts=True)
            for words in (whole_words, parts):
                if words is parts and (len(found) >= page or parts == whole_words):
                    break
                for row in _ranked(conn, words, conditions, limit):
                    found.setdefault(row[0], (AS_WRITTEN_SCORE, row))
            if len(found) < page:
                found.update(_by_sound(conn, query, conditions, set(found), shown))
            ranked = sorted(found.values(), key=lambda scored: -scored[0])[:limit]  # stable: keeps _ranked's order
            rows = [row for _, row in ranked]
            scores = {row[0]: score for score, row in ranked}
        all_names: dict[str, list[str]] = {}
        listed = select(names.c.person_id, names.c.text).where(names.c.person_id.in_(bindparam("ids", expanding=True)),
                                                               *shown)
        for person_id, text_value in conn.execute(listed, {"ids": [r[0] for r in rows[:page]]}).all():
            all_names.setdefault(person_id, []).append(text_value)
    return [{"id": person_id, "names": all_names.get(person_id, []), "status": status, "ethnicity": ethnicity,
             "sex": sex, "hometown": hometown, "score": round(scores.get(person_id, 0), 3)}
            for person_id, status, ethnicity, sex, hometown, *_ in rows]


def _ranked(conn, query: Query, conditions: list, limit: int) -> list[Row]:  # noqa: ANN001
    """The first `limit` persons meeting the conditions among the full-text matches of the query, in
    store.search's order, with their COLUMNS. Unless the matches are bounded already (PostgreSQL), the
    conditions are read as a column, not a filter, so that reading stops once `limit` persons are kept
    and never goes past CANDIDATES matches, even for a reader allowed to see few of them."""
    matching = matching_documents(conn.dialect.name, query)
    if matching is None:
        return []
    joined = matching.source.join(persons, persons.c.id == matching.doc_id)
    if matching.bounded:
        return conn.execute(select(*COLUMNS).select_from(joined).where(matching.where, *conditions)
                            .order_by(matching.order).limit(limit)).all()
    statement = (select(*COLUMNS, and_(true(), *conditions).label("visible")).select_from(joined)
                 .where(matching.where).order_by(matching.order).limit(CANDIDATES))
    kept: list[Row] = []
    result = conn.execute(statement)
    for rows in result.partitions(limit):
        kept += [row for row in rows if row[-1]]  # the "visible" column
        if len(kept) >= limit:
            break
    result.close()
    return kept[:limit]


def _by_sound(conn, query: str, conditions: list, found: set[str], shown: list) -> Found:  # noqa: ANN001
    """Persons not yet found whose names match the query by their sound (written in another script),
    kept when testimonia.names calls their best name the same name, scored below every match as written."""
    ranked = _ranked(conn, _query(query, parts=True, phonetic=True), conditions, PHONETIC_CANDIDATES + len(found))
    candidates = {row[0]: row for row in [r for r in ranked if r[0] not in found][:PHONETIC_CANDIDATES]}
    forms: dict[str, list[NameCode]] = {}
    for person_id, text_value in conn.execute(select(names.c.person_id, names.c.text)
                                              .where(names.c.person_id.in_(list(candidates)), *shown)):
        forms.setdefault(person_id, []).append(prepare(text_value).code)
    wanted = (prepare(query).code,)
    best = {person_id: best_score(wanted, tuple(codes), 1.0) for person_id, codes in forms.items()}
    return {person_id: (BY_SOUND_FACTOR * score, candidates[person_id]) for person_id, score in best.items()
            if score >= NAME_THRESHOLD}


def _resident_id_match(registry: Registry, conn, actor: Actor, query: str, conditions: list) -> Found:  # noqa: ANN001
    """A query that is a PRC resident ID finds its person by blind index, for roles cleared to read it."""
    if not actor.can_read(Sensitivity.CONFIDENTIAL):
        return {}
    try:
        number = normalise_resident_id(query)
    except InvalidResidentId:
        return {}
    blind = registry.keys.blind("resident_id", number)
    return {row[0]: (RESIDENT_ID_SCORE, row) for row in conn.execute(select(*COLUMNS).where(
        and_(persons.c.resident_id_blind == blind, *conditions)))}


def _query(query: str, parts: bool, phonetic: bool = False) -> Query:
    """One group per word of the query: the word — with `parts`, also as a part of longer words: a word
    of three letters or more as their beginning, a word in Chinese characters as its pairs of characters
    (wherever the name breaks its words) — or, with `phonetic`, any phonetic token of the word (the same
    name in another script)."""
    groups = []
    for word in search_words(query):
        alternatives = [[word + "*" if parts and len(word) >= 3 else word]]
        if parts and (pairs := han_bigrams(word)):
            alternatives.append(list(pairs))
        if phonetic:
            alternatives += [[token] for token in phonetic_tokens_of_part(read_part(word))]
        groups.append(alternatives)
    return groups


def _place_prefix(registry: Registry, value: str) -> str:
    match = registry.gazetteer.resolve(value)
    return match.code if match else value


def filter_conditions(registry: Registry, f: Filters) -> list:
    """SQL conditions on `persons` for the filters (statistics uses them too)."""
    out = []
    for column, value in ((persons.c.status, f.status), (persons.c.ethnicity, f.ethnicity), (persons.c.sex, f.sex)):
        if value:
            out.append(column == value)
    for place in (f.county, f.prefecture):
        if place:
            prefix = _place_prefix(registry, place)
            out.append(or_(persons.c.hometown_code.startswith(prefix),
                           exists().where(events.c.person_id == persons.c.id, events.c.place_code.startswith(prefix))))
    if f.event_year:
        import datetime as dt

        start, end = dt.date(f.event_year, 1, 1), dt.date(f.event_year, 12, 31)
        out.append(exists().where(events.c.person_id == persons.c.id, events.c.date_earliest <= end,
                                  events.c.date_latest >= start))
    if f.facility:
        out.append(exists().where(events.c.person_id == persons.c.id, events.c.facility_id == facilities.c.id,
                                  or_(facilities.c.id == f.facility, facilities.c.name == f.facility,
                                      facilities.c.source_ref == f.facility.removeprefix("BFN:"))))
    return out
