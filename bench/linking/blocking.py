"""How many pairs blocking makes and how many true pairs it reaches, under other bounds, on a kept registry.

    python -m bench.linking.blocking --persons 1000000 --seed 1 300/300 300/100 100/50

Each bound is MAX_BLOCK/MAX_COMPOUND (records.bounded_keys). Prints, per bound: the candidate pairs each
kind of key makes (two-part, one-part, resident ID, and the compound keys by what they add: @born,
@county, @born@county), counted key by key (a pair two keys share counts twice: an upper bound of what
splink scores); the share of true pairs (two registry persons of one true person) that share at least
one usable key, as the blocking rules use them (a one-part key only where a side has one part), and how
many true pairs only one kind of key reaches.
Reads bench/out/registry-N-seedS/ (made by `python -m bench.linking_bench --keep-registry`).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

from bench.linking_bench import OUT, compared_records, generated, person_rows
from testimonia.linking.records import bounded_keys
from testimonia.services.registry import open_folder


def blocked_on(record) -> set[str]:  # noqa: ANN001
    """The keys the blocking rules join on for a record whose keys are already bounded."""
    single = not any(k.startswith("pair:") for k in record.name_keys)
    keys = {k for k in record.name_keys if single or not k.startswith("part:") or "@" in k}
    return keys | ({f"id:{record.resident}"} if record.resident else set())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("bounds", nargs="+", help="MAX_BLOCK/MAX_COMPOUND, e.g. 300/100")
    args = parser.parse_args(argv)
    registry = open_folder(OUT / f"registry-{args.persons}-seed{args.seed}")
    records = compared_records(registry)
    _, truth_rows = generated(args.persons, args.seed)
    row_of = person_rows(registry)
    members = defaultdict(list)
    for position, record in enumerate(records):
        members[truth_rows[row_of[record.id]]].append(position)
    true_pairs = [(a, b) for group in members.values() for i, a in enumerate(group) for b in group[i + 1:]]
    print(f"{len(records):,} persons, {len(true_pairs):,} true pairs")
    for bound in args.bounds:
        plain, compound = (int(x) for x in bound.split("/"))
        kept, report = bounded_keys(records, plain, compound)
        keys = [blocked_on(r) for r in kept]
        sizes = Counter(k for ks in keys for k in ks)
        by_kind = Counter()
        for key, n in sizes.items():
            by_kind[_kind(key)] += n * (n - 1) // 2
        reached, only = 0, Counter()
        for a, b in true_pairs:
            shared = keys[a] & keys[b]
            reached += bool(shared)
            kinds = {_kind(k) for k in shared}
            if len(kinds) == 1:
                only[kinds.pop()] += 1
        print(f"{bound}: pairs by kind {dict(by_kind)}, {sum(by_kind.values()):,} in all; true pairs reached "
              f"{reached:,} ({reached / len(true_pairs):.4f}), through one kind of key only {dict(only)}; "
              f"persons without a usable key {report.persons_without_keys:,}")


def _kind(key: str) -> str:
    """pair, part, id, or the compound keys by what they add: @born, @county, @born@county."""
    name, *where = key.split("@")
    return "@".join(["", *(w.split(":")[0] for w in where)]) if where else name.split(":")[0]


if __name__ == "__main__":
    main()
