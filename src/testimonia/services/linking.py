"""Link the registry's persons: propose matches, keep reviewers' decisions, show the review queue.

A run reads what linking compares of every active person (linking/records.py), lets splink score and
cluster the candidate pairs (linking/engine.py) and writes the proposals in one transaction. Its
working state (the compared records, the trained model, each scored chunk) lives in a DuckDB file in
the data folder, `linking/<run>.duckdb`, so a killed run resumes where it stopped when the registry
has not changed since; nothing is written to the registry before the last step, and merging is never
automatic. docs/linking.md describes the model and the queue.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select, true, update

from ..domain.vocab import UserRole
from ..linking import engine, parallel
from ..linking.records import (
    MAX_BLOCK,
    BlockingReport,
    LinkRecord,
    birth_day,
    birth_years,
    bounded_keys,
    hometown_levels,
)
from ..linking.work import Memory, WorkFile, in_memory_input
from ..store.bulk import insert_many
from ..store.bulk_load import page_cache
from ..store.crypto import new_id
from ..store.schema import (
    events,
    link_runs,
    match_decisions,
    match_proposals,
    name_keys,
    names,
    persons,
    relations,
)
from .access import Actor
from .errors import InvalidInput, NotFound
from .registry import Registry, utcnow
from .visibility import not_withdrawn, outside_withdrawn, withdrawn_sources

DECISIONS = ("same", "not_same", "unsure")
REVIEWERS = (UserRole.ADMIN, UserRole.EDITOR)
#: Persons per scored chunk: a killed run loses at most one chunk's work.
CHUNK_PERSONS = 20_000
#: SQLite's page cache while proposals are written (KiB): the proposals table's indexes take rows in
#: random order; at 1,000,000 persons (880,000 proposals) 512 MiB wrote 400,000 of them in 12.9 s, the
#: default 64 MiB in 20.5 s.
PROPOSALS_CACHE_KIB = 512 * 1024
#: Proposals made into rows and inserted at a time.
PROPOSALS_BATCH = 5_000


@dataclass
class LinkReport:
    run_id: str
    persons: int
    changed: int
    pairs_scored_above_threshold: int
    proposed: int
    held_by_decisions: int
    clusters: int  # of two or more persons
    resumed: bool
    trained: list[str] = field(default_factory=list)  # training steps that ran (none: the priors stand)
    blocking: BlockingReport = field(default_factory=BlockingReport)


Progress = Callable[[str, int], Callable[[], None]]  # (stage, total) -> tick


def run(registry: Registry, actor: Actor, *, changed_only: bool = False, progress: Progress | None = None,
        max_block: int = MAX_BLOCK, backend: Callable | None = None, workers: int | None = None) -> LinkReport:
    """Propose matches among the persons the actor may edit (`changed_only`: pairs with at least one
    person added or changed since the last finished run). `backend(records) -> (db_api, table)` replaces
    the default DuckDB work file (the Spark tests pass one). On DuckDB, chunks are scored in `workers`
    processes (default: one per core; linking/parallel.py)."""
    actor.require_role(*REVIEWERS)
    tick = progress or (lambda stage, total: lambda: None)
    read = tick("reading the registry", 1)
    with registry.db.reading() as conn:
        since = conn.execute(select(func.max(link_runs.c.started_at)).where(link_runs.c.state == "done")).scalar()
        records = read_records(conn, actor, since if changed_only else None)
        decisions = latest_decisions(conn)
    records, blocking = bounded_keys(records, max_block)
    fingerprint = _fingerprint(records, changed_only)
    run_id, resumed = _open_run(registry, actor, fingerprint, changed_only)
    read()
    work = registry.folder / "linking" / f"{run_id}.duckdb"
    try:
        pairs, labels, trained = _score(records, changed_only, work, backend, tick, workers or parallel.cores())
    except Exception:  # an interruption (Ctrl-C, a kill) leaves the run to resume instead
        _close_run(registry, run_id, "failed", {"error": "scoring failed"})
        work.unlink(missing_ok=True)
        raise
    written = tick("clustering and writing proposals", 1)
    by_id = {r.id: r for r in records}
    held = {pair for pair, d in decisions.items()
            if d["decision"] in ("same", "not_same") and _evidence(by_id, pair) == d["evidence"]}
    same = {pair for pair, d in decisions.items() if d["decision"] == "same" and pair[0] in by_id and pair[1] in by_id}
    not_same = {pair for pair, d in decisions.items() if d["decision"] == "not_same"}
    clusters = engine.clusters(engine.edges(pairs), same, not_same)
    pairs = engine.at_least(pairs, engine.PROPOSE)  # the rest only weighed in clustering
    proposed = pairs.filter([pair not in held for pair in zip(pairs["a"].to_pylist(), pairs["b"].to_pylist())]) \
        if held else pairs
    report = LinkReport(run_id, len(records), sum(r.changed for r in records), pairs.num_rows, proposed.num_rows,
                        pairs.num_rows - proposed.num_rows, sum(1 for n in Counter(clusters.values()).values() if n > 1),
                        resumed, trained, blocking)
    with registry.db.transaction() as conn, page_cache(conn, PROPOSALS_CACHE_KIB):
        _write_proposals(conn, run_id, proposed, clusters, by_id, labels)
        summary = asdict(report)
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
            state="done", finished_at=utcnow(), report=json.dumps({**summary, "levels": labels}, default=str)))
        registry.audit.append(conn, "link.run", run_id, {k: v for k, v in summary.items() if k != "blocking"},
                              actor=actor.label)
    work.unlink(missing_ok=True)
    written()
    return report


def read_records(conn, actor: Actor, since=None) -> list[LinkRecord]:  # noqa: ANN001
    """What linking compares of every active person the actor may see (not merged away, not hidden),
    leaving out what withdrawn testimonies gave: the queue shows its proposals and reasons to reviewers
    who may not see those contributions.

    Names, keys and events are read by scanning their tables, each row kept for the person it belongs to
    when that person is read: asking the database for the active persons' rows (`person_id IN (…)`) made
    SQLite look each person up in an index, two to three times slower at 100,000 persons. Only an actor
    restricted to some projects has the database filter them."""
    active = and_(persons.c.merged_into.is_(None), persons.c.hidden == 0)
    if actor.role is not UserRole.ADMIN:
        active = and_(active, persons.c.project_id.in_(sorted(actor.projects)))
    people = conn.execute(select(persons.c.id, persons.c.sex, persons.c.ethnicity, persons.c.birth_date,
                                 persons.c.age_years, persons.c.age_at, persons.c.hometown_code, persons.c.occupation,
                                 persons.c.resident_id_blind, persons.c.updated_at).where(active)).all()
    ids = select(persons.c.id).where(active)

    def mine(column):  # noqa: ANN001, ANN202
        return column.in_(ids) if actor.role is not UserRole.ADMIN else true()

    texts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for person_id, position, text in conn.execute(select(names.c.person_id, names.c.position, names.c.text)
                                                  .where(mine(names.c.person_id), outside_withdrawn(names.c.source_id))):
        # in the order given; unnumbered first, as SQLite ordered them
        texts[person_id].append((-1 if position is None else position, sys.intern(text)))
    withdrawn_names = select(names.c.id).where(names.c.source_id.in_(withdrawn_sources()))
    # a person's repeated keys are dropped below
    keys = _grouped(conn, select(name_keys.c.person_id, name_keys.c.key)
                    .where(mine(name_keys.c.person_id), name_keys.c.name_id.not_in(withdrawn_names)))
    places: dict[str, set[str]] = defaultdict(set)
    event_places: dict[str, set[str]] = defaultdict(set)
    for person_id, facility, place in conn.execute(select(events.c.person_id, events.c.facility_id, events.c.place_code)
                                                   .where(mine(events.c.person_id), outside_withdrawn(events.c.source_id))):
        if facility:
            places[person_id].add(sys.intern(facility))
        if place:
            event_places[person_id].add(sys.intern(place))
    related = _relatives(conn, ids)
    changed = _changed_since(conn, ids, since) if since is not None else None
    out = []
    for p in people:
        township, county, prefecture = hometown_levels(p.hometown_code)
        out.append(LinkRecord(
            id=p.id, names=tuple(dict.fromkeys(text for _, text in sorted(texts.get(p.id, ()), key=itemgetter(0)))),
            name_keys=tuple(sorted(set(keys.get(p.id, ())))),
            sex=p.sex, ethnicity=p.ethnicity, birth=birth_years(p.birth_date, p.age_years, p.age_at),
            birth_day=birth_day(p.birth_date), township=township, county=county, prefecture=prefecture,
            occupation=p.occupation or None, places=_counties(event_places.get(p.id, ())),
            resident=p.resident_id_blind,
            facilities=tuple(sorted(places.get(p.id, ()))), relatives=tuple(sorted(related.get(p.id, ()))),
            changed=True if changed is None else p.id in changed))
    return out


def _counties(codes: Iterable[str]) -> tuple[str, ...]:
    """The counties of places in China (division codes of 6 digits or more), sorted."""
    return tuple(sorted({county for county in (hometown_levels(code)[1] for code in codes) if county}))


def _grouped(conn, query) -> dict[str, list[str]]:  # noqa: ANN001
    """The query's values by person. A value many persons share ("part:MHMT", a common name) is kept once
    (interned, as read_records does with names and places): the database gives a new string for every
    row (at 1,000,000 persons, 5 million keys)."""
    out: dict[str, list[str]] = defaultdict(list)
    for person_id, value in conn.execute(query):
        out[person_id].append(sys.intern(value))
    return out


def _relatives(conn, ids) -> dict[str, set[str]]:  # noqa: ANN001
    """The names of the persons each person is related to (either direction), neither relation nor name
    from a withdrawn testimony."""
    out: dict[str, set[str]] = defaultdict(set)
    for mine, theirs in (("person_id", "other_id"), ("other_id", "person_id")):
        query = (select(relations.c[mine], names.c.text)
                 .select_from(relations.join(names, names.c.person_id == relations.c[theirs]))
                 .where(relations.c[mine].in_(ids), outside_withdrawn(relations.c.source_id),
                        outside_withdrawn(names.c.source_id)))
        for person_id, text in conn.execute(query):
            out[person_id].add(text)
    return out


def _changed_since(conn, ids, since) -> set[str]:  # noqa: ANN001
    """Persons updated, named, given an event or a relation since `since`."""
    changed = set(conn.execute(select(persons.c.id).where(persons.c.id.in_(ids), persons.c.updated_at > since))
                  .scalars())
    for table in (names, events):
        changed.update(conn.execute(select(table.c.person_id).where(table.c.created_at > since)).scalars())
    for row in conn.execute(select(relations.c.person_id, relations.c.other_id).where(relations.c.created_at > since)):
        changed.update(row)
    return changed


def _fingerprint(records: list[LinkRecord], changed_only: bool) -> str:
    """What an interrupted run must share to be resumed: the records (every field, as repr() writes it)
    and the blocking rules (a work file saved under other rules holds a model that blocks, and so numbers
    its pairs, otherwise)."""
    digest = hashlib.sha256(b"changed" if changed_only else b"all")
    digest.update(json.dumps([rule.create_blocking_rule_dict("duckdb")
                              for rule in engine.blocking_rules(changed_only)]).encode())
    for record in sorted(records, key=lambda r: r.id):
        digest.update(repr(record).encode())
    return digest.hexdigest()


def _open_run(registry: Registry, actor: Actor, fingerprint: str, changed_only: bool) -> tuple[str, bool]:
    """The interrupted run over the same registry state, to resume; else a new run."""
    with registry.db.transaction() as conn:
        earlier = conn.execute(select(link_runs.c.id, link_runs.c.registry_fingerprint)
                               .where(link_runs.c.state == "running")).all()
        for run_id, seen in earlier:
            if seen == fingerprint and (registry.folder / "linking" / f"{run_id}.duckdb").exists():
                return run_id, True
            conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
                state="failed", finished_at=utcnow(), report=json.dumps({"error": "interrupted; the registry changed"})))
            (registry.folder / "linking" / f"{run_id}.duckdb").unlink(missing_ok=True)
        run_id = new_id("l")
        conn.execute(link_runs.insert().values(id=run_id, state="running", scope="changed" if changed_only else "all",
                                               registry_fingerprint=fingerprint, started_at=utcnow(),
                                               created_by=actor.user_id))
    return run_id, False


def _close_run(registry: Registry, run_id: str, state: str, report: dict) -> None:
    with registry.db.transaction() as conn:
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
            state=state, finished_at=utcnow(), report=json.dumps(report)))


def _score(records: list[LinkRecord], changed_only: bool, work: Path, backend: Callable | None,
           tick: Progress, workers: int) -> tuple[engine.Scored, dict[str, dict[int, str]], list[str]]:
    """Train (or reuse the saved model) and score every candidate pair, chunk by chunk. Returns the scored
    pairs, the comparisons' level labels and the training steps that ran."""
    store = WorkFile(work) if backend is None else Memory()
    tables = engine.name_tables(records)
    try:
        db_api, table = backend(records) if backend else store.input(records, tables)
        trained: list[str] = []
        if store.model() is None:
            done = tick("training the model", 1)
            model, trained = engine.train(engine.make_linker(db_api, table, len(records), changed_only), records)
            store.save_model(model)
            done()
        linker = engine.make_linker(db_api, table, len(records), model=store.model())
        chunks = max(1, -(-len(records) // CHUNK_PERSONS))
        pool = parallel.Workers(store.export_input(), tables, store.model(), len(records), workers) \
            if backend is None and workers > 1 and chunks > 1 else None
        with pool or nullcontext():
            if pool:
                for scorer in store.scorers.values():  # what training prepared here: the workers prepare their own
                    scorer.forget()
            score = pool.chunks(chunks) if pool else engine.in_turn(linker, chunks)
            pairs = engine.predict(chunks, store.chunk, store.save_chunk, score, tick("scoring candidate pairs", chunks))
            labels = engine.levels(linker)
            components = engine.components_to_rescore(pairs)
            if not components:
                return pairs, labels, trained
            done = tick("scoring pairs inside clusters", 1)
            if pool:
                inside = pool.within_components(store.export_components(components),
                                                engine.within_components(store.model(), changed_only),
                                                engine.term_frequencies(records), -(-len(components) // CHUNK_PERSONS))
            else:
                inside = within_components(records, components, store.model(), changed_only, backend)
            done()
        new = inside.join(pairs.select(["a", "b"]), keys=["a", "b"], join_type="left anti")
        return engine.concatenated([pairs, new.select(pairs.column_names)]), labels, trained
    finally:
        store.close()


def within_components(records: list[LinkRecord], components: dict[str, int], model: dict,
                      changed_only: bool = False, backend: Callable | None = None) -> engine.Scored:
    """Every pair inside each component (engine.components_to_rescore) scored with the trained `model` and
    the whole registry's name frequencies, whatever its probability down to engine.WEIGHED: clustering
    weighs them. On `backend`, else an in-memory DuckDB."""
    inside = [r for r in records if r.id in components]
    db_api, table = backend(inside, components) if backend else in_memory_input(inside, components)
    linker = engine.components_linker(db_api, table, len(records), engine.within_components(model, changed_only),
                                      engine.term_frequencies(records))
    chunks = max(1, -(-len(inside) // CHUNK_PERSONS))
    return engine.concatenated([engine.predict_chunk_rows(linker, chunk, chunks, engine.WEIGHED)
                                for chunk in range(1, chunks + 1)])


def _evidence(by_id: dict[str, LinkRecord], pair: tuple[str, str]) -> str | None:
    a, b = by_id.get(pair[0]), by_id.get(pair[1])
    return pair_evidence(a, b) if a and b else None


def pair_evidence(a: LinkRecord, b: LinkRecord) -> str:
    return hashlib.sha256(f"{a.evidence}|{b.evidence}".encode()).hexdigest()[:32]


def _write_proposals(conn, run_id: str, pairs: engine.Scored, clusters: dict[str, str],  # noqa: ANN001
                     by_id: dict[str, LinkRecord], labels: dict[str, dict[int, str]]) -> None:
    """The run's proposals; a pair whose persons ended in one cluster carries the cluster's id, and its
    reasons are stored compactly, levels and weights (the run's report keeps the levels' labels). Rows
    are made a batch at a time, from the batch's columns: at 1,000,000 persons all of them at once held
    gigabytes."""
    made: dict[tuple, str] = {}
    for batch in pairs.to_batches(PROPOSALS_BATCH):
        rows = []
        for a, b, probability, weight, reasons in zip(
                batch.column("a").to_pylist(), batch.column("b").to_pylist(), batch.column("probability").to_pylist(),
                batch.column("weight").to_pylist(), engine.reasons_json(batch, list(labels), made)):
            cluster = clusters.get(a)
            first, second = by_id[a], by_id[b]
            rows.append({
                "id": new_id("m"), "run_id": run_id, "person_a": a, "person_b": b, "probability": probability,
                "weight": weight, "cluster": f"{run_id}:{cluster}" if cluster and cluster == clusters.get(b) else None,
                "evidence": pair_evidence(first, second), "reasons": reasons,
                "features": f'{{"a": {first.shown}, "b": {second.shown}}}'})  # two JSON objects in one
        insert_many(conn, match_proposals, rows)


def latest_decisions(conn) -> dict[tuple[str, str], dict[str, Any]]:  # noqa: ANN001
    """The latest decision on each pair (the log is append-only; a later decision overrides)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    query = select(match_decisions).order_by(match_decisions.c.created_at, match_decisions.c.id)
    for row in conn.execute(query).mappings():
        out[(row["person_a"], row["person_b"])] = dict(row)
    return out


def queue(registry: Registry, actor: Actor, *, include_decided: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """The review queue: the latest proposal of each open pair, grouped by cluster, strongest first.

    A pair is open until decided; a decided pair comes back when its evidence changed, with what is new.
    """
    actor.require_role(*REVIEWERS, UserRole.RESEARCHER)
    with registry.db.reading() as conn:
        decisions = latest_decisions(conn)
        latest = (select(match_proposals.c.person_a, match_proposals.c.person_b,
                         func.max(link_runs.c.started_at).label("at"))
                  .select_from(match_proposals.join(link_runs, link_runs.c.id == match_proposals.c.run_id))
                  .group_by(match_proposals.c.person_a, match_proposals.c.person_b).subquery())
        a, b = persons.alias("a"), persons.alias("b")
        query = (select(match_proposals, a.c.project_id.label("project_a"), b.c.project_id.label("project_b"))
                 .select_from(match_proposals
                              .join(link_runs, link_runs.c.id == match_proposals.c.run_id)
                              .join(latest, and_(latest.c.person_a == match_proposals.c.person_a,
                                                 latest.c.person_b == match_proposals.c.person_b,
                                                 latest.c.at == link_runs.c.started_at))
                              .join(a, a.c.id == match_proposals.c.person_a)
                              .join(b, b.c.id == match_proposals.c.person_b))
                 .where(a.c.merged_into.is_(None), b.c.merged_into.is_(None), a.c.hidden == 0, b.c.hidden == 0)
                 .order_by(match_proposals.c.probability.desc()))
        items, levels = [], {}
        for row in conn.execute(query).mappings():
            if not (actor.sees_project(row["project_a"]) and actor.sees_project(row["project_b"])):
                continue
            decision = decisions.get((row["person_a"], row["person_b"]))
            features = json.loads(row["features"])
            new = _what_is_new(decision, features) if decision else []
            if decision and decision["evidence"] == row["evidence"] and not include_decided:
                continue
            items.append({"id": row["id"], "a": row["person_a"], "b": row["person_b"],
                          "probability": row["probability"], "weight": row["weight"], "cluster": row["cluster"],
                          "reasons": proposal_reasons(levels, conn, row["run_id"], row["reasons"]), "features": features,
                          "decision": decision["decision"] if decision else None, "new": new})
            if len(items) >= limit:
                break
        names_of = _display_names(conn, {i["a"] for i in items} | {i["b"] for i in items})
    for item in items:
        item["name_a"], item["name_b"] = names_of.get(item["a"]), names_of.get(item["b"])
    return _grouped_by_cluster(items)


def proposal_reasons(levels: dict[str, dict], conn, run_id: str, stored: str) -> list[dict]:  # noqa: ANN001
    """A proposal's reasons in words, from its stored levels and weights and its run's level labels
    (kept in `levels` by run, read once)."""
    if run_id not in levels:
        report = json.loads(conn.execute(select(link_runs.c.report).where(link_runs.c.id == run_id)).scalar() or "{}")
        levels[run_id] = {field: {int(gamma): label for gamma, label in by_value.items()}
                          for field, by_value in report.get("levels", {}).items()}
    reasons = json.loads(stored)
    # a run before 2026-12-02 stored its reasons in words, and no levels
    return engine.explained(levels[run_id], reasons) if reasons and isinstance(reasons[0], list) else reasons


def _what_is_new(decision: dict[str, Any], features: dict[str, dict]) -> list[str]:
    """What changed in the compared fields since the decision, in words."""
    before = json.loads(decision["features"] or "{}")
    new = []
    for side in ("a", "b"):
        old, now = before.get(side, {}), features.get(side, {})
        for name in sorted(set(old) | set(now)):
            if old.get(name) != now.get(name):
                if isinstance(now.get(name), list) and isinstance(old.get(name), list):
                    added = [v for v in now[name] if v not in old[name]]
                    new.append(f"{side}: {name} added {', '.join(map(str, added))}" if added else f"{side}: {name} changed")
                else:
                    new.append(f"{side}: {name} now {now.get(name)}")
    return new


def _display_names(conn, ids: set[str]) -> dict[str, str]:  # noqa: ANN001
    """Each person's first name that no withdrawn testimony gave (the queue is shown to reviewers)."""
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = sorted(ids)[start:start + 500]
        for person_id, text in conn.execute(select(names.c.person_id, names.c.text)
                                            .where(names.c.person_id.in_(chunk), not_withdrawn(names.c.source_id))
                                            .order_by(names.c.position)):
            out.setdefault(person_id, text)
    return out


def _grouped_by_cluster(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs of one cluster together (a cluster of three or more is reviewed as one), strongest first."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["cluster"] or item["id"], []).append(item)
    out = []
    for cluster, pairs in groups.items():
        members = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
        out.append({"cluster": cluster, "persons": members, "pairs": pairs})
    return out


def decide(registry: Registry, actor: Actor, person_a: str, person_b: str, decision: str,
           reason: str | None = None) -> str:
    """Record a reviewer's decision on a pair (append-only; the latest counts)."""
    actor.require_role(*REVIEWERS)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}", "decision")
    a, b = sorted((person_a, person_b))
    if a == b:
        raise InvalidInput("a person is always the same as themself", "person")
    with registry.db.transaction() as conn:
        for person_id in (a, b):
            project = conn.execute(select(persons.c.project_id).where(persons.c.id == person_id)).scalar()
            if project is None:
                raise NotFound(f"no person {person_id}")
            actor.require_write(project)
        proposal = conn.execute(select(match_proposals.c.evidence, match_proposals.c.features)
                                .select_from(match_proposals.join(link_runs, link_runs.c.id == match_proposals.c.run_id))
                                .where(match_proposals.c.person_a == a, match_proposals.c.person_b == b)
                                .order_by(link_runs.c.started_at.desc()).limit(1)).first()
        decision_id = new_id("d")
        conn.execute(match_decisions.insert().values(
            id=decision_id, person_a=a, person_b=b, decision=decision,
            evidence=proposal.evidence if proposal else "", features=proposal.features if proposal else None,
            reason=reason, created_at=utcnow(), created_by=actor.user_id))
        registry.audit.append(conn, "match.decide", decision_id, {"a": a, "b": b, "decision": decision,
                                                                  "reason": reason}, actor=actor.label)
    return decision_id
