"""`testimonia evidence …` end to end on a registry of each backend."""

from __future__ import annotations

import json
import os
import stat
import zipfile

import pytest
from click.testing import CliRunner
from PIL import Image

from testimonia.cli import main
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.services.records import add_person
from tests.conftest import PASSWORD
from tests.services.test_evidence import EXE, jpeg_with_gps


@pytest.fixture
def cli(registry):  # noqa: ANN001, ANN201
    def run(user: str, *args: str, code: int = 0):  # noqa: ANN202
        result = CliRunner().invoke(main, ["--data", str(registry.folder), "--user", user, "evidence", *args],
                                    env={"TESTIMONIA_PASSWORD": PASSWORD})
        assert result.exit_code == code, result.output
        return result

    return run


@pytest.fixture
def person(registry, editor, project):  # noqa: ANN001, ANN201
    return add_person(registry, editor, project, PersonInput(names=[NameInput("Erkin Tursun")]))


def test_add_open_custody_bundle_verify_publish(cli, person, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    evidence_id = cli("editor", "add", str(photo), "--person", person).stdout.strip()

    opened = tmp_path / "opened.jpg"
    assert "SHA-256 verified" in cli("editor", "open", evidence_id, "--out", str(opened)).stdout
    assert opened.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(os.stat(opened).st_mode) == 0o600
    cli("editor", "open", evidence_id, "--out", str(opened), code=2)  # never overwrites

    bundle = tmp_path / "bundle.zip"
    made = json.loads(cli("editor", "bundle", "--person", person, "--out", str(bundle)).stdout)
    assert made["files"] == 1
    assert "OK: 4 files match SHA256SUMS" in cli("editor", "verify", str(bundle)).stdout

    actions = [e["action"] for e in json.loads(cli("editor", "custody", evidence_id).stdout)]
    assert actions == ["added", "opened", "exported"]
    [listed] = json.loads(cli("editor", "list", "--person", person).stdout)
    assert listed["id"] == evidence_id and "original_filename" not in listed

    copy = tmp_path / "copy.jpg"
    cli("editor", "publish-copy", evidence_id, "--out", str(copy))
    with Image.open(copy) as published:
        assert len(published.getexif()) == 0


def test_verify_fails_on_an_altered_bundle(cli, person, tmp_path):
    text = tmp_path / "statement.txt"
    text.write_text("What the family said.\n")
    evidence_id = cli("editor", "add", str(text), "--person", person).stdout.strip()
    bundle, altered = tmp_path / "bundle.zip", tmp_path / "altered.zip"
    cli("editor", "bundle", evidence_id, "--out", str(bundle))
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"What someone else wrote.\n" if item.filename.startswith("files/") else data)
    result = cli("editor", "verify", str(altered), code=1)
    assert "FAILED: files/" in result.stderr and "does not match SHA256SUMS" in result.stderr


def test_a_renamed_executable_is_refused_naming_the_file(cli, person, tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_bytes(EXE)
    result = cli("editor", "add", str(fake), "--person", person, code=1)
    assert f"{fake}: its content is Windows Executable" in result.stderr
    assert json.loads(cli("editor", "list").stdout) == []


def test_a_volunteer_who_did_not_record_it_may_not_open_it(cli, make_user, person, tmp_path):
    make_user("volunteer", "volunteer")
    text = tmp_path / "statement.txt"
    text.write_text("What the family said.\n")
    evidence_id = cli("editor", "add", str(text), "--person", person).stdout.strip()
    result = cli("volunteer", "open", evidence_id, "--out", str(tmp_path / "out.txt"), code=3)
    assert "only an editor" in result.stderr and not (tmp_path / "out.txt").exists()
    cli("volunteer", "bundle", evidence_id, "--out", str(tmp_path / "b.zip"), code=3)
