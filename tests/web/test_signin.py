"""Signing in: passwords, lockout, the TOTP second factor an admin can require per role, sessions that
end when idle, CSRF on every form, no open redirect, a rate limit, API tokens."""

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from testimonia.services import signin
from testimonia.services.access import SYSTEM
from testimonia.services.registry import utcnow
from testimonia.store.schema import api_tokens

from ..conftest import PASSWORD
from .conftest import csrf_of, new_client, sign_in


def test_sign_in_opens_a_session_and_sign_out_ends_it(client, editor):
    response = sign_in(client, "editor")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and "editor" in dashboard.text
    assert client.post("/sign-out", data={"csrf_token": csrf_of(dashboard)}).status_code == 303
    assert client.get("/dashboard").status_code == 303  # back to the sign-in page


def test_wrong_password_and_unknown_user_get_the_same_answer(client, editor):
    wrong = sign_in(client, "editor", "not the password")
    unknown = sign_in(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password" in wrong.text and "Wrong user name or password" in unknown.text


def test_five_failures_lock_the_account_even_for_the_right_password(registry, editor):
    for _ in range(signin.MAX_FAILURES):
        with pytest.raises(signin.SignInRefused):
            signin.check_password(registry, "editor", "wrong password")
    with pytest.raises(signin.SignInRefused):
        signin.check_password(registry, "editor", PASSWORD)
    later = utcnow() + signin.LOCKOUT + dt.timedelta(seconds=1)
    assert signin.check_password(registry, "editor", PASSWORD, now=later).actor.username == "editor"


def test_a_role_that_requires_a_second_factor_enrols_then_gives_a_code_each_time(registry, make_user):
    volunteer = make_user("volunteer", "vol")
    signin.set_role_policy(registry, SYSTEM, "volunteer", True)
    browser = new_client(registry)
    response = sign_in(browser, "vol")
    assert response.headers["location"] == "/account/second-factor"
    assert browser.get("/dashboard").status_code == 303  # not signed in until a code is given
    page = browser.get("/account/second-factor")
    secret = page.text.split('<code class="secret" dir="ltr">')[1].split("<")[0]
    code = pyotp.TOTP(secret).now()
    assert browser.post("/account/second-factor", data={"code": code, "csrf_token": csrf_of(page)}).status_code == 303
    assert browser.get("/dashboard").status_code == 200
    # the next sign-in asks for a code; the same code is not accepted twice
    again = new_client(registry)
    assert sign_in(again, "vol").headers["location"] == "/sign-in/code"
    form = again.get("/sign-in/code")
    assert again.post("/sign-in/code", data={"code": code, "csrf_token": csrf_of(form)}).status_code == 401
    nxt = pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30))
    assert again.post("/sign-in/code", data={"code": nxt, "csrf_token": csrf_of(form)}).status_code == 303
    assert again.get("/dashboard").status_code == 200
    assert volunteer.username == "vol"


def test_an_admin_resets_a_lost_second_factor(registry, make_user):
    actor = make_user("editor", "ed2")
    signin.start_enrolment(registry, actor)
    signin.reset_second_factor(registry, SYSTEM, "ed2")
    assert not signin.has_second_factor(registry, actor)


def test_a_session_idle_too_long_ends(registry, editor):
    token = signin.open_session(registry, editor, second_factor=True)
    assert signin.session(registry, token) is not None
    late = utcnow() + signin.IDLE_TIMEOUT + dt.timedelta(minutes=1)
    assert signin.session(registry, token, now=late) is None
    assert signin.session(registry, token) is None  # and it is gone


def test_a_session_is_used_without_waiting_while_another_writer_holds_the_database(registry, editor, backend):
    """Its last use is written at most once a minute, and left for a later request while an import holds
    SQLite's write lock: the search page runs on the event loop, where a wait would stall its process."""
    import sqlite3
    import time

    from testimonia.store.schema import web_sessions

    if backend != "sqlite":
        return  # PostgreSQL has no database-wide write lock
    token = signin.open_session(registry, editor, second_factor=True)
    later = utcnow() + signin.SEEN_GRANULARITY + dt.timedelta(seconds=5)
    importer = sqlite3.connect(registry.db.engine.url.database, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # what a running import holds
    try:
        started = time.monotonic()
        assert signin.session(registry, token, now=later).actor == editor
        assert time.monotonic() - started < 5  # not the 30 s a write would wait
    finally:
        importer.execute("ROLLBACK")
        importer.close()

    def last_seen():  # noqa: ANN202
        with registry.db.reading() as conn:
            return conn.execute(select(web_sessions.c.last_seen)).scalar_one()
    assert last_seen() < later.replace(tzinfo=None)  # left for later
    assert signin.session(registry, token, now=later) is not None
    assert last_seen() == later.replace(tzinfo=None)  # written once the database is free


def test_a_session_acts_as_its_user_in_each_of_their_projects_until_the_user_is_deactivated(registry, project,
                                                                                             make_user):
    from testimonia.services.users import create_project, set_active

    other = create_project(registry, SYSTEM, "other")
    both = make_user("researcher", "both", projects=[project, other])
    none = make_user("researcher", "none", projects=[])
    token_both = signin.open_session(registry, both, second_factor=True)
    token_none = signin.open_session(registry, none, second_factor=False)
    found = signin.session(registry, token_both)
    assert found.actor == both and found.actor.projects == {project, other} and found.second_factor
    found = signin.session(registry, token_none)
    assert found.actor == none and found.actor.projects == frozenset() and not found.second_factor
    assert signin.session(registry, "not a token") is None
    set_active(registry, SYSTEM, "both", False)
    assert signin.session(registry, token_both) is None
    set_active(registry, SYSTEM, "both", True)
    assert signin.session(registry, token_both) is None  # that session ended; a new sign-in is needed


def test_a_form_without_its_csrf_token_is_refused(signed_in):
    browser, _ = signed_in("editor")
    assert browser.post("/sign-out").status_code == 403
    assert browser.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    assert browser.get("/dashboard").status_code == 200  # still signed in


def test_the_sign_in_form_needs_its_token_too(client, editor):
    response = client.post("/sign-in", data={"username": "editor", "password": PASSWORD})
    assert response.status_code == 403


def test_after_sign_in_only_a_path_of_this_site_is_followed(client, editor):
    page = client.get("/sign-in?next=//evil.example/x")
    response = client.post("/sign-in", data={"username": "editor", "password": PASSWORD, "csrf_token": csrf_of(page),
                                             "next": "https://evil.example/"})
    assert response.headers["location"] == "/dashboard"


def test_too_many_attempts_from_one_address_are_slowed(client, editor):
    codes = [sign_in(client, "editor", "wrong password").status_code for _ in range(12)]
    assert 429 in codes


def test_api_tokens_act_as_their_user_until_revoked(registry, client, editor):
    token = signin.create_token(registry, editor, "nightly export")
    assert client.get("/api/me").status_code == 401
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "editor"
    with registry.db.reading() as conn:
        token_id = conn.execute(select(api_tokens.c.id)).scalar()
    signin.revoke_token(registry, editor, token_id)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, monkeypatch):
    from testimonia.web import app as web_app

    monkeypatch.setattr(web_app, "MAX_REQUEST_BYTES", 1000)
    response = client.post("/sign-in", content=b"x" * 2000, headers={"content-type": "application/octet-stream"})
    assert response.status_code == 413 and response.headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_security_headers(client):
    from testimonia.web.security import SECURITY_HEADERS

    responses = [client.get("/sign-in"), client.get("/dashboard", follow_redirects=False),
                 client.get("/public/persons/p_nobody"), client.get("/api/me"), client.get("/static/app.css")]
    assert [r.status_code for r in responses] == [200, 303, 404, 401, 200]
    for response in responses:
        assert {h: response.headers.get(h) for h in SECURITY_HEADERS} == SECURITY_HEADERS


def test_an_admin_changes_a_role_adds_a_project_and_deactivates_a_user(registry, project, make_user, signed_in):
    from testimonia.services.users import create_project, list_users

    other = create_project(registry, SYSTEM, "case group D")
    browser, admin = signed_in("admin")
    leaver = make_user("volunteer", "leaver")
    leaver_browser = new_client(registry)
    assert sign_in(leaver_browser, "leaver").status_code == 303
    page = browser.get("/admin/users")
    csrf = csrf_of(page)
    assert browser.post("/admin/users/leaver/role", data={"csrf_token": csrf, "role": "editor"}).status_code == 303
    assert browser.post("/admin/users/leaver/projects", data={"csrf_token": csrf, "project": "case group D"}
                        ).status_code == 303
    row = next(u for u in list_users(registry, admin) if u["username"] == "leaver")
    assert row["role"] == "editor" and "case group D" in row["projects"] and other
    assert browser.post("/admin/users/leaver/active", data={"csrf_token": csrf, "active": "no"}).status_code == 303
    assert leaver_browser.get("/dashboard").status_code == 303  # the session stops at the next request
    assert sign_in(new_client(registry), "leaver").status_code == 401
    assert browser.post(f"/admin/users/{admin.username}/active",
                        data={"csrf_token": csrf, "active": "no"}).status_code == 400  # not themself
    assert leaver.username == "leaver"
