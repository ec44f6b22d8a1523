"""Erasing a testimony once its consent was withdrawn: its data key is destroyed.

Everything sealed under that key — the testimony's confidential fields, their values in the audit
chain, the evidence files attached to it — becomes unreadable at once, while the audit chain
still verifies (its MACs cover the ciphertext, not the plaintext). Backups made before the
erasure still hold the key: the erasure names them, and they must be destroyed too.

The old bytes of a destroyed (or re-wrapped) key must not linger in the database files:
- SQLite: the update runs with `PRAGMA secure_delete=ON`, so freed space is overwritten with
  zeros, and the write-ahead log is then checkpointed and truncated, so no older image of the
  page survives in it.
- PostgreSQL: an UPDATE leaves the old row version in the table. After the commit, `VACUUM
  data_keys` removes it (unless a transaction still open in the database may see it: then the
  command says so, and can be run again), and `VACUUM FULL data_keys` rewrites the table into a
  new file, so its bytes do not linger in the page's free space. The server's own write-ahead
  log, base backups and WAL archives keep their copies until they are recycled.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..domain.vocab import UserRole
from ..store.schema import backups, data_keys, evidence, testimonies
from .access import Actor
from .errors import NotFound, ServiceError
from .registry import Registry, utcnow


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, and the earlier backups that still hold the destroyed key."""

    testimony_id: str
    erased_at: dt.datetime
    keys_destroyed: int
    evidence: list[str]
    backups: list[dict]
    already_erased: bool


def erase_testimony(registry: Registry, actor: Actor, testimony_id: str) -> Erasure:
    """Destroy the data key of a withdrawn testimony (and of its evidence), then scrub the old bytes.

    Erasing an erased testimony again destroys nothing more: it runs the scrub again (useful when
    another process kept the SQLite log busy the first time) and lists the same backups.
    """
    actor.require_role(UserRole.ADMIN)
    with scrubbing_transaction(registry) as conn:
        row = conn.execute(select(testimonies).where(testimonies.c.id == testimony_id)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"no testimony {testimony_id}")
        if row["consent"] != "withdrawn":
            raise ServiceError(
                f"testimony {testimony_id} has consent {row['consent']!r}: only a testimony whose consent was "
                f"withdrawn can be erased (first `testimonia testimony consent {testimony_id} withdrawn`)")
        evidence_ids, key_ids = _keys_of(conn, testimony_id, row["key_id"])
        already = row["erased_at"] is not None
        erased_at = row["erased_at"] or utcnow()
        destroyed = _destroy_keys(conn, key_ids, erased_at, actor)
        if destroyed or not already:
            # The audit append takes the chain's head lock: a backup recorded after this point waits
            # for the commit, so its snapshot no longer holds the key; one recorded before is listed.
            registry.audit.append(conn, "testimony.erase", testimony_id,
                                  {"data_keys_destroyed": destroyed, "evidence": evidence_ids}, actor=actor.label)
        if not already:
            conn.execute(update(testimonies).where(testimonies.c.id == testimony_id)
                         .values(erased_at=erased_at, version=testimonies.c.version + 1))
        earlier = _backups_before(conn, erased_at if already else None)
    for key_id in key_ids:
        registry.keys.forget(key_id)
    purge_old_versions(registry)
    return Erasure(testimony_id, erased_at, destroyed, evidence_ids, earlier, already)


def _keys_of(conn: Connection, testimony_id: str, key_id: str) -> tuple[list[str], list[str]]:
    """The testimony's evidence, and every data key to destroy (the testimony's and its evidence's)."""
    rows = conn.execute(select(evidence.c.id, evidence.c.key_id).where(evidence.c.testimony_id == testimony_id)
                        .order_by(evidence.c.id)).all()
    return [r.id for r in rows], sorted({key_id, *(r.key_id for r in rows)})


def _destroy_keys(conn: Connection, key_ids: list[str], at: dt.datetime, actor: Actor) -> int:
    result = conn.execute(update(data_keys).where(data_keys.c.id.in_(key_ids), data_keys.c.wrapped.is_not(None))
                          .values(wrapped=None, master_id=None, destroyed_at=at, destroyed_by=actor.user_id))
    return result.rowcount


def _backups_before(conn: Connection, erased_at: dt.datetime | None) -> list[dict]:
    """Backups recorded before the erasure (all visible ones while it is being made)."""
    query = select(backups.c.id, backups.c.path, backups.c.at).order_by(backups.c.at, backups.c.id)
    if erased_at is not None:
        query = query.where(backups.c.at <= erased_at)
    return [dict(r) for r in conn.execute(query).mappings()]


@contextmanager
def scrubbing_transaction(registry: Registry) -> Iterator[Connection]:
    """A transaction whose overwritten and deleted bytes are zeroed in the SQLite file (secure_delete)."""
    with registry.db.transaction() as conn:
        if registry.db.dialect != "sqlite":
            yield conn
            return
        before = conn.exec_driver_sql("PRAGMA secure_delete").scalar_one()
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
        try:
            yield conn
        finally:
            conn.exec_driver_sql(f"PRAGMA secure_delete={int(before)}")


def purge_old_versions(registry: Registry) -> None:
    """After a scrubbing transaction committed: remove the older copies of the rows it changed."""
    if registry.db.dialect == "sqlite":
        _checkpoint_sqlite(registry)
    else:
        _vacuum_postgresql(registry)


def _checkpoint_sqlite(registry: Registry) -> None:
    """Copy the write-ahead log into the database file and truncate it (waits for readers, up to the busy timeout)."""
    raw = registry.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ((busy, _, _),) = cursor.fetchall()
    finally:
        raw.close()
    if busy:
        raise _still_held("another process kept the database log busy, so old bytes may remain in registry.db-wal")


def _vacuum_postgresql(registry: Registry) -> None:
    """VACUUM removes the dead row versions (only open transactions of this database hold it back);
    VACUUM FULL then rewrites the table into a new file, so their bytes do not linger in free space."""
    with registry.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM data_keys")
        dead = conn.exec_driver_sql("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'data_keys'::regclass").scalar()
        if dead:
            raise _still_held("a transaction still open in the database keeps old row versions of the keys")
        conn.exec_driver_sql("VACUUM FULL data_keys")


def _still_held(reason: str) -> ServiceError:
    return ServiceError(f"the change is saved, but {reason}: once other Testimonia processes (a running backup, "
                        f"the server) are stopped, run the same command again to remove them")
