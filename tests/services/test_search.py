"""Search by any name form, places and filters; confidential values never in the index."""

import pytest
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
    assert [r["id"] for r in search_persons(registry, editor, "热依拉达吾提")] == [a]  # written without a break
    assert [r["id"] for r in search_persons(registry, editor, "依拉")] == [a]  # inside a word
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


def test_a_page_that_lists_fewer_than_it_counts_reads_only_the_listed_names(registry, project, editor):
    a, b = _seed(registry, project, editor)
    found = search_persons(registry, editor, "", Filters(prefecture="6540"), page=1)
    assert [r["id"] for r in found] == [a, b]
    assert "Rahile Dawut" in found[0]["names"] and found[1]["names"] == []
    assert found[1]["status"] == "house_arrest"  # the rest of the row is there


def test_persons_found_by_sound_are_looked_for_while_matches_as_written_do_not_fill_the_page(registry, project,
                                                                                               editor):
    latin = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Serikzhan Bilash")]))
    cyrillic = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Серикжан Билаш")]))
    assert [r["id"] for r in search_persons(registry, editor, "Serikzhan Bilash")] == [latin, cyrillic]
    assert [r["id"] for r in search_persons(registry, editor, "Serikzhan Bilash", limit=50, page=1)] == [latin]


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


def test_a_name_is_found_from_another_script(registry, project, editor):
    a, b = _seed(registry, project, editor)
    ilham = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Ilham Tohti")]))
    # the query is written in a script none of the person's recorded names uses
    assert [r["id"] for r in search_persons(registry, editor, "Serikzhan Bilash")] == [b]
    assert [r["id"] for r in search_persons(registry, editor, "伊力哈木·土赫提")] == [ilham]
    assert [r["id"] for r in search_persons(registry, editor, "Rèyīlā Dáwútí")] == [a]
    # a different man who shares a father's name is not found by its sound
    assert search_persons(registry, editor, "Enver Tohti") == []


def test_matches_as_written_rank_above_matches_by_sound(registry, project, editor):
    latin = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Serikzhan Bilash")]))
    cyrillic = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Серікжан Біләшұлы")]))
    assert [r["id"] for r in search_persons(registry, editor, "Serikzhan Bilash")] == [latin, cyrillic]
    assert [r["id"] for r in search_persons(registry, editor, "Серікжан Біләшұлы")] == [cyrillic, latin]


def test_blocking_keys_of_every_name_are_stored(registry, project, editor):
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Ilham Tohti"),
                                                                          NameInput("伊力哈木·土赫提")]))
    with registry.db.reading() as conn:
        keys = set(conn.execute(select(name_keys.c.key).where(name_keys.c.person_id == pid)).scalars())
    assert {"part:RM", "part:TT", "pair:RM|TT"} <= keys


def test_a_chinese_form_finds_the_latin_record(registry, project, editor):
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Serikzhan Bilash")]))
    for query in ("比拉什", "赛里克江·比拉什", "سېرىكجان بىلاش", "Bilyash"):
        assert [r["id"] for r in search_persons(registry, editor, query)] == [pid], query


def test_matches_as_written_are_listed_in_the_order_they_were_recorded(registry, project, editor):
    if registry.db.dialect != "sqlite":
        pytest.skip("PostgreSQL lists them by ts_rank (store/search.py)")
    first = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Zhanar Bekova")]))
    second = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Zhanara Bekovna")]))
    third = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Zhanar Bekova")]))
    found = search_persons(registry, editor, "zhanar bekov")
    assert [r["id"] for r in found] == [first, second, third]
    assert {r["score"] for r in found} == {1.0}


def test_whole_words_come_first_and_longer_words_they_begin_only_while_the_page_is_not_full(registry, project,
                                                                                            editor):
    longer = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Yasinjan Tokhti")]))
    whole = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Yasin Tokhti")]))
    assert [r["id"] for r in search_persons(registry, editor, "yasin")] == [whole, longer]  # recorded later
    assert [r["id"] for r in search_persons(registry, editor, "yasin", page=1)] == [whole]
    assert [r["id"] for r in search_persons(registry, editor, "yasin tokhti", page=1)] == [whole]
    assert {r["id"] for r in search_persons(registry, editor, "yasi", page=1)} == {whole, longer}  # no whole word
    assert {r["id"] for r in search_persons(registry, editor, "yasinj")} == {longer}
    # in Chinese characters, a longer word holds the query's pairs of characters
    joined = records.add_person(registry, editor, project, PersonInput(names=[NameInput("阿斯卡尔别克·吐尔逊")]))
    apart = records.add_person(registry, editor, project, PersonInput(names=[NameInput("阿斯卡尔·吐尔逊")]))
    assert [r["id"] for r in search_persons(registry, editor, "阿斯卡尔")] == [apart, joined]
    assert [r["id"] for r in search_persons(registry, editor, "阿斯卡尔", page=1)] == [apart]


def test_a_search_reads_at_most_its_candidates_even_when_the_reader_may_see_few(registry, project, editor, make_user,
                                                                                monkeypatch):
    from testimonia.services import search
    from testimonia.services.access import SYSTEM
    from testimonia.services.users import create_project

    if registry.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's first candidates are in no useful order (store/search.py)")
    other = create_project(registry, SYSTEM, "other")
    outsider = make_user("editor", projects=[other])
    for _ in range(3):
        records.add_person(registry, editor, project, PersonInput(names=[NameInput("Gulnar Tursun")]))
    theirs = records.add_person(registry, outsider, other, PersonInput(names=[NameInput("Gulnar Tursun")]))
    monkeypatch.setattr(search, "CANDIDATES", 3)
    assert search_persons(registry, outsider, "Gulnar Tursun", page=0) == []  # the first three matches are not theirs
    monkeypatch.setattr(search, "CANDIDATES", 4)
    assert [r["id"] for r in search_persons(registry, outsider, "Gulnar Tursun", page=0)] == [theirs]


def test_what_a_withdrawn_testimony_gave_is_neither_found_nor_shown_but_to_admins(registry, project, editor, admin):
    from testimonia.services.inputs import TestimonyInput

    article = records.add_source(registry, editor, project, SourceInput("news_article", title="Report"))
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Asel Nurgali")]), article)
    records.add_event(registry, editor, pid, EventInput("detained", "2017"), article)
    told = records.add_source(registry, editor, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, editor, project, TestimonyInput("Her brother"), [pid], told)
    records.add_name(registry, editor, pid, NameInput("Gulbahar Tokhtasyn"), told)
    records.add_event(registry, editor, pid, EventInput("sent_to_camp", "2018", "Tekes County"), told)
    assert search_persons(registry, editor, "Asel")[0]["status"] == "camp"
    assert [r["id"] for r in search_persons(registry, editor, "Tokhtasyn")] == [pid]

    records.set_consent(registry, editor, tid, "withdrawn")
    found = search_persons(registry, editor, "Asel")
    assert found[0]["names"] == ["Asel Nurgali"] and found[0]["status"] == "detained"
    assert search_persons(registry, editor, "Tokhtasyn") == [] and search_persons(registry, editor, "Tekes") == []
    assert search_persons(registry, editor, "", Filters(status="camp")) == []
    assert sorted(search_persons(registry, admin, "Asel")[0]["names"]) == ["Asel Nurgali", "Gulbahar Tokhtasyn"]

    records.set_consent(registry, editor, tid, "internal")  # given again
    assert [r["id"] for r in search_persons(registry, editor, "Tokhtasyn")] == [pid]
    assert search_persons(registry, editor, "Asel")[0]["status"] == "camp"


def test_a_withdrawn_name_does_not_find_its_person_by_sound_but_for_admins(registry, project, editor, admin):
    from testimonia.services.inputs import TestimonyInput

    article = records.add_source(registry, editor, project, SourceInput("news_article", title="Report"))
    pid = records.add_person(registry, editor, project, PersonInput(
        names=[NameInput("Asel Nurgali"), NameInput("Nurlan Tokhtasyn")]), article)
    told = records.add_source(registry, editor, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, editor, project, TestimonyInput("Her brother"), [pid], told)
    records.add_name(registry, editor, pid, NameInput("Asel Tokhtasyn"), told)
    records.set_consent(registry, editor, tid, "withdrawn")
    # every word of the query is in her other names, but only the withdrawn one is the same name
    assert search_persons(registry, editor, "Асель Тохтасын") == []
    assert [r["id"] for r in search_persons(registry, admin, "Асель Тохтасын")] == [pid]
