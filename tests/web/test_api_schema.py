"""Schemathesis against the API's OpenAPI description: generated requests to every operation, with a
valid bearer token, never get a server error."""

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import settings
from schemathesis.checks import not_a_server_error

from testimonia.services import signin
from testimonia.services.access import SYSTEM
from testimonia.services.demo import load_demo
from testimonia.services.registry import init_folder
from testimonia.services.users import create_project, create_user, load_actor
from testimonia.web.app import create_app

from ..conftest import PASSWORD

FOLDER = Path(tempfile.mkdtemp(prefix="testimonia-schemathesis-"))
REGISTRY = init_folder(FOLDER / "data")
PROJECT = create_project(REGISTRY, SYSTEM, "case group A")
create_user(REGISTRY, SYSTEM, "researcher", PASSWORD, "researcher", [PROJECT])
load_demo(REGISTRY, SYSTEM, PROJECT)
TOKEN = signin.create_token(REGISTRY, load_actor(REGISTRY, "researcher"), "schemathesis")
atexit.register(lambda: (REGISTRY.close(), shutil.rmtree(FOLDER, ignore_errors=True)))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(REGISTRY))


@schema.parametrize()
@settings(max_examples=25, deadline=None)
def test_the_api_never_answers_with_a_server_error(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])
