"""The registry benchmark: import throughput, the bare-insert baseline, search latency, size per person.

    python -m bench.run [--persons 1000000] [--backends sqlite,postgres] [--queries 1000] [--out FILE]
    make bench BENCH_ARGS="--persons 100000 --backends sqlite"

For each backend, in one run:
  (a) import: `testimonia.services.importing.import_file` on a generated JSON Lines file, every
      layer on (validation, name keys, encryption, audit chain, full-text index), timed end to end
      (reading and parsing the file included);
  (b) baseline: the same registry tables filled by the DB-API cursor's executemany (through
      `Connection.exec_driver_sql`) from precomputed rows and parameters, in one transaction: no
      validation, no encryption (plaintext bytes in the `_enc` columns, one shared placeholder data
      key), no HMAC chain (one plain audit row per imported row, as the import writes, with a
      constant MAC). Only the inserts and the commit are timed; building the rows is not;
  (c) search: `services.search.search_persons` as an editor of the project, on the imported
      registry: full names, single name parts, Cyrillic, Chinese and Arabic forms, misses, and
      name queries with a filter; p50/p95 over every query (after a few untimed warm-up queries);
  (d) size: SQLite file + WAL after a checkpoint, PostgreSQL pg_database_size, less the size of
      the freshly initialised registry (schema and gazetteer), per person.

PostgreSQL: TESTIMONIA_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres) must
be a user that may create databases; each run creates a fresh database and drops it afterwards.
Results: a table on stdout and JSON in bench/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import functools
import json
import os
import platform
import pstats
import random
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select, text

from testimonia.domain import status as status_module
from testimonia.domain.dates import parse_date
from testimonia.domain.status import EventFact, derive_status
from testimonia.domain.vocab import EventType
from testimonia.names import name_keys as name_keys_of
from testimonia.services.access import SYSTEM
from testimonia.services.registry import Registry, init_folder
from testimonia.services.search import Filters, search_persons
from testimonia.services.users import create_project, create_user, load_actor
from testimonia.services.writer import _name_words
from testimonia.store.crypto import new_id
from testimonia.store.schema import (
    audit_log,
    data_keys,
    events,
    facilities,
    name_keys,
    names,
    persons,
    search_documents,
    sources,
    testimonies,
    testimony_subjects,
)

from . import generate

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "benchmark password"


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- backends ------------------------------------------------------------------------------------
class Backend:
    """A fresh, empty registry on one database engine; `size()` in bytes; `drop()` removes it."""

    name = ""

    def __init__(self, work: Path, label: str):
        self.folder = work / f"{self.name}-{label}"
        if self.folder.exists():
            shutil.rmtree(self.folder)

    def create(self) -> Registry:
        raise NotImplementedError

    def size(self, registry: Registry) -> int:
        raise NotImplementedError

    def drop(self, registry: Registry | None) -> None:
        if registry is not None:
            registry.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class SQLiteBackend(Backend):
    name = "sqlite"

    def create(self) -> Registry:
        return init_folder(self.folder)

    def size(self, registry: Registry) -> int:
        db = self.folder / "registry.db"
        registry.db.engine.dispose()  # no pooled connection holds a read mark on the WAL
        raw = sqlite3.connect(db, isolation_level=None)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        wal = self.folder / "registry.db-wal"
        return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, work: Path, label: str):
        super().__init__(work, label)
        self.server = os.environ.get("TESTIMONIA_BENCH_PG_URL", PG_DEFAULT)
        self.database = f"testimonia_bench_{label}_{secrets.token_hex(4)}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create(self) -> Registry:
        self._admin(f'CREATE DATABASE "{self.database}"')
        return init_folder(self.folder, self.server.rsplit("/", 1)[0] + "/" + self.database)

    def size(self, registry: Registry) -> int:
        with registry.db.engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())

    def drop(self, registry: Registry | None) -> None:
        super().drop(registry)
        self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


BACKENDS = {"sqlite": SQLiteBackend, "postgres": PostgresBackend}


def make_editor(registry: Registry) -> tuple[Any, str]:
    project = create_project(registry, SYSTEM, "benchmark")
    create_user(registry, SYSTEM, "bench-editor", PASSWORD, "editor", [project])
    return load_actor(registry, "bench-editor"), project


# --- (a) import ------------------------------------------------------------------------------------
def run_import(registry: Registry, actor: Any, project: str, path: Path, rows: int,
               profile: Path | None) -> dict:
    from testimonia.services.importing import import_file

    last = [time.perf_counter()]

    def progress(*args: Any, **kwargs: Any) -> None:  # the importer's progress callback, whatever its shape
        now = time.perf_counter()
        if now - last[0] >= 30:
            last[0] = now
            log(f"  import progress: {args or kwargs}")

    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_file(registry, actor, path, project, progress=progress)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler and profile:
        profiler.dump_stats(str(profile.with_suffix(".prof")))
        with profile.open("w") as out:
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
    return {"rows": rows, "seconds": round(seconds, 2), "persons_per_s": round(rows / seconds, 1),
            "report": _report_summary(report)}


def _report_summary(report: Any) -> Any:
    if report is None:
        return None
    if hasattr(report, "__dict__"):
        return {k: (v if isinstance(v, (int, float, str, bool, type(None))) else
                    (len(v) if hasattr(v, "__len__") else str(v))) for k, v in vars(report).items()}
    return str(report)


# --- (b) baseline -----------------------------------------------------------------------------------
_parse_date = functools.lru_cache(maxsize=None)(parse_date)  # precomputation only (not timed)


@contextlib.contextmanager
def _cached_edtf() -> Iterator[None]:
    """While the baseline's rows are precomputed (untimed), status derivation reads EDTF dates through a
    cache: parsing them is slow (see docs/benchmarks.md) and is not what the baseline is about.
    Restored before anything timed runs; the import never sees it."""
    original = status_module.latest_day
    status_module.latest_day = lambda value: _parse_date(value).latest if value else None
    try:
        yield
    finally:
        status_module.latest_day = original


_ORDER = (sources, persons, names, name_keys, testimonies, testimony_subjects, events, search_documents, audit_log)


class BaselineRows:
    """Turns generated rows into rows for the registry tables, with nothing checked, sealed or chained."""

    def __init__(self, registry: Registry, project: str, user_id: str, key_id: str, facility_ids: dict[str, str]):
        self.gazetteer = registry.gazetteer
        self.project, self.user_id, self.key_id, self.facility_ids = project, user_id, key_id, facility_ids
        self.now = dt.datetime.now(dt.timezone.utc)
        self.at = self.now.isoformat(timespec="microseconds")
        self.seq = 0
        self._place_words: dict[str, list[str]] = {}

    def _audit(self, out: dict[str, list[dict]], action: str, entity: str, change: dict, parent: int | None) -> int:
        self.seq += 1
        out["audit_log"].append({"seq": self.seq, "at": self.at, "actor": "bench-editor", "action": action,
                                 "entity": entity, "parent_seq": parent,
                                 "change": json.dumps(change, ensure_ascii=False, sort_keys=True, default=str),
                                 "mac": "0" * 64})
        return self.seq

    def place_words(self, code: str) -> list[str]:
        if code not in self._place_words:
            words: dict[str, None] = {}
            place = self.gazetteer.places.get(code)
            if place:
                words.update(dict.fromkeys(a.text for a in place.aliases))
            for above in self.gazetteer.ancestors(code):
                parent = self.gazetteer.places.get(above)
                if parent:
                    words.update(dict.fromkeys(filter(None, [parent.name, parent.name_en])))
            self._place_words[code] = list(words)
        return self._place_words[code]

    def chunk(self, rows: list[dict], parent: int) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {t.name: [] for t in _ORDER}
        stamp = {"created_at": self.now, "created_by": self.user_id}
        for row in rows:
            p, t, s = row["person"], row["testifier"], row["source"]
            source_id, person_id, testimony_id = new_id("s"), new_id("p"), new_id("t")
            out["sources"].append({"id": source_id, "project_id": self.project, "kind": s["kind"], "title": None,
                                   "date": s.get("date") or row["testimony"].get("date"), "language": s.get("language"), "publisher": None,
                                   "url": None, "text": None, **stamp})
            parts = [{"action": "source.create", "entity": source_id, "change": s}]
            facts, event_rows, codes = [], [], {p["hometown"]} if p.get("hometown") else set()
            for order, e in enumerate(row["events"]):
                event_id = new_id("e")
                dates = _parse_date(e["date"]) if e.get("date") else None
                facility = self.facility_ids.get(e["facility"].removeprefix("BFN:")) if e.get("facility") else None
                event_rows.append({"id": event_id, "person_id": person_id, "type": e["type"], "date": e.get("date"),
                                   "date_earliest": dates.earliest if dates else None,
                                   "date_latest": dates.latest if dates else None, "place_code": e.get("place"),
                                   "facility_id": facility, "facility_text": None, "source_id": source_id,
                                   "source_order": order, "span_start": None, "span_end": None,
                                   "confidence": None, **stamp})
                facts.append(EventFact(event_id, EventType(e["type"]), e.get("date"), source_id, order, False))
                if e.get("place"):
                    codes.add(e["place"])
            derived = derive_status(facts)
            resident = p.get("resident_id")
            out["persons"].append({
                "id": person_id, "project_id": self.project, "version": 1, "sex": p.get("sex"),
                "ethnicity": p.get("ethnicity"), "birth_date": p.get("birth_date"), "age_years": p.get("age"),
                "age_at": p.get("age_at"), "hometown_code": p.get("hometown"), "occupation": p.get("occupation"),
                "citizenships": ",".join(p.get("citizenships", [])) or None, "health": None,
                "key_id": self.key_id if resident else None,
                "resident_id_enc": resident.encode() if resident else None, "resident_id_blind": resident,
                "notes_enc": None, "status": derived.status.value if derived else None,
                "status_event_id": derived.event_id if derived else None, "merged_into": None,
                "hidden": 1 if t.get("consent") == "withdrawn" else 0, **stamp,
                "updated_at": self.now})
            parts.append({"action": "person.create", "entity": person_id, "change": p})
            words: list[str] = []
            for position, n in enumerate(p["names"]):
                name_id = new_id("n")
                out["names"].append({"id": name_id, "person_id": person_id, "text": n["text"], "script": n["script"],
                                     "language": n.get("language"), "part": n.get("part", "full"), "position": position,
                                     "source_id": source_id, **stamp})
                keys = sorted(name_keys_of(n["text"]))
                out["name_keys"].extend({"key": k, "person_id": person_id, "name_id": name_id} for k in keys)
            words += _name_words([n["text"] for n in p["names"]])
            for code in sorted(codes):
                words += self.place_words(code)
            words += [p.get("ethnicity") or "", p.get("occupation") or ""]
            out["search_documents"].append({"doc_id": person_id, "kind": "person", "project_id": self.project,
                                            "content": " ".join(w for w in words if w)})
            out["testimonies"].append({
                "id": testimony_id, "project_id": self.project, "source_id": source_id, "testifier_id": None,
                "relation": t.get("relation"), "medium": row["testimony"].get("medium"), "recorded_by": self.user_id,
                "recorded_on": row["testimony"].get("date"), "consent": t["consent"], "version": 1,
                "key_id": self.key_id, "testifier_name_enc": t["name"].encode(),
                "contacts_enc": t["contacts"].encode(), "summary_enc": row["testimony"]["summary"].encode(),
                "notes_enc": None, "erased_at": None, **stamp})
            out["testimony_subjects"].append({"testimony_id": testimony_id, "person_id": person_id})
            out["events"].extend(event_rows)
            parts += [{"action": "event.add", "entity": person_id,
                       "change": {"event": e["id"], "type": e["type"], "date": e["date"]}} for e in event_rows]
            parts.append({"action": "testimony.create", "entity": testimony_id, "change": {**t, **row["testimony"]}})
            self._audit(out, "import.record", person_id, {"records": parts}, parent)  # one entry per row, as the import
        return out


def driver_params(dialect: Any, table: Any, rows: list[dict]) -> tuple[str, list]:
    """The INSERT as the driver takes it, and each row's parameters after the column types' bind processing."""
    keys = [k for k in rows[0] if k in table.c]  # a column an older schema lacks is left out
    rows = [{k: r[k] for k in keys} for r in rows] if len(keys) < len(rows[0]) else rows
    compiled = table.insert().compile(dialect=dialect, column_keys=keys)
    processors = {k: table.c[k].type.bind_processor(dialect) for k in keys}
    if compiled.positional:
        order = list(compiled.positiontup)
        return str(compiled), [tuple(processors[k](r[k]) if processors[k] and r[k] is not None else r[k]
                                     for k in order) for r in rows]
    active = [(k, p) for k, p in processors.items() if p is not None]
    return str(compiled), [{**r, **{k: p(r[k]) for k, p in active if r[k] is not None}} for r in rows]


def read_rows(path: Path, chunk: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            batch.append(json.loads(line))
            if len(batch) >= chunk:
                yield batch
                batch = []
    if batch:
        yield batch


def run_baseline(registry: Registry, actor: Any, project: str, path: Path, rows: int) -> dict:
    with registry.db.reading() as conn:
        facility_ids = {ref: fid for fid, ref in conn.execute(select(facilities.c.id, facilities.c.source_ref))}
        # continue the chain's numbering (not its MACs)
        last_seq = conn.execute(select(audit_log.c.seq).order_by(audit_log.c.seq.desc()).limit(1)).scalar() or 0
    key_id = new_id("k")
    builder = BaselineRows(registry, project, actor.user_id, key_id, facility_ids)
    builder.seq = int(last_seq)
    insert_seconds = 0.0
    inserted: dict[str, int] = {}
    with registry.db.engine.connect() as conn:
        start = time.perf_counter()
        trans = conn.begin()
        conn.execute(data_keys.insert(), [{"id": key_id, "owner": "baseline", "wrapped": b"\0" * 60,
                                           "master_id": None, "created_at": builder.now}])
        parent_rows: dict[str, list[dict]] = {"audit_log": []}
        parent = builder._audit(parent_rows, "import", project, {"file": path.name}, None)
        conn.execute(audit_log.insert(), parent_rows["audit_log"])
        insert_seconds += time.perf_counter() - start
        for batch in read_rows(path, 5000):
            with _cached_edtf():  # not timed: the rows and the driver's parameters are precomputed
                tables = builder.chunk(batch, parent)
                statements = [(table.name, *driver_params(conn.dialect, table, tables[table.name]))
                              for table in _ORDER if tables[table.name]]
            start = time.perf_counter()
            for table_name, sql, params in statements:
                conn.exec_driver_sql(sql, params)  # the DB-API cursor's executemany
                inserted[table_name] = inserted.get(table_name, 0) + len(params)
            insert_seconds += time.perf_counter() - start
            done = inserted.get("persons", 0)
            if done % 100_000 == 0:
                log(f"  baseline progress: {done:,} persons, {insert_seconds:.1f} s of inserts")
        summary: dict[str, list[dict]] = {"audit_log": []}
        builder._audit(summary, "import.summary", project, {"rows": rows, "persons": rows, "rejected": 0}, parent)
        start = time.perf_counter()
        conn.execute(audit_log.insert(), summary["audit_log"])
        trans.commit()
        insert_seconds += time.perf_counter() - start
    return {"rows": rows, "seconds": round(insert_seconds, 2), "persons_per_s": round(rows / insert_seconds, 1),
            "table_rows": inserted}


# --- (c) search ------------------------------------------------------------------------------------
_MISS_SYLLABLES = "vo ze quo xir bly fen dro pum wex tak lio gru snu".split()


def build_queries(path: Path, rows: int, count: int, seed: int) -> list[tuple[str, str, Filters | None]]:
    """(kind, query, filters) drawn from the generated file: names the registry holds, and misses."""
    rng = random.Random(seed)
    wanted = sorted(rng.sample(range(rows), min(rows, count)))
    sample = []
    with path.open(encoding="utf-8") as handle:
        pick = iter(wanted)
        target = next(pick, None)
        for number, line in enumerate(handle):
            if number == target:
                sample.append(json.loads(line)["person"])
                target = next(pick, None)
                if target is None:
                    break
    rng.shuffle(sample)
    mix = (("full_latin", 30), ("name_part", 20), ("cyrillic", 12), ("chinese", 12), ("arabic", 6),
           ("miss", 10), ("filtered", 10))
    kinds = [k for k, share in mix for _ in range(share)]
    queries = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        person = sample[i % len(sample)]
        forms = {n["script"]: n["text"] for n in reversed(person["names"])}
        latin = next(n["text"] for n in person["names"] if n["script"] == "Latn" and n.get("part", "full") == "full")
        filters = None
        if kind == "full_latin":
            query = latin
        elif kind == "name_part":
            query = rng.choice(latin.split())
        elif kind in ("cyrillic", "chinese", "arabic"):
            # The form this testimony gave, else the form the generator's tables make from the Latin one.
            script = {"cyrillic": "Cyrl", "chinese": "Hani", "arabic": "Arab"}[kind]
            query = forms.get(script) or derived_form(script, latin, person["ethnicity"])
        elif kind == "miss":
            query = " ".join("".join(rng.choice(_MISS_SYLLABLES) for _ in range(3)).capitalize() for _ in range(2))
        else:
            query = rng.choice(latin.split())
            filters = Filters(ethnicity=person["ethnicity"]) if i % 2 else \
                Filters(prefecture=person.get("hometown", "654028")[:4])
        queries.append((kind, query, filters))
    return queries


def derived_form(script: str, latin: str, ethnicity: str) -> str:
    """A Latin name in another script by the generator's letter tables."""
    if script == "Cyrl":
        return generate.to_cyrillic(latin, ethnicity == "kazakh")
    if script == "Hani":
        return generate.pinyin_to_hanzi(latin) if ethnicity == "hui" else generate.to_hanzi(latin)
    return generate.to_arabic(latin)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_search(registry: Registry, actor: Any, queries: list[tuple[str, str, Filters | None]]) -> dict:
    for _, query, filters in queries[:10]:  # warm-up, not timed
        search_persons(registry, actor, query, filters)
    timings: dict[str, list[float]] = {}
    hits: dict[str, list[int]] = {}
    every: list[float] = []
    for kind, query, filters in queries:
        start = time.perf_counter()
        found = search_persons(registry, actor, query, filters)
        ms = (time.perf_counter() - start) * 1000
        timings.setdefault(kind, []).append(ms)
        hits.setdefault(kind, []).append(len(found))
        every.append(ms)
    by_kind = {kind: {"n": len(v), "p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2),
                      "max_ms": round(max(v), 2), "mean_hits": round(statistics.mean(hits[kind]), 1)}
               for kind, v in timings.items()}
    return {"queries": len(every), "p50_ms": round(percentile(every, 50), 2), "p95_ms": round(percentile(every, 95), 2),
            "p99_ms": round(percentile(every, 99), 2), "max_ms": round(max(every), 2), "by_kind": by_kind}


# --- one backend ---------------------------------------------------------------------------------
def timed(label: str, fn: Callable[[], dict]) -> dict:
    log(f"{label} …")
    before = [round(x, 2) for x in os.getloadavg()]
    result = fn()
    result["loadavg_before"] = before
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]  # other processes on the machine
    log(f"{label}: {json.dumps({k: v for k, v in result.items() if k not in ('by_kind', 'table_rows')})}")
    return result


def analyze(registry: Registry) -> None:
    """Planner statistics, as the import leaves them (Database.analyze where the product has it), or as a
    running PostgreSQL has them after autovacuum."""
    if hasattr(registry.db, "analyze"):
        registry.db.analyze()
    elif registry.db.dialect == "postgresql":
        with registry.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def bench_backend(name: str, path: Path, rows: int, args: argparse.Namespace, results: dict, save: Callable) -> None:
    result: dict[str, Any] = results["backends"].setdefault(name, {})
    label = f"{rows}"
    if not args.skip_baseline:
        backend = BACKENDS[name](args.work, label + "-baseline")
        registry = None
        try:
            registry = backend.create()
            actor, project = make_editor(registry)
            empty = backend.size(registry)
            result["baseline"] = timed(f"{name} baseline", lambda: run_baseline(registry, actor, project, path, rows))
            result["baseline"]["bytes_per_person"] = round((backend.size(registry) - empty) / rows, 1)
            save()
            if args.search_baseline and args.queries:
                # The same queries on the registry the baseline filled: same tables and index content as an
                # import would leave, for a search measurement at sizes the import cannot reach in time.
                analyze(registry)
                queries = build_queries(path, rows, args.queries, args.seed)
                result["search_on_baseline_registry"] = timed(f"{name} search (baseline-filled registry)",
                                                              lambda: run_search(registry, actor, queries))
                save()
        finally:
            backend.drop(registry)
    if args.skip_import:
        return
    backend = BACKENDS[name](args.work, label)
    registry = None
    try:
        registry = backend.create()
        actor, project = make_editor(registry)
        empty = backend.size(registry)
        profile = OUT / f"profile-{name}-{rows}.txt" if args.profile else None
        result["import"] = timed(f"{name} import", lambda: run_import(registry, actor, project, path, rows, profile))
        save()
        total = backend.size(registry)
        result["size"] = {"bytes_total": total, "bytes_empty_registry": empty,
                          "bytes_per_person": round((total - empty) / rows, 1)}
        analyze(registry)
        if args.queries:
            queries = build_queries(path, rows, args.queries, args.seed)
            result["search"] = timed(f"{name} search", lambda: run_search(registry, actor, queries))
        if "baseline" in result:
            result["ratio_baseline_to_import"] = round(result["baseline"]["persons_per_s"] /
                                                       result["import"]["persons_per_s"], 2)
        save()
    finally:
        if args.keep:
            log(f"kept {backend.folder}")
            if registry is not None:
                registry.close()
        else:
            backend.drop(registry)


# --- machine, table, main ------------------------------------------------------------------------
def machine() -> dict:
    def cmd(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import testimonia

    return {"testimonia": str(Path(testimonia.__file__).parent),
            "commit": cmd("git", "-C", str(BENCH.parent), "rev-parse", "--short", "HEAD"),
            "uncommitted_files": len(cmd("git", "-C", str(BENCH.parent), "status", "--porcelain").splitlines()),
            "nproc": os.cpu_count(), "cpu": cpu, "memory": cmd("free", "-h").splitlines()[1:2],
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgres": cmd("psql", "--version"), "platform": platform.platform()}


def table(results: dict) -> str:
    head = ("backend", "persons", "import s", "persons/s", "baseline/s", "ratio", "p50 ms", "p95 ms", "bytes/person")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for name, r in results["backends"].items():
        imp, base, search, size = r.get("import", {}), r.get("baseline", {}), r.get("search", {}), r.get("size", {})
        lines.append(" | ".join(str(x) for x in (
            name, f"{results['persons']:,}", imp.get("seconds", "–"), imp.get("persons_per_s", "–"),
            base.get("persons_per_s", "–"), r.get("ratio_baseline_to_import", "–"), search.get("p50_ms", "–"),
            search.get("p95_ms", "–"), size.get("bytes_per_person", "–"))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="rows to import (one registry person each)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--queries", type=int, default=1000, help="search queries to time (0: none)")
    parser.add_argument("--seed", type=int, default=1, help="generator and query seed")
    parser.add_argument("--data", type=Path, help="an existing generated file (default: generate into bench/out/)")
    parser.add_argument("--out", type=Path, help="results JSON (default: bench/out/results-<persons>-<time>.json)")
    parser.add_argument("--work", type=Path, default=OUT / "work", help="where the registries are made")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (bench/out/profile-*.txt)")
    parser.add_argument("--search-baseline", action="store_true",
                        help="also time the search queries on the registry the baseline filled")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the imported registries")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(names) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    path = args.data or OUT / f"registry-{args.persons}-seed{args.seed}.jsonl"
    if not path.exists():
        log(f"generating {args.persons:,} rows into {path}")
        generate.write(path, args.persons, args.seed)
    out = args.out or OUT / f"results-{args.persons}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    results: dict[str, Any] = {"persons": args.persons, "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
                               "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                               "data": str(path), "machine": machine(), "backends": {}}

    def save() -> None:
        out.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))

    for name in names:
        bench_backend(name, path, args.persons, args, results, save)
    save()
    print(table(results))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
