"""Erasing a withdrawn testimony: its data key is destroyed everywhere, history and evidence included,
the audit chain still verifies, the old key bytes leave the database files, and the backups made
before are named — on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select, text

from testimonia.services import keys, records
from testimonia.services.backup import make_backup, restore
from testimonia.services.erase import erase_testimony
from testimonia.services.errors import PermissionDenied, ServiceError
from testimonia.services.evidence import open_evidence
from testimonia.services.registry import Registry, open_folder
from testimonia.services.views import ERASED, history, person_view
from testimonia.store.schema import audit_log, data_keys, testimonies

from .test_keys import (
    BACKUP_PASSPHRASE,
    CONTACTS,
    PERSON_NOTES,
    RESIDENT_ID,
    TESTIFIER,
    assert_case_readable,
    audit_verifies,
    found,
    record_case,
)


def _withdrawn_case(registry, admin, project):  # noqa: ANN001, ANN202
    case = record_case(registry, admin, project)
    records.set_consent(registry, admin, case.testimony_id, "withdrawn")
    return case


def _key_row(registry: Registry, testimony_id: str):  # noqa: ANN202
    with registry.db.reading() as conn:
        key_id = conn.execute(select(testimonies.c.key_id).where(testimonies.c.id == testimony_id)).scalar_one()
        return conn.execute(select(data_keys).where(data_keys.c.id == key_id)).mappings().one()


def stored_bytes(registry: Registry) -> bytes:
    """The bytes the database keeps on disk for data_keys, dead row versions included."""
    if registry.db.dialect == "sqlite":
        return b"".join(p.read_bytes() for p in sorted(registry.folder.glob("registry.db*")))
    with registry.db.engine.connect() as conn:
        try:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except Exception as exc:  # noqa: BLE001
            pytest.skip(f"the pageinspect extension is not available on this PostgreSQL: {exc.__class__.__name__}")
        blocks = conn.exec_driver_sql("SELECT pg_relation_size('data_keys') / current_setting('block_size')::int").scalar_one()
        pages = [conn.execute(text("SELECT get_raw_page('data_keys', :n)"), {"n": n}).scalar_one() for n in range(blocks)]
        conn.commit()
    return b"".join(bytes(p) for p in pages)


def test_erase_needs_a_withdrawn_consent(registry, project, admin):  # noqa: ANN001
    case = record_case(registry, admin, project)
    with pytest.raises(ServiceError, match="only a testimony whose consent was withdrawn can be erased"):
        erase_testimony(registry, admin, case.testimony_id)
    assert _key_row(registry, case.testimony_id)["wrapped"] is not None
    assert_case_readable(registry, admin, case)


def test_erase_is_for_admins(registry, project, admin, editor):  # noqa: ANN001
    case = _withdrawn_case(registry, admin, project)
    with pytest.raises(PermissionDenied):
        erase_testimony(registry, editor, case.testimony_id)
    assert _key_row(registry, case.testimony_id)["wrapped"] is not None


def _assert_erased(reader: Registry, admin, case) -> None:  # noqa: ANN001
    view = person_view(reader, admin, case.person_id)
    testimony = view["testimonies"][0]
    assert testimony["erased"] is True
    assert {testimony[f] for f in ("testifier", "contacts", "notes", "summary")} == {ERASED}
    assert (view["resident_id"], view["notes"]) == (RESIDENT_ID, PERSON_NOTES)  # the person's own key stays
    created = next(e for e in history(reader, admin, case.testimony_id) if e["action"] == "testimony.create")
    assert {created["change"][f] for f in ("testifier_name", "contacts", "notes", "summary")} == {ERASED}
    with pytest.raises(ServiceError, match="erased"):
        open_evidence(reader, admin, case.evidence_id)
    assert audit_verifies(reader, admin)


def test_erase_destroys_the_key_everywhere(registry, project, admin):  # noqa: ANN001
    case = _withdrawn_case(registry, admin, project)
    done = erase_testimony(registry, admin, case.testimony_id)
    assert (done.keys_destroyed, done.evidence, done.already_erased) == (1, [case.evidence_id], False)
    row = _key_row(registry, case.testimony_id)
    assert row["wrapped"] is None and row["destroyed_by"] == admin.user_id and row["destroyed_at"] is not None
    fresh = open_folder(registry.folder)  # a process that never saw the key
    try:
        for reader in (registry, fresh):
            _assert_erased(reader, admin, case)
    finally:
        fresh.close()
    with registry.db.reading() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "testimony.erase")).mappings().one()
    assert entry["actor"] == admin.username and entry["entity"] == case.testimony_id
    assert json.loads(entry["change"]) == {"data_keys_destroyed": 1, "evidence": [case.evidence_id]}


def test_the_old_key_bytes_leave_the_database_files(registry, project, admin):  # noqa: ANN001
    case = _withdrawn_case(registry, admin, project)
    wrapped = _key_row(registry, case.testimony_id)["wrapped"]
    assert wrapped in stored_bytes(registry)
    erase_testimony(registry, admin, case.testimony_id)
    assert wrapped not in stored_bytes(registry)
    assert found(stored_bytes(registry)) == []


def test_rotation_scrubs_the_keys_it_rewrapped(registry, project, admin):  # noqa: ANN001
    case = record_case(registry, admin, project)
    old = _key_row(registry, case.testimony_id)["wrapped"]
    keys.rotate(registry, admin)
    assert old not in stored_bytes(registry)


def test_backups_made_before_are_named_and_later_ones_hold_nothing(registry, project, admin, tmp_path):  # noqa: ANN001
    case = _withdrawn_case(registry, admin, project)
    wrapped = _key_row(registry, case.testimony_id)["wrapped"]
    before = make_backup(registry, admin, tmp_path / "before.backup", BACKUP_PASSPHRASE)
    done = erase_testimony(registry, admin, case.testimony_id)
    assert [b["id"] for b in done.backups] == [before.backup_id]
    assert done.backups[0]["path"] == str(before.path)
    after = make_backup(registry, admin, tmp_path / "after.backup", BACKUP_PASSPHRASE)
    again = erase_testimony(registry, admin, case.testimony_id)
    assert again.already_erased and [b["id"] for b in again.backups] == [before.backup_id]

    restore(after.path, tmp_path / "from-after", BACKUP_PASSPHRASE)
    restored = open_folder(tmp_path / "from-after")
    try:
        assert _key_row(restored, case.testimony_id)["wrapped"] is None
        raw = stored_bytes(restored)
        assert wrapped not in raw and base64.b64encode(wrapped) not in raw and found(raw) == []
        testimony = person_view(restored, admin, case.person_id)["testimonies"][0]
        assert (testimony["testifier"], testimony["contacts"]) == (ERASED, ERASED)
        assert audit_verifies(restored, admin)
    finally:
        restored.close()

    restore(before.path, tmp_path / "from-before", BACKUP_PASSPHRASE)
    old = open_folder(tmp_path / "from-before")
    try:  # why the earlier backup must be destroyed too: it still opens the testimony
        testimony = person_view(old, admin, case.person_id)["testimonies"][0]
        assert (testimony["testifier"], testimony["contacts"]) == (TESTIFIER, CONTACTS)
    finally:
        old.close()


def test_erasing_again_changes_nothing_more(registry, project, admin):  # noqa: ANN001
    case = _withdrawn_case(registry, admin, project)
    first = erase_testimony(registry, admin, case.testimony_id)
    with registry.db.reading() as conn:
        head = registry.audit.head(conn)
    second = erase_testimony(registry, admin, case.testimony_id)
    assert second.already_erased and second.keys_destroyed == 0 and second.backups == first.backups
    with registry.db.reading() as conn:
        assert registry.audit.head(conn) == head
