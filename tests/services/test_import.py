"""`import`: valid CSV and JSON Lines, every kind of bad input, skipping invalid rows, the audit structure.

Invented people only. Every bad input must give an error naming file, line and field, and write nothing.
"""

import csv
import hashlib
import json
import os
import stat
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select

from testimonia.services.errors import InvalidInput, PermissionDenied
from testimonia.services.importing import MAX_LINE, import_file
from testimonia.services.views import history, person_view, public_person_ids
from testimonia.store.schema import audit_log, events, metadata, names, persons, testimonies, testimony_subjects

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
RESIDENT_ID = "654002197503040020"  # check digit valid; invented
CONTACTS = "+7 701 555 0142"
HEADER = "person.names,person.sex,person.birth_date,person.hometown,events\n"
GOOD = "Aygul Tursun,female,1975,Ghulja,detained|2018-01|Ghulja\n"
GOOD_JSON = {"person": {"names": ["Aygul Tursun"], "birth_date": "1975"}, "events": [{"type": "detained", "date": "2018"}]}


def counts(registry):  # noqa: ANN001, ANN201
    """(persons, audit entries) — to show that nothing was written."""
    with registry.db.reading() as conn:
        return (conn.execute(select(func.count()).select_from(persons)).scalar_one(),
                conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def jsonl(*objects) -> str:  # noqa: ANN002
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


def person_by_name(registry, text: str) -> str:  # noqa: ANN001
    with registry.db.reading() as conn:
        return conn.execute(select(names.c.person_id).where(names.c.text == text)).scalar_one()


@pytest.mark.parametrize("fixture", ["people.csv", "people.jsonl"])
def test_valid_file_is_imported(registry, project, editor, fixture):  # noqa: ANN001
    report = import_file(registry, editor, DATA / fixture, project)
    assert (report.rows_read, report.persons_written, report.rejected, report.errors) == (3, 3, 0, [])
    aygul = person_view(registry, editor, person_by_name(registry, "Aygul Tursun"))
    assert {(n["text"], n["script"]) for n in aygul["names"]} == {
        ("Aygul Tursun", "Latn"), ("Айгүл Тұрсын", "Cyrl"), ("ئايگۈل تۇرسۇن", "Arab"), ("阿依古丽·吐尔逊", "Hani")}
    assert aygul["hometown"]["code"] == "654002" and aygul["birth_date"] == "1975~"
    assert aygul["resident_id"] == RESIDENT_ID and aygul["health"] == "diabetes"
    assert aygul["status"]["status"] == "camp"
    assert [e["type"] for e in aygul["events"]] == ["detained", "sent_to_camp"]
    assert aygul["events"][0]["facility"] == "Hotan County - I"
    testimony = aygul["testimonies"][0]
    assert (testimony["testifier"], testimony["contacts"], testimony["consent"], testimony["relation"]) == (
        "Dilnaz Tursun", CONTACTS, "anonymized", "sibling")
    assert "Current location: Ghulja camp" in testimony["summary"]
    assert "Detention reason: travel abroad" in testimony["summary"]
    erlan = person_view(registry, editor, person_by_name(registry, "Erlan Bekov"))
    assert {n["script"] for n in erlan["names"]} == {"Latn", "Cyrl"}  # detected
    assert erlan["age"] == {"years": 52, "at": "2019-05"} and erlan["citizenships"] == ["CN", "KZ"]
    assert erlan["status"]["status"] == "detention_center"
    ma_jun = person_view(registry, editor, person_by_name(registry, "Ma Jun"))
    assert ma_jun["status"]["status"] == "prison" and ma_jun["testimonies"] == []  # a news article, no testimony
    assert set(public_person_ids(registry)) == {aygul["id"], erlan["id"], ma_jun["id"]}


def test_confidential_values_are_not_stored_in_plaintext(registry, project, editor):  # noqa: ANN001
    import_file(registry, editor, DATA / "people.jsonl", project)
    with registry.db.reading() as conn:  # every row of every table, as a dump would hold it
        dump = repr([conn.execute(select(table)).all() for table in metadata.sorted_tables])
    raw = b"".join(p.read_bytes() for p in registry.folder.glob("registry.db*"))  # SQLite: the files themselves
    for secret in (RESIDENT_ID, CONTACTS, "Dilnaz Tursun", "travel abroad"):
        assert secret not in dump and secret.encode() not in raw


def _csv(row: str | bytes) -> tuple[str, bytes]:
    return "people.csv", (HEADER + GOOD).encode() + (row.encode() if isinstance(row, str) else row)


def _jsonl(line: str) -> tuple[str, bytes]:
    return "people.jsonl", (jsonl(GOOD_JSON) + line + "\n").encode()


BAD_INPUT = {
    "unterminated quote": (*_csv('"Erlan Bekov,male,1980,Nilka,\n'), "people.csv:3: malformed CSV"),
    "too many cells": (*_csv("Erlan Bekov,male,1980,Nilka,,extra\n"), "people.csv:3: the row has 6 cells but the header 5"),
    "cp1251 bytes": (*_csv("Айгуль Турсун,female,,,\n".encode("cp1251")),
                     f"people.csv:3: not UTF-8 (byte offset {len((HEADER + GOOD).encode())} in the file)"),
    "invalid EDTF": (*_csv("Erlan Bekov,male,2018-13,Nilka,\n"), "people.csv:3: person.birth_date: '2018-13' is not an EDTF date"),
    "invalid event EDTF": (*_csv("Erlan Bekov,male,,,detained|2018-02-30\n"),
                           "people.csv:3: events[0].date: '2018-02-30' is not an EDTF date"),
    "unknown event place": (*_csv("Erlan Bekov,male,,,detained|2018|Atlantis\n"),
                            "people.csv:3: events[0].place: unknown place 'Atlantis'"),
    "unknown hometown": (*_csv("Erlan Bekov,male,,Atlantis,\n"), "people.csv:3: person.hometown: unknown place 'Atlantis'"),
    "unknown facility": (*_csv("Erlan Bekov,male,,,detained|2018||BFN:99999\n"),
                         "people.csv:3: events[0].facility: unknown facility 'BFN:99999'"),
    "bad vocabulary": (*_csv("Erlan Bekov,robot,,,\n"), "people.csv:3: person.sex: 'robot' is not one of"),
    "event cell": (*_csv("Erlan Bekov,male,,,detained|2018|Nilka|x|y\n"),
                   "people.csv:3: events[0]: an event is `type|date|place|facility`"),
    "no letters in a name": (*_csv("\u0007\u202e,male,,,\n"), "people.csv:3: person.names[0].text: a name needs at least one letter"),
    "malformed JSON": (*_jsonl('{"person": {"names": ["Erlan Bekov"]}'), "people.jsonl:2: malformed JSON"),
    "not an object": (*_jsonl('["Erlan Bekov"]'), "people.jsonl:2: a line holds one JSON object"),
    "deep nesting": (*_jsonl("[" * 100_000), "people.jsonl:2: malformed JSON"),
    "unknown field": (*_jsonl(json.dumps({"person": {"names": ["Erlan"], "birthdate": "1980"}})),
                      "people.jsonl:2: person.birthdate: unknown field"),
    "wrong type": (*_jsonl(json.dumps({"person": {"names": "Erlan Bekov"}})), "people.jsonl:2: person.names: expected a list"),
    "JSON event EDTF": (*_jsonl(json.dumps({"person": {"names": ["Erlan"]}, "events": [{"type": "detained", "date": "2018-13"}]})),
                        "people.jsonl:2: events[0].date: '2018-13' is not an EDTF date"),
    "bad consent": (*_jsonl(json.dumps({"person": {"names": ["Erlan"]}, "testifier": {"consent": "public"}})),
                    "people.jsonl:2: testifier.consent: 'public' is not one of"),
    "no person": (*_jsonl(json.dumps({"events": [{"type": "detained"}]})), "people.jsonl:2: person: the row says nothing"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_names_file_line_field_and_writes_nothing(registry, project, editor, tmp_path, case):  # noqa: ANN001
    name, content, expected = BAD_INPUT[case]
    before = counts(registry)
    report = import_file(registry, editor, write(tmp_path / name, content), project)
    assert any(expected in str(e) for e in report.errors), [str(e) for e in report.errors]
    assert (report.persons_written, report.audit_seq, report.rejected) == (0, None, 1)
    assert counts(registry) == before


def test_errors_never_repeat_confidential_values(registry, project, editor, tmp_path):  # noqa: ANN001
    bad_id = RESIDENT_ID[:-1] + "1"  # wrong check digit
    path = write(tmp_path / "people.jsonl", jsonl(
        {"person": {"names": ["Erlan Bekov"], "resident_id": bad_id}},
        {"person": {"names": ["Erlan Bekov"]}, "testifier": {"name": "Saule Bekova", "contacts": "x" * 2001 + CONTACTS}}))
    report = import_file(registry, editor, path, project)
    text = "\n".join(str(e) for e in report.errors)
    assert "people.jsonl:1: person.resident_id: the check digit" in text
    assert "people.jsonl:2: testifier.contacts: longer than 2,000 characters" in text
    assert bad_id not in text and CONTACTS not in text and "Saule" not in text


def test_a_confidential_value_in_the_wrong_field_is_not_repeated(registry, project, editor, tmp_path):  # noqa: ANN001
    shifted = write(tmp_path / "people.csv", "person.names,testifier.relation,testifier.contacts,testifier.consent\n"
                                             f"Aygul Tursun,{CONTACTS},named\n")  # a missing cell shifts the rest left
    swapped = write(tmp_path / "people.jsonl", jsonl({"person": {"names": ["Aygul Tursun"], "birth_date": "Dilnaz Tursun"},
                                                      "testifier": {"name": "Dilnaz Tursun"}}))
    errors = [str(e) for path in (shifted, swapped) for e in import_file(registry, editor, path, project).errors]
    assert errors == [
        "people.csv:2: testifier.relation: (a value that looks confidential) is not one of: spouse, parent, child, "
        "sibling, relative, colleague",
        "people.jsonl:1: person.birth_date: '(a confidential value)' is not an EDTF date (examples: 2018-01, "
        "2017-07-30, 2016~, 2017/2018)"]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_50_mb_line_is_refused_without_holding_the_file(registry, project, editor, tmp_path, suffix):  # noqa: ANN001
    path = tmp_path / f"people.{suffix}"
    with path.open("w", encoding="utf-8") as out:
        if suffix == "csv":
            out.write(HEADER + GOOD + "Erlan Bekov,male,1980,Nilka,")
        else:
            out.write(jsonl(GOOD_JSON) + '{"person": {"names": ["Erlan Bekov"], "notes": "')
        for _ in range(50):
            out.write("a" * 1_000_000)
        out.write("\n" if suffix == "csv" else '"}}\n')
        out.write(GOOD if suffix == "csv" else jsonl(GOOD_JSON))
    before = counts(registry)
    tracemalloc.start()
    try:
        report = import_file(registry, editor, path, project)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_LINE  # the 50 MB line never sits in memory whole
    line = 3 if suffix == "csv" else 2
    assert [str(e) for e in report.errors] == [f"people.{suffix}:{line}: the line is longer than 5 MiB: refused"]
    assert counts(registry) == before
    report = import_file(registry, editor, path, project, skip_invalid=True)
    assert (report.rows_read, report.persons_written, report.rejected) == (3, 2, 1)


def test_control_and_bidi_characters_are_cleaned(registry, project, editor, tmp_path):  # noqa: ANN001
    path = write(tmp_path / "people.jsonl", jsonl({
        "person": {"names": ["Ali\u202eme\u0007t Tursun", "\u2066Айгүл\u2069 Тұрсын\u001b"], "occupation": "tea\u0000cher"},
        "testifier": {"name": "Dil\u202enaz", "consent": "named"}}))
    import_file(registry, editor, path, project)
    view = person_view(registry, editor, person_by_name(registry, "Alimet Tursun"))
    assert {n["text"] for n in view["names"]} == {"Alimet Tursun", "Айгүл Тұрсын"}
    assert view["occupation"] == "teacher" and view["testimonies"][0]["testifier"] == "Dilnaz"


def test_html_in_names_is_stored_as_literal_text(registry, project, editor, tmp_path):  # noqa: ANN001
    html = "<script>alert('x')</script> Aygul <b>Tursun</b> &amp;"
    path = write(tmp_path / "people.csv", f'person.names\n"{html.replace(";", chr(92) + ";")}"\n')
    assert import_file(registry, editor, path, project).persons_written == 1
    view = person_view(registry, editor, person_by_name(registry, html))
    assert view["names"][0]["text"] == html


def test_unknown_column_is_refused_before_any_row(registry, project, editor, tmp_path):  # noqa: ANN001
    path = write(tmp_path / "people.csv", "person.names,person.birthdate\nAygul Tursun,1975\n")
    with pytest.raises(InvalidInput, match=r"people.csv:1: unknown column 'person.birthdate'"):
        import_file(registry, editor, path, project)
    with pytest.raises(InvalidInput, match=r"people.txt: unknown file type"):
        import_file(registry, editor, write(tmp_path / "people.txt", GOOD), project)


def test_utf8_bom_and_crlf_are_read(registry, project, editor, tmp_path):  # noqa: ANN001
    path = write(tmp_path / "people.csv", b"\xef\xbb\xbf" + (HEADER + GOOD).replace("\n", "\r\n").encode())
    assert import_file(registry, editor, path, project).persons_written == 1


def test_skip_invalid_writes_valid_rows_and_a_rejected_file(registry, project, editor, tmp_path):  # noqa: ANN001
    path = write(tmp_path / "people.csv", HEADER + GOOD + "Erlan Bekov,male,2018-13,Nilka,\n" + GOOD.replace("Aygul", "Gulnar")
                 + "Nurlan Sadyk,male,,Atlantis,\n" + GOOD.replace("Aygul", "Bakyt"))
    rejected = tmp_path / "rejected.csv"
    report = import_file(registry, editor, path, project, skip_invalid=True, rejected_path=rejected)
    assert (report.rows_read, report.persons_written, report.rejected) == (5, 3, 2)
    assert stat.S_IMODE(os.stat(rejected).st_mode) == 0o600
    with rejected.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["error", *HEADER.strip().split(",")]
    assert rows[1][0].startswith("people.csv:3: person.birth_date: '2018-13' is not an EDTF date")
    assert rows[2] == ["people.csv:5: person.hometown: unknown place 'Atlantis' (give a division code or a name in "
                       "the gazetteer)", "Nurlan Sadyk", "male", "", "Atlantis", ""]
    assert counts(registry)[0] == 3
    again = import_file(registry, editor, rejected, project)  # the error column is ignored on import
    assert [e.field for e in again.errors] == ["person.birth_date", "person.hometown"]


def test_skip_invalid_jsonl_rejected_rows_keep_their_fields(registry, project, editor, tmp_path):  # noqa: ANN001
    path = write(tmp_path / "people.jsonl", jsonl(GOOD_JSON, {"person": {"names": ["Erlan"], "sex": "robot"}}) + "{oops\n")
    rejected = tmp_path / "rejected.jsonl"
    report = import_file(registry, editor, path, project, skip_invalid=True, rejected_path=rejected)
    assert (report.persons_written, report.rejected) == (1, 2)
    rows = [json.loads(line) for line in rejected.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["person"] == {"names": ["Erlan"], "sex": "robot"} and "people.jsonl:2: person.sex" in rows[0]["error"]
    assert rows[1] == {"error": rows[1]["error"], "text": "{oops\n"} and "people.jsonl:3: malformed JSON" in rows[1]["error"]


def test_one_import_entry_with_every_record_under_it(registry, project, editor):  # noqa: ANN001
    _, before = counts(registry)
    report = import_file(registry, editor, DATA / "people.jsonl", project)
    with registry.db.reading() as conn:
        entries = conn.execute(select(audit_log).where(audit_log.c.seq > before).order_by(audit_log.c.seq)).mappings().all()
        assert registry.audit.verify(conn) == []
        record_count = sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (persons, testimonies, events))
    top = [e for e in entries if e["parent_seq"] is None]
    assert [(e["seq"], e["action"]) for e in top] == [(report.audit_seq, "import")]
    assert json.loads(top[0]["change"]) == {"file": "people.jsonl"}
    children = entries[1:]
    assert all(e["parent_seq"] == report.audit_seq for e in children)
    summary = json.loads(children[-1]["change"])
    assert children[-1]["action"] == "import.summary"
    assert {k: summary[k] for k in ("rows", "persons", "rejected")} == {"rows": 3, "persons": 3, "rejected": 0}
    assert len(summary["fingerprint"]) == 64 and summary["fingerprint"] != hashlib.sha256(
        (DATA / "people.jsonl").read_bytes()).hexdigest()  # keyed: a copy of the file cannot confirm it
    assert [e["action"] for e in children[:-1]] == ["import.record"] * 3  # one entry per imported record (row)
    parts = [part for e in children[:-1] for part in json.loads(e["change"])["records"]]
    assert len([p for p in parts if p["action"] != "source.create"]) == record_count
    assert {p["action"] for p in parts} == {"source.create", "person.create", "event.add", "testimony.create"}
    text = " ".join(e["change"] or "" for e in entries)
    for secret in (RESIDENT_ID, CONTACTS, "Dilnaz Tursun"):
        assert secret not in text


def test_only_writers_of_the_project_may_import(registry, project, make_user):  # noqa: ANN001
    for actor in (make_user("researcher"), make_user("viewer"), make_user("editor", projects=[])):
        with pytest.raises(PermissionDenied):
            import_file(registry, actor, DATA / "people.csv", project)


def test_history_of_imported_records(registry, project, editor, make_user):
    import_file(registry, editor, DATA / "people.jsonl", project)
    with registry.db.reading() as conn:
        testimony_id, person_id = conn.execute(select(testimonies.c.id, testimony_subjects.c.person_id).join(
            testimony_subjects, testimony_subjects.c.testimony_id == testimonies.c.id)
            .where(testimonies.c.contacts_enc.is_not(None))).first()
    person_history = history(registry, editor, person_id)
    assert person_history[0]["action"] == "person.create"
    testimony_history = history(registry, editor, testimony_id)
    assert [e["action"] for e in testimony_history] == ["testimony.create"]
    assert testimony_history[0]["change"]["contacts"] == CONTACTS
    assert history(registry, make_user("researcher"), testimony_id)[0]["change"]["contacts"] == "[confidential]"


def _index_and_trigger_names(registry):  # noqa: ANN001, ANN202
    with registry.db.reading() as conn:
        if conn.dialect.name != "sqlite":
            return None
        return sorted(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL").scalars())


def test_a_large_import_sets_indexes_aside_and_rebuilds_them(registry, project, editor, tmp_path, monkeypatch):  # noqa: ANN001
    from testimonia.services import importing
    from testimonia.services.search import search_persons

    monkeypatch.setattr(importing, "BULK_MIN_BYTES", 1)  # any file counts as large
    before = _index_and_trigger_names(registry)
    rows = "".join(f"Aygul Tursun{i},female,1975,Ghulja,detained|2018-01|Ghulja\n" for i in range(50))
    report = import_file(registry, editor, write(tmp_path / "big.csv", HEADER + rows + "Serikzhan Bilash,male,1974,,\n"),
                         project)
    assert report.persons_written == 51
    assert _index_and_trigger_names(registry) == before  # every index and trigger is back
    # the full-text index holds the imported documents, phonetic tokens included
    assert len(search_persons(registry, editor, "Ghulja", limit=100)) == 50
    assert len(search_persons(registry, editor, "Серікжан Білаш")) == 1
    with registry.db.transaction() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            # FTS5 checks its index against the documents table, raising an error if they differ
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


def test_a_failed_large_import_leaves_indexes_and_rows_as_they_were(registry, project, editor, tmp_path, monkeypatch):  # noqa: ANN001
    from testimonia.services import importing

    monkeypatch.setattr(importing, "BULK_MIN_BYTES", 1)
    before_indexes, before_counts = _index_and_trigger_names(registry), counts(registry)
    bad = HEADER + GOOD * 20 + "Aygul Tursun,female,not-a-date,Ghulja,\n"
    report = import_file(registry, editor, write(tmp_path / "bad.csv", bad), project)
    assert report.rejected == 1 and report.persons_written == 0
    assert counts(registry) == before_counts
    assert _index_and_trigger_names(registry) == before_indexes


def test_an_import_leaves_planner_statistics(registry, project, editor, tmp_path):  # noqa: ANN001
    import_file(registry, editor, write(tmp_path / "one.csv", HEADER + GOOD), project)
    with registry.db.reading() as conn:
        if conn.dialect.name == "sqlite":
            stats = conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'persons'").scalar()
        else:
            stats = conn.exec_driver_sql("SELECT count(*) FROM pg_stats WHERE tablename = 'persons'").scalar()
    assert stats > 0


@pytest.mark.parametrize("bulk", [False, True])
def test_imported_persons_are_derived_as_a_later_refresh_derives_them(registry, project, editor, tmp_path,  # noqa: ANN001
                                                                      monkeypatch, bulk):
    """An import derives each new person's status, hidden flag and search document from the rows it
    collected (a bulk import has no indexes to look them up with); a refresh from the database must find
    the same, withdrawn testimonies' contributions left out of all three."""
    from testimonia.services import importing
    from testimonia.services.visibility import refresh_hidden
    from testimonia.services.writer import refresh_person
    from testimonia.store.schema import search_documents

    if bulk:
        monkeypatch.setattr(importing, "BULK_MIN_BYTES", 1)
    rows = []
    for i, consent in enumerate(["named", "withdrawn", "internal", "withdrawn", "anonymized"] * 4):
        rows.append({"person": {"names": [f"Ayzada Nurlanqyzy{i}"], "hometown": "Ghulja"},
                     "testifier": {"consent": consent},
                     "events": [{"type": "detained", "date": "2018-03", "place": "Nilka County"},
                                {"type": "sent_to_camp" if i % 2 else "released", "date": "2019"}]})
    import_file(registry, editor, write(tmp_path / "mixed.jsonl", jsonl(*rows)), project)

    def derived() -> dict:
        with registry.db.reading() as conn:
            return {row.id: tuple(row) for row in conn.execute(
                select(persons.c.id, persons.c.status, persons.c.status_event_id, persons.c.hidden,
                       search_documents.c.content).join(search_documents, search_documents.c.doc_id == persons.c.id))}

    at_import = derived()
    with registry.db.reading() as conn:
        number = {pid: int(text.removeprefix("Ayzada Nurlanqyzy"))
                  for pid, text in conn.execute(select(names.c.person_id, names.c.text))}
    hidden = {pid for pid, row in at_import.items() if row[3]}
    assert hidden == {pid for pid, i in number.items() if i % 5 in (1, 3)}  # named by a withdrawn testimony only
    assert all(row[1] is None and "Nurlanqyzy" not in row[4] and "Nilka" not in row[4]
               for pid, row in at_import.items() if pid in hidden)
    assert all(row[1] is not None and "Nurlanqyzy" in row[4] for pid, row in at_import.items() if pid not in hidden)
    with registry.db.transaction() as conn:
        for person_id in at_import:
            refresh_person(registry, conn, person_id)
        refresh_hidden(conn, sorted(at_import))
    assert derived() == at_import

