"""Audit chain use cases: verify, head, and who read a record's confidential fields."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, or_, select

from ..domain.vocab import UserRole
from ..store.schema import audit_log
from .access import Actor
from .registry import Registry

#: Audit actions that revealed confidential material to someone.
READ_ACTIONS = ("read.confidential", "export.confidential", "evidence.open", "evidence.export", "evidence.bundle",
                "evidence.publish_copy")


def verify(registry: Registry, actor: Actor, expected_head: str | None = None) -> tuple[int, list[str]]:
    actor.require_role(UserRole.ADMIN, UserRole.EDITOR, UserRole.RESEARCHER)
    with registry.db.reading() as conn:
        count = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        return count, registry.audit.verify(conn, expected_head)


def head(registry: Registry, actor: Actor) -> str:
    actor.require_role(UserRole.ADMIN, UserRole.EDITOR, UserRole.RESEARCHER)
    with registry.db.reading() as conn:
        return registry.audit.head(conn)


def confidential_readers(registry: Registry, actor: Actor, record_id: str) -> list[dict[str, Any]]:
    """Every view or export that revealed a confidential field of this record: who and when."""
    actor.require_role(UserRole.ADMIN)
    out = []
    with registry.db.reading() as conn:
        rows = conn.execute(select(audit_log).where(
            audit_log.c.action.in_(READ_ACTIONS),
            or_(audit_log.c.entity == record_id, audit_log.c.change.contains(record_id))).order_by(audit_log.c.seq))
        for row in rows.mappings():
            change = json.loads(row["change"] or "{}")
            fields = [f for f in change.get("fields", []) if record_id in f or row["entity"] == record_id] or ["(all)"]
            out.append({"at": row["at"], "actor": row["actor"], "action": row["action"], "fields": fields})
    return out
