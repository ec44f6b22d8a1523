"""Intake benchmark: quality per field on annotated reports, and speed beside the bare spaCy pipeline.

    python -m bench.intake_bench [--processes N] [--repeat R] [--examples DIR …]

Quality: the extractor's drafts graded against the annotated examples (bench/intake/score.py) —
the dev set it was tuned on (bench/intake/examples/dev and shared/data/intake/dev) and the held-out
set it never was (bench/intake/examples/heldout21), or any folder of annotated pairs given with
--examples (real reports kept outside the repository). Baseline: spaCy's PERSON entities alone.
Speed: the same texts through `nlp.pipe` (all components, nothing else) and through intake end to
end, with the same number of processes, each run in a fresh subprocess for its peak memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.intake.score import Report, baseline, grade

ROOT = Path(__file__).resolve().parent
SETS = {
    "dev (tuned on)": [ROOT / "intake/examples/dev", ROOT.parent.parent / "shared/data/intake/dev"],
    "held out": [ROOT / "intake/examples/heldout21"],
}
GOALS = {"named-person F1": 0.90, "detained-person recall": 0.95, "role accuracy": 0.90, "status accuracy": 0.85,
         "relation recall": 0.80, "place resolution": 0.85, "date accuracy": 0.85}


def _pairs(folders: list[Path]) -> list[tuple[str, dict]]:
    out = []
    for folder in folders:
        for txt in sorted(folder.glob("*.txt")):
            out.append((txt.read_text(encoding="utf-8"), json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))))
    return out


def quality(name: str, pairs: list[tuple[str, dict]]) -> None:
    from testimonia.intake.extract import Extractor, for_parser

    extractor = Extractor()
    report, base = Report(), Report()
    for text, gold in pairs:
        grade(extractor.draft(text), gold, text, report)
        doc = extractor.nlp(for_parser(text))
        grade(baseline([(e.text, e.label_) for e in doc.ents]), gold, text, base)
    persons = sum(len(g["persons"]) for _, g in pairs)
    print(f"\n### {name}: {len(pairs)} reports, {persons} annotated persons\n")
    print("| measure | intake | goal | baseline (spaCy PERSON alone) |\n|---|---|---|---|")
    for measure, value in report.goals().items():
        mark = "met" if value >= GOALS[measure] else "not met"
        other = f"{base.goals()[measure]:.3f}" if measure == "named-person F1" else "—"
        print(f"| {measure} | {value:.3f} | ≥ {GOALS[measure]} ({mark}) | {other} |")
    print(f"| invented names | {len(report.invented)} | 0 | {len(base.invented)} |")
    print("\n| field | precision | recall | F1 |\n|---|---|---|---|")
    for field, tally in report.fields.items():
        print(f"| {field} | {tally.precision:.3f} | {tally.recall:.3f} | {tally.f1:.3f} |")
    named = base.tally("named persons")
    print(f"\nbaseline named persons: precision {named.precision:.3f}, recall {named.recall:.3f}, F1 {named.f1:.3f}")


def measure(kind: str, processes: int, repeat: int) -> dict:
    """One side of the speed comparison, in this process; prints JSON."""
    import spacy

    from testimonia.intake.extract import MODEL, Extractor, for_parser, load_model

    texts = [text for folders in SETS.values() for text, _ in _pairs(folders)] * repeat
    words = sum(len(t.split()) for t in texts)
    nlp = load_model() if kind == "intake" else spacy.load(MODEL)  # bare: the package's pipeline, nothing of ours
    extractor = Extractor(nlp) if kind == "intake" else None
    started = time.perf_counter()
    if extractor is None:
        for _ in nlp.pipe((for_parser(t) for t in texts), n_process=processes, batch_size=16):
            pass
    else:
        for _ in extractor.drafts([(t, None) for t in texts], n_process=processes):
            pass
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"kind": kind, "words": words, "seconds": seconds, "peak_mb": peak / 1024}


def speed(processes: int, repeat: int, rounds: int = 2) -> None:
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for kind in ("bare", "intake"):
            out = subprocess.run([sys.executable, "-m", "bench.intake_bench", "--measure", kind, "--processes",
                                  str(processes), "--repeat", str(repeat)], capture_output=True, text=True, check=True,
                                 cwd=ROOT.parent)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if kind not in best or result["seconds"] < best[kind]["seconds"]:
                best[kind] = result
    bare, intake = best["bare"], best["intake"]
    rate = {k: v["words"] / v["seconds"] for k, v in best.items()}
    print(f"\n### speed: {bare['words']:,} words, {processes} process(es), best of {rounds} runs each\n")
    print("| pipeline | words/s | peak memory |\n|---|---|---|")
    print(f"| bare spaCy (`nlp.pipe`, all components) | {rate['bare']:,.0f} | {bare['peak_mb']:.0f} MB |")
    print(f"| intake end to end | {rate['intake']:,.0f} | {intake['peak_mb']:.0f} MB |")
    print(f"\nintake / bare = {rate['intake'] / rate['bare']:.2f} (goal ≥ 0.8); memory goal ≤ 1 GB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=8, help="copies of the example texts in the speed corpus")
    parser.add_argument("--examples", type=Path, nargs="*", default=[], help="more folders of annotated pairs")
    parser.add_argument("--measure", choices=("bare", "intake"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.processes, args.repeat)))
        return
    print(f"## intake benchmark — {platform.machine()}, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    for name, folders in SETS.items():
        quality(name, _pairs(folders))
    for folder in args.examples:
        quality(str(folder), _pairs([folder]))
    speed(args.processes, args.repeat)


if __name__ == "__main__":
    main()
