"""Average linkage's cut, swept over a kept registry's latest link run.

    python -m bench.linking.cuts --persons 100000 --seed 3 [--rescore-largest 20] 0.4 0.45 0.5

Trains the model again (the same steps as `testimonia link`), scores every pair inside the components
of the run's proposals as the run does (engine.components_to_rescore), and clusters the proposals and
those pairs at each cut, printing pairwise and B-cubed scores against the truth. With `--oracle`, it
also prints what clustering at the current cut would reach if every true pair inside a component were
scored 0.95 and every other unscored one 0: an upper bound of scoring inside components, no more.
"""

from __future__ import annotations

import argparse
from itertools import combinations

import pyarrow as pa
from sqlalchemy import select

from bench.linking_bench import OUT, compared_records, generated, person_rows, scores
from testimonia.linking import engine
from testimonia.linking.records import bounded_keys
from testimonia.linking.work import in_memory_input
from testimonia.services.linking import within_components
from testimonia.services.registry import open_folder
from testimonia.store.schema import link_runs, match_proposals


def shown(result: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:.4f}" for k, v in result.items() if k.endswith(("precision", "recall", "f1")))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--oracle", action="store_true")
    parser.add_argument("--rescore-largest", type=int, default=engine.RESCORE_LARGEST,
                        help="the largest component scored whole (engine.RESCORE_LARGEST)")
    parser.add_argument("cuts", nargs="+", type=float)
    args = parser.parse_args(argv)
    engine.RESCORE_LARGEST = args.rescore_largest
    registry = open_folder(OUT / f"registry-{args.persons}-seed{args.seed}")
    records, _ = bounded_keys(compared_records(registry))
    _, truth_rows = generated(args.persons, args.seed)
    row_of = person_rows(registry)
    truth = {r.id: truth_rows[row_of[r.id]] for r in records}
    with registry.db.reading() as conn:
        run_id = conn.execute(select(link_runs.c.id).where(link_runs.c.state == "done")
                              .order_by(link_runs.c.started_at.desc()).limit(1)).scalar()
        edges = {(a, b): p for a, b, p in conn.execute(
            select(match_proposals.c.person_a, match_proposals.c.person_b, match_proposals.c.probability)
            .where(match_proposals.c.run_id == run_id))}
    components = engine.components_to_rescore(pa.table({"a": [a for a, _ in edges], "b": [b for _, b in edges],
                                                        "probability": list(edges.values())}))
    if args.oracle:
        filled = dict(edges)
        for members in _groups(components).values():
            for a, b in combinations(sorted(members), 2):
                filled.setdefault((a, b), 0.95 if truth[a] == truth[b] else 0.0)
        print(f"oracle at {engine.CLUSTER}: {shown(scores(engine._clusters(filled, engine.PROPOSE), truth))}")
    db_api, table = in_memory_input(records, {})
    linker = engine.make_linker(db_api, table, len(records))
    model, _ = engine.train(linker, records)
    for a, b, p in engine.edges(within_components(records, components, model)):
        edges.setdefault((a, b), p)
    for cut in args.cuts:
        engine.CLUSTER = cut
        print(f"cut {cut}: {shown(scores(engine._clusters(edges, engine.PROPOSE), truth))}", flush=True)


def _groups(components: dict[str, int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for person, component in components.items():
        out.setdefault(component, []).append(person)
    return out


if __name__ == "__main__":
    main()
