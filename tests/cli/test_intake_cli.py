"""`testimonia intake`, `drafts`, `review` end to end (SQLite).

Most tests replace the extractor with one that returns the annotated draft of the dev press release
(shared/data/intake/dev), so they are fast and exact; one runs the real extractor on it.
"""

import json
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from testimonia.cli import main
from testimonia.services import drafts
from testimonia.services.registry import open_folder
from testimonia.store.schema import metadata
from tests.cli.test_cli import ENV, run
from tests.conftest import SHARED

DEV = SHARED / "data" / "intake" / "dev"
TEXT = (DEV / "01_embassy_meeting.txt").read_text(encoding="utf-8")
GOLD = json.loads((DEV / "01_embassy_meeting.json").read_text(encoding="utf-8"))
OTHER = "Gulnar Omar was detained in Ghulja in 2018.\n"


class Killed(BaseException):
    """What the process sees of a kill, as far as it sees anything (an exception that is not an error)."""


class FakeExtractor:
    """The gold draft for the dev text, a one-person draft for OTHER; a text with BOOM breaks it."""

    kill_at: str | None = None

    def draft(self, text, date=None):
        if "BOOM" in text:
            raise RuntimeError("the parser broke")
        if self.kill_at and self.kill_at in text:
            raise Killed
        if text == TEXT:
            return json.loads(json.dumps(GOLD))
        return {"document": {"date": date, "language": "en"}, "persons": [
            {"id": "p1", "name": "Gulnar Omar", "mentions": ["Gulnar Omar"], "spans": [[0, 11]], "role": "detained",
             "status": "detained", "relations": [], "places": [],
             "events": [{"type": "detained", "date": "2018", "date_text": "in 2018", "place": None,
                         "facility": None, "span": [12, 24]}]}]}

    def drafts(self, items, n_process=1):
        for text, date in items:
            yield self.draft(text, date)


@pytest.fixture
def fake(monkeypatch):
    extractor = FakeExtractor()
    monkeypatch.setattr(drafts, "make_extractor", lambda: extractor)
    return extractor


@pytest.fixture
def folder(tmp_path):
    path = str(tmp_path / "reg")
    run("init", path)
    return path


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), env=ENV, input=input)


def rows(folder) -> dict[str, int]:
    registry = open_folder(folder)
    try:
        with registry.db.reading() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in metadata.sorted_tables}
    finally:
        registry.close()


def documents(tmp_path, bad=True):
    docs = tmp_path / "docs"
    (docs / "more").mkdir(parents=True)
    shutil.copy(DEV / "01_embassy_meeting.txt", docs / "01_embassy_meeting.txt")
    (docs / "more" / "omar.md").write_text(OTHER, encoding="utf-8")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff not read: not a document suffix")
    if bad:
        (docs / "broken.pdf").write_bytes(b"this is no PDF")
    return docs


def test_a_batch_goes_on_past_a_bad_file_and_a_rerun_skips_what_is_drafted(tmp_path, folder, fake):
    docs = documents(tmp_path)
    (docs / "boom.txt").write_text("BOOM goes the parser", encoding="utf-8")
    base = ["--data", folder, "--user", "admin"]
    first = invoke(*base, "intake", "--kind", "press_release", str(docs))
    assert first.exit_code == 1
    assert f"skipped {docs / 'broken.pdf'}: is not a PDF" in first.stderr
    assert f"skipped {docs / 'boom.txt'}: the extractor failed (RuntimeError: the parser broke)" in first.stderr
    assert "photo.jpg" not in first.output
    assert "2 drafted, 0 skipped as already drafted, 2 failed" in first.stderr
    assert "Arzegul Halambek  role: detained  status: house_arrest" in first.stdout
    assert "(unnamed: \"her husband\", \"my husband\")" in first.stdout
    assert "event: sent_to_camp  2017  political training center" in first.stdout
    listed = json.loads(invoke(*base, "drafts", "--json").stdout)
    assert sorted((d["file"], d["persons"], d["kind"]) for d in listed) == [
        (str(docs / "01_embassy_meeting.txt"), 6, "press_release"), (str(docs / "more" / "omar.md"), 1, "press_release")]
    before = rows(folder)
    again = invoke(*base, "intake", str(docs))
    assert again.exit_code == 1 and "0 drafted, 2 skipped as already drafted, 2 failed" in again.stderr
    assert rows(folder) == before
    (docs / "boom.txt").unlink()
    (docs / "broken.pdf").unlink()
    assert invoke(*base, "intake", str(docs)).exit_code == 0
    table = invoke(*base, "drafts", "--status", "pending").stdout
    assert "01_embassy_meeting.txt  2018-05-06  6 persons  pending" in table


def test_a_killed_batch_continues_where_it_stopped(tmp_path, folder, fake):
    docs = documents(tmp_path, bad=False)
    base = ["--data", folder, "--user", "admin"]
    fake.kill_at = "Gulnar Omar"  # the second file, after the first was saved
    with pytest.raises(Killed):
        CliRunner().invoke(main, [*base, "intake", str(docs)], env=ENV, catch_exceptions=False)
    assert [d["file"] for d in json.loads(invoke(*base, "drafts", "--json").stdout)] == [
        str(docs / "01_embassy_meeting.txt")]
    fake.kill_at = None
    resumed = invoke(*base, "intake", str(docs))
    assert resumed.exit_code == 0 and "1 drafted, 1 skipped as already drafted, 0 failed" in resumed.stderr


def test_bad_input_leaves_the_registry_unchanged(tmp_path, folder, fake):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.md").write_text("  \n\n ", encoding="utf-8")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (bad / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (bad / "scan.pdf").write_bytes(b"%PDF-1.4\nnot really\n%%EOF")
    (bad / "letter.docx").write_bytes(b"PK\x03\x04 not a real archive")
    before = rows(folder)
    result = invoke("--data", folder, "--user", "admin", "intake", str(bad), str(bad / "empty.txt"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert sum(line.startswith("skipped ") for line in result.stderr.splitlines()) == 6
    assert "0 drafted, 0 skipped as already drafted, 6 failed" in result.stderr
    assert rows(folder) == before


def test_dry_run_needs_no_registry_and_prints_json(tmp_path, folder, fake):
    docs = documents(tmp_path, bad=False)
    before = rows(folder)
    text = invoke("--data", folder, "--user", "admin", "intake", "--dry-run", str(docs))
    assert text.exit_code == 0 and "01_embassy_meeting.txt (dry run: not saved)" in text.stdout
    assert rows(folder) == before
    nowhere = tmp_path / "no-registry"
    one = invoke("--data", str(nowhere), "intake", "--dry-run", "--format", "json", str(docs / "01_embassy_meeting.txt"))
    assert one.exit_code == 0 and json.loads(one.stdout) == GOLD
    both = invoke("--data", str(nowhere), "intake", "--dry-run", "--format", "json", "--date", "2019-03", str(docs))
    lines = [json.loads(line) for line in both.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(docs / "01_embassy_meeting.txt"), str(docs / "more" / "omar.md")]
    assert lines[1]["document"]["date"] == "2019-03" and lines[1]["persons"][0]["name"] == "Gulnar Omar"
    assert "2 drafted (dry run: nothing saved)" in both.stderr
    assert not nowhere.exists()
    assert invoke("intake", "--dry-run", "--date", "March 2019", str(docs)).exit_code == 2


def test_review_accept_all_then_refused_twice(tmp_path, folder, fake):
    docs = documents(tmp_path, bad=False)
    base = ["--data", folder, "--user", "admin"]
    run(*base, "intake", "--kind", "press_release", str(docs / "01_embassy_meeting.txt"))
    draft_id = json.loads(run(*base, "drafts", "--json").stdout)[0]["id"]
    reviewed = run(*base, "review", draft_id, "--accept-all").stdout
    assert "6 persons created, 0 matched; 7 names, 10 events, 3 relations" in reviewed
    wife = next(line.split("→ ")[1].split()[0] for line in reviewed.splitlines() if line.startswith("  p1 →"))
    shown = json.loads(run(*base, "show", wife).stdout)
    assert shown["status"]["status"] == "house_arrest" and {n["text"] for n in shown["names"]} == {
        "Arzegul Halambek", "Halambek"}
    twice = invoke(*base, "review", draft_id, "--accept-all")
    assert twice.exit_code == 5 and "reviewed already" in twice.output
    assert "reviewed" in run(*base, "drafts").stdout


def test_review_with_a_decisions_file(tmp_path, folder, fake):
    docs = documents(tmp_path, bad=False)
    base = ["--data", folder, "--user", "admin"]
    run(*base, "intake", str(docs / "more" / "omar.md"))
    draft_id = json.loads(run(*base, "drafts", "--json").stdout)[0]["id"]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"p1.events[0]": {"decision": "edit", "type": "vanished"}}))
    failed = invoke(*base, "review", draft_id, "--decisions", str(wrong), "--rest", "accept")
    assert failed.exit_code == 1 and "p1.events[0].type" in failed.stderr
    right = tmp_path / "right.json"
    right.write_text(json.dumps({"p1": "accept", "p1.events[0]": {"decision": "edit", "place": "Yining County"}}))
    assert "1 persons created" in run(*base, "review", draft_id, "--decisions", str(right)).stdout


def test_interactive_review_matches_edits_and_rejects(tmp_path, folder, fake):
    base = ["--data", folder, "--user", "admin"]
    known = run(*base, "person", "add", "--name", "Арзегүл Халамбек", "--sex", "female").stdout.strip()
    docs = documents(tmp_path, bad=False)
    run(*base, "intake", "--kind", "press_release", str(docs / "01_embassy_meeting.txt"))
    draft_id = json.loads(run(*base, "drafts", "--json").stdout)[0]["id"]
    answers = [
        "m 1",  # p1 Arzegul Halambek: the registry's Арзегүл Халамбек
        "a", "a", "a",  # p2 Junisbay Nasilbek, p3 Sara Jengisnek, p4 her husband
        "maybe", "r",  # p5 Saierkejian Bilaixi (a wrong answer is asked again)
        "e", "-", "relative",  # p6 "My son": edited, still unnamed
        "a", "a", "a", "a", "r",  # p1's events: the interrogation rejected
        "a",  # p1 spouse p2 (its mirror on p2 is not asked)
        "a",  # p2's event
        "a", "a", "a",  # p3's event; p3 spouse p4; p3 child p6
        "a", "a", "a",  # p4's events
    ]
    result = invoke(*base, "review", draft_id, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert f"match 1: {known}  Арзегүл Халамбек" in result.stdout
    assert "answer a (accept), e (edit), r (reject)" in result.stdout
    assert "4 persons created, 1 matched; 5 names, 9 events, 3 relations" in result.stdout
    shown = json.loads(run(*base, "show", known).stdout)
    assert {n["text"] for n in shown["names"]} == {"Арзегүл Халамбек", "Arzegul Halambek", "Halambek"}
    assert shown["status"]["status"] == "house_arrest"
    assert "interrogated" not in {e["type"] for e in shown["events"]}
    assert "Bilaixi" not in run(*base, "search", "Bilaixi").stdout


def test_the_real_extractor_drafts_the_press_release(tmp_path, folder):
    base = ["--data", folder, "--user", "admin"]
    path = str(DEV / "01_embassy_meeting.txt")
    dry = invoke("intake", "--dry-run", "--format", "json", path)
    assert dry.exit_code == 0, dry.output
    predicted = json.loads(dry.stdout)
    by_name = {p["name"]: p for p in predicted["persons"] if p["name"]}
    assert predicted["document"]["date"] == "2018-05-06"
    assert by_name["Arzegul Halambek"]["status"] == "house_arrest"
    assert {"Junisbay Nasilbek", "Sara Jengisnek", "Saierkejian Bilaixi"} <= set(by_name)
    run(*base, "intake", "--kind", "press_release", path)
    draft_id = json.loads(run(*base, "drafts", "--json").stdout)[0]["id"]
    reviewed = run(*base, "review", draft_id, "--accept-all").stdout
    assert "persons created" in reviewed
    wife = json.loads(run(*base, "search", "Arzegul Halambek", "--json").stdout)
    assert wife and wife[0]["status"] == "house_arrest"
