"""Fixtures: a fresh registry on each backend. One behavioural suite runs on SQLite and PostgreSQL.

PostgreSQL: set TESTIMONIA_TEST_PG_URL to a server URL whose user may create databases, e.g.
    TESTIMONIA_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres make test
Under CI (CI=true) that half is required and fails loudly if it cannot connect.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from testimonia.services.access import SYSTEM
from testimonia.services.registry import init_folder
from testimonia.services.users import create_project, create_user, load_actor

PG_URL = os.environ.get("TESTIMONIA_TEST_PG_URL")
IN_CI = os.environ.get("CI") == "true"
SHARED = Path(__file__).resolve().parents[1] / "shared"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[2] / "shared"
PASSWORD = "correct horse battery"


def pytest_report_header(config):
    if PG_URL:
        return f"PostgreSQL half: {PG_URL.rsplit('@', 1)[-1]}"
    return "PostgreSQL half skipped: set TESTIMONIA_TEST_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres to run it"


def _pg_database():
    import psycopg

    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TESTIMONIA_TEST_PG_URL is not set: the PostgreSQL half is required under CI")
        pytest.skip("PostgreSQL half: set TESTIMONIA_TEST_PG_URL to run it")
    name = "testimonia_t_" + secrets.token_hex(6)
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot reach PostgreSQL at {PG_URL.rsplit('@', 1)[-1]}: {exc}")
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


@pytest.fixture
def db_url(backend, tmp_path):
    if backend == "sqlite":
        yield None
        return
    url, name = _pg_database()
    yield url
    _drop(name)


@pytest.fixture
def registry(tmp_path, db_url):
    reg = init_folder(tmp_path / "data", db_url)
    yield reg
    reg.close()


@pytest.fixture
def project(registry):
    return create_project(registry, SYSTEM, "case group A")


@pytest.fixture
def make_user(registry, project):
    def make(role: str, name: str | None = None, projects: list[str] | None = None):
        username = name or f"{role}-{secrets.token_hex(3)}"
        create_user(registry, SYSTEM, username, PASSWORD, role, [project] if projects is None else projects)
        return load_actor(registry, username)

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", "admin")


@pytest.fixture
def editor(make_user):
    return make_user("editor", "editor")
