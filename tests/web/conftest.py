"""A browser-like client of the web application (HTTPS, so the Secure cookies are sent) and signing in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from testimonia.web.app import create_app

from ..conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page) -> str:
    found = CSRF.search(page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def new_client(registry) -> TestClient:
    return TestClient(create_app(registry), base_url="https://testserver", follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/sign-in")
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": csrf_of(page)})


@pytest.fixture
def client(registry):
    return new_client(registry)


@pytest.fixture
def signed_in(registry, make_user):
    """A client signed in as a new user of a role (no second factor required)."""
    def make(role: str):
        actor = make_user(role)
        browser = new_client(registry)
        assert sign_in(browser, actor.username).status_code == 303
        return browser, actor
    return make
