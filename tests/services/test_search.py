"""Search by any name form, places and filters; confidential values never in the index."""

from sqlalchemy import select

from testimonia.domain.prc_id import check_character
from testimonia.services import records
from testimonia.services.inputs import EventInput, NameInput, PersonInput, SourceInput
from testimonia.services.search import Filters, search_persons
from testimonia.store.schema import name_keys, search_documents

RESIDENT_ID = "65400219750505123" + check_character("65400219750505123")


def _seed(registry, project, editor):
    a = records.add_person(registry, editor, project, PersonInput(
        names=[NameInput("Rahile Dawut"), NameInput("راھىلە داۋۇت"), NameInput("热依拉·达吾提")], sex="female",
        ethnicity="uyghur", hometown="654002", resident_id=RESIDENT_ID))
    records.add_event(registry, editor, a, EventInput("detained", "2017-12", "654002"))
    b = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Серикжан Билаш")], sex="male",
                                                                  ethnicity="kazakh"))
    records.add_event(registry, editor, b, EventInput("house_arrest", "2019-03", "Nileke County"))
    return a, b


def test_names_in_each_script(registry, project, editor):
    a, b = _seed(registry, project, editor)
    assert [r["id"] for r in search_persons(registry, editor, "rahile")] == [a]
    assert [r["id"] for r in search_persons(registry, editor, "Dawut Rahile")] == [a]
    assert [r["id"] for r in search_persons(registry, editor, "داۋۇت")] == [a]
    assert [r["id"] for r in search_persons(registry, editor, "热依拉")] == [a]
    assert [r["id"] for r in search_persons(registry, editor, "билаш")] == [b]
    assert search_persons(registry, editor, "Nobody Known") == []


def test_places_and_filters(registry, project, editor):
    a, b = _seed(registry, project, editor)
    assert [r["id"] for r in search_persons(registry, editor, "Nileke")] == [b]
    assert [r["id"] for r in search_persons(registry, editor, "", Filters(prefecture="6540"))] == [a, b]
    assert [r["id"] for r in search_persons(registry, editor, "", Filters(county="654028"))] == [b]
    assert [r["id"] for r in search_persons(registry, editor, "", Filters(status="detained"))] == [a]
    assert [r["id"] for r in search_persons(registry, editor, "", Filters(event_year=2019, sex="male"))] == [b]
    assert search_persons(registry, editor, "", Filters(event_year=2016)) == []


def test_published_source_text_is_searchable(registry, project, editor):
    source = records.add_source(registry, editor, project, SourceInput("news_article", title="Report",
                                                                       text="A camp near Tekes was expanded."))
    with registry.db.reading() as conn:
        assert conn.execute(select(search_documents.c.kind).where(search_documents.c.doc_id == source)).scalar() == "source"


def test_resident_id_by_blind_index_only_for_cleared_roles(registry, project, editor, make_user):
    a, _ = _seed(registry, project, editor)
    assert [r["id"] for r in search_persons(registry, editor, RESIDENT_ID)] == [a]
    assert search_persons(registry, make_user("researcher"), RESIDENT_ID) == []
    with registry.db.reading() as conn:
        indexed = " ".join(conn.execute(select(search_documents.c.content)).scalars())
        keys = " ".join(conn.execute(select(name_keys.c.key)).scalars())
    assert RESIDENT_ID not in indexed and RESIDENT_ID not in keys


def test_search_respects_projects(registry, project, editor, make_user):
    from testimonia.services.access import SYSTEM
    from testimonia.services.users import create_project

    _seed(registry, project, editor)
    outsider = make_user("editor", projects=[create_project(registry, SYSTEM, "other")])
    assert search_persons(registry, outsider, "rahile") == []
