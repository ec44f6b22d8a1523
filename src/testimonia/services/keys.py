"""The master key: rotate it, export an offline copy of the key file, set or change its passphrase.

Rotation is ordered so that a crash at any point leaves the registry readable:
1. the key file is rewritten holding both the old and the new master key, the new one current;
2. one transaction re-wraps every data key not destroyed under the new master, stores the new
   master's fingerprint and appends `key.rotate` to the audit chain;
3. the key file is rewritten without the old master.
After step 1 every data key still opens with the old master and `open_folder` accepts either
fingerprint; after step 2 everything opens with the new one. The audit chain is untouched: only
data keys are re-wrapped, and the audit key stays. Key material never enters an audit entry.
"""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from ..domain.vocab import UserRole
from ..store.crypto import DecryptionError
from ..store.keyfile import KeyFileError, KeyMaterial, is_sealed, read_key_file, write_key_file
from ..store.schema import data_keys
from .access import Actor
from .erase import purge_old_versions, scrubbing_transaction
from .errors import InvalidInput, ServiceError
from .registry import Registry, set_fingerprint

MIN_PASSPHRASE = 12
_BATCH = 2000


@dataclasses.dataclass(frozen=True)
class Rotation:
    """`master_id` names the new master key (an identifier, not the key); `kept` lists old masters
    still in use by data keys another process wrapped meanwhile (rotate again once it is stopped)."""

    master_id: str
    rewrapped: int
    kept: list[str]


def check_passphrase(passphrase: str) -> None:
    """A passphrase that seals keys or a backup must be long enough to resist guessing."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"a passphrase needs at least {MIN_PASSPHRASE} characters", "passphrase")


def rotate(registry: Registry, actor: Actor, passphrase: str | None = None) -> Rotation:
    """Replace the master key. `passphrase` opens (and re-seals) a passphrase-protected key file."""
    actor.require_role(UserRole.ADMIN)
    on_disk, seal_with = _key_file(registry, passphrase)
    new_id = secrets.token_hex(8)
    both = dataclasses.replace(on_disk, masters={**on_disk.masters, new_id: AESGCM.generate_key(256)}, current=new_id)
    _install(registry, both, seal_with)
    count = _rewrap_step(registry, actor)
    kept = sorted(_masters_in_use(registry) - {new_id})
    _install(registry, dataclasses.replace(both, masters={m: k for m, k in both.masters.items() if m == new_id or m in kept}),
             seal_with)
    purge_old_versions(registry)
    return Rotation(new_id, count, kept)


def _install(registry: Registry, material: KeyMaterial, seal_with: str | None) -> None:
    """Write the key file, then use the same material in this process."""
    write_key_file(registry.key_file, material, seal_with)
    registry.keys.material = material


def _rewrap_step(registry: Registry, actor: Actor) -> int:
    """One transaction: every data key under the current master, its fingerprint stored, `key.rotate` audited."""
    try:
        with scrubbing_transaction(registry) as conn:
            count = _rewrap_all(registry, conn)
            set_fingerprint(conn, registry)
            registry.audit.append(conn, "key.rotate", None, {"master": registry.keys.master_id, "data_keys": count},
                                  actor=actor.label)
    except DecryptionError as exc:
        raise ServiceError(f"{exc}: nothing was re-wrapped (the key file holds the old and the new master key)") from None
    return count


def _rewrap_all(registry: Registry, conn: Connection) -> int:
    """Re-wrap every live data key under the current master, in batches ordered by id."""
    keys, count, after = registry.keys, 0, ""
    change = (update(data_keys).where(data_keys.c.id == bindparam("key_id"))
              .values(wrapped=bindparam("new_wrapped"), master_id=keys.master_id))
    while True:
        rows = conn.execute(select(data_keys.c.id, data_keys.c.wrapped, data_keys.c.master_id)
                            .where(data_keys.c.wrapped.is_not(None), data_keys.c.id > after)
                            .order_by(data_keys.c.id).limit(_BATCH)).all()
        if not rows:
            return count
        conn.execute(change, [{"key_id": r.id, "new_wrapped": keys.wrap(r.id, keys.unwrap(r.id, r.wrapped, r.master_id))}
                              for r in rows])
        count, after = count + len(rows), rows[-1].id


def _masters_in_use(registry: Registry) -> set[str]:
    with registry.db.reading() as conn:
        return set(conn.execute(select(data_keys.c.master_id).where(data_keys.c.wrapped.is_not(None)).distinct()).scalars())


def export_key_file(registry: Registry, actor: Actor, out: Path, protect_with: str | None = None) -> Path:
    """Write an offline copy of the key file (mode 0600), sealed under `protect_with` when given."""
    actor.require_role(UserRole.ADMIN)
    out = Path(out)
    if out.exists():
        raise ServiceError(f"{out} exists already: choose a new file name (nothing was written)")
    if not out.parent.is_dir():
        raise ServiceError(f"no folder {out.parent} to write the copy into")
    if protect_with is not None:
        check_passphrase(protect_with)
    with registry.db.transaction() as conn:
        registry.audit.append(conn, "key.export", None, {"path": str(out.resolve()), "protected": protect_with is not None},
                              actor=actor.label)
        try:
            write_key_file(out, registry.keys.material, protect_with)
        except OSError as exc:
            raise ServiceError(f"cannot write {out}: {exc.strerror} (nothing was written)") from None
    return out


def set_passphrase(registry: Registry, actor: Actor, current: str | None, new: str | None) -> None:
    """Protect the key file with `new`, change its passphrase, or (new=None) remove the protection."""
    actor.require_role(UserRole.ADMIN)
    material, _ = _key_file(registry, current)
    if new is not None:
        check_passphrase(new)
    with registry.db.transaction() as conn:
        registry.audit.append(conn, "key.passphrase", None, {"protected": new is not None}, actor=actor.label)
        write_key_file(registry.key_file, material, new)


def _key_file(registry: Registry, passphrase: str | None) -> tuple[KeyMaterial, str | None]:
    """The key file's material as stored, and the passphrase to seal it with again (None if unprotected)."""
    try:
        material = read_key_file(registry.key_file, passphrase)
        sealed = is_sealed(registry.key_file)
    except KeyFileError as exc:
        raise ServiceError(str(exc)) from None
    if registry.keys.master_id not in material.masters or material.audit_key != registry.keys.material.audit_key:
        raise ServiceError(f"{registry.key_file} changed since the registry was opened: nothing was changed, run the command again")
    return material, passphrase if sealed else None
