"""`reindex`: keys and search documents rebuilt from the names, for admins only, audited."""

import pytest
from sqlalchemy import delete, select, update

from testimonia.services import records
from testimonia.services.errors import PermissionDenied
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.services.reindex import reindex
from testimonia.services.search import search_persons
from testimonia.store.schema import audit_log, name_keys, search_documents


def test_reindex_rebuilds_what_names_derive(registry, project, admin, editor):
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Serikzhan Bilash")]))
    with registry.db.transaction() as conn:  # as a registry written before phonetic tokens existed
        conn.execute(delete(name_keys))
        conn.execute(update(search_documents).where(search_documents.c.doc_id == pid).values(content="Serikzhan Bilash"))
    assert search_persons(registry, editor, "Серікжан Біләшұлы") == []

    assert reindex(registry, admin) == 1
    assert [r["id"] for r in search_persons(registry, editor, "Серікжан Біләшұлы")] == [pid]
    with registry.db.reading() as conn:
        assert "pair:PRS|SRKJ" in set(conn.execute(select(name_keys.c.key)).scalars())
        assert conn.execute(select(audit_log.c.action).order_by(audit_log.c.seq.desc())).scalars().first() == "registry.reindex"
        assert registry.audit.verify(conn) == []


def test_only_admins_reindex(registry, editor):
    with pytest.raises(PermissionDenied):
        reindex(registry, editor)
