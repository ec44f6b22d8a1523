"""Record persons, names, sources, testimonies, events and relations; update with conflict detection."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from ..domain.vocab import Consent, RelationType, UserRole
from ..store.schema import audit_log, persons, testimonies, testimony_subjects
from .access import Actor
from .errors import Conflict, InvalidInput, NotFound, PermissionDenied
from .inputs import (
    EventInput,
    NameInput,
    PersonInput,
    SourceInput,
    TestimonyInput,
    check_event,
    check_name,
    check_person,
    check_source,
    check_testimony,
    check_vocab,
)
from .registry import Registry, utcnow
from .writer import Writer, refresh_person

#: Person fields an update may change, and the validator field each maps to.
UPDATABLE = ("sex", "ethnicity", "birth_date", "age_years", "age_at", "hometown", "occupation", "citizenships", "health")


def _person_project(conn, person_id: str) -> str:
    project = conn.execute(select(persons.c.project_id).where(persons.c.id == person_id)).scalar_one_or_none()
    if project is None:
        raise NotFound(f"no person {person_id}")
    return project


def add_person(registry: Registry, actor: Actor, project_id: str, person: PersonInput,
               source_id: str | None = None) -> str:
    actor.require_write(project_id)
    clean = check_person(person, registry.gazetteer)
    with registry.db.transaction() as conn:
        writer = Writer(registry, conn, actor)
        person_id = writer.add_person(project_id, clean, source_id)
        writer.flush()
    return person_id


def add_name(registry: Registry, actor: Actor, person_id: str, name: NameInput, source_id: str | None = None) -> str:
    clean = check_name(name, "name")
    with registry.db.transaction() as conn:
        actor.require_write(_person_project(conn, person_id))
        writer = Writer(registry, conn, actor)
        name_id = writer.add_name(person_id, clean, source_id)
        writer.flush()
    return name_id


def add_source(registry: Registry, actor: Actor, project_id: str, source: SourceInput) -> str:
    actor.require_write(project_id)
    clean = check_source(source)
    with registry.db.transaction() as conn:
        writer = Writer(registry, conn, actor)
        source_id = writer.add_source(project_id, clean)
        writer.flush()
    return source_id


def add_testimony(registry: Registry, actor: Actor, project_id: str, testimony: TestimonyInput,
                  subjects: list[str], source_id: str | None = None, testifier_id: str | None = None) -> str:
    """Record a testimony about `subjects`; without a source, a testimony source is created for it."""
    actor.require_write(project_id)
    clean = check_testimony(testimony)
    if not subjects:
        raise InvalidInput("a testimony is about at least one person", "subjects")
    with registry.db.transaction() as conn:
        for person_id in subjects + ([testifier_id] if testifier_id else []):
            actor.require_project(_person_project(conn, person_id))
        writer = Writer(registry, conn, actor)
        if source_id is None:
            source_id = writer.add_source(project_id, SourceInput("testimony", date=clean.recorded_on))
        testimony_id = writer.add_testimony(project_id, source_id, clean, subjects, testifier_id)
        writer.flush()
    return testimony_id


@dataclass
class Subject:
    """A person a testimony is about, as a recording form gives them: who, what happened to them, and
    (for the second person on) who they are to the first person: "spouse" means the first person's spouse."""

    person: PersonInput
    events: list[EventInput] = field(default_factory=list)
    to_first: str | None = None


def record_testimony(registry: Registry, actor: Actor, project_id: str, testimony: TestimonyInput,
                     subjects: list[Subject]) -> tuple[str, list[str]]:
    """A testimony with the new persons it is about and their events, in one transaction: either all
    of it is stored or nothing (every input is checked first, each error naming its person and field).
    Returns the testimony id and the persons' ids, in order."""
    actor.require_write(project_id)
    if not subjects:
        raise InvalidInput("a testimony is about at least one person", "persons")
    clean = check_testimony(testimony)
    people = []
    for k, subject in enumerate(subjects, 1):
        where = f"person {k}"
        try:
            person = check_person(subject.person, registry.gazetteer)
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, f"{where}: {exc.where}" if exc.where else where) from None
        if not person.names:
            raise InvalidInput("a name, or a description such as \"her husband\", is needed", f"{where}: name")
        events = [check_event(e, registry.gazetteer, f"{where}: event {j}") for j, e in enumerate(subject.events, 1)]
        relation = check_vocab(RelationType, subject.to_first, f"{where}: relation") if k > 1 else None
        people.append((person, events, relation))
    with registry.db.transaction() as conn:
        writer = Writer(registry, conn, actor)
        source_id = writer.add_source(project_id, SourceInput("testimony", date=clean.recorded_on))
        person_ids = [writer.add_person(project_id, person, source_id) for person, _, _ in people]
        testimony_id = writer.add_testimony(project_id, source_id, clean, person_ids)
        for person_id, (_, events, relation) in zip(person_ids, people, strict=True):
            for event in events:
                writer.add_event(person_id, event, source_id)
            if relation is not None:
                writer.add_relation(person_ids[0], relation.value, person_id, source_id)
        writer.flush()
    return testimony_id, person_ids


def add_event(registry: Registry, actor: Actor, person_id: str, event: EventInput, source_id: str | None = None) -> str:
    clean = check_event(event, registry.gazetteer)
    with registry.db.transaction() as conn:
        actor.require_write(_person_project(conn, person_id))
        writer = Writer(registry, conn, actor)
        if clean.facility and writer.resolve_facility(clean.facility)[0] is None and clean.facility.startswith(("f_", "BFN:")):
            raise InvalidInput(f"unknown facility {clean.facility!r}", "event.facility")
        event_id = writer.add_event(person_id, clean, source_id)
        writer.flush()
    return event_id


def add_relation(registry: Registry, actor: Actor, person_id: str, kind: str, other_id: str,
                 source_id: str | None = None) -> str:
    relation = check_vocab(RelationType, kind, "relation.type")
    if relation is None or person_id == other_id:
        raise InvalidInput("a relation needs a type and two different persons", "relation")
    with registry.db.transaction() as conn:
        actor.require_write(_person_project(conn, person_id))
        actor.require_project(_person_project(conn, other_id))
        writer = Writer(registry, conn, actor)
        relation_id = writer.add_relation(person_id, relation.value, other_id, source_id)
        writer.flush()
    return relation_id


def update_person(registry: Registry, actor: Actor, person_id: str, base_version: int, changes: dict[str, Any]) -> int:
    """Save changes made to version `base_version`; raises Conflict naming the fields someone else changed since."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}; changeable: {', '.join(UPDATABLE)}", "changes")
    probe = PersonInput(**{k: v for k, v in changes.items()})
    clean = check_person(probe, registry.gazetteer)
    values = {("hometown_code" if k == "hometown" else k): getattr(clean, k) for k in changes}
    if "citizenships" in values:
        values["citizenships"] = ",".join(values["citizenships"]) or None
    with registry.db.transaction() as conn:
        row = conn.execute(select(persons).where(persons.c.id == person_id)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"no person {person_id}")
        actor.require_write(row["project_id"])
        if actor.role not in (UserRole.ADMIN, UserRole.EDITOR) and row["created_by"] != actor.user_id:
            raise PermissionDenied("only an editor or the person's recorder may change these fields")
        if row["version"] != base_version:
            raise Conflict(person_id, _fields_changed_since(conn, person_id, base_version), row["version"])
        diff = {k: [row[k], v] for k, v in values.items() if row[k] != v}
        if not diff:
            return row["version"]
        version = row["version"] + 1
        result = conn.execute(update(persons).where(persons.c.id == person_id, persons.c.version == base_version)
                              .values(**{k: v[1] for k, v in diff.items()}, version=version, updated_at=utcnow()))
        if result.rowcount != 1:  # lost a race between read and write
            raise Conflict(person_id, [], base_version + 1)
        registry.audit.append(conn, "person.update", person_id, {**diff, "version": version}, actor=actor.label)
        refresh_person(registry, conn, person_id)
    return version


def _fields_changed_since(conn, person_id: str, version: int) -> list[str]:
    fields: set[str] = set()
    for change in conn.execute(select(audit_log.c.change).where(audit_log.c.entity == person_id,
                                                                audit_log.c.action == "person.update")).scalars():
        data = json.loads(change)
        if data.get("version", 0) > version:
            fields |= set(data) - {"version"}
    return sorted(fields)


def set_consent(registry: Registry, actor: Actor, testimony_id: str, consent: str) -> None:
    """Change a testimony's consent (a withdrawal hides what it contributed everywhere)."""
    value = check_vocab(Consent, consent, "consent")
    with registry.db.transaction() as conn:
        row = conn.execute(select(testimonies.c.project_id, testimonies.c.consent, testimonies.c.recorded_by)
                           .where(testimonies.c.id == testimony_id)).one_or_none()
        if row is None:
            raise NotFound(f"no testimony {testimony_id}")
        actor.require_write(row.project_id)
        if actor.role not in (UserRole.ADMIN, UserRole.EDITOR) and row.recorded_by != actor.user_id:
            raise PermissionDenied("only an editor or the testimony's recorder may change its consent")
        conn.execute(update(testimonies).where(testimonies.c.id == testimony_id)
                     .values(consent=value.value, version=testimonies.c.version + 1))
        for person_id in conn.execute(select(testimony_subjects.c.person_id)
                                      .where(testimony_subjects.c.testimony_id == testimony_id)).scalars().all():
            refresh_person(registry, conn, person_id)  # status and search document without (or again with) it
        registry.audit.append(conn, "testimony.consent", testimony_id, {"consent": [row.consent, value.value]},
                              actor=actor.label)
