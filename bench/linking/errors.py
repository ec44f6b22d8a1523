"""Why linking misses true pairs and joins false ones, on a registry the benchmark kept.

    python -m bench.linking.errors --persons 100000 --seed 3 [--examples 8]

Reads bench/out/registry-N-seedS/ (made by `python -m bench.linking_bench --keep-registry`) and its
latest link run, and sorts every true pair (two registry persons of one true person) and every false
pair inside a predicted cluster by cause:

- missed: never a candidate pair (blocking: which rule could have caught it), a candidate scored
  below the proposal threshold, proposed but below the cluster threshold; with the name score
  (`tm_names`) and the fields that disagreed;
- false: joined directly by an edge ≥ the cluster threshold or only through a chain; the two true
  persons' relation (a sibling or namesake invented on purpose, or unrelated) and the fields behind
  the edge.

For reading by a developer choosing the next change; it prints counts and a few examples of each.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter, defaultdict
from itertools import combinations

from sqlalchemy import func, select

from bench.linking_bench import OUT, compared_records, generated, person_rows, predicted_clusters
from testimonia.linking import engine
from testimonia.linking.records import MAX_BLOCK, LinkRecord, bounded_keys
from testimonia.services.linking import proposal_reasons
from testimonia.services.registry import open_folder
from testimonia.store.schema import link_runs, match_proposals


def candidate_rules(a: LinkRecord, b: LinkRecord) -> list[str]:
    """Which of engine.blocking_rules() make (a, b) a candidate pair (keys already bounded)."""
    ra, rb = engine.rows([a, b])
    shared = lambda column: set(ra[column] or ()) & set(rb[column] or ())  # noqa: E731
    rules = []
    if shared("pair_keys"):
        rules.append("two-part key")
    if shared("part_keys") and (ra["single_part"] or rb["single_part"]):
        rules.append("one-part key, one side single")
    if shared("compound_keys"):
        rules.append("name key + birth year or county")
    if a.resident and a.resident == b.resident:
        rules.append("resident ID")
    if (ra["no_keys"] or rb["no_keys"]) and a.county and a.county == b.county and a.birth and b.birth \
            and a.birth[0] == b.birth[0]:
        rules.append("county + birth, keyless")
    return rules


def differences(a: LinkRecord, b: LinkRecord) -> list[str]:
    """The compared fields on which two records disagree (both given)."""
    out = []
    if a.birth and b.birth and (a.birth[0] > b.birth[1] or b.birth[0] > a.birth[1]):
        out.append("birth")
    for name in ("sex", "ethnicity", "county", "prefecture", "resident"):
        x, y = getattr(a, name), getattr(b, name)
        if x and y and x not in ("unknown",) and y not in ("unknown",) and x != y:
            out.append(name)
    return out


def missing(a: LinkRecord, b: LinkRecord) -> list[str]:
    return [name for name in ("birth", "county", "resident", "sex") if not getattr(a, name) or not getattr(b, name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linking.errors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=6)
    args = parser.parse_args(argv)
    path, truth_rows = generated(args.persons, args.seed)
    registry = open_folder(OUT / f"registry-{args.persons}-seed{args.seed}")
    row_of = person_rows(registry)
    records = compared_records(registry)
    by_id = {r.id: r for r in records}
    truth = {r.id: truth_rows[row_of[r.id]] for r in records}
    people = {}
    with path.with_suffix(".persons.tsv").open(encoding="utf-8") as lines:
        header = next(lines).rstrip("\n").split("\t")
        for line in lines:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            people[row["true_person"]] = row
    with registry.db.reading() as conn:
        run_id = conn.execute(select(link_runs.c.id).where(link_runs.c.state == "done")
                              .order_by(link_runs.c.started_at.desc()).limit(1)).scalar()
        levels = {}
        proposals = {(a, b): (p, proposal_reasons(levels, conn, run_id, reasons)) for a, b, p, reasons in conn.execute(
            select(match_proposals.c.person_a, match_proposals.c.person_b, match_proposals.c.probability,
                   match_proposals.c.reasons).where(match_proposals.c.run_id == run_id))}
        print(f"run {run_id}: {len(proposals):,} proposals; "
              f"{conn.execute(select(func.count()).select_from(link_runs)).scalar()} runs in the registry")
    clusters = predicted_clusters(registry, run_id)
    bounded, report = bounded_keys(records, MAX_BLOCK)
    keyed = {r.id: r for r in bounded}
    tables = engine.name_tables(records)
    scorer = engine.NameScorer(tables["tm_names"])
    position = {r.id: i for i, r in enumerate(records)}
    names = lambda a, b: scorer(position[a], position[b])  # noqa: E731
    rng = random.Random(0)

    # --- missed true pairs ---
    members = defaultdict(list)
    for person_id, true in truth.items():
        members[true].append(person_id)
    missed: dict[str, list] = defaultdict(list)
    true_pairs = 0
    for ids in members.values():
        for a, b in combinations(sorted(ids), 2):
            true_pairs += 1
            if a in clusters and clusters.get(a) == clusters.get(b):
                continue
            proposal = proposals.get((a, b))
            if proposal:
                cause = "proposed, below the cluster threshold"
            elif candidate_rules(keyed[a], keyed[b]):
                cause = "candidate, scored below the proposal threshold"
            elif not by_id[a].names or not by_id[b].names:
                cause = "not a candidate: a side has no name"
            elif not keyed[a].name_keys or not keyed[b].name_keys:
                cause = "not a candidate: a side's keys all too common"
            elif set(by_id[a].name_keys) & set(by_id[b].name_keys):
                cause = "not a candidate: shared keys too common, alone and with birth year or county"
            else:
                cause = "not a candidate: no shared name key"
            missed[cause].append((a, b))
    print(f"\ntrue pairs {true_pairs:,}; missed {sum(map(len, missed.values())):,}")
    for cause, pairs in sorted(missed.items(), key=lambda kv: -len(kv[1])):
        score_bins = Counter()
        diffs, gaps = Counter(), Counter()
        for a, b in pairs:
            s = names(a, b)
            score_bins["none" if s is None else f"{min(int(s * 10), 9) / 10:.1f}"] += 1
            diffs.update(differences(by_id[a], by_id[b]) or ["nothing"])
            gaps.update(missing(by_id[a], by_id[b]))
        print(f"\n== {cause}: {len(pairs):,}")
        print(f"   name score: {dict(sorted(score_bins.items()))}")
        print(f"   disagree on: {dict(diffs.most_common())}   missing on a side: {dict(gaps.most_common())}")
        for a, b in rng.sample(pairs, min(args.examples, len(pairs))):
            ra, rb = by_id[a], by_id[b]
            extra = f"  p={proposals[(a, b)][0]:.3f}" if (a, b) in proposals else ""
            print(f"   {ra.names} {ra.birth} {ra.county} | {rb.names} {rb.birth} {rb.county}  "
                  f"names={names(a, b)}{extra}")
            if (a, b) in proposals:
                print("     " + ", ".join(f"{r['field']}:{r['level']}:{r['weight']}" for r in proposals[(a, b)][1]))

    # --- false pairs in predicted clusters ---
    by_cluster = defaultdict(list)
    for person_id, cluster in clusters.items():
        by_cluster[cluster].append(person_id)
    direct: dict[str, list] = defaultdict(list)
    chained = 0
    false_pairs = 0
    for ids in by_cluster.values():
        for a, b in combinations(sorted(ids), 2):
            if truth[a] == truth[b]:
                continue
            false_pairs += 1
            proposal = proposals.get((a, b))
            if not proposal or proposal[0] < engine.CLUSTER:
                chained += 1
                continue
            pa_, pb_ = people[truth[a]], people[truth[b]]
            if pa_["related_to"] == truth[b] or pb_["related_to"] == truth[a]:
                relation = (pa_["relation"] or pb_["relation"])
            elif pa_["given_cluster"] == pb_["given_cluster"] and pa_["father_cluster"] == pb_["father_cluster"]:
                relation = "same name clusters, unrelated"
            else:
                relation = "different names"
            direct[relation].append((a, b))
    sizes = Counter(len(ids) for ids in by_cluster.values())
    print(f"\nfalse pairs in clusters {false_pairs:,}: joined through a chain {chained:,}; cluster sizes "
          f"{dict(sorted(sizes.items()))}")
    for relation, pairs in sorted(direct.items(), key=lambda kv: -len(kv[1])):
        diffs, gaps = Counter(), Counter()
        for a, b in pairs:
            diffs.update(differences(by_id[a], by_id[b]) or ["nothing"])
            gaps.update(missing(by_id[a], by_id[b]))
        print(f"\n== direct edge, {relation}: {len(pairs):,}")
        print(f"   disagree on: {dict(diffs.most_common())}   missing on a side: {dict(gaps.most_common())}")
        for a, b in rng.sample(pairs, min(args.examples, len(pairs))):
            ra, rb = by_id[a], by_id[b]
            print(f"   {ra.names} {ra.birth} {ra.county} {ra.sex} | {rb.names} {rb.birth} {rb.county} {rb.sex}  "
                  f"p={proposals[(a, b)][0]:.3f}")
            print("     " + ", ".join(f"{r['field']}:{r['level']}:{r['weight']}" for r in proposals[(a, b)][1]))
    registry.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
