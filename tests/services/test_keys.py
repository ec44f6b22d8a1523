"""Keys at rest: no confidential string in the database, the evidence folder or a backup; rotation,
export, passphrases; a wrong or missing key file — on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from testimonia.domain.prc_id import check_character
from testimonia.services import keys, records
from testimonia.services.access import Actor
from testimonia.services.auditing import verify
from testimonia.services.backup import make_backup
from testimonia.services.errors import InvalidInput, PermissionDenied, ServiceError
from testimonia.services.evidence import add_evidence, open_evidence
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput
from testimonia.services.registry import Registry, init_folder, open_folder
from testimonia.services.views import person_view
from testimonia.store.crypto import DecryptionError
from testimonia.store.keyfile import KeyFileError, is_sealed, read_key_file
from testimonia.store.schema import audit_log, data_keys

RESIDENT_ID = "65010219800101123" + check_character("65010219800101123")
PUBLIC_NAME = "Bakytzhan Omarov"
TESTIFIER = "Zhanargul Qadyrbekqyzy"
CONTACTS = "+7 701 846 2917 whatsapp"
PERSON_NOTES = "hides at the flat of a cousin in Almaty district seven"
TESTIMONY_NOTES = "private: her mother is still in Ghulja, never call her"
SUMMARY = "He was taken from the Yining bazaar in March"
EVIDENCE_TEXT = "statement of the witness: the guard was called Tursunjan Abdukerim"
CONFIDENTIAL = (RESIDENT_ID, TESTIFIER, CONTACTS, PERSON_NOTES, TESTIMONY_NOTES, SUMMARY, EVIDENCE_TEXT)
BACKUP_PASSPHRASE = "a passphrase for the backup"


@dataclass(frozen=True)
class Case:
    person_id: str
    testimony_id: str
    evidence_id: str


def record_case(registry: Registry, actor: Actor, project: str) -> Case:
    """A detained person with an ID number and private notes, an `internal` testimony about them, and its evidence."""
    person_id = records.add_person(registry, actor, project, PersonInput(
        names=[NameInput(PUBLIC_NAME)], resident_id=RESIDENT_ID, notes=PERSON_NOTES))
    testimony_id = records.add_testimony(registry, actor, project, TestimonyInput(
        TESTIFIER, relation="spouse", medium="phone", consent="internal", contacts=CONTACTS, summary=SUMMARY,
        notes=TESTIMONY_NOTES), [person_id])
    evidence_id = add_evidence(registry, actor, None, EVIDENCE_TEXT.encode(), "statement.txt", testimony_id=testimony_id)
    return Case(person_id, testimony_id, evidence_id)


def assert_case_readable(registry: Registry, actor: Actor, case: Case) -> None:
    view = person_view(registry, actor, case.person_id)
    assert (view["resident_id"], view["notes"]) == (RESIDENT_ID, PERSON_NOTES)
    testimony = view["testimonies"][0]
    assert (testimony["testifier"], testimony["contacts"], testimony["notes"], testimony["summary"]) == (
        TESTIFIER, CONTACTS, TESTIMONY_NOTES, SUMMARY)
    assert open_evidence(registry, actor, case.evidence_id) == EVIDENCE_TEXT.encode()


def raw_database(registry: Registry) -> bytes:
    """Every byte the database keeps: the SQLite file and its logs, or a pg_dump of the PostgreSQL database."""
    if registry.db.dialect == "sqlite":
        return b"".join(p.read_bytes() for p in sorted(registry.folder.glob("registry.db*")))
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here: install the PostgreSQL client to check the dump")
    return subprocess.run(["pg_dump", f"--dbname={registry.db.url}"], capture_output=True, check=True).stdout


def folder_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def found(blob: bytes, strings: tuple[str, ...] = CONFIDENTIAL) -> list[str]:
    return [s for s in strings if s.encode() in blob]


def audit_verifies(registry: Registry, actor: Actor) -> bool:
    return verify(registry, actor)[1] == []


# --- the key test --------------------------------------------------------------------------------

def test_no_confidential_string_at_rest(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    assert_case_readable(registry, admin, case)
    database = raw_database(registry)
    assert PUBLIC_NAME.encode() in database  # the search works: public values are there in plain text
    assert found(database) == []
    assert found(folder_bytes(registry.evidence_dir)) == []
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    backup_bytes = made.path.read_bytes()
    assert found(backup_bytes, CONFIDENTIAL + (PUBLIC_NAME,)) == []
    material = registry.keys.material
    for secret in [*material.masters.values(), material.audit_key, material.blind_key]:
        assert secret not in backup_bytes and base64.b64encode(secret) not in backup_bytes


# --- rotation ------------------------------------------------------------------------------------

def test_rotate_rewraps_every_data_key(registry, project, admin):  # noqa: ANN001
    case = record_case(registry, admin, project)
    old = dict(registry.keys.material.masters)
    done = keys.rotate(registry, admin)
    on_disk = read_key_file(registry.key_file)
    assert list(on_disk.masters) == [done.master_id] and on_disk.current == done.master_id
    assert not set(old) & set(on_disk.masters) and done.kept == []
    text = registry.key_file.read_text()
    assert all(base64.b64encode(k).decode() not in text for k in old.values())
    with registry.db.reading() as conn:
        masters = set(conn.execute(select(data_keys.c.master_id)).scalars())
    assert masters == {done.master_id} and done.rewrapped == 2  # the person's key and the testimony's
    assert audit_verifies(registry, admin)
    reopened = open_folder(registry.folder)
    try:
        assert_case_readable(reopened, admin, case)
        assert audit_verifies(reopened, admin)
    finally:
        reopened.close()


def test_rotation_leaves_no_key_material_in_the_audit_chain(registry, project, admin):  # noqa: ANN001
    record_case(registry, admin, project)
    keys.rotate(registry, admin)
    with registry.db.reading() as conn:
        entries = conn.execute(select(audit_log.c.action, audit_log.c.change)).all()
    assert ("key.rotate" in {action for action, _ in entries})
    material = registry.keys.material
    log = " ".join(change or "" for _, change in entries)
    for secret in [*material.masters.values(), material.audit_key, material.blind_key]:
        assert base64.b64encode(secret).decode() not in log and secret.hex() not in log


def test_crash_after_the_first_key_file_write_still_opens(registry, project, admin, monkeypatch):  # noqa: ANN001
    case = record_case(registry, admin, project)

    def crash(*_args):  # noqa: ANN002, ANN202
        raise RuntimeError("power cut")

    monkeypatch.setattr(keys, "_rewrap_all", crash)
    with pytest.raises(RuntimeError):
        keys.rotate(registry, admin)
    assert len(read_key_file(registry.key_file).masters) == 2  # old and new, the new one current
    monkeypatch.undo()
    reopened = open_folder(registry.folder)
    try:
        assert_case_readable(reopened, admin, case)
        assert audit_verifies(reopened, admin)
        done = keys.rotate(reopened, admin)  # a second rotation finishes the job
        assert list(read_key_file(reopened.key_file).masters) == [done.master_id]
        assert_case_readable(reopened, admin, case)
    finally:
        reopened.close()


def test_crash_before_the_old_master_is_dropped_still_opens(registry, project, admin, monkeypatch):  # noqa: ANN001
    case = record_case(registry, admin, project)
    writes = []
    real_write = keys.write_key_file

    def write_then_crash(*args):  # noqa: ANN002, ANN202
        if writes:
            raise RuntimeError("power cut")
        writes.append(args)
        real_write(*args)

    monkeypatch.setattr(keys, "write_key_file", write_then_crash)
    with pytest.raises(RuntimeError):
        keys.rotate(registry, admin)
    reopened = open_folder(registry.folder)  # the stored fingerprint is the new master's now
    try:
        assert_case_readable(reopened, admin, case)
        assert audit_verifies(reopened, admin)
    finally:
        reopened.close()


def test_a_data_key_that_does_not_open_stops_the_rotation(registry, project, admin):  # noqa: ANN001
    case = record_case(registry, admin, project)
    with registry.db.transaction() as conn:
        key_id, wrapped = conn.execute(select(data_keys.c.id, data_keys.c.wrapped).where(data_keys.c.owner == case.testimony_id)).one()
        conn.execute(update(data_keys).where(data_keys.c.id == key_id).values(wrapped=wrapped[:-1] + bytes([wrapped[-1] ^ 1])))
    before = _database_state(registry)
    with pytest.raises(ServiceError, match=f"data key {key_id} does not open with this key file: nothing was re-wrapped"):
        keys.rotate(registry, admin)
    assert _database_state(registry) == before
    reopened = open_folder(registry.folder)  # the key file holds both masters: it still opens
    try:
        assert audit_verifies(reopened, admin)
        with pytest.raises(DecryptionError, match="does not open"):  # an altered key is an error, never garbage
            person_view(reopened, admin, case.person_id)
    finally:
        reopened.close()


def test_rotate_keeps_the_passphrase_protection(registry, project, admin):  # noqa: ANN001
    case = record_case(registry, admin, project)
    passphrase = "the key file passphrase"
    keys.set_passphrase(registry, admin, None, passphrase)
    before = registry.key_file.read_bytes()
    with pytest.raises(ServiceError, match="protected by a passphrase"):
        keys.rotate(registry, admin)
    assert registry.key_file.read_bytes() == before  # nothing was changed
    keys.rotate(registry, admin, passphrase)
    assert is_sealed(registry.key_file)
    reopened = open_folder(registry.folder, passphrase)
    try:
        assert_case_readable(reopened, admin, case)
    finally:
        reopened.close()


def test_key_commands_are_for_admins(registry, project, editor, tmp_path):  # noqa: ANN001
    for call in (lambda: keys.rotate(registry, editor),
                 lambda: keys.export_key_file(registry, editor, tmp_path / "copy.json"),
                 lambda: keys.set_passphrase(registry, editor, None, "a long enough passphrase")):
        with pytest.raises(PermissionDenied):
            call()
    assert not (tmp_path / "copy.json").exists()


# --- export and passphrases ----------------------------------------------------------------------

def test_exported_copy_replaces_a_lost_key_file(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    copy = keys.export_key_file(registry, admin, tmp_path / "offline-keys.json")
    assert copy.stat().st_mode & 0o777 == 0o600
    registry.key_file.unlink()
    with pytest.raises(ServiceError, match="no key file"):
        open_folder(registry.folder)
    shutil.copy(copy, registry.key_file)
    reopened = open_folder(registry.folder)
    try:
        assert_case_readable(reopened, admin, case)
        with reopened.db.reading() as conn:
            entry = conn.execute(select(audit_log.c.actor, audit_log.c.change).where(audit_log.c.action == "key.export")).one()
        assert entry.actor == admin.username and json.loads(entry.change)["protected"] is False
    finally:
        reopened.close()


def test_export_under_a_passphrase(registry, admin, tmp_path):  # noqa: ANN001
    copy = keys.export_key_file(registry, admin, tmp_path / "sealed.json", "passphrase of the copy")
    assert is_sealed(copy) and copy.stat().st_mode & 0o777 == 0o600
    assert read_key_file(copy, "passphrase of the copy").masters == registry.keys.material.masters
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        read_key_file(copy, "not the passphrase!")
    with pytest.raises(ServiceError, match="exists already"):
        keys.export_key_file(registry, admin, copy)
    with pytest.raises(InvalidInput, match="at least"):
        keys.export_key_file(registry, admin, tmp_path / "weak.json", "short")
    assert not (tmp_path / "weak.json").exists()


def test_set_change_and_remove_the_passphrase(registry, admin):  # noqa: ANN001
    keys.set_passphrase(registry, admin, None, "first passphrase here")
    assert is_sealed(registry.key_file)
    with pytest.raises(ServiceError, match="wrong passphrase"):
        keys.set_passphrase(registry, admin, "not the passphrase", "second passphrase here")
    keys.set_passphrase(registry, admin, "first passphrase here", "second passphrase here")
    with pytest.raises(ServiceError, match="wrong passphrase"):
        open_folder(registry.folder, "first passphrase here")
    open_folder(registry.folder, "second passphrase here").close()
    keys.set_passphrase(registry, admin, "second passphrase here", None)
    assert not is_sealed(registry.key_file)
    assert registry.key_file.stat().st_mode & 0o777 == 0o600
    open_folder(registry.folder).close()


# --- a wrong or missing key ----------------------------------------------------------------------

def _database_state(registry: Registry) -> tuple:
    with registry.db.reading() as conn:
        return registry.audit.head(conn), tuple(conn.execute(select(data_keys).order_by(data_keys.c.id)).all())


def test_missing_key_file_is_a_clear_error(registry, project, admin):  # noqa: ANN001
    record_case(registry, admin, project)
    registry.key_file.rename(registry.folder / "elsewhere.json")
    with pytest.raises(ServiceError, match="no key file .* cannot be opened"):
        open_folder(registry.folder)
    assert not registry.key_file.exists()  # nothing was written in its place


def test_foreign_key_file_is_refused_and_nothing_changes(registry, project, admin, tmp_path):  # noqa: ANN001
    record_case(registry, admin, project)
    other = init_folder(tmp_path / "other-registry")
    other.close()
    before = _database_state(registry)
    shutil.copy(other.key_file, registry.key_file)
    foreign = registry.key_file.read_bytes()
    with pytest.raises(ServiceError, match="does not belong to this registry"):
        open_folder(registry.folder)
    assert registry.key_file.read_bytes() == foreign
    assert _database_state(registry) == before


def test_a_key_file_exported_before_rotation_no_longer_opens(registry, project, admin, tmp_path):  # noqa: ANN001
    record_case(registry, admin, project)
    old_copy = keys.export_key_file(registry, admin, tmp_path / "old-copy.json")
    keys.rotate(registry, admin)
    shutil.copy(old_copy, registry.key_file)
    with pytest.raises(ServiceError, match="does not belong to this registry"):
        open_folder(registry.folder)
