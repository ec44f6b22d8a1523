"""`testimonia import` and `testimonia export` from the command line, and an import killed with SIGKILL."""

import csv
import os
import random
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from testimonia.cli import main
from testimonia.services.access import SYSTEM
from testimonia.services.registry import open_folder
from testimonia.services.users import create_project
from testimonia.store.schema import persons

from ..conftest import PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data" / "import"

# Invented names in the scripts families write them in: Latin, Kazakh Cyrillic, Uyghur Arabic.
GIVEN = [("Aygul", "Айгүл", "ئايگۈل"), ("Erlan", "Ерлан", "ئېرلان"), ("Nurlan", "Нұрлан", "نۇرلان"),
         ("Gulnar", "Гүлнар", "گۈلنار"), ("Bakyt", "Бақыт", "باقىت")]
FAMILY = [("Tursun", "Тұрсын", "تۇرسۇن"), ("Bekov", "Беков", "بېكوۋ"), ("Omar", "Омар", "ئومار"), ("Sadyk", "Садық", "سادىق")]
PLACES = ["Nilka", "Ghulja", "Tekes", "Kuytun", "Yining County", "Altay"]
COLUMNS = ["person.names", "person.sex", "person.ethnicity", "person.birth_date", "person.hometown", "person.occupation",
           "testifier.name", "testifier.relation", "testifier.contacts", "testifier.consent", "testimony.medium",
           "testimony.date", "testimony.summary", "events"]


def generate(path: Path, rows: int, dated: bool = True) -> Path:
    """A CSV of `rows` invented testimonies (names in three scripts, two events each)."""
    rnd = random.Random(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for i in range(rows):
            given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
            names = f"{given[0]} {family[0]} [Latn]; {given[1]} {family[1]} [Cyrl, kk]; {given[2]} {family[2]} [Arab, ug]"
            month = f"2018-0{rnd.randint(1, 9)}" if dated else ""
            events = f"detained|{month}|{rnd.choice(PLACES)}|BFN:109; sent_to_camp|{month}|{rnd.choice(PLACES)}"
            out.writerow([names, rnd.choice(["male", "female"]), "kazakh", str(1940 + i % 60) if dated else "",
                          rnd.choice(PLACES), "herder", f"Relative {i}", "sibling", f"+7 700 {i:07d}",
                          rnd.choice(["named", "anonymized", "internal"]), "phone", "2019-05-20" if dated else "",
                          f"Testimony number {i}.", events])
    return path


@pytest.fixture
def run(registry, make_user):  # noqa: ANN001, ANN201
    users = {role: make_user(role).username for role in ("editor", "volunteer")}

    def invoke(*args: str, role: str = "editor"):  # noqa: ANN202
        return CliRunner().invoke(main, ["--data", str(registry.folder), "--user", users[role], *args],
                                  env={"TESTIMONIA_PASSWORD": PASSWORD})

    return invoke


def _persons(registry) -> int:  # noqa: ANN001
    with registry.db.reading() as conn:
        return conn.execute(select(func.count()).select_from(persons)).scalar_one()


def test_import_then_export_every_format(run, registry, tmp_path):  # noqa: ANN001
    result = run("import", str(DATA / "people.csv"))
    assert result.exit_code == 0, result.output
    assert "imported 3 persons from 3 rows of people.csv; audit entry" in result.stdout
    for fmt in ("csv", "jsonl", "ftm"):
        out = tmp_path / f"out.{fmt}"
        result = run("export", "--format", fmt, "--out", str(out))
        assert result.exit_code == 0 and "exported 3 persons" in result.stdout
        assert "Aygul Tursun" in out.read_text(encoding="utf-8")


def test_import_with_errors_exits_1_and_writes_nothing(run, registry, tmp_path):  # noqa: ANN001
    path = tmp_path / "people.csv"
    path.write_text("person.names,person.birth_date,events\nAygul Tursun,1975,\nErlan Bekov,2018-13,detained|2018|Atlantis\n",
                    encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "error: people.csv:3: person.birth_date: '2018-13' is not an EDTF date" in result.stderr
    assert "error: people.csv:3: events[0].place: unknown place 'Atlantis'" in result.stderr
    assert "nothing imported: 1 of 2 rows have errors" in result.stderr
    assert _persons(registry) == 0
    rejected = tmp_path / "rejected.csv"
    result = run("import", str(path), "--skip-invalid", "--rejected", str(rejected))
    assert result.exit_code == 0 and "imported 1 persons from 2 rows of people.csv; 1 rejected" in result.stdout
    assert "Erlan Bekov" in rejected.read_text(encoding="utf-8") and _persons(registry) == 1


def test_unknown_column_is_a_clear_error(run, tmp_path):  # noqa: ANN001
    path = tmp_path / "people.csv"
    path.write_text("person.names,person.state\nAygul Tursun,camp\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1 and "error: people.csv:1: unknown column 'person.state'" in result.stderr


def test_export_levels_by_role(run, tmp_path):  # noqa: ANN001
    assert run("import", str(DATA / "people.jsonl")).exit_code == 0
    result = run("export", "--format", "jsonl", "--level", "confidential", "--out", str(tmp_path / "x.jsonl"),
                 role="volunteer")
    assert result.exit_code == 3 and "may not see confidential fields" in result.stderr
    assert not (tmp_path / "x.jsonl").exists()
    result = run("export", "--format", "jsonl", "--level", "confidential", "--out", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 0 and "holds confidential data" in result.stderr
    assert "654002197503040020" in (tmp_path / "x.jsonl").read_text(encoding="utf-8")


def _read_until(stream, done_when, timeout: float) -> bytes:  # noqa: ANN001
    """Read a pipe until `done_when(text so far)` (progress bars end lines with \\r, not \\n)."""
    seen = bytearray()
    done = threading.Event()

    def pump() -> None:
        while chunk := os.read(stream.fileno(), 4096):
            seen.extend(chunk)
            if done_when(bytes(seen)):
                done.set()
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    return bytes(seen)


def _percent_read(output: bytes) -> int:
    return max((int(p) for p in re.findall(rb"(\d+)%\|", output)), default=0)


@pytest.mark.slow
def test_sigkill_during_a_large_import_leaves_nothing_half_written(registry, make_user, tmp_path):  # noqa: ANN001
    rows = 20_000
    path = generate(tmp_path / "large.csv", rows)
    editor = make_user("editor").username
    process = subprocess.Popen(
        [sys.executable, "-c", "from testimonia.cli import main; main()", "--data", str(registry.folder),
         "--user", editor, "import", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "TESTIMONIA_PASSWORD": PASSWORD})
    try:
        # past 20% of the file, at least one chunk of 2,000 rows (10%) has been written
        seen = _read_until(process.stderr, lambda out: _percent_read(out) >= 20, timeout=240)
        assert _percent_read(seen) >= 20, seen[-500:]
        assert process.poll() is None, "the import ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    reopened = open_folder(registry.folder)
    try:
        assert _persons(reopened) in (0, rows)
        with reopened.db.reading() as conn:
            assert reopened.audit.verify(conn) == []
        create_project(reopened, SYSTEM, "written after the kill")  # nothing is left locked
    finally:
        reopened.close()
