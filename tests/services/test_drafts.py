"""Drafts from intake and their review into records — SQLite and PostgreSQL.

The document is the dev press release (ChinaAid, 6 May 2018, given to the press by the families) and
its annotated draft, shared/data/intake/dev/01_embassy_meeting.{txt,json}.
"""

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from testimonia.names import THRESHOLD
from testimonia.services import drafts, records
from testimonia.services.access import SYSTEM
from testimonia.services.errors import Conflict, InvalidInput, PermissionDenied
from testimonia.services.inputs import EventInput, NameInput, PersonInput
from testimonia.services.users import create_project
from testimonia.services.views import person_view
from testimonia.store.schema import (
    audit_log,
    draft_reviews,
    events,
    metadata,
    names,
    persons,
    relations,
    sources,
)
from testimonia.store.schema import drafts as drafts_table
from tests.conftest import SHARED

DEV = SHARED / "data" / "intake" / "dev"
TEXT = (DEV / "01_embassy_meeting.txt").read_text(encoding="utf-8")
DRAFT = json.loads((DEV / "01_embassy_meeting.json").read_text(encoding="utf-8"))
TITLE = "Chinese Kazakh embassy attempts private meeting with prisoners’ families"


@dataclass(frozen=True)
class Doc:
    """What intake's reader gives (testimonia.intake.documents.Document)."""

    path: Path
    format: str
    text: str
    sha256: str
    title: str | None


def document(text: str = TEXT, name: str = "01_embassy_meeting.txt", title: str | None = TITLE) -> Doc:
    return Doc(Path(name), "text", text, hashlib.sha256(text.encode()).hexdigest(), title)


def counts(registry) -> dict[str, int]:
    with registry.db.reading() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}


@pytest.fixture
def draft_id(registry, editor, project):
    return drafts.save_draft(registry, editor, project, document(), DRAFT, kind="press_release")


def test_save_list_get_with_permissions(registry, editor, project, make_user):
    draft_id = drafts.save_draft(registry, editor, project, document(), DRAFT, kind="press_release")
    assert drafts.already_drafted(registry, project, document().sha256) == draft_id
    listed = drafts.list_drafts(registry, editor)
    assert [(d["id"], d["persons"], d["status"], d["date"], d["kind"]) for d in listed] == [
        (draft_id, 6, "pending", "2018-05-06", "press_release")]
    assert "text" not in listed[0]
    full = drafts.get_draft(registry, editor, draft_id)
    assert full["text"] == TEXT and full["draft"] == DRAFT and full["reviews"] == []
    with pytest.raises(Conflict):  # the same bytes again
        drafts.save_draft(registry, editor, project, document(), DRAFT)

    researcher = make_user("researcher")  # may read internal fields, may not write
    assert drafts.get_draft(registry, researcher, draft_id)["text"] == TEXT
    with pytest.raises(PermissionDenied):
        drafts.save_draft(registry, researcher, project, document("Another text.", "b.txt"), DRAFT)
    with pytest.raises(PermissionDenied):
        drafts.review(registry, researcher, draft_id, rest="accept")
    for role in ("volunteer", "viewer"):  # members without internal clearance
        member = make_user(role)
        with pytest.raises(PermissionDenied):
            drafts.list_drafts(registry, member)
        with pytest.raises(PermissionDenied):
            drafts.get_draft(registry, member, draft_id)
        with pytest.raises(PermissionDenied):
            drafts.candidates(registry, member, draft_id)
    with pytest.raises(PermissionDenied):
        drafts.save_draft(registry, make_user("volunteer"), project, document("Another text.", "b.txt"), DRAFT)
    other = create_project(registry, SYSTEM, "case group B")
    outsider = make_user("editor", "outsider", projects=[other])
    assert drafts.list_drafts(registry, outsider) == []
    for call in (lambda: drafts.get_draft(registry, outsider, draft_id),
                 lambda: drafts.list_drafts(registry, outsider, project),
                 lambda: drafts.review(registry, outsider, draft_id, rest="accept")):
        with pytest.raises(PermissionDenied):
            call()

    with registry.db.reading() as conn:
        entries = conn.execute(select(audit_log.c.action, audit_log.c.change).where(audit_log.c.entity == draft_id)).all()
    assert [action for action, _ in entries] == ["draft.create"]
    assert "Nilka County" not in entries[0].change and "Halambek" not in entries[0].change  # no text, no names
    assert json.loads(entries[0].change)["text_chars"] == len(TEXT)


def test_bad_drafts_and_documents_are_refused(registry, editor, project):
    before = counts(registry)
    bad_span = copy.deepcopy(DRAFT)
    bad_span["persons"][0]["events"][0]["span"] = [10, len(TEXT) + 5]
    twice = copy.deepcopy(DRAFT)
    twice["persons"][1]["id"] = "p1"
    for doc, draft, where in ((document(), ["not", "a", "draft"], "draft"),
                              (document(), bad_span, "p1.events[0].span"),
                              (document(), twice, "persons[1].id"),
                              (document("   \n"), DRAFT, "document.text"),
                              (document(), {**DRAFT, "document": {"date": "May 2018"}}, "document.date")):
        with pytest.raises(InvalidInput) as refused:
            drafts.save_draft(registry, editor, project, doc, draft)
        assert refused.value.where == where
    with pytest.raises(InvalidInput):
        drafts.save_draft(registry, editor, project, document(), DRAFT, kind="blog")
    assert counts(registry) == before


def test_review_of_the_dev_example_creates_audited_records(registry, editor, project, draft_id):
    before = counts(registry)
    result = drafts.review(registry, editor, draft_id, {"p5": "accept"}, rest="accept")
    assert result.status == "reviewed" and len(result.created) == 6 and not result.matched and not result.skipped
    after = counts(registry)
    assert after["persons"] - before["persons"] == 6
    assert after["sources"] - before["sources"] == 1
    assert after["events"] - before["events"] == 10
    assert after["relations"] - before["relations"] == 3  # spouse ×2 and Sara's son, each recorded once

    wife, husband_of_wife = result.persons["p1"], result.persons["p2"]
    sara, husband, son = result.persons["p3"], result.persons["p4"], result.persons["p6"]
    with registry.db.reading() as conn:
        source = conn.execute(select(sources).where(sources.c.id == result.source_id)).mappings().one()
        assert (source["kind"], source["title"], source["date"], source["language"]) == (
            "press_release", TITLE, "2018-05-06", "en")
        assert source["text"] == TEXT
        named = conn.execute(select(names.c.person_id, names.c.text, names.c.part, names.c.source_id)).all()
        assert {(t, part) for p, t, part, s in named if p == wife} == {("Arzegul Halambek", "full"),
                                                                     ("Halambek", "surname")}
        assert all(s == result.source_id for p, _, _, s in named if p in result.persons.values())
        assert not [t for p, t, _, _ in named if p in (husband, son)]  # "her husband", "My son" are not names
        spans = conn.execute(select(events.c.person_id, events.c.type, events.c.span_start, events.c.span_end,
                                    events.c.source_id, events.c.source_order)
                             .where(events.c.source_id == result.source_id)).all()
        camp = next(e for e in spans if e.type == "sent_to_camp")
        assert camp.person_id == husband and TEXT[camp.span_start:camp.span_end].startswith("detained in")
        assert sorted(e.source_order for e in spans) == list(range(10))
        related = set(conn.execute(select(relations.c.person_id, relations.c.type, relations.c.other_id)).all())
        assert related == {(wife, "spouse", husband_of_wife), (sara, "spouse", husband), (sara, "child", son)}
        row = conn.execute(select(drafts_table).where(drafts_table.c.id == draft_id)).mappings().one()
        assert (row["status"], row["source_id"], row["reviewed_by"]) == ("reviewed", result.source_id, editor.user_id)
        log = conn.execute(select(draft_reviews.c.item, draft_reviews.c.decision, draft_reviews.c.created)
                           .order_by(draft_reviews.c.id)).all()
        review_entry = conn.execute(select(audit_log).where(audit_log.c.action == "draft.review")).mappings().one()
        children = conn.execute(select(audit_log.c.action).where(audit_log.c.parent_seq == review_entry["seq"])
                                ).scalars().all()
        assert registry.audit.verify(conn) == []
    assert [item for item, _, _ in log[:6]] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert len(log) == 6 + 10 + 6  # persons, events, relation items (mirrors included)
    assert json.loads(log[0].created)[0] == wife
    assert sorted(set(children)) == ["event.add", "person.create", "relation.add", "source.create"]
    assert TEXT[:200] not in review_entry["change"]
    assert person_view(registry, editor, wife)["status"]["status"] == "house_arrest"
    assert person_view(registry, editor, husband)["status"]["status"] == "camp"
    assert person_view(registry, editor, sara)["status"] is None
    assert drafts.get_draft(registry, editor, draft_id)["reviews"][0]["item"] == "p1"
    assert drafts.list_drafts(registry, editor, status="pending") == []


def test_a_variant_spelling_is_a_candidate_and_a_match_gets_the_new_records(registry, editor, project, draft_id):
    known = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Арзегүл Халамбек")]))
    records.add_event(registry, editor, known, EventInput("emigrated", "2008", "KZ"))
    records.add_person(registry, editor, project, PersonInput(names=[NameInput("Gulnar Omar")]))
    elsewhere = create_project(registry, SYSTEM, "case group B")
    records.add_person(registry, SYSTEM, elsewhere, PersonInput(names=[NameInput("Arzegul Halambek")]))

    found = drafts.candidates(registry, editor, draft_id)
    assert set(found) == {"p1", "p2", "p3", "p5"}  # the named persons
    assert [(person_id, name) for person_id, name, _ in found["p1"]] == [(known, "Арзегүл Халамбек")]
    assert found["p1"][0][2] >= THRESHOLD
    assert found["p2"] == [] and found["p3"] == []

    before = counts(registry)
    result = drafts.review(registry, editor, draft_id, {"p1": {"decision": "match", "person": known}}, rest="accept")
    assert result.matched == {"p1": known} and result.persons["p1"] == known and known not in result.created
    assert counts(registry)["persons"] - before["persons"] == 5  # no duplicate of her
    shown = person_view(registry, editor, known)
    assert {n["text"] for n in shown["names"]} == {"Арзегүл Халамбек", "Arzegul Halambek", "Halambek"}
    assert len(shown["events"]) == 6 and shown["status"]["status"] == "house_arrest"
    assert {r["other_id"] for r in shown["relations"]} == {result.persons["p2"]}


def test_rejected_items_leave_nothing(registry, editor, project, draft_id):
    before = counts(registry)
    result = drafts.review(registry, editor, draft_id, {}, rest="reject")
    assert result.status == "rejected" and result.source_id is None and result.persons == {}
    after = counts(registry)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"audit_log": 1, "draft_reviews": 6}
    assert drafts.get_draft(registry, editor, draft_id)["status"] == "rejected"


def test_a_rejected_person_event_and_relation_are_not_recorded(registry, editor, project, draft_id):
    result = drafts.review(registry, editor, draft_id, {
        "p5": "reject", "p6": "reject", "p1.events[4]": "reject", "p4.relations[0]": "reject"}, rest="accept")
    assert set(result.persons) == {"p1", "p2", "p3", "p4"}
    assert "p3.relations[1]: not recorded, p6 was not accepted" in result.skipped
    assert any(note.startswith("p3.relations[0]: not recorded") for note in result.skipped)  # its mirror was rejected
    shown = person_view(registry, editor, result.persons["p1"])
    assert "interrogated" not in {e["type"] for e in shown["events"]}
    assert person_view(registry, editor, result.persons["p3"])["relations"] == []
    with registry.db.reading() as conn:
        assert not conn.execute(select(names.c.id).where(names.c.text.like("Saierkejian%"))).first()


def test_edits_change_what_is_recorded(registry, editor, project, draft_id):
    result = drafts.review(registry, editor, draft_id, {
        "p1": {"decision": "edit", "name": "Arzegül Halambek", "role": "detained"},
        "p1.events[1]": {"decision": "edit", "date": "2018-01-15", "place": "Yining County"},
        "p3.relations[1]": {"decision": "edit", "type": "relative"},
        "p6.relations[0]": "reject",
    }, rest="accept")
    shown = person_view(registry, editor, result.persons["p1"])
    assert {n["text"] for n in shown["names"]} == {"Arzegül Halambek", "Halambek"}  # not the spelling corrected
    returned = next(e for e in shown["events"] if e["type"] == "returned_to_china")
    assert (returned["date"], returned["place_code"]) == ("2018-01-15", "654021")
    son = person_view(registry, editor, result.persons["p6"])["relations"]  # recorded as edited; its own side rejected
    assert [(r["type"], r["other_id"]) for r in son] == [("relative", result.persons["p3"])]


@pytest.mark.parametrize("decisions, where", [
    ({"p1.events[2]": {"decision": "edit", "type": "tortured"}}, "p1.events[2].type"),
    ({"p1.relations[0]": {"decision": "edit", "to": "p9"}}, "p1.relations[0].to"),
    ({"p9": "accept"}, "decisions"),
    ({"p1.events[7]": "accept"}, "decisions"),
    ({"p1": {"decision": "edit", "status": "released"}}, "p1"),
    ({"p1": {"decision": "edit", "role": "hostage"}}, "p1.role"),
    ({"p1.events[0]": {"decision": "edit", "place": "Atlantis"}}, "p1.events[0].place"),
    ({"p1": {"decision": "match", "person": "p_doesnotexist"}}, "p1"),
    ({"p5": "reject", "p5.events[0]": "accept"}, "decisions"),  # p5 has no events: no such item
    ({"p4": "reject", "p4.events[0]": "accept"}, "p4.events[0]"),
])
def test_a_failing_review_changes_nothing(registry, editor, project, draft_id, decisions, where):
    before = counts(registry)
    with pytest.raises(InvalidInput) as failed:
        drafts.review(registry, editor, draft_id, decisions, rest="accept")
    assert failed.value.where == where
    assert counts(registry) == before
    assert drafts.get_draft(registry, editor, draft_id)["status"] == "pending"
    assert drafts.review(registry, editor, draft_id, rest="accept").status == "reviewed"  # and it can be done right


def test_every_person_is_decided_unless_the_rest_is_said(registry, editor, project, draft_id):
    with pytest.raises(InvalidInput, match="no decision on p2, p3, p4, p5, p6"):
        drafts.review(registry, editor, draft_id, {"p1": "accept"})
    result = drafts.review(registry, editor, draft_id, {p: "reject" for p in ("p2", "p3", "p4", "p5", "p6")}
                           | {"p1": "accept"})
    assert set(result.persons) == {"p1"} and len(result.events) == 5  # an accepted person's events follow it
    assert "p1.relations[0]: not recorded, p2 was not accepted" in result.skipped


def test_reviewing_twice_is_refused(registry, editor, project, draft_id):
    drafts.review(registry, editor, draft_id, rest="accept")
    before = counts(registry)
    with pytest.raises(Conflict, match="reviewed already"):
        drafts.review(registry, editor, draft_id, rest="accept")
    with pytest.raises(Conflict):
        drafts.review(registry, editor, draft_id, rest="reject")
    assert counts(registry) == before


def test_spans_stay_on_their_words_when_the_text_is_cleaned(registry, editor, project):
    text = "\n  Aygul Tursun\u202e was sent to a camp in March 2018 in Yining County.\n"
    start = text.index("sent to a camp")
    draft = {"document": {"date": "2019-01-01", "language": "en"}, "persons": [{
        "id": "p1", "name": "Aygul Tursun", "mentions": ["Aygul Tursun", "she"], "spans": [[3, 15]],
        "role": "detained", "status": "camp", "confidence": 0.9, "relations": [], "places": [],
        "events": [{"type": "sent_to_camp", "date": "2018-03", "date_text": "in March 2018", "confidence": 0.8,
                    "place": {"text": "Istanbul", "code": "TR"}, "facility": None, "span": [start, start + 14]}]}]}
    draft_id = drafts.save_draft(registry, editor, project, document(text, "t.txt", None), draft, kind="testimony")
    result = drafts.review(registry, editor, draft_id, rest="accept")
    assert result.skipped == ["p1.events[0]: the place Istanbul (TR) is not in the gazetteer; the event is kept "
                              "without it"]
    with registry.db.reading() as conn:
        stored = conn.execute(select(sources.c.text).where(sources.c.id == result.source_id)).scalar_one()
        event = conn.execute(select(events).where(events.c.id == result.events[0])).mappings().one()
        person = conn.execute(select(persons.c.status).where(persons.c.id == result.persons["p1"])).scalar_one()
    assert "\u202e" not in stored and stored.startswith("Aygul")
    assert stored[event["span_start"]:event["span_end"]] == "sent to a camp"
    assert (event["place_code"], event["confidence"], person) == (None, 0.8, "camp")
