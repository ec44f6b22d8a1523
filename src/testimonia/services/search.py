"""Search persons by any name form, place, facility or source text, with filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select

from ..domain.prc_id import InvalidResidentId, normalise_resident_id
from ..domain.vocab import Sensitivity, UserRole
from ..names import search_keys
from ..store.schema import events, facilities, names, persons
from ..store.search import matching_documents
from .access import Actor
from .registry import Registry


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
    words = sorted(search_keys(query), key=len, reverse=True) if query.strip() else []
    with registry.db.reading() as conn:
        scores: dict[str, float] = {}
        if query.strip():
            filtered = any(vars(filters).values())
            scores.update(matching_documents(conn, words, limit=5000 if filtered else 500))
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
