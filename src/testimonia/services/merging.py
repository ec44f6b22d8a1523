"""Merge persons a reviewer judged the same, and undo a merge exactly.

A merge keeps one person (the survivor, the first id given) and re-points every name, event,
relation, testimony, evidence file and petition of the others to it; nothing is copied or deleted,
so every row keeps its source and span. The absorbed persons stay as records with `merged_into` set.
The survivor's empty public fields are filled from the absorbed; confidential fields stay on the
record they were sealed for. The merge row lists every re-pointed row and filled field, so `unmerge`
puts each back. Both are one transaction and one audit entry.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, delete, select, update

from ..store.crypto import new_id
from ..store.schema import (
    events,
    evidence,
    match_decisions,
    merges,
    name_keys,
    names,
    persons,
    petition_persons,
    relations,
    testimonies,
    testimony_subjects,
)
from .access import Actor
from .errors import InvalidInput, NotFound
from .linking import REVIEWERS
from .registry import Registry, utcnow
from .writer import refresh_person

#: Rows that belong to a person by one column: (table, column) -> re-pointed by id.
OWNED = ((names, "person_id"), (events, "person_id"), (relations, "person_id"), (relations, "other_id"),
         (testimonies, "testifier_id"), (evidence, "person_id"))
#: Link tables keyed by (other id, person_id): a row the survivor already has is set aside, not doubled.
LINKS = ((testimony_subjects, "testimony_id"), (petition_persons, "petition_id"))
#: Public fields a survivor without them takes from the first absorbed person that has them (an age and
#: its date go together).
FILLABLE = (("sex",), ("ethnicity",), ("birth_date",), ("age_years", "age_at"), ("hometown_code",), ("occupation",),
            ("citizenships",))


def merge(registry: Registry, actor: Actor, person_ids: list[str], reason: str | None = None) -> str:
    """Merge the persons into the first; returns the merge id."""
    actor.require_role(*REVIEWERS)
    ids = list(dict.fromkeys(person_ids))
    if len(ids) < 2:
        raise InvalidInput("a merge needs at least two different persons", "persons")
    survivor, absorbed = ids[0], ids[1:]
    with registry.db.transaction() as conn:
        rows = _active_persons(conn, actor, ids)
        _refuse_contradictions(conn, rows, ids)
        moved: dict[str, Any] = {}
        for table, column in OWNED:
            key = f"{table.name}.{column}"
            moved[key] = {}
            for person_id in absorbed:
                row_ids = conn.execute(select(table.c.id).where(table.c[column] == person_id)).scalars().all()
                if row_ids:
                    _repoint(conn, table, column, row_ids, survivor)
                    moved[key][person_id] = row_ids
        name_ids = [i for group in moved["names.person_id"].values() for i in group]
        for start in range(0, len(name_ids), 500):
            conn.execute(update(name_keys).where(name_keys.c.name_id.in_(name_ids[start:start + 500]))
                         .values(person_id=survivor))
        for table, other in LINKS:
            moved[table.name] = {person_id: _move_links(conn, table, other, person_id, survivor) for person_id in absorbed}
        filled = _fill(conn, rows, survivor, absorbed)
        now = utcnow()
        for person_id in ids:
            values = {"merged_into": survivor} if person_id != survivor else {}
            conn.execute(update(persons).where(persons.c.id == person_id)
                         .values(**values, version=persons.c.version + 1, updated_at=now))
        merge_id = new_id("g")
        conn.execute(merges.insert().values(id=merge_id, survivor_id=survivor, absorbed=json.dumps(absorbed),
                                            moved=json.dumps(moved), filled=json.dumps(filled), created_at=now,
                                            created_by=actor.user_id))
        for person_id in absorbed:
            a, b = sorted((survivor, person_id))
            conn.execute(match_decisions.insert().values(id=new_id("d"), person_a=a, person_b=b, decision="same",
                                                         evidence="", reason=f"merged ({merge_id})", created_at=now,
                                                         created_by=actor.user_id))
        for person_id in ids:
            refresh_person(registry, conn, person_id)
        registry.audit.append(conn, "person.merge", merge_id, {
            "survivor": survivor, "absorbed": absorbed, "reason": reason, "filled": sorted(filled),
            "moved": {key: sum(len(v) if isinstance(v, list) else len(v["moved"]) + len(v["dropped"])
                               for v in group.values()) for key, group in moved.items()}}, actor=actor.label)
    return merge_id


def unmerge(registry: Registry, actor: Actor, merge_id: str) -> list[str]:
    """Undo a merge: every re-pointed row back to its person, filled fields emptied again."""
    actor.require_role(*REVIEWERS)
    with registry.db.transaction() as conn:
        row = conn.execute(select(merges).where(merges.c.id == merge_id)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"no merge {merge_id}")
        if row["undone_at"] is not None:
            raise InvalidInput(f"merge {merge_id} was already undone", "merge")
        survivor, absorbed = row["survivor_id"], json.loads(row["absorbed"])
        people = _persons(conn, [survivor, *absorbed])
        actor.require_write(people[survivor]["project_id"])
        if people[survivor]["merged_into"]:
            later = people[survivor]["merged_into"]
            raise InvalidInput(f"{survivor} was merged into {later} since; undo that merge first", "merge")
        moved = json.loads(row["moved"])
        for table, column in OWNED:
            for person_id, row_ids in moved[f"{table.name}.{column}"].items():
                _repoint(conn, table, column, row_ids, person_id)
                if table is names:
                    for start in range(0, len(row_ids), 500):
                        conn.execute(update(name_keys).where(name_keys.c.name_id.in_(row_ids[start:start + 500]))
                                     .values(person_id=person_id))
        for table, other in LINKS:
            for person_id, links in moved[table.name].items():
                _restore_links(conn, table, other, person_id, survivor, links)
        restore = {field: None for field, value in json.loads(row["filled"]).items()
                   if people[survivor][field] == value}
        now = utcnow()
        conn.execute(update(persons).where(persons.c.id == survivor)
                     .values(**restore, version=persons.c.version + 1, updated_at=now))
        for person_id in absorbed:
            conn.execute(update(persons).where(persons.c.id == person_id)
                         .values(merged_into=None, version=persons.c.version + 1, updated_at=now))
        conn.execute(update(merges).where(merges.c.id == merge_id).values(undone_at=now, undone_by=actor.user_id))
        for person_id in [survivor, *absorbed]:
            refresh_person(registry, conn, person_id)
        registry.audit.append(conn, "person.unmerge", merge_id, {"survivor": survivor, "restored": absorbed},
                              actor=actor.label)
    return absorbed


def _persons(conn, ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    found = {r["id"]: dict(r) for r in conn.execute(select(persons).where(persons.c.id.in_(ids))).mappings()}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no person {missing[0]}")
    return found


def _active_persons(conn, actor: Actor, ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    rows = _persons(conn, ids)
    projects = {r["project_id"] for r in rows.values()}
    if len(projects) > 1:
        raise InvalidInput("persons of different projects cannot be merged (each project is its own compartment)",
                           "persons")
    actor.require_write(projects.pop())
    for person_id, row in rows.items():
        if row["merged_into"]:
            raise InvalidInput(f"{person_id} is already merged into {row['merged_into']}", "persons")
    return rows


def _refuse_contradictions(conn, rows: dict[str, dict], ids: list[str]) -> None:  # noqa: ANN001
    """Two persons related to each other, or with different resident ID numbers, are not one person."""
    related = conn.execute(select(relations.c.person_id, relations.c.other_id, relations.c.type)
                           .where(relations.c.person_id.in_(ids), relations.c.other_id.in_(ids))).first()
    if related:
        raise InvalidInput(f"{related.person_id} is recorded as {related.type} of {related.other_id}: "
                           "they are two persons", "persons")
    numbers = {r["resident_id_blind"] for r in rows.values() if r["resident_id_blind"]}
    if len(numbers) > 1:
        raise InvalidInput("these persons have different resident ID numbers: they are two persons", "persons")


def _repoint(conn, table, column: str, row_ids: list[str], person_id: str) -> None:  # noqa: ANN001
    for start in range(0, len(row_ids), 500):
        conn.execute(update(table).where(table.c.id.in_(row_ids[start:start + 500])).values({column: person_id}))


def _move_links(conn, table, other: str, person_id: str, survivor: str) -> dict[str, list[str]]:  # noqa: ANN001
    """Re-point a person's link rows to the survivor; rows the survivor already has are deleted (and kept
    in the merge record to restore)."""
    mine = set(conn.execute(select(table.c[other]).where(table.c.person_id == person_id)).scalars())
    theirs = set(conn.execute(select(table.c[other]).where(table.c.person_id == survivor)).scalars())
    dropped, moved = sorted(mine & theirs), sorted(mine - theirs)
    if dropped:
        conn.execute(delete(table).where(table.c.person_id == person_id, table.c[other].in_(dropped)))
    if moved:
        conn.execute(update(table).where(table.c.person_id == person_id, table.c[other].in_(moved))
                     .values(person_id=survivor))
    return {"moved": moved, "dropped": dropped}


def _restore_links(conn, table, other: str, person_id: str, survivor: str,  # noqa: ANN001
                   links: dict[str, list[str]]) -> None:
    if links["moved"]:
        conn.execute(update(table).where(and_(table.c.person_id == survivor, table.c[other].in_(links["moved"])))
                     .values(person_id=person_id))
    for value in links["dropped"]:
        conn.execute(table.insert().values({other: value, "person_id": person_id}))


def _fill(conn, rows: dict[str, dict], survivor: str, absorbed: list[str]) -> dict[str, Any]:  # noqa: ANN001
    """Fill the survivor's empty public fields from the absorbed, in order; the values filled."""
    filled: dict[str, Any] = {}
    for fields in FILLABLE:
        if any(rows[survivor][f] is not None for f in fields):
            continue
        source = next((p for p in absorbed if any(rows[p][f] is not None for f in fields)), None)
        if source:
            filled.update({f: rows[source][f] for f in fields})
    if filled:
        conn.execute(update(persons).where(persons.c.id == survivor).values(**filled))
    return filled
