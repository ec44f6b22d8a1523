"""Benchmark of the names capability: quality on labelled pairs, baselines, and speed.

    python -m bench.names_bench [--repeat N]

Quality: precision, recall and F1 at the documented threshold, overall and per script pair, on
the shared development set (../shared/data/names), on each held-out set (bench/names, bench/names/heldout*)
and on all together;
the same for two baselines: rapidfuzz Jaro-Winkler on anyascii transliterations (at its best
threshold, chosen after the fact) and OpenSanctions' matcher (nomenklatura logic-v2 over rigour).
Speed, one process, one core: compare() on prepared names (part-similarity cache cleared, then
warm), the rapidfuzz baseline on the same pairs, and building representations and blocking keys.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import platform
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

from bench.generate import generate
from testimonia.names import THRESHOLD, compare, han, name_keys, prepare, structure, transliterate
from testimonia.names import comparison as compare_module

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "development (shared/data/names)": ROOT.parent / "shared" / "data" / "names" / "pairs.tsv",
    "held-out (bench/names)": ROOT / "bench" / "names" / "pairs.tsv",
    "held-out 3 (bench/names/heldout3)": ROOT / "bench" / "names" / "heldout3" / "pairs.tsv",
    "held-out 4 (bench/names/heldout4)": ROOT / "bench" / "names" / "heldout4" / "pairs.tsv",
    "held-out 5 (bench/names/heldout5)": ROOT / "bench" / "names" / "heldout5" / "pairs.tsv",
    "held-out 6 (bench/names/heldout6)": ROOT / "bench" / "names" / "heldout6" / "pairs.tsv",
    "held-out 7 (bench/names/heldout7)": ROOT / "bench" / "names" / "heldout7" / "pairs.tsv",
    "held-out 8 (bench/names/heldout8)": ROOT / "bench" / "names" / "heldout8" / "pairs.tsv",
    "held-out 9 (bench/names/heldout9)": ROOT / "bench" / "names" / "heldout9" / "pairs.tsv",
    "held-out 10 (bench/names/heldout10)": ROOT / "bench" / "names" / "heldout10" / "pairs.tsv",
}
HAN_KINDS = ("Hani", "pinyin")


def read_pairs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def metrics(labels: list[bool], verdicts: list[bool]) -> tuple[float, float, float]:
    tp = sum(1 for label, verdict in zip(labels, verdicts, strict=True) if label and verdict)
    fp = sum(1 for label, verdict in zip(labels, verdicts, strict=True) if verdict and not label)
    fn = sum(1 for label, verdict in zip(labels, verdicts, strict=True) if label and not verdict)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(labels: list[bool], scores: list[float]) -> tuple[float, float]:
    """(F1, threshold) at the best threshold in steps of 0.01, chosen after the fact."""
    return max((metrics(labels, [s >= t / 100 for s in scores])[2], t / 100) for t in range(1, 100))


def report(title: str, rows: list[dict], scores: list[float], threshold: float) -> None:
    labels = [row["label"] == "1" for row in rows]
    p, r, f = metrics(labels, [s >= threshold for s in scores])
    print(f"\n{title}: {len(rows)} pairs, threshold {threshold}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    by_kind: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_kind[row["kind"]].append(index)
    print(f"  {'script pair':22} {'same':>5} {'diff':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for kind in sorted(by_kind):
        idx = by_kind[kind]
        kp, kr, kf = metrics([labels[i] for i in idx], [scores[i] >= threshold for i in idx])
        same = sum(labels[i] for i in idx)
        flag = "  (Han/pinyin)" if any(k in kind for k in HAN_KINDS) else ""
        print(f"  {kind:22} {same:5d} {len(idx) - same:5d} {kp:6.3f} {kr:6.3f} {kf:6.3f}{flag}")


def blocking(rows: list[dict]) -> None:
    """How often the pairs share a blocking key, and how many keys a name has."""
    same = [bool(name_keys(r["a"]) & name_keys(r["b"])) for r in rows if r["label"] == "1"]
    different = [bool(name_keys(r["a"]) & name_keys(r["b"])) for r in rows if r["label"] == "0"]
    sizes = [len(name_keys(text)) for r in rows for text in (r["a"], r["b"])]
    print(f"\nBlocking keys, both sets: {sum(same) / len(same):.3f} of same-person pairs share a key, "
          f"{sum(different) / len(different):.3f} of different-person pairs (mostly hard negatives); "
          f"{sum(sizes) / len(sizes):.1f} keys a name on average, {max(sizes)} at most")


def jaro_winkler_on_anyascii(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(anyascii(a).lower(), anyascii(b).lower())


def nomenklatura_scorer() -> Callable[[str, str], float] | None:
    """OpenSanctions' logic-v2 on two Person entities with one name each, or None if it does not load."""
    try:
        from followthemoney import model
        from nomenklatura.matching.logic_v2.model import LogicV2
    except ImportError as error:
        print(f"nomenklatura not available ({error}); its baseline is left out")
        return None
    config = LogicV2.default_config()
    ids = itertools.count()

    def entity(name: str):
        made = model.make_entity("Person")
        made.id = f"name-{next(ids)}"  # nomenklatura caches by entity id: every name gets its own
        made.add("name", name)
        return made

    def score(a: str, b: str) -> float:
        return LogicV2.compare(entity(a), entity(b), config).score

    return score


def clear_caches() -> None:
    """Forget every cached reading, so a timing starts from nothing."""
    compare_module._kernel.clear_cache()
    for function in (compare_module._prepare, compare_module._part_code, compare_module._key_set, structure.read_part, han.han_keys, han.pinyin_keys, han._character_syllables, han._segment,
                     han.syllable_keys, transliterate.arabic_readings, transliterate.cyrillic_readings):
        function.cache_clear()


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def speed(rows: list[dict], repeat: int) -> None:
    pairs = [(row["a"], row["b"]) for row in rows] * repeat
    print(f"\nSpeed on {len(pairs)} pairs ({len(rows)} distinct x {repeat}), one core")
    clear_caches()
    prepared = [(prepare(a), prepare(b)) for a, b in pairs]
    compare_module._kernel.clear_cache()
    cold = timed(lambda: [compare(a, b) for a, b in prepared[: len(rows)]])
    warm = timed(lambda: [compare(a, b) for a, b in prepared])
    compare_module._kernel.clear_cache()
    everything = timed(lambda: [compare(a, b) for a, b in prepared])
    baseline = timed(lambda: [jaro_winkler_on_anyascii(a, b) for a, b in pairs])
    ascii_pairs = [(anyascii(a).lower(), anyascii(b).lower()) for a, b in pairs]
    baseline_pre = timed(lambda: [JaroWinkler.normalized_similarity(a, b) for a, b in ascii_pairs])
    print(f"  compare, prepared names, part cache cold : {len(rows) / cold:12,.0f} pairs/s (each pair once)")
    print(f"  compare, prepared names, part cache warm : {len(pairs) / warm:12,.0f} pairs/s "
          f"({baseline / warm:.2f}x the baseline below)")
    print(f"  compare, prepared names, all {len(pairs)} from an empty cache: {len(pairs) / everything:,.0f} pairs/s "
          f"({baseline / everything:.2f}x the baseline below)")
    print(f"  rapidfuzz JW on anyascii (per pair)      : {len(pairs) / baseline:12,.0f} pairs/s")
    print(f"  rapidfuzz JW on pre-transliterated text  : {len(pairs) / baseline_pre:12,.0f} pairs/s")

    names = sorted({n["text"] for row in generate(20_000, seed=7) for n in row["person"]["names"]})
    names += sorted({text for row in rows for text in (row["a"], row["b"])})
    clear_caches()
    build = timed(lambda: [name_keys(prepare(name)) for name in names])
    print(f"  prepare + name_keys, caches cleared      : {len(names) / build:12,.0f} names/s "
          f"({len(names)} distinct names: 20,000 synthetic registry persons + the labelled forms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="Times the pairs are compared when timing.")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    nomenklatura = nomenklatura_scorer()
    everything: list[dict] = []
    for title, path in SETS.items():
        rows = read_pairs(path)
        everything += rows
        report(f"testimonia.names, {title}", rows, [compare(r["a"], r["b"]).score for r in rows], THRESHOLD)
    combined = [compare(r["a"], r["b"]).score for r in everything]
    report("testimonia.names, all sets", everything, combined, THRESHOLD)
    labels = [r["label"] == "1" for r in everything]
    f1, at = best_threshold(labels, combined)
    print(f"  (its best threshold after the fact would be {at}: F1 {f1:.3f})")

    blocking(everything)
    jw = [jaro_winkler_on_anyascii(r["a"], r["b"]) for r in everything]
    f1, at = best_threshold(labels, jw)
    report("baseline rapidfuzz Jaro-Winkler on anyascii, all sets, at its best threshold", everything, jw, at)
    if nomenklatura is not None:
        scores = [nomenklatura(r["a"], r["b"]) for r in everything]
        f1, at = best_threshold(labels, scores)
        report("baseline nomenklatura logic-v2, all sets, at its best threshold", everything, scores, at)
    speed(everything, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
