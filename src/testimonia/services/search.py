"""Search persons by any name form, place, facility or source text, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select

from ..domain.prc_id import InvalidResidentId, normalise_resident_id
from ..domain.vocab import Sensitivity, UserRole
from ..names import THRESHOLD as NAME_THRESHOLD
from ..names import compare, prepare, search_words
from ..names.keys import phonetic_tokens_of_part
from ..names.structure import read_part
from ..store.schema import events, facilities, names, persons
from ..store.search import Query, matching_documents
from .access import Actor
from .registry import Registry


PHONETIC_CANDIDATES = 100  # persons matched only phonetically, checked with testimonia.names


@dataclass
class Filters:
    status: str | None = None
    county: str | None = None  # a division code or name
    prefecture: str | None = None
    ethnicity: str | None = None
    sex: str | None = None
    event_year: int | None = None
    facility: str | None = None


def search_persons(registry: Registry, actor: Actor, query: str = "", filters: Filters | None = None,
                   limit: int = 50) -> list[dict[str, Any]]:
    filters = filters or Filters()
    with registry.db.reading() as conn:
        scores: dict[str, float] = {}
        if query.strip():
            filtered = any(vars(filters).values())
            scores.update(_matches(conn, query, limit=5000 if filtered else 500, page=limit if not filtered else 5000))
            if actor.can_read(Sensitivity.CONFIDENTIAL):
                try:
                    number = normalise_resident_id(query)
                except InvalidResidentId:
                    number = None
                if number:
                    blind = registry.keys.blind("resident_id", number)
                    for pid in conn.execute(select(persons.c.id).where(persons.c.resident_id_blind == blind)).scalars():
                        scores[pid] = scores.get(pid, 0) + 100
            if not scores:
                return []
        conditions = [persons.c.merged_into.is_(None)]
        if scores:
            conditions.append(persons.c.id.in_(list(scores)))
        if actor.role is not UserRole.ADMIN:
            conditions += [persons.c.project_id.in_(list(actor.projects)), persons.c.hidden == 0]
        conditions += _filter_conditions(registry, filters)
        rows = conn.execute(select(persons.c.id, persons.c.status, persons.c.ethnicity, persons.c.sex,
                                   persons.c.hometown_code).where(and_(*conditions))
                            .order_by(persons.c.created_at, persons.c.id).limit(limit if not scores else 5000)).mappings().all()
        found = sorted(rows, key=lambda r: -scores.get(r["id"], 0))[:limit]
        all_names: dict[str, list[str]] = {}
        for person_id, text_value in conn.execute(select(names.c.person_id, names.c.text)
                                                  .where(names.c.person_id.in_([r["id"] for r in found]))):
            all_names.setdefault(person_id, []).append(text_value)
    return [{"id": r["id"], "names": all_names.get(r["id"], []), "status": r["status"], "ethnicity": r["ethnicity"],
             "sex": r["sex"], "hometown": r["hometown_code"], "score": round(scores.get(r["id"], 0), 3)} for r in found]


def _query(query: str, phonetic: bool) -> Query:
    """One group per word of the query: the word (as a prefix; a word in Chinese characters also as its
    characters), or, with `phonetic`, any phonetic token of the word (the same name in another script)."""
    groups = []
    for word in search_words(query):
        alternatives = [[word + "*" if len(word) >= 3 else word]]
        if len(word) > 1 and all(_is_han(ch) for ch in word):
            alternatives.append(list(word))
        if phonetic:
            alternatives += [[token] for token in phonetic_tokens_of_part(read_part(word))]
        groups.append(alternatives)
    return groups


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def _matches(conn, query: str, limit: int, page: int) -> dict[str, float]:
    """Persons whose documents match the query as written; then those that match it only phonetically
    (a name written in another script), kept when their best name is the same name by testimonia.names,
    ranked below the others by that score."""
    found = matching_documents(conn, _query(query, phonetic=False), limit=limit)
    if len(found) >= page:  # a full page of matches as written: no need to look further
        return found
    sounded = [pid for pid in matching_documents(conn, _query(query, phonetic=True), limit=limit) if pid not in found]
    if not sounded:
        return found
    wanted = prepare(query)
    best: dict[str, float] = {}
    for person_id, text_value in conn.execute(select(names.c.person_id, names.c.text)
                                              .where(names.c.person_id.in_(sounded[:PHONETIC_CANDIDATES]))):
        best[person_id] = max(best.get(person_id, 0.0), compare(wanted, prepare(text_value)).score)
    below = min(found.values(), default=1.0) / 2  # every match as written ranks first
    for person_id, score in best.items():
        if score >= NAME_THRESHOLD:
            found[person_id] = below * score
    return found


def _place_prefix(registry: Registry, value: str) -> str:
    match = registry.gazetteer.resolve(value)
    return match.code if match else value


def _filter_conditions(registry: Registry, f: Filters) -> list:
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
