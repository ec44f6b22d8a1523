"""The audit chain: every write (and every read of a confidential value) appends an entry.

Each entry's MAC is HMAC-SHA256 under the audit key (kept apart from the data keys) over the
previous entry's MAC and the entry as stored, so an edited, inserted or removed entry breaks the
chain at that point. Confidential values inside an entry are ciphertext under their record's
data key: erasing the key leaves the chain verifiable and the content unreadable.
The head (`seq:mac` of the last entry) can be printed, kept elsewhere, and checked against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .schema import audit_log, meta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str | None
    action: str
    entity: str | None
    parent_seq: int | None
    change: str | None

    def body(self) -> str:
        return canonical([self.seq, self.at, self.actor, self.action, self.entity, self.parent_seq, self.change])


def mac_of(key: bytes, previous_mac: str, entry: Entry) -> str:
    return hmac.new(key, (previous_mac + "\n" + entry.body()).encode(), hashlib.sha256).hexdigest()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class AuditChain:
    """Appends to and verifies the chain. Appends happen inside the caller's transaction."""

    def __init__(self, key: bytes):
        self.key = key

    def _lock_head(self, conn: Connection) -> tuple[int, str]:
        # The UPDATE takes the row lock on PostgreSQL (and the write lock on SQLite) before reading,
        # so two writers never chain onto the same head.
        conn.execute(update(meta).where(meta.c.key == HEAD_KEY).values(value=meta.c.value))
        value = conn.execute(select(meta.c.value).where(meta.c.key == HEAD_KEY)).scalar_one_or_none()
        if value is None:
            return 0, GENESIS
        seq, mac = value.split(":")
        return int(seq), mac

    def append_many(self, conn: Connection, entries: Iterable[dict]) -> list[int]:
        """Append entries (dicts with actor, action, entity, change, parent_seq or parent index).

        `parent` may be given as an index into this batch ("the import entry above"), so a bulk
        import writes one entry for the import and one per record under it in one call.
        """
        seq, previous = self._lock_head(conn)
        rows, seqs = [], []
        at = now()
        for item in entries:
            seq += 1
            parent = item.get("parent_seq")
            if "parent" in item:
                parent = seqs[item["parent"]]
            change = item.get("change")
            entry = Entry(seq, at, item.get("actor"), item["action"], item.get("entity"), parent,
                          canonical(change) if change is not None else None)
            previous = mac_of(self.key, previous, entry)
            rows.append({**entry.__dict__, "mac": previous})
            seqs.append(seq)
        if rows:
            conn.execute(audit_log.insert(), rows)
            head = f"{seq}:{previous}"
            if conn.execute(update(meta).where(meta.c.key == HEAD_KEY).values(value=head)).rowcount == 0:
                conn.execute(meta.insert().values(key=HEAD_KEY, value=head))
        return seqs

    def append(self, conn: Connection, action: str, entity: str | None, change: Any = None, *,
               actor: str | None = None, parent_seq: int | None = None) -> int:
        return self.append_many(conn, [{"actor": actor, "action": action, "entity": entity,
                                        "change": change, "parent_seq": parent_seq}])[0]

    def head(self, conn: Connection) -> str:
        value = conn.execute(select(meta.c.value).where(meta.c.key == HEAD_KEY)).scalar_one_or_none()
        return value or f"0:{GENESIS}"

    def verify(self, conn: Connection, expected_head: str | None = None) -> list[str]:
        """Problems found, each naming the entry; an empty list means the chain is intact."""
        problems: list[str] = []
        previous, expected_seq = GENESIS, 1
        last_seq = 0
        rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).mappings()
        for row in rows:
            entry = Entry(row["seq"], row["at"], row["actor"], row["action"], row["entity"],
                          row["parent_seq"], row["change"])
            if entry.seq != expected_seq:
                missing = f"{expected_seq}" if entry.seq == expected_seq + 1 else f"{expected_seq}–{entry.seq - 1}"
                problems.append(f"audit entry {missing} is missing (the chain jumps from {expected_seq - 1} to {entry.seq})")
            if not hmac.compare_digest(mac_of(self.key, previous, entry), row["mac"]):
                if entry.seq == expected_seq:
                    problems.append(f"audit entry {entry.seq} ({entry.action} {entry.entity or ''}) was altered or inserted: its MAC does not match")
                else:
                    problems.append(f"audit entry {entry.seq} does not chain onto entry {expected_seq - 1}")
            previous, expected_seq, last_seq = row["mac"], entry.seq + 1, entry.seq
        stored = self.head(conn)
        if stored != f"{last_seq}:{previous}" and last_seq:
            problems.append(f"the stored head {stored.split(':')[0]} does not match the last entry {last_seq}: entries were removed or added at the end")
        if expected_head:
            seq_text, _, mac = expected_head.strip().partition(":")
            try:
                want_seq = int(seq_text)
            except ValueError:
                return problems + [f"{expected_head!r} is not a head printed by `testimonia audit head`"]
            row = conn.execute(select(audit_log.c.mac).where(audit_log.c.seq == want_seq)).scalar_one_or_none()
            if row is None:
                problems.append(f"audit entry {want_seq} of the kept head is missing: the chain was cut after it")
            elif not hmac.compare_digest(row, mac):
                problems.append(f"audit entry {want_seq} differs from the kept head: history was rewritten")
        return problems
