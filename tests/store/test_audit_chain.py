"""The audit chain detects an edited, inserted or removed entry and names it."""

from sqlalchemy import delete, insert, select, update

from testimonia.services import records
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.store.audit import AuditChain
from testimonia.store.schema import audit_log


def _fill(registry, project, editor, n=4):
    for i in range(n):
        records.add_person(registry, editor, project, PersonInput(names=[NameInput(f"Person {i}")]))


def _verify(registry, head=None):
    with registry.db.reading() as conn:
        return registry.audit.verify(conn, head)


def test_intact_chain_verifies(registry, project, editor):
    _fill(registry, project, editor)
    assert _verify(registry) == []


def test_edited_entry_is_named(registry, project, editor):
    _fill(registry, project, editor)
    with registry.db.transaction() as conn:
        target = conn.execute(select(audit_log.c.seq).where(audit_log.c.action == "person.create")).scalars().first()
        conn.execute(update(audit_log).where(audit_log.c.seq == target).values(actor="someone else"))
    problems = _verify(registry)
    assert problems and f"audit entry {target} " in problems[0] and "altered" in problems[0]


def test_removed_entry_is_named(registry, project, editor):
    _fill(registry, project, editor)
    with registry.db.transaction() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 5))
    problems = _verify(registry)
    assert any("audit entry 5 is missing" in p for p in problems)


def test_inserted_entry_is_named(registry, project, editor):
    _fill(registry, project, editor)
    with registry.db.transaction() as conn:
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).mappings().first()
        conn.execute(insert(audit_log).values({**last, "seq": last["seq"] + 1, "action": "person.delete"}))
    problems = _verify(registry)
    assert any(f"audit entry {last['seq'] + 1}" in p for p in problems)


def test_forged_mac_without_the_key_fails(registry, project, editor):
    _fill(registry, project, editor)
    forger = AuditChain(b"not the audit key" * 2)
    with registry.db.transaction() as conn:
        forger.append(conn, "person.delete", "p_x", {"why": "forged"}, actor="intruder")
    assert any("altered or inserted" in p for p in _verify(registry))


def test_truncated_tail_is_caught_by_the_kept_head(registry, project, editor):
    _fill(registry, project, editor)
    with registry.db.reading() as conn:
        kept = registry.audit.head(conn)
    seq = int(kept.split(":")[0])
    with registry.db.transaction() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq >= seq - 1))
        # an attacker who also rewinds the stored head to the new last entry:
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).mappings().first()
        from testimonia.store.schema import meta

        conn.execute(update(meta).where(meta.c.key == "audit_head").values(value=f"{last['seq']}:{last['mac']}"))
    assert _verify(registry) == []  # self-consistent after the cut…
    problems = _verify(registry, kept)  # …but not against the head kept elsewhere
    assert problems and f"audit entry {seq}" in problems[0]
