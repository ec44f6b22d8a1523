"""`export`: what each level contains, who may ask for it, the audit of confidential exports, FtM, round trip.

The case: four invented persons imported with testimonies under each consent, one of them withdrawn.
Exclusion is checked on the file's text, so no format can leak a known confidential string.
"""

import json
import os
import stat

import pytest
from followthemoney import model
from sqlalchemy import select

from testimonia.services import records
from testimonia.services.access import SYSTEM
from testimonia.services.auditing import confidential_readers
from testimonia.services.errors import PermissionDenied, ServiceError
from testimonia.services.exporting import export
from testimonia.services.importing import import_file
from testimonia.services.inputs import EventInput, NameInput, PersonInput, TestimonyInput
from testimonia.services.users import create_project
from testimonia.services.views import person_view
from testimonia.store.schema import audit_log, names, testimonies, testimony_subjects

R_AYGUL, R_ERLAN = "654002197503040020", "654028196708150038"  # invented; check digits valid
CONTACTS = ("+7 701 555 0142", "+7 700 000 4471", "saule.example@example.org", "+7 702 999 0000")
HIDDEN_TESTIFIERS = ("Dilnaz Tursun", "Gulnar Omar", "Withdrawn Testifier")
ROWS = [
    {"person": {"names": ["Aygul Tursun", "阿依古丽·吐尔逊"], "sex": "female", "ethnicity": "uyghur", "birth_date": "1975",
                "hometown": "Ghulja", "resident_id": R_AYGUL, "health": "diabetes", "notes": "private note 5521"},
     "testifier": {"name": "Dilnaz Tursun", "relation": "sibling", "contacts": CONTACTS[0], "consent": "anonymized"},
     "testimony": {"medium": "video", "date": "2019-03-02", "summary": "Lost contact in January 2018.",
                   "notes": "met at the bazaar"},
     "events": [{"type": "detained", "date": "2018-01", "place": "Ghulja", "facility": "BFN:109"},
                {"type": "sent_to_camp", "date": "2018-03", "place": "Ghulja"}]},
    {"person": {"names": ["Bakyt Omar"], "sex": "male"},
     "testifier": {"name": "Gulnar Omar", "relation": "spouse", "contacts": CONTACTS[1], "consent": "internal"},
     "events": [{"type": "detained", "date": "2017"}]},
    {"person": {"names": ["Erlan Bekov", "Ерлан Беков"], "sex": "male", "ethnicity": "kazakh", "age": 52, "age_at": "2019-05",
                "hometown": "Nilka", "resident_id": R_ERLAN},
     "testifier": {"name": "Saule Bekova", "relation": "spouse", "contacts": CONTACTS[2], "consent": "named"},
     "testimony": {"medium": "in_person", "date": "2019-05-20"},
     "events": [{"type": "passport_confiscated", "date": "2017-11", "place": "Nilka"}]},
    {"person": {"names": ["Dana Withdrawn"], "sex": "female"},
     "testifier": {"name": "Withdrawn Testifier", "contacts": CONTACTS[3], "consent": "anonymized"}},
]


def _person(registry, text: str) -> str:  # noqa: ANN001
    with registry.db.reading() as conn:
        return conn.execute(select(names.c.person_id).where(names.c.text == text)).scalar_one()


def _testimony(registry, person_id: str) -> str:  # noqa: ANN001
    with registry.db.reading() as conn:
        return conn.execute(select(testimony_subjects.c.testimony_id)
                            .where(testimony_subjects.c.person_id == person_id)).scalar_one()


@pytest.fixture
def case(registry, project, editor, tmp_path):  # noqa: ANN001, ANN201
    path = tmp_path / "case.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    assert import_file(registry, editor, path, project).persons_written == 4
    ids = {name: _person(registry, name) for name in ("Aygul Tursun", "Bakyt Omar", "Erlan Bekov", "Dana Withdrawn")}
    records.set_consent(registry, editor, _testimony(registry, ids["Dana Withdrawn"]), "withdrawn")
    records.add_relation(registry, editor, ids["Aygul Tursun"], "spouse", ids["Erlan Bekov"])
    return ids


def _export(registry, actor, tmp_path, fmt="jsonl", level="public"):  # noqa: ANN001, ANN202
    out = tmp_path / f"out.{level}.{fmt}"
    count = export(registry, actor, out, fmt, level)
    return count, out.read_text(encoding="utf-8")


def _ids(text: str) -> set[str]:
    return {json.loads(line)["ids"]["person"] for line in text.splitlines()}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "ftm"])
def test_public_export_holds_only_what_consent_allows(registry, case, make_user, tmp_path, fmt):  # noqa: ANN001
    count, text = _export(registry, make_user("volunteer"), tmp_path, fmt)
    assert count == 2
    assert "Aygul Tursun" in text and "Erlan Bekov" in text and "Saule Bekova" in text  # named testifier
    for hidden in ("Bakyt Omar", "Dana Withdrawn", R_AYGUL, R_ERLAN, *CONTACTS, *HIDDEN_TESTIFIERS,
                   "diabetes", "private note", "Lost contact", "met at the bazaar", "sibling"):
        assert hidden not in text, hidden


def test_public_jsonl_record_shape(registry, case, admin, tmp_path):  # noqa: ANN001
    _, text = _export(registry, admin, tmp_path)
    assert _ids(text) == {case["Aygul Tursun"], case["Erlan Bekov"]}
    aygul = next(r for r in map(json.loads, text.splitlines()) if r["ids"]["person"] == case["Aygul Tursun"])
    assert aygul["status"]["status"] == "camp"
    assert aygul["person"]["hometown"] == "654002" and aygul["person"]["birth_date"] == "1975"
    assert [(e["type"], e["date"], e.get("facility")) for e in aygul["events"]] == [
        ("detained", "2018-01", "BFN:109"), ("sent_to_camp", "2018-03", None)]
    assert aygul["testimonies"] == [{"ids": {"testimony": _testimony(registry, case["Aygul Tursun"])}}]
    assert aygul["relations"] == [{"type": "spouse", "other": case["Erlan Bekov"]}]
    with registry.db.reading() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "export")).mappings().one()
    assert (entry["actor"], json.loads(entry["change"])) == (
        "admin", {"file": "out.public.jsonl", "format": "jsonl", "level": "public", "records": 2})


def test_an_unwritable_path_is_a_clear_error(registry, case, editor, tmp_path):  # noqa: ANN001
    with pytest.raises(ServiceError, match="cannot write .*no-such-folder"):
        export(registry, editor, tmp_path / "no-such-folder" / "out.csv", "csv")


def test_researcher_gets_internal_but_not_confidential(registry, case, make_user, tmp_path):  # noqa: ANN001
    researcher = make_user("researcher")
    count, text = _export(registry, researcher, tmp_path, "jsonl", "internal")
    assert count == 3 and _ids(text) == {case["Aygul Tursun"], case["Bakyt Omar"], case["Erlan Bekov"]}
    assert "diabetes" in text and "Lost contact in January 2018." in text and "sibling" in text
    for hidden in ("Dana Withdrawn", R_AYGUL, R_ERLAN, *CONTACTS, *HIDDEN_TESTIFIERS, "private note", "met at the bazaar"):
        assert hidden not in text, hidden
    with pytest.raises(PermissionDenied):
        export(registry, researcher, tmp_path / "no.jsonl", "jsonl", "confidential")
    assert not (tmp_path / "no.jsonl").exists()


@pytest.mark.parametrize("role", ["volunteer", "viewer"])
def test_volunteer_and_viewer_may_not_ask_for_more_than_public(registry, case, make_user, tmp_path, role):  # noqa: ANN001
    actor = make_user(role)
    for level in ("internal", "confidential"):
        with pytest.raises(PermissionDenied, match=f"your role \\({role}\\) may not see {level} fields"):
            export(registry, actor, tmp_path / "no.jsonl", "csv", level)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.jsonl", "data"]


def test_confidential_export_is_audited_without_values(registry, case, editor, admin, tmp_path):  # noqa: ANN001
    count, text = _export(registry, editor, tmp_path, "jsonl", "confidential")
    assert count == 3
    for value in (R_AYGUL, R_ERLAN, *CONTACTS[:3], *HIDDEN_TESTIFIERS[:2], "private note 5521", "met at the bazaar"):
        assert value in text
    assert "Dana Withdrawn" not in text and CONTACTS[3] not in text  # withdrawn: out of every export
    with registry.db.reading() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "export.confidential")).mappings().one()
        assert registry.audit.verify(conn) == []
    aygul, testimony = case["Aygul Tursun"], _testimony(registry, case["Aygul Tursun"])
    change = json.loads(entry["change"])
    assert entry["actor"] == "editor" and change["records"] == 3 and change["file"] == "out.confidential.jsonl"
    assert {f"person.{aygul}.resident_id", f"person.{aygul}.notes", f"testimony.{testimony}.testifier",
            f"testimony.{testimony}.contacts", f"testimony.{testimony}.notes"} <= set(change["fields"])
    assert not any("Saule" in f or f.endswith(f"{_testimony(registry, case['Erlan Bekov'])}.testifier")
                   for f in change["fields"])  # a named testifier is not confidential
    for value in (R_AYGUL, R_ERLAN, *CONTACTS, *HIDDEN_TESTIFIERS, "private note"):
        assert value not in entry["change"]
    assert [r["action"] for r in confidential_readers(registry, admin, testimony)] == ["export.confidential"]


def test_export_file_is_private_and_left_whole(registry, case, editor, tmp_path):  # noqa: ANN001
    _export(registry, editor, tmp_path, "csv", "confidential")
    out = tmp_path / "out.confidential.csv"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.jsonl", "data", "out.confidential.csv"]


def test_ftm_entities_load_and_link(registry, case, editor, tmp_path):  # noqa: ANN001
    _, public = _export(registry, editor, tmp_path, "ftm")
    proxies = [model.get_proxy(json.loads(line)) for line in public.splitlines()]
    by_schema: dict[str, list] = {}
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    people = {p.first("name"): p for p in by_schema["Person"]}
    assert {"Aygul Tursun", "Erlan Bekov", "Saule Bekova"} <= set(people)
    aygul, erlan = people["Aygul Tursun"], people["Erlan Bekov"]
    assert aygul.get("gender") == ["female"] and aygul.get("birthDate") == ["1975"] and aygul.get("ethnicity") == ["Uyghur"]
    assert "阿依古丽·吐尔逊" in aygul.get("name") and aygul.get("status") == ["camp"] and aygul.get("country") == ["cn"]
    assert not aygul.get("idNumber")
    family = [({f.first("person"), f.first("relative")}, f.first("relationship")) for f in by_schema["Family"]]
    assert family == [({aygul.id, erlan.id}, "spouse")]  # once, though both records list it
    assert {e.first("name") for e in by_schema["Event"]} == {"Detained", "Sent to camp", "Passport confiscated"}
    assert aygul.first("addressEntity") in {a.id for a in by_schema["Address"]}
    _, confidential = _export(registry, editor, tmp_path, "ftm", "confidential")
    people = {p.first("name"): p for p in (model.get_proxy(json.loads(line)) for line in confidential.splitlines())
              if p.schema.name == "Person"}
    assert people["Aygul Tursun"].get("idNumber") == [R_AYGUL] and "Dilnaz Tursun" in people


def test_confidential_jsonl_imports_again(registry, project, case, make_user, tmp_path):  # noqa: ANN001
    second = create_project(registry, SYSTEM, "case group B")
    editor = make_user("editor", projects=[project, second])
    _, text = _export(registry, editor, tmp_path, "jsonl", "confidential")
    report = import_file(registry, editor, tmp_path / "out.confidential.jsonl", second)
    assert (report.persons_written, report.errors) == (3, [])
    copies = {line["person"]["names"][0]["text"]: line for line in map(json.loads, text.splitlines())}
    assert set(copies) == {"Aygul Tursun", "Bakyt Omar", "Erlan Bekov"}  # full names first, Latin first
    _, again = _export(registry, editor, tmp_path, "jsonl", "confidential")
    for line in map(json.loads, again.splitlines()):
        if line["ids"]["person"] in case.values():
            continue
        original = copies[line["person"]["names"][0]["text"]]
        assert line["person"] == original["person"]
        assert [{k: v for k, v in e.items() if k != "id"} for e in line["events"]] == \
               [{k: v for k, v in e.items() if k != "id"} for e in original["events"]]
        assert [{k: t[k] for k in ("testifier", "testimony") if k in t} for t in line["testimonies"]] == \
               [{k: t[k] for k in ("testifier", "testimony") if k in t} for t in original["testimonies"]]
        assert line["status"]["status"] == original["status"]["status"]


def test_status_from_a_withdrawn_testimony_is_not_exported(registry, project, editor, tmp_path):  # noqa: ANN001
    pid = records.add_person(registry, editor, project, PersonInput(names=[NameInput("Nurlan Sadyk")]))
    kept = records.add_testimony(registry, editor, project, TestimonyInput(consent="anonymized"), [pid])
    gone = records.add_testimony(registry, editor, project, TestimonyInput(consent="anonymized"), [pid])
    with registry.db.reading() as conn:
        source = dict(conn.execute(select(testimonies.c.id, testimonies.c.source_id)).all())
    records.add_event(registry, editor, pid, EventInput("detained", "2017"), source[kept])
    records.add_event(registry, editor, pid, EventInput("sent_to_camp", "2018"), source[gone])
    records.set_consent(registry, editor, gone, "withdrawn")
    assert person_view(registry, editor, pid)["status"]["status"] == "detained"  # re-derived without the hidden event
    _, text = _export(registry, editor, tmp_path)
    line = json.loads(text)
    assert line["status"]["status"] == "detained" and [e["type"] for e in line["events"]] == ["detained"]
    assert [t["ids"]["testimony"] for t in line["testimonies"]] == [kept]


def test_actors_export_only_their_projects(registry, case, make_user, tmp_path):  # noqa: ANN001
    elsewhere = create_project(registry, SYSTEM, "case group C")
    assert _export(registry, make_user("researcher", projects=[elsewhere]), tmp_path, "jsonl", "internal")[0] == 0


def test_csv_cells_are_not_spreadsheet_formulas_and_import_again(registry, project, editor, tmp_path):  # noqa: ANN001
    records.add_testimony(registry, editor, project, TestimonyInput("Named Testifier", consent="named"), [
        records.add_person(registry, editor, project, PersonInput(names=[NameInput("=HYPERLINK(\"x\") Aygul")]))])
    _, text = _export(registry, editor, tmp_path, "csv")
    assert "'=HYPERLINK" in text
    report = import_file(registry, editor, tmp_path / "out.public.csv", project)
    assert report.persons_written == 1
    with registry.db.reading() as conn:
        assert conn.execute(select(names.c.text).where(names.c.text.like("%HYPERLINK%"))).scalars().all() == [
            '=HYPERLINK("x") Aygul'] * 2
