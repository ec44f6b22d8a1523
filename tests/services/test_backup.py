"""Encrypted backups and restore: a consistent snapshot while writes go on, a round trip that keeps
the audit chain, and clear errors for a wrong passphrase or a damaged file — on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from testimonia.services import backup, records
from testimonia.services.backup import BackupError, make_backup, restore
from testimonia.services.errors import InvalidInput, PermissionDenied
from testimonia.services.evidence import open_evidence
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.services.registry import Registry, open_folder
from testimonia.services.views import person_view
from testimonia.store.schema import audit_log, backups, metadata, persons

from ..conftest import PG_URL
from .test_keys import BACKUP_PASSPHRASE, EVIDENCE_TEXT, assert_case_readable, audit_verifies, found, record_case


def _counts(registry: Registry) -> dict[str, int]:
    with registry.db.reading() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}


def _restored(tmp_path: Path, made: backup.BackupMade, name: str = "restored", **options) -> Registry:  # noqa: ANN003
    restore(made.path, tmp_path / name, BACKUP_PASSPHRASE, **options)
    return open_folder(tmp_path / name)


def test_round_trip_keeps_records_evidence_and_audit_chain(registry, project, admin, tmp_path):  # noqa: ANN001
    case = record_case(registry, admin, project)
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    assert made.tables == _counts(registry)
    restored = _restored(tmp_path, made)
    try:
        assert (tmp_path / "restored" / "keys.json").stat().st_mode & 0o777 == 0o600
        assert audit_verifies(restored, admin)
        with restored.db.reading() as conn:
            assert restored.audit.verify(conn, made.audit_head) == []
        assert _counts(restored) == {**made.tables, "audit_log": made.tables["audit_log"] + 1}  # + backup.restore
        assert_case_readable(restored, admin, case)
        assert person_view(restored, admin, case.person_id) == person_view(registry, admin, case.person_id)
        assert open_evidence(restored, admin, case.evidence_id) == EVIDENCE_TEXT.encode()
        with restored.db.reading() as conn:
            indexed = conn.exec_driver_sql("SELECT count(*) FROM search_fts").scalar_one()
        assert indexed == made.tables["search_documents"]
    finally:
        restored.close()


def test_restore_into_postgresql(registry, project, admin, tmp_path):  # noqa: ANN001
    if not PG_URL:
        pytest.skip("restore into PostgreSQL: set TESTIMONIA_TEST_PG_URL to run it")
    case = record_case(registry, admin, project)
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    name = "testimonia_r_" + secrets.token_hex(6)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    try:
        restored = _restored(tmp_path, made, db_url=url)
        try:
            assert audit_verifies(restored, admin)
            assert_case_readable(restored, admin, case)
            records.add_person(restored, admin, project, PersonInput([NameInput("Aydar Nurlanuly")]))  # ids continue
        finally:
            restored.close()
        with pytest.raises(BackupError, match="not empty"):
            restore(made.path, tmp_path / "again", BACKUP_PASSPHRASE, url)
        assert not (tmp_path / "again").exists()
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_backup_file_is_private_and_opaque(registry, project, admin, tmp_path):  # noqa: ANN001
    record_case(registry, admin, project)
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    assert made.path.stat().st_mode & 0o777 == 0o600
    assert found(made.path.read_bytes(), ("Bakytzhan Omarov", "case group A", "admin", "data_keys")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "registry.backup"]  # no partial file left


def test_the_backup_records_itself_before_the_snapshot(registry, admin, tmp_path):  # noqa: ANN001
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    restored = _restored(tmp_path, made)
    try:
        with restored.db.reading() as conn:
            row = conn.execute(select(backups)).mappings().one()
            entry = conn.execute(select(audit_log).where(audit_log.c.action == "backup.create")).mappings().one()
        assert (row["id"], row["path"], row["by"]) == (made.backup_id, str(made.path), admin.user_id)
        assert (entry["entity"], entry["actor"]) == (made.backup_id, admin.username)
    finally:
        restored.close()


def test_backup_while_others_write(registry, project, admin, editor, tmp_path):  # noqa: ANN001
    written, stop, errors = [], threading.Event(), []

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                written.append(records.add_person(registry, editor, project, PersonInput([NameInput(f"Writer {len(written)}")])))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3 and writer.is_alive():
            threading.Event().wait(0.01)
        made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
        after = len(written)
        while len(written) < after + 2 and writer.is_alive():
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    restored = _restored(tmp_path, made)
    try:
        assert audit_verifies(restored, admin)
        with restored.db.reading() as conn:
            people = conn.execute(select(func.count()).select_from(persons)).scalar_one()
            created = conn.execute(select(func.count()).select_from(audit_log)
                                   .where(audit_log.c.action == "person.create")).scalar_one()
            entries = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        assert people == created == made.tables["persons"]
        assert 3 <= people < len(written)  # writes went on after the snapshot
        assert int(made.audit_head.split(":")[0]) == entries - 1  # the head inside it, then backup.restore
    finally:
        restored.close()


# --- faults --------------------------------------------------------------------------------------

def test_wrong_passphrase_writes_nothing(registry, admin, tmp_path):  # noqa: ANN001
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    with pytest.raises(BackupError, match="wrong passphrase"):
        restore(made.path, tmp_path / "restored", "not the right passphrase")
    assert not (tmp_path / "restored").exists()


def _chunk_spans(data: bytes) -> list[tuple[int, int]]:
    """Where each sealed chunk lies in a backup file (after the header line)."""
    spans, at = [], data.index(b"\n") + 1
    while at < len(data):
        end = at + 4 + int.from_bytes(data[at:at + 4], "big")
        spans.append((at, end))
        at = end
    return spans


def _damaged(data: bytes) -> dict[str, tuple[bytes, str]]:
    spans = _chunk_spans(data)
    (a0, a1), (b0, b1), (c0, c1), (z0, _) = spans[0], spans[1], spans[2], spans[-1]
    return {
        "cut after a chunk": (data[:z0], "truncated"),
        "cut inside a chunk": (data[:z0 + 100], "truncated"),
        "header only": (data[:a0], "truncated"),
        "middle chunk dropped": (data[:b0] + data[b1:], "altered"),
        "two chunks swapped": (data[:b0] + data[c0:c1] + data[b0:b1] + data[c1:], "altered"),
        "one byte flipped": (data[:b0 + 50] + bytes([data[b0 + 50] ^ 1]) + data[b0 + 51:], "altered"),
        "bytes appended": (data + data[a0:a1], "data after its end"),
        "not a backup": (b"PK\x03\x04 something else\n", "not a Testimonia backup"),
    }


def test_damaged_or_truncated_backups_write_nothing(registry, project, admin, tmp_path, monkeypatch):  # noqa: ANN001
    record_case(registry, admin, project)
    monkeypatch.setattr(backup, "CHUNK_SIZE", 4096)  # many chunks from a small registry
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    monkeypatch.undo()
    data = made.path.read_bytes()
    assert len(_chunk_spans(data)) > 5
    for kind, (damaged, message) in _damaged(data).items():
        path = tmp_path / "damaged.backup"
        path.write_bytes(damaged)
        with pytest.raises(BackupError, match=message):
            restore(path, tmp_path / "restored", BACKUP_PASSPHRASE)
        assert not (tmp_path / "restored").exists(), kind


def test_restore_needs_a_new_or_empty_folder(registry, admin, tmp_path):  # noqa: ANN001
    made = make_backup(registry, admin, tmp_path / "registry.backup", BACKUP_PASSPHRASE)
    with pytest.raises(BackupError, match="not empty"):
        restore(made.path, registry.folder, BACKUP_PASSPHRASE)
    (tmp_path / "empty").mkdir()
    restore(made.path, tmp_path / "empty", BACKUP_PASSPHRASE)
    open_folder(tmp_path / "empty").close()


def test_backup_refusals(registry, admin, editor, tmp_path):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        make_backup(registry, editor, tmp_path / "a.backup", BACKUP_PASSPHRASE)
    with pytest.raises(InvalidInput, match="at least"):
        make_backup(registry, admin, tmp_path / "a.backup", "short")
    (tmp_path / "taken.backup").write_bytes(b"")
    with pytest.raises(BackupError, match="exists already"):
        make_backup(registry, admin, tmp_path / "taken.backup", BACKUP_PASSPHRASE)
    assert not (tmp_path / "a.backup").exists() and (tmp_path / "taken.backup").read_bytes() == b""
    with registry.db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(backups)).scalar_one() == 0
