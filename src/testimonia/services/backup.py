"""Backups: a consistent, encrypted snapshot of a data folder, and a new data folder rebuilt from one.

A backup holds every table of the registry, read in one snapshot transaction while writes go
on, the evidence files (still encrypted under their data keys) and the key file's material
(master keys, audit key, blind-index key), so that it alone can rebuild a data folder; the
wrapped data keys travel inside, in the data_keys table. All of it is encrypted under a
passphrase given at backup time. It is recorded (the `backups` table and the audit chain)
before the snapshot is taken, so the snapshot holds its own record, and an erasure can name it.

File format `testimonia-backup/1`:

    header   one line of JSON: {"format": "testimonia-backup/1", "kdf": "argon2id", "params": {…},
             "salt": b64, "nonce_prefix": b64 (8 bytes), "check": b64, "chunk_size": 1048576}
    chunks   to the end of the file, each a 4-byte big-endian length n, then n bytes: one
             AES-GCM-sealed chunk of up to chunk_size bytes of the payload.

The key is argon2id(passphrase, salt); `check`, an HMAC of a fixed label under it, tells a wrong
passphrase from a damaged file. Chunk i is sealed with the nonce `nonce_prefix || i` (4 bytes)
and the associated data `header line || i (8 bytes) || final flag (1 byte)`, so an altered,
reordered or dropped chunk, a file cut after any chunk, or bytes after the final chunk all fail.

The payload is a gzip-compressed tar stream, in this order:

    keys.json                       the key material (store.keyfile.KeyMaterial.to_json)
    tables/<table>/<part>.jsonl     rows, one JSON object per line, tables in foreign-key order;
                                    bytes as base64, dates and times as ISO 8601 (times in UTC)
    evidence/<path>                 the evidence files as stored (encrypted)
    manifest.json                   backup id, time, user, database kind, schema revision,
                                    audit head inside the snapshot, rows per table, evidence files

Restoring reads the file twice: first to authenticate all of it (a wrong passphrase, a damaged
or truncated file is an error before anything is written), then to rebuild the folder.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import tarfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Callable, Iterator, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Date, DateTime, LargeBinary, Table, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from ..domain.vocab import UserRole
from ..store.audit import AuditChain
from ..store.crypto import new_id
from ..store.database import Database, sqlite_url
from ..store.keyfile import ARGON2, KeyMaterial, derive_key, write_key_file
from ..store.schema import backups, data_keys, metadata
from .access import SYSTEM, Actor
from .errors import ServiceError
from .keys import check_passphrase
from .registry import Registry, utcnow

FORMAT = "testimonia-backup/1"
CHUNK_SIZE = 1 << 20
PART_SIZE = 8 << 20  # bytes of JSON Lines per tar member
_TAG = 16
_CHECK_LABEL = b"testimonia backup passphrase check"


class BackupError(ServiceError):
    """A backup cannot be made or read: wrong passphrase, damaged or truncated file."""


# --- the encrypted container ----------------------------------------------------------------
@dataclass(frozen=True)
class _Header:
    line: bytes  # as written, including the newline: it is part of every chunk's associated data
    salt: bytes
    params: dict
    prefix: bytes
    check: bytes
    chunk_size: int

    @classmethod
    def new(cls, passphrase: str) -> tuple["_Header", bytes]:
        """A header for a new backup, and the key derived from the passphrase."""
        salt, prefix = os.urandom(16), os.urandom(8)
        key = derive_key(passphrase, salt, ARGON2)
        check = _check_value(key)
        fields = {"format": FORMAT, "kdf": "argon2id", "params": ARGON2, "salt": _b64(salt),
                  "nonce_prefix": _b64(prefix), "check": _b64(check), "chunk_size": CHUNK_SIZE}
        return cls(json.dumps(fields).encode() + b"\n", salt, ARGON2, prefix, check, CHUNK_SIZE), key

    @classmethod
    def read(cls, src: BinaryIO, path: Path) -> "_Header":
        line = src.readline(4096)
        try:
            fields = json.loads(line)
            if fields.get("format") != FORMAT:
                raise ValueError
            d64 = base64.b64decode
            return cls(line, d64(fields["salt"]), fields["params"], d64(fields["nonce_prefix"]), d64(fields["check"]),
                       int(fields["chunk_size"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupError(f"{path} is not a Testimonia backup") from None

    def nonce(self, index: int) -> bytes:
        return self.prefix + index.to_bytes(4, "big")

    def associated(self, index: int, final: bool) -> bytes:
        return self.line + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _check_value(key: bytes) -> bytes:
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()[:16]


class _ChunkSealer:
    """A write-only file that seals what it is given in chunks; `close` seals the final chunk."""

    def __init__(self, out: BinaryIO, passphrase: str):
        self.header, key = _Header.new(passphrase)
        self.out, self.aead, self.index, self.buffer = out, AESGCM(key), 0, bytearray()
        out.write(self.header.line)

    def write(self, data: bytes) -> int:
        self.buffer += data
        # Keep at least one byte back, so the final chunk is never empty unless the payload is.
        while len(self.buffer) > CHUNK_SIZE:
            self._seal(bytes(self.buffer[:CHUNK_SIZE]), final=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def close(self) -> None:
        self._seal(bytes(self.buffer), final=True)
        self.buffer.clear()

    def _seal(self, plain: bytes, final: bool) -> None:
        sealed = self.aead.encrypt(self.header.nonce(self.index), plain, self.header.associated(self.index, final))
        self.out.write(len(sealed).to_bytes(4, "big") + sealed)
        self.index += 1


class _ChunkOpener:
    """A read-only file over the sealed chunks: any damage, reordering or truncation is a BackupError."""

    def __init__(self, src: BinaryIO, header: _Header, key: bytes, path: Path):
        self.src, self.header, self.aead, self.path = src, header, AESGCM(key), path
        self.index, self.pending, self.finished = 0, bytearray(), False

    def read(self, size: int = -1) -> bytes:
        while not self.finished and (size < 0 or len(self.pending) < size):
            self.pending += self._open_next()
        size = len(self.pending) if size < 0 else min(size, len(self.pending))
        out = bytes(self.pending[:size])
        del self.pending[:size]
        return out

    def drain(self) -> None:
        """Read to the end, so the final chunk (and nothing after it) is checked."""
        while self.read(CHUNK_SIZE):
            pass

    def _open_next(self) -> bytes:
        length = self.src.read(4)
        if len(length) < 4:
            raise BackupError(f"the backup {self.path} is truncated: nothing was written")
        size = int.from_bytes(length, "big")
        sealed = self.src.read(size) if size <= self.header.chunk_size + _TAG else b""
        if len(sealed) != size or size < _TAG:
            raise BackupError(f"the backup {self.path} is truncated or damaged at chunk {self.index}: nothing was written")
        for final in (False, True):
            try:
                plain = self.aead.decrypt(self.header.nonce(self.index), sealed, self.header.associated(self.index, final))
            except InvalidTag:
                continue
            self.index += 1
            self.finished = final
            if final and self.src.read(1):
                raise BackupError(f"the backup {self.path} has data after its end: it was altered; nothing was written")
            return plain
        raise BackupError(f"the backup {self.path} was altered or damaged at chunk {self.index}: nothing was written")


def _unlock(path: Path, passphrase: str) -> tuple[_Header, bytes]:
    """The header and the key for a backup; a wrong passphrase is a clear error."""
    try:
        with open(path, "rb") as src:
            header = _Header.read(src, path)
    except OSError as exc:
        raise BackupError(f"cannot read the backup {path}: {exc.strerror}") from None
    key = derive_key(passphrase, header.salt, header.params)
    if not hmac.compare_digest(_check_value(key), header.check):
        raise BackupError(f"wrong passphrase for the backup {path}: nothing was written")
    return header, key


@contextmanager
def _payload(path: Path, header: _Header, key: bytes) -> Iterator[tarfile.TarFile]:
    """The decrypted tar stream, member by member; on leaving, the rest of the file is authenticated too."""
    with open(path, "rb") as src:
        src.seek(len(header.line))
        opener = _ChunkOpener(src, header, key, path)
        try:
            with tarfile.open(fileobj=cast(BinaryIO, opener), mode="r|gz") as tar:
                yield tar
        except (tarfile.TarError, EOFError, zlib.error):
            raise BackupError(f"the backup {path} opens, but its contents are unreadable: nothing was written") from None
        opener.drain()


# --- making a backup ------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupMade:
    backup_id: str
    path: Path
    tables: dict[str, int]
    evidence_files: int
    audit_head: str


def make_backup(registry: Registry, actor: Actor, out: Path, passphrase: str) -> BackupMade:
    """Write an encrypted backup of the whole data folder to `out` (a new file, mode 0600)."""
    actor.require_role(UserRole.ADMIN)
    check_passphrase(passphrase)
    out = Path(out).resolve()
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name (nothing was written)")
    if not out.parent.is_dir():
        raise BackupError(f"no folder {out.parent} to write the backup into")
    partial = out.with_name(out.name + ".part")
    try:
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except OSError as exc:
        raise BackupError(f"cannot write {partial}: {exc.strerror} (nothing was written)") from None
    try:
        with handle:
            backup_id = _record(registry, actor, out)
            sealer = _ChunkSealer(handle, passphrase)
            manifest = _write_payload(registry, actor, backup_id, sealer)
            sealer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupMade(backup_id, out, manifest["tables"], manifest["evidence_files"], manifest["audit_head"])


def _record(registry: Registry, actor: Actor, out: Path) -> str:
    backup_id = new_id("b")
    with registry.db.transaction() as conn:
        conn.execute(backups.insert().values(id=backup_id, path=str(out), at=utcnow(), by=actor.user_id))
        registry.audit.append(conn, "backup.create", backup_id, {"path": str(out)}, actor=actor.label)
    return backup_id


def _write_payload(registry: Registry, actor: Actor, backup_id: str, sealer: _ChunkSealer) -> dict[str, Any]:
    with registry.db.reading() as conn, tarfile.open(fileobj=cast(BinaryIO, sealer), mode="w|gz") as tar:
        _check_masters(conn, registry)
        _add_bytes(tar, "keys.json", json.dumps(registry.keys.material.to_json()).encode())
        tables = {table.name: _add_table(tar, conn, table) for table in metadata.sorted_tables}
        manifest = {
            "format": FORMAT, "backup": backup_id, "made_at": utcnow().isoformat(), "made_by": actor.label,
            "dialect": registry.db.dialect, "schema": conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar(),
            "audit_head": registry.audit.head(conn), "tables": tables,
            "evidence_files": _add_evidence(tar, registry.evidence_dir),
        }
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
    return manifest


def _check_masters(conn: Connection, registry: Registry) -> None:
    """Every live data key in the snapshot must open with the key material the backup will carry."""
    used = set(conn.execute(select(data_keys.c.master_id).where(data_keys.c.wrapped.is_not(None)).distinct()).scalars())
    if used - set(registry.keys.material.masters):
        raise BackupError("the key file changed since this registry was opened (a key rotation?): run the backup again")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _add_table(tar: tarfile.TarFile, conn: Connection, table: Table) -> int:
    """Write a table as JSON Lines members of about PART_SIZE bytes; the number of rows."""
    names = [c.name for c in table.columns]
    rows = conn.execute(select(table).order_by(*table.primary_key.columns).execution_options(yield_per=1000))
    count, part, buffer = 0, 0, io.BytesIO()
    for row in rows:
        line = json.dumps({n: _encode(v) for n, v in zip(names, row)}, ensure_ascii=False, separators=(",", ":"))
        buffer.write(line.encode() + b"\n")
        count += 1
        if buffer.tell() >= PART_SIZE:
            part += 1
            _add_bytes(tar, f"tables/{table.name}/{part:06d}.jsonl", buffer.getvalue())
            buffer = io.BytesIO()
    if buffer.tell():
        _add_bytes(tar, f"tables/{table.name}/{part + 1:06d}.jsonl", buffer.getvalue())
    return count


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return _b64(bytes(value))
    if isinstance(value, dt.datetime):
        # The registry writes UTC; SQLite gives it back without a zone.
        return (value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _add_evidence(tar: tarfile.TarFile, evidence_dir: Path) -> int:
    files = sorted(p for p in evidence_dir.rglob("*") if p.is_file() and not p.is_symlink()) if evidence_dir.is_dir() else []
    for path in files:
        info = tar.gettarinfo(path, arcname="evidence/" + path.relative_to(evidence_dir).as_posix())
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        with open(path, "rb") as handle:
            tar.addfile(info, handle)
    return len(files)


# --- restoring ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Restored:
    folder: Path
    backup_id: str
    tables: dict[str, int]
    evidence_files: int
    audit_head: str


@dataclass(frozen=True)
class _Contents:
    material: KeyMaterial
    manifest: dict[str, Any]


def restore(backup: Path, folder: Path, passphrase: str, db_url: str | None = None,
            key_passphrase: str | None = None) -> Restored:
    """Rebuild a data folder from a backup into `folder` (new or empty), with SQLite or the empty database `db_url`.

    `key_passphrase` protects the new folder's key file. The restored audit chain is verified
    against the head the backup recorded, then a `backup.restore` entry is appended to it.
    """
    backup, folder = Path(backup), Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} exists and is not empty: restore into a new folder (nothing was written)")
    if key_passphrase is not None:
        check_passphrase(key_passphrase)
    header, key = _unlock(backup, passphrase)
    contents = _authenticate(backup, header, key)
    created = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    try:
        _rebuild(backup, header, key, contents, folder, db_url, key_passphrase)
    except BaseException:
        _empty(folder, created)
        raise
    manifest = contents.manifest
    return Restored(folder, manifest["backup"], manifest["tables"], manifest["evidence_files"], manifest["audit_head"])


def _authenticate(backup: Path, header: _Header, key: bytes) -> _Contents:
    """First pass: the whole file opens, and what it holds agrees with its manifest."""
    material, manifest, rows, files = None, None, Counter[str](), 0
    with _payload(backup, header, key) as tar:
        for name, handle in _files(tar):
            if name == "keys.json":
                material = KeyMaterial.from_json(json.load(handle))
            elif name == "manifest.json":
                manifest = json.load(handle)
            elif name.startswith("tables/"):
                rows[name.split("/")[1]] += sum(line.endswith(b"\n") for line in handle)
            elif name.startswith("evidence/"):
                files += 1
    if material is None or manifest is None:
        raise BackupError(f"the backup {backup} lacks its {'keys' if material is None else 'manifest'}: nothing was written")
    if {t: n for t, n in manifest["tables"].items() if n} != dict(rows) or files != manifest["evidence_files"]:
        raise BackupError(f"the backup {backup} does not hold what its manifest lists: nothing was written")
    return _Contents(material, manifest)


def _rebuild(backup: Path, header: _Header, key: bytes, contents: _Contents, folder: Path, db_url: str | None,
             key_passphrase: str | None) -> None:
    """Second pass: database (migrations, then every row), evidence files, key file, config."""
    evidence_dir = folder / "evidence"
    evidence_dir.mkdir(mode=0o700, exist_ok=True)
    db = Database(db_url or sqlite_url((folder / "registry.db").resolve()))
    try:
        try:
            tables = inspect(db.engine).get_table_names()
        except OperationalError:
            raise BackupError("cannot connect to the database to restore into: nothing was written") from None
        if tables:
            raise BackupError("the database to restore into is not empty: give a new, empty database (nothing was written)")
        db.migrate()
        audit = AuditChain(contents.material.audit_key)
        with db.transaction() as conn, _payload(backup, header, key) as tar:
            for name, handle in _files(tar):
                if name.startswith("tables/"):
                    _insert_rows(conn, name.split("/")[1], handle)
                elif name.startswith("evidence/"):
                    _write_evidence(evidence_dir, name, handle)
            head = contents.manifest["audit_head"]
            problems = audit.verify(conn, head)
            if problems:
                raise BackupError(f"the restored audit chain does not verify ({problems[0]}): nothing was kept")
            audit.append(conn, "backup.restore", contents.manifest["backup"], {"audit_head": head}, actor=SYSTEM.label)
            _reset_sequences(conn)
    finally:
        db.dispose()
    write_key_file(folder / "keys.json", contents.material, key_passphrase)
    (folder / "config.json").write_text(json.dumps({"db": db_url or "sqlite:registry.db"}, indent=1))


def _files(tar: tarfile.TarFile) -> Iterator[tuple[str, IO[bytes]]]:
    """The regular files of a tar stream, in order, each readable while it is the current one."""
    for member in tar:
        handle = tar.extractfile(member) if member.isfile() else None
        if handle is not None:
            yield member.name, handle


def _insert_rows(conn: Connection, table_name: str, handle: IO[bytes]) -> None:
    table = metadata.tables.get(table_name)
    if table is None:
        raise BackupError(f"the backup holds a table {table_name!r} this version does not know")
    decoders = {c.name: _decoder(c.type) for c in table.columns}
    batch = []
    for line in handle:
        row = json.loads(line)
        unknown = set(row) - set(decoders)
        if unknown:
            raise BackupError(f"the backup holds columns {table_name}.{', '.join(sorted(unknown))} this version does not know")
        batch.append({n: (None if v is None else decoders[n](v)) for n, v in row.items()})
        if len(batch) == 1000:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _decoder(kind: Any) -> Callable[[Any], Any]:
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    return lambda value: value


def _write_evidence(evidence_dir: Path, name: str, handle: IO[bytes]) -> None:
    relative = PurePosixPath(name).relative_to("evidence")
    if not relative.parts or ".." in relative.parts:
        raise BackupError(f"the backup holds an unsafe evidence path {name!r}")
    target = evidence_dir.joinpath(*relative.parts)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        shutil.copyfileobj(handle, out)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: rows came with their ids, so move each id sequence past the largest one."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                 f"COALESCE(MAX({column.name}), 0) + 1, false) FROM {table.name}")


def _empty(folder: Path, created: bool) -> None:
    """Undo a failed restore: remove what it wrote into the folder (and the folder, if it made it)."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
