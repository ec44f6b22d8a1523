"""What a dashboard shows a signed-in reader: counts, recent records, work waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, select

from ..domain.vocab import UserRole
from ..store.schema import drafts, persons, testimonies, testimony_subjects
from .access import Actor
from .linking import REVIEWERS, queue
from .petitions import list_petitions
from .registry import Registry
from .visibility import visible_persons

OVERDUE_DAYS = 30


def place_name(registry: Registry, code: str | None) -> str | None:
    """A place's English name (else its Chinese one, else its code)."""
    place = registry.gazetteer.places.get(code) if code else None
    return (place.name_en or place.name) if place else code


def overview(registry: Registry, actor: Actor, today: dt.date | None = None) -> dict[str, Any]:
    where = and_(*visible_persons(actor))
    with registry.db.reading() as conn:
        def counts(column) -> list[tuple[str | None, int]]:  # noqa: ANN001
            rows = conn.execute(select(column, func.count()).where(where).group_by(column)
                                .order_by(func.count().desc())).all()
            return [(value, n) for value, n in rows]
        by_status, by_ethnicity = counts(persons.c.status), counts(persons.c.ethnicity)
        prefecture = func.substr(persons.c.hometown_code, 1, 4)
        by_prefecture = conn.execute(select(prefecture, func.count()).where(where).group_by(prefecture)
                                     .order_by(func.count().desc())).all()
        projects_filter = [] if actor.role is UserRole.ADMIN else [testimonies.c.project_id.in_(list(actor.projects))]
        recent = conn.execute(select(testimonies.c.id, testimonies.c.created_at, testimonies.c.project_id)
                              .where(*projects_filter).order_by(testimonies.c.created_at.desc()).limit(10)).mappings().all()
        about: dict[str, list[str]] = {}
        for testimony_id, person_id in conn.execute(select(testimony_subjects.c.testimony_id,
                                                           testimony_subjects.c.person_id)
                                                    .where(testimony_subjects.c.testimony_id.in_([r["id"] for r in recent]))):
            about.setdefault(testimony_id, []).append(person_id)
        draft_filter = [] if actor.role is UserRole.ADMIN else [drafts.c.project_id.in_(list(actor.projects))]
        drafts_waiting = conn.execute(select(func.count()).select_from(drafts)
                                      .where(drafts.c.status == "pending", *draft_filter)).scalar()
    matches_waiting = len(queue(registry, actor, limit=1000)) if actor.role in REVIEWERS else None
    overdue = [p for p in list_petitions(registry, actor, today)
               if p["days_without_answer"] is not None and p["days_without_answer"] > OVERDUE_DAYS]
    return {
        "total": sum(n for _, n in by_status),
        "by_status": by_status,
        "by_ethnicity": by_ethnicity,
        "by_prefecture": [(place_name(registry, p), n) for p, n in by_prefecture],
        "recent_testimonies": [dict(r) | {"persons": about.get(r["id"], [])} for r in recent],
        "drafts_waiting": drafts_waiting,
        "matches_waiting": matches_waiting,
        "overdue_petitions": overdue,
    }
