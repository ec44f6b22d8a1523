"""Recording, status derivation, visibility by role, history and conflicts — on SQLite and PostgreSQL."""

import threading

import pytest
from sqlalchemy import func, select

from testimonia.domain.prc_id import check_character
from testimonia.services import records
from testimonia.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testimonia.services.inputs import EventInput, NameInput, PersonInput, SourceInput, TestimonyInput
from testimonia.services.views import ERASED, history, person_view, public_person_ids
from testimonia.store.schema import persons

RESIDENT_ID = "65402819800101123" + check_character("65402819800101123")


def _person(registry, actor, project, *names, **fields):
    return records.add_person(registry, actor, project, PersonInput(names=[NameInput(n) for n in names], **fields))


def test_person_with_names_in_four_scripts(registry, project, editor):
    pid = _person(registry, editor, project, "Aygul Tursun", "Айгүл Тұрсын", "ئايگۈل تۇرسۇن", "阿依古丽·吐尔逊",
                  sex="female", ethnicity="uyghur", birth_date="1975~", hometown="654028")
    view = person_view(registry, editor, pid)
    assert [(n["script"], n["language"]) for n in view["names"]] == [  # in the order given
        ("Latn", None), ("Cyrl", "kk"), ("Arab", "ug"), ("Hani", "zh")]
    assert view["hometown"]["code"] == "654028"
    assert view["status"] is None  # never detained


def test_status_is_derived_and_names_its_event(registry, project, editor):
    pid = _person(registry, editor, project, "Erlan Bekov")
    records.add_event(registry, editor, pid, EventInput("detained", "2017-11", "Yining County"))
    camp = records.add_event(registry, editor, pid, EventInput("sent_to_camp", "2018-02"))
    assert person_view(registry, editor, pid)["status"] == {"status": "camp", "event": camp}
    prison = records.add_event(registry, editor, pid, EventInput("sentenced", "2019"))
    assert person_view(registry, editor, pid)["status"] == {"status": "prison", "event": prison}


def test_detention_center_from_facility_type(registry, project, editor):
    pid = _person(registry, editor, project, "Nurlan Sadyk")
    records.add_event(registry, editor, pid, EventInput("detained", "2018", facility="BFN:109"))  # a detention center
    assert person_view(registry, editor, pid)["status"]["status"] == "detention_center"


@pytest.mark.parametrize(("field", "value"), [
    ("birth_date", "2018-13"), ("hometown", "Atlantis"), ("resident_id", "654028198001011230"),
    ("ethnicity", "martian"), ("age_years", "sixty"),
])
def test_bad_values_name_the_field(registry, project, editor, field, value):
    with pytest.raises(InvalidInput) as err:
        _person(registry, editor, project, "Test Person", **{field: value, **({"age_at": "2018"} if field == "age_years" else {})})
    assert err.value.where.startswith(field.split("_")[0])
    assert "654028198001011230" not in str(err.value)


def test_control_and_bidi_characters_are_removed(registry, project, editor):
    pid = _person(registry, editor, project, "Ali\u202eme\u0007t <b>x</b>")
    assert person_view(registry, editor, pid)["names"][0]["text"] == "Alimet <b>x</b>"


def _testimony_case(registry, project, volunteer):
    pid = _person(registry, volunteer, project, "Bakyt Omar", resident_id=RESIDENT_ID, notes="private note 4471")
    tid = records.add_testimony(registry, volunteer, project, TestimonyInput(
        "Gulnar Omar", relation="spouse", medium="phone", consent="internal", contacts="+7 700 000 4471",
        summary="He was taken in March."), [pid])
    return pid, tid


def test_volunteer_sees_own_testimony_but_not_others(registry, project, make_user):
    recorder, other = make_user("volunteer"), make_user("volunteer")
    pid, _ = _testimony_case(registry, project, recorder)
    mine = person_view(registry, recorder, pid)
    assert mine["testimonies"][0]["contacts"] == "+7 700 000 4471"
    assert mine["testimonies"][0]["testifier"] == "Gulnar Omar"
    assert "resident_id" not in mine  # confidential person field: editors and admins only
    theirs = person_view(registry, other, pid)
    assert theirs["names"][0]["text"] == "Bakyt Omar"  # public fields of every person
    assert set(theirs["testimonies"][0]) == {"id", "source"}


def test_roles_and_clearance(registry, project, make_user):
    volunteer, researcher, editor = make_user("volunteer"), make_user("researcher"), make_user("editor")
    pid, _ = _testimony_case(registry, project, volunteer)
    seen = person_view(registry, researcher, pid)
    assert "summary" in seen["testimonies"][0] and "contacts" not in seen["testimonies"][0] and "resident_id" not in seen
    seen = person_view(registry, editor, pid)
    assert seen["resident_id"] == RESIDENT_ID and seen["notes"] == "private note 4471"
    assert seen["testimonies"][0]["contacts"] == "+7 700 000 4471"


def test_projects_are_compartments(registry, project, make_user):
    from testimonia.services.access import SYSTEM
    from testimonia.services.users import create_project

    other_project = create_project(registry, SYSTEM, "case group B")
    outsider = make_user("editor", projects=[other_project])
    pid = _person(registry, make_user("editor"), project, "Marat Ali")
    with pytest.raises(NotFound):
        person_view(registry, outsider, pid)
    with pytest.raises(PermissionDenied):
        records.add_event(registry, outsider, pid, EventInput("detained", "2018"))


def test_reading_confidential_fields_is_audited(registry, project, make_user, admin):
    from testimonia.services.auditing import confidential_readers

    volunteer, editor = make_user("volunteer"), make_user("editor", "ed-reader")
    pid, tid = _testimony_case(registry, project, volunteer)
    person_view(registry, editor, pid)
    readers = confidential_readers(registry, admin, tid)
    assert [r["actor"] for r in readers] == ["ed-reader"]
    with pytest.raises(PermissionDenied):
        confidential_readers(registry, editor, tid)


def test_withdrawn_testimony_hides_what_it_contributed(registry, project, make_user, admin):
    volunteer, editor = make_user("volunteer"), make_user("editor")
    source = records.add_source(registry, volunteer, project, SourceInput("testimony"))
    pid = records.add_person(registry, volunteer, project, PersonInput(names=[NameInput("Kairat Samal")]), source)
    tid = records.add_testimony(registry, volunteer, project, TestimonyInput("X", consent="anonymized"), [pid], source)
    assert pid in public_person_ids(registry)
    records.set_consent(registry, volunteer, tid, "withdrawn")
    assert pid not in public_person_ids(registry)
    with pytest.raises(NotFound):
        person_view(registry, editor, pid)
    assert person_view(registry, admin, pid)["names"][0]["text"] == "Kairat Samal"


def test_history_has_every_version_and_withholds_confidential(registry, project, make_user):
    volunteer, editor, researcher = make_user("volunteer"), make_user("editor"), make_user("researcher")
    pid, _ = _testimony_case(registry, project, volunteer)
    records.update_person(registry, editor, pid, 1, {"occupation": "herder"})
    records.update_person(registry, editor, pid, 2, {"occupation": "teacher", "sex": "male"})
    entries = history(registry, editor, pid)
    assert [e["action"] for e in entries] == ["person.create", "person.update", "person.update"]
    assert entries[2]["change"]["occupation"] == ["herder", "teacher"]
    assert entries[0]["change"]["resident_id"] == RESIDENT_ID
    assert history(registry, researcher, pid)[0]["change"]["resident_id"] == "[confidential]"
    assert ERASED != RESIDENT_ID


def test_two_editors_saving_the_same_record_conflict(registry, project, make_user):
    first, second = make_user("editor"), make_user("editor")
    pid = _person(registry, first, project, "Serik Ospan")
    assert records.update_person(registry, first, pid, 1, {"occupation": "driver", "hometown": "654028"}) == 2
    with pytest.raises(Conflict) as err:
        records.update_person(registry, second, pid, 1, {"occupation": "farmer"})
    assert err.value.fields == ["hometown_code", "occupation"]
    assert person_view(registry, first, pid)["occupation"] == "driver"


def test_concurrent_saves_never_overwrite_silently(registry, project, make_user):
    editors = [make_user("editor") for _ in range(4)]
    pid = _person(registry, editors[0], project, "Dana Akhmet")
    outcomes: list[str] = []

    def save(actor, value):
        try:
            records.update_person(registry, actor, pid, 1, {"occupation": value})
            outcomes.append(value)
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(e, f"job{i}")) for i, e in enumerate(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1
    assert person_view(registry, editors[0], pid)["occupation"] == winners[0]
    with registry.db.reading() as conn:
        assert conn.execute(select(persons.c.version).where(persons.c.id == pid)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(persons)).scalar() == 1


def test_relations_read_both_ways(registry, project, editor):
    child, parent = _person(registry, editor, project, "Aliya Nur"), _person(registry, editor, project, "Nur Bek")
    records.add_relation(registry, editor, child, "parent", parent)
    assert person_view(registry, editor, child)["relations"][0] == {"type": "parent", "other_id": parent, "source_id": None}
    assert person_view(registry, editor, parent)["relations"][0]["type"] == "child"


def test_status_from_a_withdrawn_testimony_is_not_shown(registry, project, make_user, admin):
    volunteer, editor = make_user("volunteer"), make_user("editor")
    article = records.add_source(registry, editor, project, SourceInput("news_article", title="Report"))
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Asel Nurgali")]), article)
    detained = records.add_event(registry, editor, pid, EventInput("detained", "2017"), article)
    told = records.add_source(registry, volunteer, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, volunteer, project, TestimonyInput("Her brother", consent="internal"), [pid], told)
    camp = records.add_event(registry, volunteer, pid, EventInput("sent_to_camp", "2018"), told)
    assert person_view(registry, editor, pid)["status"] == {"status": "camp", "event": camp}
    records.set_consent(registry, volunteer, tid, "withdrawn")
    assert person_view(registry, editor, pid)["status"] == {"status": "detained", "event": detained}
    assert person_view(registry, admin, pid)["status"] == {"status": "camp", "event": camp}


def test_a_stored_status_from_before_the_withdrawal_fix_is_not_shown(registry, project, make_user):
    """A registry written before abadb70 and not yet reindexed may store a status resting on a withdrawn
    testimony's event: the person view derives it again from what the reader sees."""
    from sqlalchemy import update

    from testimonia.store.schema import persons

    editor = make_user("editor")
    article = records.add_source(registry, editor, project, SourceInput("news_article", title="Report"))
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Asel Nurgali")]), article)
    detained = records.add_event(registry, editor, pid, EventInput("detained", "2017"), article)
    told = records.add_source(registry, editor, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, editor, project, TestimonyInput("Her brother"), [pid], told)
    camp = records.add_event(registry, editor, pid, EventInput("sent_to_camp", "2018"), told)
    records.set_consent(registry, editor, tid, "withdrawn")
    with registry.db.transaction() as conn:  # as the earlier code stored it
        conn.execute(update(persons).where(persons.c.id == pid).values(status="camp", status_event_id=camp))
    assert person_view(registry, editor, pid)["status"] == {"status": "detained", "event": detained}
