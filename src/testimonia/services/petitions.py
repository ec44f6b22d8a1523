"""Petitions and appeals: to whom, when, about whom, and each answer. "No answer after N days" is derived."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ..domain.dates import parse_date
from ..domain.vocab import AnswerKind
from ..store.crypto import new_id
from ..store.schema import persons, petition_answers, petition_persons, petitions
from .access import Actor
from .errors import InvalidInput, NotFound
from .inputs import check_date, check_vocab, clean_text
from .registry import Registry, utcnow


def create_petition(registry: Registry, actor: Actor, project_id: str, title: str, addressed_to: str,
                    person_ids: list[str], sent_on: str | None = None, channel: str | None = None,
                    sent_by: str | None = None, text: str | None = None) -> str:
    actor.require_write(project_id)
    title_clean = clean_text(title, "title", 1000)
    addressed = clean_text(addressed_to, "addressed_to", 1000)
    if not title_clean or not addressed:
        raise InvalidInput("a petition needs a title and an addressee", "title")
    row = {"id": new_id("pt"), "project_id": project_id, "title": title_clean, "addressed_to": addressed,
           "channel": clean_text(channel, "channel", 100), "sent_on": check_date(sent_on, "sent_on"),
           "sent_by": clean_text(sent_by, "sent_by", 500), "text": clean_text(text, "text"),
           "created_at": utcnow(), "created_by": actor.user_id}
    with registry.db.transaction() as conn:
        for person_id in person_ids:
            project = conn.execute(select(persons.c.project_id).where(persons.c.id == person_id)).scalar_one_or_none()
            if project is None:
                raise NotFound(f"no person {person_id}")
            actor.require_project(project)
        conn.execute(petitions.insert().values(**row))
        for person_id in person_ids:
            conn.execute(petition_persons.insert().values(petition_id=row["id"], person_id=person_id))
        registry.audit.append(conn, "petition.create", row["id"],
                              {k: v for k, v in row.items() if k not in ("created_at", "created_by")} | {"persons": person_ids},
                              actor=actor.label)
    return row["id"]


def add_answer(registry: Registry, actor: Actor, petition_id: str, kind: str, received_on: str | None = None,
               note: str | None = None) -> str:
    answer = check_vocab(AnswerKind, kind, "answer.kind")
    if answer is None:
        raise InvalidInput("an answer needs a kind", "answer.kind")
    row = {"id": new_id("pa"), "petition_id": petition_id, "kind": answer.value,
           "received_on": check_date(received_on, "answer.received_on"), "note": clean_text(note, "answer.note"),
           "created_at": utcnow(), "created_by": actor.user_id}
    with registry.db.transaction() as conn:
        project = conn.execute(select(petitions.c.project_id).where(petitions.c.id == petition_id)).scalar_one_or_none()
        if project is None:
            raise NotFound(f"no petition {petition_id}")
        actor.require_write(project)
        conn.execute(petition_answers.insert().values(**row))
        registry.audit.append(conn, "petition.answer", petition_id,
                              {"answer": row["id"], "kind": row["kind"], "received_on": row["received_on"]}, actor=actor.label)
    return row["id"]


def list_petitions(registry: Registry, actor: Actor, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Petitions the actor may see, each with its answers and `days_without_answer` when none came."""
    today = today or utcnow().date()
    out = []
    with registry.db.reading() as conn:
        for p in conn.execute(select(petitions).order_by(petitions.c.sent_on)).mappings():
            if not actor.sees_project(p["project_id"]):
                continue
            answers = [dict(a) for a in conn.execute(select(petition_answers.c.kind, petition_answers.c.received_on,
                                                            petition_answers.c.note)
                                                     .where(petition_answers.c.petition_id == p["id"])
                                                     .order_by(petition_answers.c.created_at)).mappings()]
            answered = any(a["kind"] in ("answered", "refused", "acknowledged") for a in answers)
            waiting = None
            if not answered and p["sent_on"]:
                waiting = (today - parse_date(p["sent_on"]).latest).days
            out.append({"id": p["id"], "title": p["title"], "addressed_to": p["addressed_to"], "sent_on": p["sent_on"],
                        "channel": p["channel"], "answers": answers, "answered": answered, "days_without_answer": waiting,
                        "persons": list(conn.execute(select(petition_persons.c.person_id)
                                                     .where(petition_persons.c.petition_id == p["id"])).scalars())})
    return out
