"""The web application in a real browser: Playwright driving Debian's chromium (`make test` installs it).
Screenshots of each step are kept in test-artifacts/browser/."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from testimonia.services import petitions
from testimonia.services.access import SYSTEM
from testimonia.services.registry import init_folder
from testimonia.services.users import create_project, create_user, load_actor
from testimonia.web.app import create_app

from ..conftest import IN_CI, PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path):
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI=true but chromium is not installed: make test installs it")
        pytest.skip("chromium is not installed (make test installs it)")
    registry = init_folder(tmp_path / "data")
    project = create_project(registry, SYSTEM, "case group A")
    create_user(registry, SYSTEM, "vol", PASSWORD, "volunteer", [project])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(registry), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", registry, project
    server.should_exit = True
    thread.join(timeout=10)
    registry.close()


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        yield tab
        browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_volunteer_records_searches_switches_language_and_logs_an_answer(site, page, tmp_path):
    base, registry, project = site
    page.goto(f"{base}/sign-in")
    page.fill("input[name=username]", "vol")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
    shot(page, "1-dashboard")

    evidence = tmp_path / "letter.txt"
    evidence.write_text("A letter from the family, 2019.\n", encoding="utf-8")
    page.goto(f"{base}/testimonies/new")
    page.fill("input[name=testifier]", "Aigerim Testifier")
    page.select_option("select[name=relation]", "spouse")
    page.fill("input[name=p1_name]", "Serikzhan Example")
    page.select_option("select[name=p1_event]", "sent_to_camp")
    page.fill("input[name=p1_event_date]", "2018-04")
    page.fill("input[name=p1_event_place]", "Nilka County")
    page.fill("input[name=p2_name]", "her son")
    page.select_option("select[name=p2_event]", "passport_confiscated")
    page.set_input_files("input[name=files]", str(evidence))
    shot(page, "2-record-testimony")
    page.click("form.record button[type=submit]")
    page.wait_for_url(re.compile(r".*/persons/p_.*"))
    assert "Serikzhan Example" in page.content() and "text/plain" in page.content()
    shot(page, "3-person")

    page.goto(f"{base}/search?q=" + "Серикжан")
    assert page.locator("a", has_text="Serikzhan Example").count() == 1
    shot(page, "4-search-cyrillic")

    page.click("nav.languages a[lang=ug]")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ug"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    shot(page, "5-uyghur")
    page.click("nav.languages a[lang=en]")

    actor = load_actor(registry, "vol")
    person = page_person_ids(registry)[0]
    petitions.create_petition(registry, actor, project, "Release Serikzhan Example", "Embassy", [person],
                              sent_on="2020-01-01")
    page.goto(f"{base}/petitions")
    page.select_option("select[name=kind]", "refused")
    page.fill("input[name=received_on]", "2020-02-01")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url(f"{base}/petitions")
    assert "refused 2020-02-01" in page.content()
    shot(page, "6-petition-answer")

    page.goto(f"{base}/statistics")
    assert page.locator("svg.chart").count() >= 4 and page.locator("svg.map").count() == 1
    shot(page, "7-statistics")


def page_person_ids(registry) -> list[str]:
    from sqlalchemy import select

    from testimonia.store.schema import persons
    with registry.db.reading() as conn:
        return list(conn.execute(select(persons.c.id).order_by(persons.c.created_at)).scalars())


def test_an_editor_reviews_a_draft_in_the_browser(site, page):
    from testimonia.services import drafts

    from ..services.test_drafts import DRAFT, document

    base, registry, project = site
    create_user(registry, SYSTEM, "ed", PASSWORD, "editor", [project])
    draft_id = drafts.save_draft(registry, SYSTEM, project, document(), DRAFT, kind="press_release")
    page.goto(f"{base}/sign-in")
    page.fill("input[name=username]", "ed")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
    page.click("a[href='/drafts']")
    page.click(f"a[href='/drafts/{draft_id}']")
    assert page.locator("mark").count() > 5  # the spans the proposed records rest on
    shot(page, "8-draft-review")
    page.select_option(f"select[name='person:{DRAFT['persons'][1]['id']}']", "reject")
    page.click("text=Record what is accepted")
    page.wait_for_url(f"{base}/drafts")
    assert drafts.get_draft(registry, SYSTEM, draft_id)["status"] == "reviewed"
