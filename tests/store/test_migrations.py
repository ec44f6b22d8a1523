"""Schema migrations: a registry made by an earlier version is brought up to date when it is opened,
and the indexes its queries rely on are the ones the planner uses."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, select

from testimonia.services.registry import open_folder
from testimonia.services.visibility import publishable_condition
from testimonia.store.database import alembic_config
from testimonia.store.schema import persons, testimonies


def _downgrade(registry, revision: str) -> None:  # noqa: ANN001
    with registry.db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def test_an_earlier_registry_is_brought_up_to_date_when_opened(registry, tmp_path):
    _downgrade(registry, "0004")
    assert not registry.db.is_current()
    registry.close()
    reopened = open_folder(tmp_path / "data")
    try:
        assert reopened.db.is_current()
        open_folder(tmp_path / "data").close()  # opening it again changes nothing
    finally:
        reopened.close()


def test_a_lookup_by_testifier_uses_the_index_when_most_testimonies_have_none(registry, backend):
    """ANALYZE's statistics of a full index on a mostly-NULL column said a lookup by testifier
    returns every testimony, and the public pages scanned the table once per person (migration 0005)."""
    if backend != "sqlite":
        return  # PostgreSQL's planner knows a column's share of NULLs
    from testimonia.services.access import SYSTEM
    from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput
    from testimonia.services.records import add_person, add_testimony
    from testimonia.services.users import create_project

    project = create_project(registry, SYSTEM, "p")
    person = add_person(registry, SYSTEM, project, PersonInput(names=[NameInput(text="Invented Person")]))
    for _ in range(40):
        add_testimony(registry, SYSTEM, project, TestimonyInput(testifier_name="Invented Testifier",
                                                                consent="internal"), [person])
    with registry.db.transaction() as conn:
        conn.exec_driver_sql("ANALYZE")
        sql = select(func.count()).select_from(persons).where(publishable_condition())
        compiled = str(sql.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled))
        assert conn.execute(select(func.count()).select_from(testimonies)).scalar() == 40
    assert "SCAN testimonies" not in plan, plan


def test_a_search_reads_its_persons_and_names_from_indexes_alone(registry, backend, project, editor):
    """Migration 0006: the full-text matches join persons through one index holding the columns search
    reads; the listed names come from the index of names by person, and the withdrawal check from the
    small index of withdrawn testimonies' sources (each lookup one seek instead of an index and a row)."""
    if backend != "sqlite":
        return  # PostgreSQL ranks a bounded set of matches first; its plans are its own
    from sqlalchemy import event

    from testimonia.services import records
    from testimonia.services.inputs import NameInput, PersonInput, SourceInput, TestimonyInput
    from testimonia.services.search import search_persons

    for number in range(30):
        told = records.add_source(registry, editor, project, SourceInput("testimony"))
        person = records.add_person(registry, editor, project,
                                    PersonInput(names=[NameInput(f"Invented Aruzhan{number}")]), told)
        testimony = records.add_testimony(registry, editor, project, TestimonyInput("Her sister"), [person], told)
        records.add_name(registry, editor, person, NameInput(f"Aruzhan Nurlanqyzy{number}"), told)
        if number % 3 == 0:
            records.set_consent(registry, editor, testimony, "withdrawn")
    registry.db.analyze()
    statements = []
    capture = lambda conn, cursor, sql, parameters, context, many: statements.append((sql, parameters))  # noqa: E731
    event.listen(registry.db.engine, "before_cursor_execute", capture)
    try:
        assert len(search_persons(registry, editor, "Invented", limit=200, page=50)) == 20
    finally:
        event.remove(registry.db.engine, "before_cursor_execute", capture)
    with registry.db.reading() as conn:
        plans = [" | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters))
                 for sql, parameters in statements if sql.lstrip().upper().startswith("SELECT")]
    matched = next(plan for plan in plans if "search_fts" in plan)
    assert "SEARCH persons USING COVERING INDEX ix_persons_search (id=?)" in matched, matched
    listed = next(plan for plan in plans if "names" in plan and "search_fts" not in plan)
    assert "SEARCH names USING COVERING INDEX ix_names_person_id (person_id=?)" in listed, listed
    assert "SEARCH testimonies USING INDEX ix_testimonies_withdrawn_source (source_id=?)" in listed, listed
