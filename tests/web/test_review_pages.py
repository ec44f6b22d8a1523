"""Reviewing in the browser: a draft (the dev press release and its annotated draft) with its text's
spans highlighted, then recorded; a possible match merged, or judged not the same."""

from sqlalchemy import func, select

from testimonia.services import drafts, linking, records
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput
from testimonia.store.schema import match_decisions, merges, persons

from ..services.test_drafts import DRAFT, document
from .conftest import csrf_of


def test_a_draft_is_shown_with_its_spans_and_recorded_as_the_reviewer_decides(registry, project, signed_in):
    browser, editor = signed_in("editor")
    draft_id = drafts.save_draft(registry, editor, project, document(), DRAFT, kind="press_release")
    listing = browser.get("/drafts")
    assert f'href="/drafts/{draft_id}"' in listing.text
    page = browser.get(f"/drafts/{draft_id}")
    assert page.status_code == 200
    assert "<mark" in page.text and "Arzegul" in page.text  # the wife's name, highlighted in the text
    first, second = DRAFT["persons"][0]["id"], DRAFT["persons"][1]["id"]
    response = browser.post(f"/drafts/{draft_id}", data={"csrf_token": csrf_of(page), f"person:{first}": "accept",
                                                          f"person:{second}": "reject"})
    assert response.status_code == 303
    found = drafts.get_draft(registry, editor, draft_id)
    assert found["status"] == "reviewed"
    decided = {r["item"]: r["decision"] for r in found["reviews"]}
    assert decided[first] == "accept" and decided[second] == "reject"


def test_a_researcher_reads_drafts_but_cannot_record_them(registry, project, signed_in):
    browser, _ = signed_in("researcher")
    draft_id = drafts.save_draft(registry, SYSTEM, project, document(), DRAFT, kind="press_release")
    page = browser.get(f"/drafts/{draft_id}")
    assert page.status_code == 200 and "Record what is accepted" not in page.text
    assert browser.post(f"/drafts/{draft_id}", data={"csrf_token": csrf_of(page)}).status_code == 403


def _two_records_of_one_person(registry, project):
    ids = []
    for name in ("Nurlan Example Tursunuly", "Нурлан Турсунулы"):
        pid = records.add_person(registry, SYSTEM, project, PersonInput(names=[NameInput(name)], sex="male",
                                                                        birth_date="1975", hometown="Nilka County"))
        records.add_testimony(registry, SYSTEM, project, TestimonyInput("Testifier", consent="named"), [pid])
        ids.append(pid)
    linking.run(registry, SYSTEM)
    return ids


def test_a_possible_match_is_shown_with_its_reasons_and_merged(registry, project, signed_in):
    browser, _ = signed_in("editor")
    a, b = sorted(_two_records_of_one_person(registry, project))
    page = browser.get("/matches")
    assert page.status_code == 200 and "Nurlan Example Tursunuly" in page.text and "names" in page.text
    response = browser.post("/matches/decide", data={"csrf_token": csrf_of(page), "a": a, "b": b,
                                                     "decision": "merge", "reason": "same father, same village"})
    assert response.status_code == 303
    with registry.db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(merges)).scalar() == 1
        assert conn.execute(select(persons.c.merged_into).where(persons.c.id == b)).scalar() == a
        assert conn.execute(select(match_decisions.c.decision)).scalar() == "same"
    assert "Nurlan Example Tursunuly" not in browser.get("/matches").text


def test_not_the_same_is_logged_and_the_pair_leaves_the_queue(registry, project, signed_in):
    browser, _ = signed_in("editor")
    a, b = sorted(_two_records_of_one_person(registry, project))
    page = browser.get("/matches")
    browser.post("/matches/decide", data={"csrf_token": csrf_of(page), "a": a, "b": b, "decision": "not_same"})
    with registry.db.reading() as conn:
        assert conn.execute(select(match_decisions.c.decision)).scalar() == "not_same"
        assert conn.execute(select(func.count()).select_from(merges)).scalar() == 0
    assert "Nurlan Example Tursunuly" not in browser.get("/matches").text
