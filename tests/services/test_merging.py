"""Merge keeps every row with its provenance; unmerge restores the records exactly — SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select

from testimonia.services import merging, petitions, records
from testimonia.services.errors import InvalidInput, PermissionDenied
from testimonia.services.inputs import EventInput, NameInput, PersonInput, SourceInput, TestimonyInput
from testimonia.services.search import search_persons
from testimonia.services.views import person_view
from testimonia.store.schema import (
    audit_log,
    events,
    name_keys,
    names,
    persons,
    petition_persons,
    relations,
    search_documents,
    testimonies,
    testimony_subjects,
)
from tests.services.test_linking import resident_id

SKIP = {"version", "updated_at"}  # what a merge and its undoing change by design


def snapshot(registry, ids):
    """Every row that belongs to these persons, as plain values (minus version stamps)."""
    with registry.db.reading() as conn:
        out = {}
        for table, column in ((persons, "id"), (names, "person_id"), (events, "person_id"), (relations, "person_id"),
                              (relations, "other_id"), (testimony_subjects, "person_id"),
                              (testimonies, "testifier_id"), (petition_persons, "person_id"),
                              (name_keys, "person_id"), (search_documents, "doc_id")):
            rows = conn.execute(select(table).where(table.c[column].in_(ids))).mappings().all()
            out[f"{table.name}.{column}"] = sorted(
                (tuple(sorted((k, str(v)) for k, v in r.items() if k not in SKIP)) for r in rows))
        return out


@pytest.fixture
def two_records(registry, editor, project):
    """One man recorded twice, each record with its own source, testimony, events, relative and petition."""
    ids = {}
    for key, name, extra in (("first", "Serikzhan Bilash", {"birth_date": "1974"}),
                             ("second", "Серикжан Билаш", {"hometown": "654028", "occupation": "advocate"})):
        source = records.add_source(registry, editor, project, SourceInput(kind="news_article", title=f"report {key}"))
        pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput(name)], sex="male", **extra),
                                 source_id=source)
        records.add_event(registry, editor, pid, EventInput("detained", "2019-03", "654028"), source_id=source)
        records.add_testimony(registry, editor, project, TestimonyInput(testifier_name=f"wife {key}",
                                                                        relation="spouse", consent="internal"), [pid])
        relative = records.add_person(registry, editor, project, PersonInput(names=[NameInput(f"Relative {key}")]))
        records.add_relation(registry, editor, pid, "sibling", relative)
        ids[key], ids[f"relative_{key}"] = pid, relative
    petition = petitions.create_petition(registry, editor, project, "Release him", "Embassy", [ids["first"], ids["second"]])
    ids["petition"] = petition
    return ids


def test_merge_keeps_everything_and_unmerge_restores_exactly(registry, editor, two_records):
    first, second = two_records["first"], two_records["second"]
    touched = [first, second, two_records["relative_first"], two_records["relative_second"]]
    before = snapshot(registry, touched)
    assert len(before["names.person_id"]) == 4 and len(before["testimony_subjects.person_id"]) == 2
    assert len(before["petition_persons.person_id"]) == 2 and len(before["relations.person_id"]) == 2
    merge_id = merging.merge(registry, editor, [first, second], "same birth year, same wife")
    merged = person_view(registry, editor, first)
    assert {n["text"] for n in merged["names"]} == {"Serikzhan Bilash", "Серикжан Билаш"}
    assert len(merged["events"]) == 2 and len({e["source_id"] for e in merged["events"]}) == 2  # provenance kept
    assert len(merged["testimonies"]) == 2 and len(merged["relations"]) == 2
    assert merged["hometown"]["code"] == "654028" and merged["occupation"] == "advocate"  # filled from the other
    with registry.db.reading() as conn:
        assert conn.execute(select(persons.c.merged_into).where(persons.c.id == second)).scalar() == first
        assert conn.execute(select(petition_persons.c.person_id)
                            .where(petition_persons.c.petition_id == two_records["petition"])).scalars().all() == [first]
    found = [hit["id"] for hit in search_persons(registry, editor, "Билаш")]
    assert found == [first]  # one person now, found by either spelling

    merging.unmerge(registry, editor, merge_id)
    assert snapshot(registry, touched) == before
    with registry.db.reading() as conn:
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.action.like("person.%merge"))).scalars().all()
        assert actions == ["person.merge", "person.unmerge"]
        assert registry.audit.verify(conn) == []


def test_merges_undo_in_order(registry, editor, project, two_records):
    third = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Saierkejian Bilaixi")]))
    before = snapshot(registry, [two_records["first"], two_records["second"], third])
    first_merge = merging.merge(registry, editor, [two_records["first"], two_records["second"]])
    second_merge = merging.merge(registry, editor, [third, two_records["first"]])
    with pytest.raises(InvalidInput, match="undo that merge first"):
        merging.unmerge(registry, editor, first_merge)
    merging.unmerge(registry, editor, second_merge)
    merging.unmerge(registry, editor, first_merge)
    assert snapshot(registry, [two_records["first"], two_records["second"], third]) == before
    with pytest.raises(InvalidInput, match="already undone"):
        merging.unmerge(registry, editor, first_merge)


def test_merge_refuses_what_cannot_be_one_person(registry, editor, project, make_user, two_records):
    with pytest.raises(InvalidInput, match="two persons"):  # recorded as each other's sibling
        merging.merge(registry, editor, [two_records["first"], two_records["relative_first"]])
    a = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Nurlan Sadyk")],
                                                                  resident_id=resident_id("65402819700101123")))
    b = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Nurlan Sadyk")],
                                                                  resident_id=resident_id("65402819700101456")))
    with pytest.raises(InvalidInput, match="different resident ID"):
        merging.merge(registry, editor, [a, b])
    with pytest.raises(InvalidInput, match="at least two"):
        merging.merge(registry, editor, [a, a])
    with pytest.raises(PermissionDenied):
        merging.merge(registry, make_user("volunteer"), [two_records["first"], two_records["second"]])
    merging.merge(registry, editor, [two_records["first"], two_records["second"]])
    with pytest.raises(InvalidInput, match="already merged"):
        merging.merge(registry, editor, [a, two_records["second"]])


def test_a_merge_that_fails_midway_changes_nothing(registry, editor, two_records, monkeypatch):
    ids = [two_records["first"], two_records["second"]]
    before = snapshot(registry, ids)

    def broken(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(merging, "refresh_person", broken)
    with pytest.raises(RuntimeError):
        merging.merge(registry, editor, ids)
    assert snapshot(registry, ids) == before
