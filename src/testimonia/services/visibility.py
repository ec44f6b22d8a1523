"""Which records a reader may see: consent, withdrawal, and the publication rule of shared/DESIGN.md."""

from __future__ import annotations

from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.sql import Select

from ..domain.vocab import UserRole
from ..store.schema import events, names, persons, sources, testimonies, testimony_subjects
from .access import Actor

PUBLISHED_KINDS = ("news_article", "press_release", "court_record")


def visible_persons(actor: Actor) -> list:
    """Conditions on `persons` for what the actor may see (active records of their projects)."""
    conditions = [persons.c.merged_into.is_(None)]
    if actor.role is not UserRole.ADMIN:
        conditions += [persons.c.project_id.in_(list(actor.projects)), persons.c.hidden == 0]
    return conditions


def withdrawn_sources() -> Select:
    """Sources of withdrawn testimonies: what they contributed is hidden everywhere but from admins."""
    return select(testimonies.c.source_id).where(testimonies.c.consent == "withdrawn")


def withdrawn_source_ids(conn) -> set[str]:  # noqa: ANN001
    """withdrawn_sources() read once, for work over many rows."""
    return set(conn.execute(withdrawn_sources()).scalars())


def outside_withdrawn(source_id):  # noqa: ANN001, ANN201 (a column; an SQL condition)
    """SQL condition on a row's source, for reading many rows: none, or not one of withdrawn_sources(),
    which the database reads once per statement (from the small index of withdrawn testimonies'
    sources) rather than once per row as not_withdrawn() does. A subquery, not the ids as bound values:
    a large registry has more withdrawn sources than a statement may bind (PostgreSQL: 65,535)."""
    return or_(source_id.is_(None), source_id.not_in(withdrawn_sources()))


def not_withdrawn(source_id):  # noqa: ANN001, ANN201 (a column; an SQL condition)
    """SQL condition on a row's source: none, or not a withdrawn testimony's. A lookup per row in the
    index of withdrawn testimonies' sources, for reading a few rows; outside_withdrawn() for many."""
    return or_(source_id.is_(None), ~exists().where(testimonies.c.source_id == source_id,
                                                    testimonies.c.consent == "withdrawn"))


def publishable_condition():
    """SQL condition on `persons`: at least one of the person's sources permits publication."""
    by_testimony = exists().where(
        testimony_subjects.c.person_id == persons.c.id,
        testimony_subjects.c.testimony_id == testimonies.c.id,
        testimonies.c.consent.in_(("named", "anonymized")),
    )
    as_named_testifier = exists().where(testimonies.c.testifier_id == persons.c.id, testimonies.c.consent == "named")
    named_in_published = exists().where(
        names.c.person_id == persons.c.id, names.c.source_id == sources.c.id, sources.c.kind.in_(PUBLISHED_KINDS))
    event_in_published = exists().where(
        events.c.person_id == persons.c.id, events.c.source_id == sources.c.id, sources.c.kind.in_(PUBLISHED_KINDS))
    return and_(persons.c.merged_into.is_(None),
                or_(by_testimony, as_named_testifier, named_in_published, event_in_published))


def refresh_hidden(conn, person_ids: list[str]) -> None:  # noqa: ANN001
    """Recompute the persons' `hidden` flag (what search and views filter on) from their sources."""
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start:start + 500]
        conn.execute(update(persons).where(persons.c.id.in_(chunk))
                     .values(hidden=case((hidden_by_withdrawal_condition(), 1), else_=0)))


def hidden_by_withdrawal_condition():
    """SQL condition on `persons`: every source that brought this person in has been withdrawn."""
    has_withdrawn = exists().where(
        testimony_subjects.c.person_id == persons.c.id,
        testimony_subjects.c.testimony_id == testimonies.c.id,
        testimonies.c.consent == "withdrawn",
    )
    has_other = exists().where(
        testimony_subjects.c.person_id == persons.c.id,
        testimony_subjects.c.testimony_id == testimonies.c.id,
        testimonies.c.consent != "withdrawn",
    )
    named_elsewhere = exists().where(names.c.person_id == persons.c.id, not_withdrawn(names.c.source_id))
    return and_(has_withdrawn, ~has_other, ~named_elsewhere)
