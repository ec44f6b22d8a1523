"""How long blocking and scoring take for chunks of a kept registry's candidate pairs, apart.

    python -m bench.linking.chunks --persons 1000000 --seed 1 --chunks 50 [--bound 300/50] 1 2

Reads bench/out/registry-N-seedS/ (made by `python -m bench.linking_bench --keep-registry`), bounds the
keys and trains the model as `testimonia link` does, then, on one DuckDB thread as a worker scores, for
each chunk number given: its candidate pairs, the seconds splink takes to block them
(`compute_blocked_pairs_for_predict_chunk`) and the seconds to score them once blocked
(`engine.score_blocked`: the names of pairs found through a name key first, then the rest of those
whose names are alike). The first chunk
scored also prepares the names of every person it meets; the run's work file is a temporary one.
`--bound MAX_BLOCK/MAX_COMPOUND` bounds the keys otherwise than records.bounded_keys's defaults (as
bench.linking.blocking's bounds).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.linking_bench import OUT, compared_records
from testimonia.linking import engine
from testimonia.linking.records import MAX_BLOCK, MAX_COMPOUND, bounded_keys
from testimonia.linking.work import WorkFile
from testimonia.services.registry import open_folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunks", type=int, required=True, help="how many chunks the run is cut into")
    parser.add_argument("--bound", default=f"{MAX_BLOCK}/{MAX_COMPOUND}", help="MAX_BLOCK/MAX_COMPOUND")
    parser.add_argument("numbers", type=int, nargs="+", help="the chunks to time (1 to --chunks)")
    args = parser.parse_args(argv)
    registry = open_folder(OUT / f"registry-{args.persons}-seed{args.seed}")
    try:
        plain, compound = (int(x) for x in args.bound.split("/"))
        records, _ = bounded_keys(compared_records(registry), plain, compound)
    finally:
        registry.close()
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        store = WorkFile(Path(folder) / "work.duckdb")
        try:
            db_api, table = store.input(records, engine.name_tables(records))
            started = time.perf_counter()
            model, _ = engine.train(engine.make_linker(db_api, table, len(records)), records)
            print(f"{len(records):,} persons; training {time.perf_counter() - started:.1f} s")
            store.connection.execute("SET threads = 1")
            linker = engine.make_linker(db_api, table, len(records), model=model)
            for number in args.numbers:
                chunk = (number, args.chunks)
                started = time.perf_counter()
                blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=chunk, right_chunk=(1, 1))
                pairs = store.connection.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchone()[0]
                blocking = time.perf_counter() - started
                started = time.perf_counter()
                scored = engine.score_blocked(linker, blocked)  # as engine.predict_chunk does
                scoring = time.perf_counter() - started
                print(f"chunk {number}/{args.chunks}: {pairs:,} candidate pairs, blocking {blocking:.2f} s, "
                      f"scoring {scoring:.2f} s, {scored.num_rows:,} pairs ≥ {engine.PROPOSE}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
