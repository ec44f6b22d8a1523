"""The linking benchmark: quality against known truth, wall time and memory, and a splink baseline.

    python -m bench.linking_bench [--persons 1000,100000] [--seed 1] [--skip-baseline] [--workers N]
                                [--keep-registry]
    make bench   (runs it at 1,000 and 100,000 persons; 1,000,000 by hand: --persons 1000000)

For each size: a registry generated with known truth (bench/linking/generate.py, which never uses
testimonia.names) is imported into a fresh SQLite registry (not timed here: bench/run.py measures
imports), then `testimonia link` (services.linking.run) runs over it in a process of its own
(bench/linking/timed_link.py) with N scoring processes (default: one per core), timed end to end with
its peak memory, sampled as proportional set sizes: the link's process's, its largest worker's, and all
of them together. Reported: pairwise precision, recall and F1 of the clusters it proposes (every pair
of persons in one predicted cluster against every pair of rows of one true person), B-cubed
precision, recall and F1, wall time, peak memory, and the blocking report.

Baseline, same run, same records: splink with its default string comparison on names transliterated
by anyascii (Jaro-Winkler at 0.92 / 0.88 / 0.7, as `cl.NameComparison` does) and the same other
fields, blocked on the first four letters of the transliterated name, the resident ID, or county and
birth year; trained the same way (λ from the resident ID, u from random pairs, m by EM over pairs that share
a resident ID), clustered at the same threshold (0.7); no
cross-script names capability.
Results: a table on stdout and JSON in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select, union

from testimonia.linking.parallel import cores
from testimonia.services import linking
from testimonia.services.access import SYSTEM
from testimonia.services.importing import import_file
from testimonia.services.registry import Registry, init_folder, open_folder
from testimonia.services.users import create_project
from testimonia.store.schema import events, link_runs, match_proposals, names, sources, testimonies, testimony_subjects

OUT = Path(__file__).parent / "out"


def generated(persons: int, seed: int) -> tuple[Path, list[str]]:
    """The generated file (made once and kept in bench/out/) and each row's true person."""
    path = OUT / f"linking-{persons}-seed{seed}.jsonl"
    truth = path.with_suffix(".truth.tsv")
    if not truth.exists():
        subprocess.run([sys.executable, "-m", "bench.linking.generate", "--persons", str(persons), "--seed", str(seed),
                        "--out", str(path)], check=True)
    rows = [line.split("\t") for line in truth.read_text().splitlines() if line.strip()]
    return path, [true for _, true in sorted(((int(row), true) for row, true in rows))]


def person_rows(registry) -> dict[str, int]:
    """Registry person → generated row, through the source every row names (https://…/row/<n>)."""
    with registry.db.reading() as conn:
        links = union(
            select(testimony_subjects.c.person_id, sources.c.url)
            .select_from(testimony_subjects.join(testimonies, testimonies.c.id == testimony_subjects.c.testimony_id)
                         .join(sources, sources.c.id == testimonies.c.source_id)),
            select(names.c.person_id, sources.c.url).select_from(names.join(sources, sources.c.id == names.c.source_id)),
            select(events.c.person_id, sources.c.url).select_from(events.join(sources, sources.c.id == events.c.source_id)),
        )
        return {person: int(url.rsplit("/", 1)[1]) for person, url in conn.execute(links) if url}


def predicted_clusters(registry, run_id: str) -> dict[str, str]:
    with registry.db.reading() as conn:
        rows = conn.execute(select(match_proposals.c.person_a, match_proposals.c.person_b, match_proposals.c.cluster)
                            .where(match_proposals.c.run_id == run_id, match_proposals.c.cluster.is_not(None))).all()
    return {person: cluster for a, b, cluster in rows for person in (a, b)}


def scores(predicted: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall, F1 of a clustering (persons not in `predicted` stand alone)."""
    clusters = {p: predicted.get(p, f"alone:{p}") for p in truth}
    cells = Counter((clusters[p], truth[p]) for p in truth)
    predicted_sizes, true_sizes = Counter(clusters.values()), Counter(truth.values())
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    together = sum(pairs(n) for n in cells.values())
    proposed, actual = sum(pairs(n) for n in predicted_sizes.values()), sum(pairs(n) for n in true_sizes.values())
    precision = together / proposed if proposed else 1.0
    recall = together / actual if actual else 1.0
    b_precision = sum(cells[(clusters[p], truth[p])] / predicted_sizes[clusters[p]] for p in truth) / len(truth)
    b_recall = sum(cells[(clusters[p], truth[p])] / true_sizes[truth[p]] for p in truth) / len(truth)
    f1 = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    return {"pairwise_precision": precision, "pairwise_recall": recall, "pairwise_f1": f1(precision, recall),
            "bcubed_precision": b_precision, "bcubed_recall": b_recall, "bcubed_f1": f1(b_precision, b_recall),
            "true_pairs": actual, "predicted_pairs": proposed}


def baseline(records) -> dict[str, str]:
    """splink's default string comparisons on anyascii names, the same other fields; cluster per person."""
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from anyascii import anyascii
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from testimonia.linking import engine

    rows = engine.rows(records)
    for row, record in zip(rows, records):
        row["name"] = anyascii(record.names[0]).lower() if record.names else None
    table = pa.Table.from_pylist(rows, schema=engine.COLUMNS.append(pa.field("name", pa.string())))
    db_api = DuckDBAPI(connection=duckdb.connect())
    frame = db_api.register(table, table_name="persons")
    settings = SettingsCreator(
        link_type="dedupe_only", probability_two_random_records_match=1 / max(len(records), 1),
        comparisons=[cl.NameComparison("name"), *engine.other_comparisons()],
        blocking_rules_to_generate_predictions=[block_on("substr(name, 1, 4)"), block_on("resident"),
                                                block_on("county", "birth_lo")])
    linker = Linker(frame, settings)
    linker.training.estimate_probability_two_random_records_match(["l.resident = r.resident"], recall=0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=engine.U_PAIRS, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation("l.resident = r.resident",
                                                                       max_pairs=engine.EM_PAIRS)
    predictions = linker.inference.predict(threshold_match_probability=engine.PROPOSE)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, engine.CLUSTER)
    return {r["unique_id"]: r["cluster_id"] for r in clusters.as_record_list()}


def imported_registry(folder: Path, path: Path) -> tuple[Registry, float | None]:
    """A registry in `folder` holding the generated file, imported now (and the import's seconds) or,
    when the folder already holds one, as it is (None)."""
    if (folder / "registry.db").exists():
        return open_folder(folder), None
    registry = init_folder(folder)
    project = create_project(registry, SYSTEM, "bench")
    started = time.perf_counter()
    import_file(registry, SYSTEM, path, project)
    return registry, time.perf_counter() - started


def compared_records(registry: Registry) -> list:
    with registry.db.reading() as conn:
        return linking.read_records(conn, SYSTEM)


def measure(persons: int, seed: int, with_baseline: bool, workers: int, keep: bool) -> dict:
    path, truth_rows = generated(persons, seed)
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        kept = OUT / f"registry-{persons}-seed{seed}"
        registry, imported = imported_registry(kept if keep else Path(folder) / "data", path)
        row_of = person_rows(registry)
        # persons known only from withdrawn testimonies are never linked; the run reads its own records,
        # and a copy kept here would count in its memory (2.5 GB at 1,000,000 persons)
        truth = {r.id: truth_rows[row_of[r.id]] for r in compared_records(registry)}
        hidden = len(row_of) - len(truth)
        started = time.perf_counter()
        with TreeMemory() as memory:  # the link's process and its scoring processes, not this one
            finished = subprocess.run([sys.executable, "-m", "bench.linking.timed_link", str(registry.folder),
                                       "--workers", str(workers)], check=True, stdout=subprocess.PIPE, text=True,
                                      cwd=Path(__file__).resolve().parents[1])
        seconds = time.perf_counter() - started
        link = json.loads(finished.stdout.splitlines()[-1])
        report = link["report"]
        others = [size for pid, size in memory.peaks.items() if pid != link["pid"]]
        result = {"persons": persons, "seed": seed, "workers": workers, "hidden_by_withdrawal": hidden,
                  "import_seconds": imported and round(imported, 1), "link_seconds": round(seconds, 1),
                  "peak_memory_mib": round(memory.peaks.get(link["pid"], 0.0)), "peak_memory_with_workers_mib": round(memory.peak),
                  "peak_memory_largest_worker_mib": round(max(others, default=0.0)),
                  "stage_seconds": link["stage_seconds"], "trained": report["trained"], "proposed": report["proposed"],
                  "clusters": report["clusters"], "blocking": report["blocking"],
                  **{k: round(v, 4) for k, v in scores(predicted_clusters(registry, report["run_id"]), truth).items()}}
        if with_baseline:
            records = compared_records(registry)
            started = time.perf_counter()
            base = scores(baseline(records), truth)
            result["baseline"] = {**{k: round(v, 4) for k, v in base.items()},
                                  "seconds": round(time.perf_counter() - started, 1)}
        with registry.db.reading() as conn:
            result["run_report"] = json.loads(conn.execute(select(link_runs.c.report)
                                                           .where(link_runs.c.id == report["run_id"])).scalar())
        registry.close()
    return result


class TreeMemory:
    """The peak memory of this process's descendants together (the link's process and its scoring
    processes), sampled from /proc every two seconds while the block runs: the sum of their proportional
    set sizes (PSS), which counts a page two processes share once, shared between them (a sum of resident
    sizes would count the libraries each maps, and a process forked to start another, twice)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.peaks: dict[int, float] = {}  # each descendant's own peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            sizes = {pid: self._pss(pid) for pid in self._descendants()}
            self.peak = max(self.peak, sum(sizes.values()))
            for pid, size in sizes.items():
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), size)
            if self._stop.wait(2.0):
                return

    @staticmethod
    def _descendants() -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue  # gone meanwhile
                children.setdefault(parent, []).append(int(entry.name))
        found, todo = [], list(children.get(os.getpid(), []))
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    @staticmethod
    def _pss(pid: int) -> float:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0


def machine() -> str:
    cpus = cores()
    memory = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
    return f"{platform.machine()}, {cpus} cores, {memory} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linking_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", default="1000,100000", help="comma-separated registry sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--keep-registry", action="store_true",
                        help="import into bench/out/registry-N-seedS/ and keep it; a later run links it again without importing")
    parser.add_argument("--workers", type=int, default=cores(), help="processes scoring candidate pairs (default: cores)")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    print(f"Linking benchmark on {machine()}")
    results = []
    for persons in (int(n) for n in args.persons.split(",")):
        result = measure(persons, args.seed, not args.skip_baseline, args.workers, args.keep_registry)
        results.append(result)
        print(f"\n{persons:,} persons (seed {args.seed}): link {result['link_seconds']:,} s with {args.workers} "
              f"scoring process(es), peak memory {result['peak_memory_with_workers_mib']:,} MiB with the workers "
              f"(the link's process {result['peak_memory_mib']:,}, the largest worker "
              f"{result['peak_memory_largest_worker_mib']:,}), "
              f"trained: {', '.join(result['trained']) or 'priors'}")
        print(f"  pairwise P {result['pairwise_precision']:.3f} R {result['pairwise_recall']:.3f} "
              f"F1 {result['pairwise_f1']:.3f}   B-cubed P {result['bcubed_precision']:.3f} "
              f"R {result['bcubed_recall']:.3f} F1 {result['bcubed_f1']:.3f}")
        if "baseline" in result:
            b = result["baseline"]
            print(f"  baseline (splink, anyascii + Jaro-Winkler): pairwise P {b['pairwise_precision']:.3f} "
                  f"R {b['pairwise_recall']:.3f} F1 {b['pairwise_f1']:.3f}   B-cubed F1 {b['bcubed_f1']:.3f}   "
                  f"{b['seconds']:,} s")
        print(f"  stages (s): {result['stage_seconds']}")
        print(f"  blocking: {result['blocking']}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"linking-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
