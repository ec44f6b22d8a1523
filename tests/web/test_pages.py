"""The signed-in pages: search across scripts, a person, petitions, languages; markup always escaped."""

import re

from testimonia.services import petitions, records
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import EventInput, NameInput, PersonInput, TestimonyInput

from .conftest import csrf_of

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _person(registry, actor, project, *names, consent="named", hometown=None):
    pid = records.add_person(registry, actor, project, PersonInput(names=[NameInput(n) for n in names],
                                                                   hometown=hometown))
    records.add_testimony(registry, actor, project, TestimonyInput("Aigerim Testifier", consent=consent), [pid])
    return pid


def test_search_in_cyrillic_finds_the_latin_form(registry, project, signed_in):
    browser, _ = signed_in("researcher")
    pid = _person(registry, SYSTEM, project, "Serikzhan Bilash")
    page = browser.get("/search", params={"q": "Серикжан Билаш"})
    assert page.status_code == 200
    assert f'href="/persons/{pid}"' in page.text and "Serikzhan Bilash" in page.text


def test_the_person_page_shows_names_status_timeline_and_history(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, editor, project, "Ilham Example", "Ильхам Пример")
    records.add_event(registry, editor, pid, EventInput("detained", date="2018-04", place="Nilka County",
                                                        facility="political training center"))
    page = browser.get(f"/persons/{pid}")
    assert page.status_code == 200
    assert "Ilham Example" in page.text and "Ильхам Пример" in page.text and "detained" in page.text
    assert "2018-04" in page.text and "person.create" in page.text  # the history


def test_names_come_first_in_the_script_the_reader_prefers(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, editor, project, "Ilham Example", "Ильхам Пример")
    browser.get("/language/ru")
    page = browser.get(f"/persons/{pid}")
    assert page.text.index("Ильхам Пример") < page.text.index("Ilham Example")


def test_switching_to_uyghur_lays_the_page_out_right_to_left(client):
    assert '<html lang="en" dir="ltr">' in client.get("/sign-in").text
    response = client.get("/language/ug?back=/sign-in")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    page = client.get("/sign-in")
    assert '<html lang="ug" dir="rtl">' in page.text


def test_the_browser_language_is_used_until_the_reader_picks_one(client):
    page = client.get("/sign-in", headers={"Accept-Language": "kk-KZ,ru;q=0.8"})
    assert '<html lang="kk" dir="ltr">' in page.text


def test_petitions_are_created_answered_and_overdue_ones_flagged(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, editor, project, "Petition Subject")
    page = browser.get("/petitions")
    response = browser.post("/petitions", data={"csrf_token": csrf_of(page), "project": project,
                                                "title": "Release Petition Subject", "addressed_to": "PRC Embassy",
                                                "sent_on": "2020-01-15", "persons": pid})
    assert response.status_code == 303
    page = browser.get("/petitions")
    assert "Release Petition Subject" in page.text and 'class="overdue"' in page.text
    petition_id = re.search(r'/petitions/(pt_[^/]+)/answers', page.text).group(1)
    assert browser.post(f"/petitions/{petition_id}/answers",
                        data={"csrf_token": csrf_of(page), "kind": "refused", "received_on": "2020-03-01"}
                        ).status_code == 303
    assert petitions.list_petitions(registry, editor)[0]["answers"][0]["kind"] == "refused"
    assert "Release Petition Subject" not in browser.get("/dashboard").text.split("Recent testimonies")[0].split(
        "over 30 days")[-1]


def test_markup_in_any_field_is_shown_as_text_everywhere(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, editor, project, XSS)
    records.add_event(registry, editor, pid, EventInput("detained", facility=XSS))
    petitions.create_petition(registry, editor, project, XSS, XSS, [pid], sent_on="2020-01-01")
    for url in ("/", "/dashboard", f"/persons/{pid}", "/petitions", "/search?q=script", f"/search?q={XSS}"):
        text = browser.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
    assert "&lt;script&gt;" in browser.get(f"/persons/{pid}").text


def test_a_volunteer_cannot_read_another_projects_person_by_guessing_its_id(registry, project, make_user, signed_in):
    from testimonia.services.users import create_project

    other = create_project(registry, SYSTEM, "case group B")
    outsider = make_user("editor", "other-editor", [other])
    hidden = _person(registry, outsider, other, "Other Project Person")
    browser, _ = signed_in("volunteer")
    assert browser.get(f"/persons/{hidden}").status_code == 404
    assert "Other Project Person" not in browser.get("/search?q=Other").text


def test_pages_send_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_a_volunteer_records_a_testimony_with_two_persons_and_evidence(registry, project, signed_in):
    browser, volunteer = signed_in("volunteer")
    page = browser.get("/testimonies/new")
    assert page.status_code == 200 and "Nilka" in page.text  # the place picker's choices
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = browser.post("/testimonies", data={
        "csrf_token": csrf_of(page), "project": project, "testifier": "Aigerim Testifier", "relation": "spouse",
        "consent": "internal", "summary": "Taken in April.",
        "p1_name": "Nurlan Example", "p1_name_other": "Нурлан Мысал", "p1_sex": "male", "p1_event": "sent_to_camp",
        "p1_event_date": "2018-04", "p1_event_place": "Nilka County", "p1_facility": "political training center",
        "p2_name": "her son", "p2_relation": "child", "p2_event": "passport_confiscated", "p2_event_date": "2019",
    }, files={"files": ("photo.png", photo, "image/png")})
    assert response.status_code == 303
    person_page = browser.get(response.headers["location"])
    assert "Nurlan Example" in person_page.text and "sent to a camp" in person_page.text
    assert "image/png" in person_page.text  # the evidence, hashed and listed
    son = search_persons_for(registry, volunteer, "her son")[0]["id"]
    assert f'href="/persons/{son}" dir="auto">her son</a>' in person_page.text  # linked as the first person's child
    assert len(search_persons_for(registry, volunteer, "her son")) == 1


def test_a_bad_field_stores_nothing_and_names_the_person_and_field(registry, project, signed_in):
    from sqlalchemy import func, select

    from testimonia.store.schema import persons, testimonies
    browser, _ = signed_in("volunteer")
    page = browser.get("/testimonies/new")
    response = browser.post("/testimonies", data={
        "csrf_token": csrf_of(page), "project": project, "consent": "internal",
        "p1_name": "Good Person", "p1_event": "detained",
        "p2_name": "Bad Date Person", "p2_event": "detained", "p2_event_date": "the thirty-second of May"})
    assert response.status_code == 400 and "person 2" in response.text and "Nothing was saved" in response.text
    # the form comes back as it was filled in: nothing the volunteer typed is lost
    assert 'value="Bad Date Person"' in response.text and 'value="the thirty-second of May"' in response.text
    assert '<option value="detained" selected>' in response.text
    with registry.db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(persons)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(testimonies)).scalar() == 0


def search_persons_for(registry, actor, query):
    from testimonia.services.search import search_persons
    return search_persons(registry, actor, query)


def test_search_facets_narrow_the_results(registry, project, signed_in):
    browser, _ = signed_in("researcher")
    for k, ethnicity in enumerate(("kazakh", "kazakh", "uyghur")):
        pid = records.add_person(registry, SYSTEM, project, PersonInput(names=[NameInput(f"Facet Person{k}")],
                                                                        ethnicity=ethnicity))
        records.add_testimony(registry, SYSTEM, project, TestimonyInput("T", consent="named"), [pid])
    page = browser.get("/search", params={"q": "Facet"})
    assert "Kazakh (2)" in page.text and "Uyghur (1)" in page.text
    narrowed = browser.get("/search", params={"q": "Facet", "ethnicity": "uyghur"})
    assert "1 person found" in narrowed.text


def test_the_pickers_offer_places_in_the_readers_script_and_the_facilities(signed_in):
    browser, _ = signed_in("volunteer")
    english = browser.get("/testimonies/new").text
    assert "Nilka" in english and "Shufu - I" in english  # a county; a facility of the list
    browser.get("/language/kk")
    kazakh = browser.get("/testimonies/new").text
    assert "Көкшетау" in kazakh and "Көкшетау" not in english  # a city's Kazakh Cyrillic alias


def test_markup_in_testimony_fields_is_escaped_where_a_cleared_reader_sees_them(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Escaped Person")]))
    records.add_testimony(registry, editor, project, TestimonyInput(XSS, consent="internal", contacts=XSS,
                                                                    summary=XSS, notes=XSS), [pid])
    text = browser.get(f"/persons/{pid}").text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert text.count("&lt;script&gt;") >= 2  # the testifier and the summary, shown as text


def test_a_volunteer_does_not_read_another_volunteers_testimony(registry, project, make_user, signed_in):
    author = make_user("volunteer", "author-volunteer")
    pid = records.add_person(registry, author, project, PersonInput(names=[NameInput("Shared Person")]))
    records.add_testimony(registry, author, project, TestimonyInput("Private Testifier", consent="internal",
                                                                    contacts="+7 700 000 0000",
                                                                    summary="What the family said in private"),
                          [pid])
    browser, _ = signed_in("volunteer")
    page = browser.get(f"/persons/{pid}")
    assert page.status_code == 200 and "Shared Person" in page.text
    for secret in ("Private Testifier", "+7 700 000 0000", "What the family said in private"):
        assert secret not in page.text


def test_a_relation_to_a_person_the_reader_may_not_see_shows_no_name(registry, project, signed_in):
    from testimonia.services.users import create_project

    browser, _ = signed_in("editor")
    other = create_project(registry, SYSTEM, "case group C")
    here = _person(registry, SYSTEM, project, "Visible Person")
    there = _person(registry, SYSTEM, other, "Person Of Another Group")
    records.add_relation(registry, SYSTEM, here, "spouse", there)
    page = browser.get(f"/persons/{here}").text
    assert f'href="/persons/{there}"' in page and "Person Of Another Group" not in page


def test_the_dashboard_names_recent_testimonies_and_a_person_page_starts_a_petition(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, editor, project, "Recent Subject")
    dashboard = browser.get("/dashboard").text
    assert f'href="/persons/{pid}" dir="auto">Recent Subject</a>' in dashboard
    person_page = browser.get(f"/persons/{pid}").text
    assert f'href="/petitions?about={pid}#new"' in person_page
    assert f'name="persons" value="{pid}"' in browser.get(f"/petitions?about={pid}").text


def test_search_shows_the_hometown_by_name(registry, project, signed_in):
    browser, editor = signed_in("editor")
    _person(registry, editor, project, "Hometown Person", hometown="Nilka County")
    assert "Nilka" in browser.get("/search", params={"q": "Hometown"}).text
