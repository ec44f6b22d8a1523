"""Linking over the registry: proposals with reasons, decisions respected, resumable runs — SQLite and PostgreSQL.

People: the published names of public figures (Serikzhan Bilash, Rahile Dawut) and invented ones.
"""

import json

import pytest
from sqlalchemy import func, select, update

from testimonia.domain.prc_id import check_character
from testimonia.linking import engine
from testimonia.services import linking, merging, records
from testimonia.services.errors import PermissionDenied
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.store.schema import audit_log, link_runs, match_proposals


def resident_id(first17: str) -> str:
    return first17 + check_character(first17)


def person(registry, actor, project, *names, **fields):
    return records.add_person(registry, actor, project, PersonInput(names=[NameInput(n) for n in names], **fields))


@pytest.fixture
def people(registry, editor, project):
    p = lambda *names, **fields: person(registry, editor, project, *names, **fields)  # noqa: E731
    return {
        "bilash_en": p("Serikzhan Bilash", birth_date="1974", hometown="654028", sex="male"),
        "bilash_ru": p("Серикжан Билаш", age_years=45, age_at="2019-05", sex="male"),
        "bilash_zh": p("Saierkejian Bilaixi", hometown="654028"),
        "dawut_en": p("Rahile Dawut", birth_date="1966", sex="female"),
        "dawut_ug": p("راھىلە داۋۇت", sex="female"),
        "bekov": p("Erlan Bekov", birth_date="1980", sex="male"),
        "omar": p("Gulnar Omar", birth_date="1990", sex="female"),
    }


def pairs_in(groups):
    return {(pair["a"], pair["b"]) for group in groups for pair in group["pairs"]}


def pair(a, b):
    return tuple(sorted((a, b)))


def test_proposes_one_person_across_scripts_with_reasons(registry, editor, people):
    report = linking.run(registry, editor)
    assert report.persons == 7 and report.proposed == 4 and report.trained == []  # 7 persons: the priors stand
    groups = linking.queue(registry, editor)
    assert pairs_in(groups) == {pair(people["bilash_en"], people["bilash_ru"]),
                                pair(people["bilash_en"], people["bilash_zh"]),
                                pair(people["bilash_ru"], people["bilash_zh"]),
                                pair(people["dawut_en"], people["dawut_ug"])}
    three = next(g for g in groups if len(g["persons"]) == 3)  # a cluster of three is shown together
    assert set(three["persons"]) == {people["bilash_en"], people["bilash_ru"], people["bilash_zh"]}
    latin_cyrillic = next(p for p in three["pairs"] if {p["a"], p["b"]} == {people["bilash_en"], people["bilash_ru"]})
    reasons = {r["field"]: r for r in latin_cyrillic["reasons"]}
    assert reasons["names"]["level"] == "agree" and reasons["names"]["weight"] > 0
    assert reasons["birth"]["level"] == "agree"  # born 1974 = 45 years old in May 2019
    assert reasons["hometown"]["verdict"] == "missing" and reasons["resident_id"]["verdict"] == "missing"
    assert latin_cyrillic["probability"] > 0.9


def test_reasons_are_stored_as_levels_and_a_run_that_stored_them_in_words_is_shown_as_stored(registry, editor, people):
    report = linking.run(registry, editor)
    with registry.db.transaction() as conn:
        stored = [json.loads(text) for text in conn.execute(select(match_proposals.c.reasons)).scalars()]
        fields = list(json.loads(conn.execute(select(link_runs.c.report)).scalar())["levels"])
        assert len(stored) == report.proposed and all(len(reasons) == len(fields) for reasons in stored)
        assert all(isinstance(level, int) and isinstance(weight, float) for reasons in stored for level, weight in reasons)
        words = [{"field": "names", "level": "agree", "verdict": "agrees", "weight": 5.0}]  # as runs before wrote them
        conn.execute(update(match_proposals).values(reasons=json.dumps(words)))
        conn.execute(update(link_runs).values(report=json.dumps({"proposed": report.proposed})))
    shown = [p["reasons"] for g in linking.queue(registry, editor) for p in g["pairs"]]
    assert len(shown) == report.proposed and all(reasons == words for reasons in shown)


def test_a_different_resident_id_counts_against_and_the_same_one_for(registry, editor, project):
    same_a = person(registry, editor, project, "Nurlan Sadyk", birth_date="1970", resident_id=resident_id("65402819700101123"))
    same_b = person(registry, editor, project, "Нурлан Садык", birth_date="1970", resident_id=resident_id("65402819700101123"))
    other = person(registry, editor, project, "Nurlan Sadyq", birth_date="1970", resident_id=resident_id("65402819700101456"))
    linking.run(registry, editor)
    scored = {(p["a"], p["b"]): p for g in linking.queue(registry, editor) for p in g["pairs"]}
    assert pair(same_a, same_b) in scored
    assert pair(same_a, other) not in scored and pair(same_b, other) not in scored


def test_not_same_is_not_proposed_again_until_new_evidence(registry, editor, people):
    linking.run(registry, editor)
    a, b = people["dawut_en"], people["dawut_ug"]
    linking.decide(registry, editor, a, b, "not_same", "two women of that name; checked with the family")
    assert pair(a, b) not in pairs_in(linking.queue(registry, editor))
    report = linking.run(registry, editor)
    assert report.held_by_decisions >= 1
    assert pair(a, b) not in pairs_in(linking.queue(registry, editor))
    records.add_name(registry, editor, b, NameInput("热依拉·达吾提"))  # new evidence
    linking.run(registry, editor)
    back = [p for g in linking.queue(registry, editor) for p in g["pairs"] if (p["a"], p["b"]) == pair(a, b)]
    assert back and back[0]["decision"] == "not_same"
    assert any("热依拉·达吾提" in line for line in back[0]["new"])


def test_not_same_inside_a_cluster_splits_it(registry, editor, people):
    linking.run(registry, editor)
    en, ru, zh = people["bilash_en"], people["bilash_ru"], people["bilash_zh"]
    assert any({en, ru, zh} <= set(g["persons"]) for g in linking.queue(registry, editor))
    linking.decide(registry, editor, ru, zh, "not_same")
    linking.run(registry, editor)
    groups = linking.queue(registry, editor)
    assert not any({ru, zh} <= set(g["persons"]) for g in groups)
    assert any(en in g["persons"] for g in groups)  # the Latin form still goes with one of them


def test_decisions_are_an_audited_append_only_log(registry, editor, people):
    linking.run(registry, editor)
    a, b = people["bilash_en"], people["bilash_ru"]
    linking.decide(registry, editor, a, b, "unsure")
    linking.decide(registry, editor, b, a, "same", "same birth year and photo")
    groups = linking.queue(registry, editor, include_decided=True)
    decided = next(p for g in groups for p in g["pairs"] if (p["a"], p["b"]) == pair(a, b))
    assert decided["decision"] == "same"  # the latest counts
    with registry.db.reading() as conn:
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.action.like("match.%"))).scalars().all()
        assert actions == ["match.decide", "match.decide"]
        assert registry.audit.verify(conn) == []


def test_changed_only_compares_new_persons_with_everyone(registry, editor, project, people):
    linking.run(registry, editor)
    newcomer = person(registry, editor, project, "Rahile Davut", birth_date="1966")
    report = linking.run(registry, editor, changed_only=True)
    assert report.changed == 1
    with registry.db.reading() as conn:
        latest = conn.execute(select(link_runs.c.id).order_by(link_runs.c.started_at.desc())).scalars().first()
        new_pairs = set(conn.execute(select(match_proposals.c.person_a, match_proposals.c.person_b)
                                     .where(match_proposals.c.run_id == latest)).all())
    assert new_pairs and all(newcomer in p for p in new_pairs)
    assert pair(newcomer, people["dawut_en"]) in new_pairs


class Killed(BaseException):
    """What the process sees of a kill, as far as it sees anything (an exception that is not an error)."""


def test_a_killed_run_writes_nothing_and_resumes(registry, editor, project, people, monkeypatch):
    clean = linking.run(registry, editor)
    person(registry, editor, project, "Aigerim Nurlanovna")
    expected = pairs_in(linking.queue(registry, editor))
    monkeypatch.setattr(linking, "CHUNK_PERSONS", 3)  # 8 persons: 3 chunks
    original = engine.predict_chunk

    calls = {"n": 0}

    def killed_after_one(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "predict_chunk", killed_after_one)
    with pytest.raises(Killed):
        linking.run(registry, editor, workers=1)  # in this process, where the kill is patched in
    with registry.db.reading() as conn:
        state = conn.execute(select(link_runs.c.state).order_by(link_runs.c.started_at.desc())).scalars().first()
        assert state == "running"
        assert conn.execute(select(func.count()).select_from(match_proposals)).scalar() == clean.proposed
    monkeypatch.setattr(engine, "predict_chunk", original)
    resumed = linking.run(registry, editor)
    assert resumed.resumed and calls["n"] == 2
    assert pairs_in(linking.queue(registry, editor)) == expected
    assert not list((registry.folder / "linking").glob("*.duckdb"))  # the work file is gone


def test_a_run_killed_under_other_blocking_rules_starts_again(registry, editor, people, monkeypatch):
    monkeypatch.setattr(linking, "CHUNK_PERSONS", 3)
    original_rules, original_predict = engine.blocking_rules, engine.predict_chunk

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(engine, "blocking_rules", lambda changed_only: list(reversed(original_rules(changed_only))))
    monkeypatch.setattr(engine, "predict_chunk", killed)
    with pytest.raises(Killed):
        linking.run(registry, editor, workers=1)
    monkeypatch.setattr(engine, "blocking_rules", original_rules)
    monkeypatch.setattr(engine, "predict_chunk", original_predict)
    again = linking.run(registry, editor, workers=1)
    assert not again.resumed
    with registry.db.reading() as conn:
        assert conn.execute(select(link_runs.c.state).order_by(link_runs.c.started_at)).scalars().all() == ["failed", "done"]


def test_a_run_reports_each_stage_as_it_ends(registry, editor, people):
    seen = []

    def progress(stage, total):
        seen.append(("start", stage, total))
        return lambda: seen.append(("tick", stage))

    linking.run(registry, editor, progress=progress)
    stages = ["reading the registry", "training the model", "scoring candidate pairs",
              "scoring pairs inside clusters",  # the Dawut forms make a cluster of three
              "clustering and writing proposals"]
    assert [s[1] for s in seen if s[0] == "start"] == stages
    assert [s[1] for s in seen if s[0] == "tick"] == stages  # one chunk: every stage ticks once, in turn


def proposals_of(registry, run_id):
    with registry.db.reading() as conn:
        return {(row.person_a, row.person_b): (row.probability, row.weight, row.cluster is not None, row.reasons)
                for row in conn.execute(select(match_proposals).where(match_proposals.c.run_id == run_id))}


def test_worker_processes_score_the_same_pairs_as_one_process(registry, editor, project, people, monkeypatch):
    person(registry, editor, project, "Aigerim Nurlanovna")
    monkeypatch.setattr(linking, "CHUNK_PERSONS", 3)  # 8 persons: 3 chunks
    alone = linking.run(registry, editor, workers=1)

    def not_here(*args):
        raise AssertionError("scored in the parent process")

    monkeypatch.setattr(engine, "in_turn", not_here)
    monkeypatch.setattr(linking, "within_components", not_here)  # the pairs inside clusters too (the Dawut forms)
    shared = linking.run(registry, editor, workers=2)
    assert proposals_of(registry, shared.run_id) == proposals_of(registry, alone.run_id)
    assert pair(people["bilash_en"], people["bilash_zh"]) in proposals_of(registry, shared.run_id)
    assert not list((registry.folder / "linking").iterdir())  # neither the work file nor its Parquet copy is left


def test_a_run_killed_while_workers_score_resumes_from_their_finished_chunks(registry, editor, project, people,
                                                                             monkeypatch):
    person(registry, editor, project, "Aigerim Nurlanovna")
    monkeypatch.setattr(linking, "CHUNK_PERSONS", 3)
    clean = linking.run(registry, editor, workers=1)
    saved, original = [], linking.WorkFile.save_chunk

    def killed_after_one(self, number, rows):
        if saved:
            raise Killed
        saved.append(number)
        original(self, number, rows)

    monkeypatch.setattr(linking.WorkFile, "save_chunk", killed_after_one)
    with pytest.raises(Killed):
        linking.run(registry, editor, workers=2)
    monkeypatch.setattr(linking.WorkFile, "save_chunk", original)
    scored, predict = [], engine.predict_chunk

    def watched(linker, i, n):
        scored.append(i)
        return predict(linker, i, n)

    monkeypatch.setattr(engine, "predict_chunk", watched)
    resumed = linking.run(registry, editor, workers=1)  # the rest in this process, where it can be watched
    assert resumed.resumed and sorted(saved + scored) == [1, 2, 3]
    assert proposals_of(registry, resumed.run_id) == proposals_of(registry, clean.run_id)


def test_a_failure_while_writing_leaves_no_proposals(registry, editor, people, monkeypatch):
    def broken(conn, run_id, pairs, *rest):
        first = pairs.slice(0, 1).to_pylist()[0]
        conn.execute(match_proposals.insert().values(id="m_x", run_id=run_id, person_a=first["a"], person_b=first["b"],
                                                     probability=1, weight=1, evidence="", reasons="[]", features="{}"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(linking, "_write_proposals", broken)
    with pytest.raises(RuntimeError):
        linking.run(registry, editor)
    with registry.db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(match_proposals)).scalar() == 0


def test_hard_cases_have_defined_behaviour(registry, editor, project):
    nameless = person(registry, editor, project, birth_date="1960", hometown="654028",
                      resident_id=resident_id("65402819600101123"))
    id_twin = person(registry, editor, project, "Qasym Tursyn", resident_id=resident_id("65402819600101123"))
    han_only = person(registry, editor, project, "热依拉·达吾提")
    latin = person(registry, editor, project, "Rahile Dawut")
    for i in range(12):  # a common name: one block key shared by more persons than the block limit
        person(registry, editor, project, f"Muhammad {['Ali', 'Hasan', 'Tursun', 'Omar'][i % 4]}",
               birth_date=str(1950 + i))
    report = linking.run(registry, editor, max_block=5)
    assert report.blocking.persons_without_names == 1
    assert report.blocking.keys_skipped >= 1 and report.blocking.largest_skipped[0][0] == 12
    found = pairs_in(linking.queue(registry, editor))
    assert pair(nameless, id_twin) in found  # found through the resident ID alone
    assert pair(han_only, latin) in found


def test_who_may_link_decide_and_see(registry, editor, make_user, people):
    volunteer, researcher = make_user("volunteer"), make_user("researcher")
    outsider = make_user("editor", "other-editor", projects=[])
    with pytest.raises(PermissionDenied):
        linking.run(registry, volunteer)
    linking.run(registry, editor)
    assert linking.queue(registry, researcher)  # researchers read the queue
    with pytest.raises(PermissionDenied):
        linking.decide(registry, researcher, people["bilash_en"], people["bilash_ru"], "same")
    assert linking.queue(registry, outsider) == []  # pairs of a project one is not a member of stay hidden
    with pytest.raises(PermissionDenied):
        linking.decide(registry, outsider, people["bilash_en"], people["bilash_ru"], "same")


def test_what_a_withdrawn_testimony_gave_does_not_link_nor_name_a_proposal(registry, editor, project):
    from testimonia.services.inputs import SourceInput, TestimonyInput

    latin = person(registry, editor, project, "Erlan Bekov", birth_date="1980", sex="male")
    other = person(registry, editor, project, "Dilnur Asqar", birth_date="1980", sex="male")
    told = records.add_source(registry, editor, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, editor, project, TestimonyInput("His wife"), [other], told)
    records.add_name(registry, editor, other, NameInput("Ерлан Беков"), told)  # the same man, says the testimony
    with registry.db.reading() as conn:
        assert "Ерлан Беков" in next(r for r in linking.read_records(conn, editor) if r.id == other).names
    records.set_consent(registry, editor, tid, "withdrawn")
    with registry.db.reading() as conn:
        record = next(r for r in linking.read_records(conn, editor) if r.id == other)
    assert record.names == ("Dilnur Asqar",) and not any("RLN" in key for key in record.name_keys)
    linking.run(registry, editor)
    assert pair(latin, other) not in pairs_in(linking.queue(registry, editor))


def test_reading_records_binds_no_withdrawn_source_id(registry, editor, project):
    """Withdrawn sources are left out by a subquery, not bound one by one: a large registry has more of
    them than a statement may bind (PostgreSQL: 65,535), and linking would fail."""
    from sqlalchemy import event

    from testimonia.services.inputs import SourceInput, TestimonyInput

    withdrawn = set()
    for number in range(3):
        told = records.add_source(registry, editor, project, SourceInput("testimony"))
        someone = person(registry, editor, project, f"Invented Person{number}", birth_date="1980")
        tid = records.add_testimony(registry, editor, project, TestimonyInput("A neighbour"), [someone], told)
        records.add_name(registry, editor, someone, NameInput(f"Withdrawn Name{number}"), told)
        records.set_consent(registry, editor, tid, "withdrawn")
        withdrawn.add(told)
    bound = []

    def capture(conn, cursor, sql, parameters, context, many):  # noqa: ANN001, ANN202
        bound.extend(parameters.values() if isinstance(parameters, dict) else parameters)
    event.listen(registry.db.engine, "before_cursor_execute", capture)
    try:
        with registry.db.reading() as conn:
            found = linking.read_records(conn, editor)
    finally:
        event.remove(registry.db.engine, "before_cursor_execute", capture)
    assert len(found) == 3 and not any("Withdrawn" in name for r in found for name in r.names)
    assert not withdrawn & set(bound)


def test_reading_records_gives_each_person_only_their_own_names_keys_and_events(registry, editor, admin, project):
    """Names, keys and events are read by scanning their tables: each row must reach its own person, in
    the order the names were given, and an editor reads only the projects they belong to."""
    from testimonia.services.inputs import EventInput
    from testimonia.services.users import create_project
    from testimonia.store.schema import facilities

    elsewhere = create_project(registry, admin, "case group B")
    with registry.db.reading() as conn:
        facility = conn.execute(select(facilities.c.id).limit(1)).scalar()
    mine = person(registry, editor, project, "Erlan Bekov", "Ерлан Беков", birth_date="1980")
    records.add_event(registry, editor, mine, EventInput("detained", "2017-12", "654028", facility))
    theirs = person(registry, admin, elsewhere, "Dilnur Asqar", birth_date="1981")
    records.add_event(registry, admin, theirs, EventInput("house_arrest", "2019-03", "654002"))
    absorbed = person(registry, editor, project, "Ерлан Беков")
    merging.merge(registry, editor, [mine, absorbed])
    with registry.db.reading() as conn:
        by_editor = {r.id: r for r in linking.read_records(conn, editor)}
        by_admin = {r.id: r for r in linking.read_records(conn, admin)}
    assert set(by_editor) == {mine} and set(by_admin) == {mine, theirs}  # not the merged-away person
    assert by_editor[mine] == by_admin[mine]
    assert by_admin[mine].names == ("Erlan Bekov", "Ерлан Беков")
    assert by_admin[mine].facilities == (facility,) and by_admin[mine].places == ("654028",)
    assert by_admin[theirs].names == ("Dilnur Asqar",) and by_admin[theirs].places == ("654002",)
    assert by_admin[theirs].facilities == ()
    assert set(by_admin[mine].name_keys).isdisjoint(by_admin[theirs].name_keys)
