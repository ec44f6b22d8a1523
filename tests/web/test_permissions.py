"""Every route of the application against every role and the anonymous visitor: who may use it is
enforced on the server. A route missing from WHO fails the test, so a new page must say who may use it."""

import re

import pytest
from fastapi.routing import APIRoute

from testimonia.domain.vocab import UserRole
from testimonia.services import records, signin
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput

from .conftest import csrf_of, new_client, sign_in

ANYONE, SIGNED_IN, TOKEN = "anyone", "signed in", "bearer token"
WRITERS = {UserRole.ADMIN, UserRole.EDITOR, UserRole.VOLUNTEER}
REVIEWERS = {UserRole.ADMIN, UserRole.EDITOR}
READERS = REVIEWERS | {UserRole.RESEARCHER}  # of internal fields
WHO = {
    ("GET", "/"): ANYONE,
    ("GET", "/sign-in"): ANYONE,
    ("POST", "/sign-in"): ANYONE,
    ("GET", "/sign-in/code"): ANYONE,
    ("POST", "/sign-in/code"): ANYONE,
    ("GET", "/account/second-factor"): ANYONE,
    ("POST", "/account/second-factor"): ANYONE,
    ("POST", "/sign-out"): ANYONE,
    ("GET", "/language/{code}"): ANYONE,
    ("GET", "/dashboard"): SIGNED_IN,
    ("GET", "/search"): SIGNED_IN,
    ("GET", "/persons/{person_id}"): SIGNED_IN,
    ("GET", "/testimonies/new"): WRITERS,
    ("POST", "/testimonies"): WRITERS,
    ("GET", "/drafts"): READERS,
    ("GET", "/drafts/{draft_id}"): READERS,
    ("POST", "/drafts/{draft_id}"): REVIEWERS,
    ("GET", "/matches"): READERS,
    ("POST", "/matches/decide"): REVIEWERS,
    ("GET", "/petitions"): SIGNED_IN,
    ("GET", "/statistics"): SIGNED_IN,
    ("GET", "/public/statistics"): ANYONE,
    ("POST", "/petitions"): WRITERS,
    ("POST", "/petitions/{petition_id}/answers"): WRITERS,
    ("GET", "/admin/users"): {UserRole.ADMIN},
    ("POST", "/admin/users"): {UserRole.ADMIN},
    ("POST", "/admin/roles"): {UserRole.ADMIN},
    ("POST", "/admin/users/{username}/role"): {UserRole.ADMIN},
    ("POST", "/admin/users/{username}/active"): {UserRole.ADMIN},
    ("POST", "/admin/users/{username}/projects"): {UserRole.ADMIN},
    ("POST", "/admin/users/{username}/reset-second-factor"): {UserRole.ADMIN},
    ("GET", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN,
    ("GET", "/api/persons"): ANYONE,
    ("GET", "/api/persons/{person_id}"): ANYONE,
    ("GET", "/api/me"): TOKEN,
    ("GET", "/api/search"): TOKEN,
    ("GET", "/api/registry/persons/{person_id}"): TOKEN,
    ("GET", "/api/openapi.json"): ANYONE,
}
VISITORS = [None, *UserRole]
# where 401 means "wrong credentials", not "not allowed"
CREDENTIALS = {("POST", "/sign-in"), ("POST", "/sign-in/code"), ("POST", "/account/second-factor")}


def routes(app):
    """(method, path) of every route, those of included routers too (this FastAPI wraps them)."""
    for route in app.routes:
        included = getattr(route, "original_router", None)
        for inner in (included.routes if included is not None else [route]):
            if isinstance(inner, APIRoute) or getattr(inner, "path", "") == "/api/openapi.json":
                for method in sorted(inner.methods - {"HEAD"}):
                    yield method, inner.path


@pytest.fixture
def world(registry, project, make_user):
    admin = make_user("admin", "root")
    person = records.add_person(registry, admin, project, PersonInput(names=[NameInput("Nurlan Sample")]))
    records.add_testimony(registry, admin, project, TestimonyInput("Testifier", consent="named"), [person])
    browsers, tokens = {None: new_client(registry)}, {None: None}
    for role in UserRole:
        actor = make_user(role.value, f"user-{role.value}")
        browsers[role] = new_client(registry)
        assert sign_in(browsers[role], actor.username).status_code == 303
        tokens[role] = signin.create_token(registry, actor, "test")
    values = {"person_id": person, "petition_id": "pt_none", "draft_id": "dr_none", "username": "nobody", "token_id": "tok_none",
              "code": "ug"}
    forms = {("POST", "/petitions"): {"project": project, "title": "To the embassy", "addressed_to": "Embassy"},
             ("POST", "/testimonies"): {"project": project, "p1_name": "A Person", "p1_event": "detained"}}
    return browsers, tokens, values, forms


def test_every_route_is_classified(registry):
    found = set(routes(new_client(registry).app))
    assert found == set(WHO), f"classify: {found - set(WHO)}; stale: {set(WHO) - found}"


@pytest.mark.parametrize("role", VISITORS, ids=lambda r: r.value if r else "anonymous")
def test_every_route_against_every_visitor(world, role):
    browsers, tokens, values, forms = world
    browser = browsers[role]
    csrf = csrf_of(browser.get("/sign-in" if role is None else "/dashboard"))
    for method, path in WHO:
        who = WHO[(method, path)]
        url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        headers = {"Authorization": f"Bearer {tokens[role]}"} if who == TOKEN and tokens[role] else {}
        if method == "GET":
            response = browser.get(url, headers=headers)
        else:
            response = browser.post(url, data={"csrf_token": csrf, **forms.get((method, path), {})}, headers=headers)
        where = f"{method} {path} as {role.value if role else 'anonymous'}: {response.status_code}"
        if who == ANYONE:
            refused = (403,) if (method, path) in CREDENTIALS else (401, 403)
            assert response.status_code not in refused, where
        elif who == TOKEN:
            assert response.status_code == (401 if role is None else 200), where
        elif role is None:
            assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), where
        elif who == SIGNED_IN or role in who:
            assert response.status_code not in (401, 403) and not response.headers.get("location", "").startswith(
                "/sign-in"), where
        else:
            assert response.status_code == 403, where
        if (method, path) == ("POST", "/sign-out") and role is not None:
            assert sign_in(browser, f"user-{role.value}").status_code == 303
            csrf = csrf_of(browser.get("/dashboard"))
