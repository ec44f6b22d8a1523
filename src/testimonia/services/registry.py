"""A data folder: its database, key file and evidence store, opened as one Registry object.

    DIR/config.json   where the database is (no secrets)
    DIR/registry.db   the SQLite database (unless config.json names PostgreSQL)
    DIR/keys.json     the key file, mode 0600
    DIR/evidence/     evidence files, each encrypted under its data key
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import select, update

from ..gazetteer import Gazetteer
from ..store.audit import AuditChain
from ..store.crypto import KeyRing
from ..store.database import Database, sqlite_url
from ..store.keyfile import KeyFileError, KeyMaterial, read_key_file, write_key_file
from ..store.schema import meta
from .errors import ServiceError

FINGERPRINT_KEY = "master_fingerprint"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso_utc(value: dt.datetime) -> str:
    """A stored time in ISO 8601 UTC (SQLite hands it back without its zone)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


@dataclass
class Registry:
    folder: Path
    db: Database
    keys: KeyRing

    @cached_property
    def audit(self) -> AuditChain:
        return AuditChain(self.keys.material.audit_key)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer()

    @cached_property
    def derived(self) -> dict:
        """Results derived from much of the registry that services keep between requests, each with the
        audit chain's head it was computed at (services.statistics)."""
        return {}

    @property
    def key_file(self) -> Path:
        return self.folder / "keys.json"

    @property
    def evidence_dir(self) -> Path:
        return self.folder / "evidence"

    def close(self) -> None:
        self.db.dispose()


def init_folder(folder: Path, db_url: str | None = None, passphrase: str | None = None) -> Registry:
    """Create a data folder: database with the schema and gazetteer, key file, evidence store."""
    folder = Path(folder)
    if (folder / "config.json").exists():
        raise ServiceError(f"{folder} already holds a registry")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    (folder / "evidence").mkdir(mode=0o700, exist_ok=True)
    url = db_url or sqlite_url((folder / "registry.db").resolve())
    material = KeyMaterial.generate()
    registry = Registry(folder, Database(url), KeyRing(material))
    registry.db.migrate()
    with registry.db.transaction() as conn:
        if conn.execute(select(meta.c.value).where(meta.c.key == FINGERPRINT_KEY)).first():
            raise ServiceError("that database already holds a registry: give an empty database")
        conn.execute(meta.insert().values(key=FINGERPRINT_KEY, value=registry.keys.fingerprint()))
    write_key_file(registry.key_file, material, passphrase)
    (folder / "config.json").write_text(json.dumps({"db": db_url or "sqlite:registry.db"}, indent=1))
    from .places import load_reference_data

    load_reference_data(registry)
    return registry


def open_folder(folder: Path, passphrase: str | None = None) -> Registry:
    """Open an existing data folder; a wrong or missing key file is a clear error, nothing is changed."""
    folder = Path(folder)
    try:
        config = json.loads((folder / "config.json").read_text())
    except FileNotFoundError:
        raise ServiceError(f"{folder} is not a Testimonia data folder (run `testimonia init {folder}`)") from None
    url = config["db"]
    if url.startswith("sqlite:") and not url.startswith("sqlite:///"):
        url = sqlite_url((folder / url.split(":", 1)[1]).resolve())
    passphrase = passphrase if passphrase is not None else os.environ.get("TESTIMONIA_PASSPHRASE")
    try:
        material = read_key_file(folder / "keys.json", passphrase)
    except KeyFileError as exc:
        raise ServiceError(str(exc)) from None
    registry = Registry(folder, Database(url), KeyRing(material))
    with registry.db.reading() as conn:
        stored = conn.execute(select(meta.c.value).where(meta.c.key == FINGERPRINT_KEY)).scalar_one_or_none()
    if stored is None or all(registry.keys.fingerprint(m) != stored for m in material.masters):
        registry.close()
        raise ServiceError(f"the key file in {folder} does not belong to this registry: nothing was decrypted or changed")
    if not registry.db.is_current():  # a registry made by an earlier version: its schema brought up to date
        registry.db.migrate()
    return registry


def check_master_is_current(registry: Registry, conn) -> None:  # noqa: ANN001
    """Refuse to seal new data under a master key that another process has since rotated away."""
    stored = conn.execute(select(meta.c.value).where(meta.c.key == FINGERPRINT_KEY)).scalar_one()
    if stored != registry.keys.fingerprint():
        raise ServiceError("the master key was rotated by another process since this one started: "
                           "restart it (nothing was written)")


def set_fingerprint(conn, registry: Registry) -> None:
    conn.execute(update(meta).where(meta.c.key == FINGERPRINT_KEY).values(value=registry.keys.fingerprint()))
