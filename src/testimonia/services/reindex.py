"""Rebuild what is derived from names: blocking keys and search documents.

Run after an upgrade that changes how testimonia.names reads names (`testimonia reindex`): records
written before keep the keys and phonetic tokens of the version that wrote them until then. One
transaction; the audit chain records who rebuilt the index and how many persons it covered.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from ..domain.vocab import UserRole
from ..names import name_keys as blocking_keys
from ..store.bulk import insert_many
from ..store.schema import name_keys, names, persons
from .access import Actor
from .registry import Registry
from .writer import refresh_person


def reindex(registry: Registry, actor: Actor) -> int:
    """Recompute every name's blocking keys and every person's search document; the number of persons."""
    actor.require_role(UserRole.ADMIN)
    with registry.db.transaction() as conn:
        conn.execute(delete(name_keys))
        rows = [{"key": key[:200], "person_id": person_id, "name_id": name_id}
                for name_id, person_id, text in conn.execute(select(names.c.id, names.c.person_id, names.c.text))
                for key in sorted(blocking_keys(text))]
        insert_many(conn, name_keys, rows)
        person_ids = conn.execute(select(persons.c.id).order_by(persons.c.id)).scalars().all()
        for person_id in person_ids:
            refresh_person(registry, conn, person_id)
        registry.audit.append(conn, "registry.reindex", None, {"persons": len(person_ids), "name_keys": len(rows)},
                              actor=actor.label)
    return len(person_ids)
