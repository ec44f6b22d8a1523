"""Where the extractor's drafts differ from the annotations, report by report.

    python -m bench.intake.errors [FOLDER …] [--only persons,roles,status,relations,places,dates]

For reading a development set's errors (never a held-out set's: reading them makes it a dev set).
Each line names the report, the gold person (or the predicted one nobody annotated) and what differs,
with the measures of bench/intake/score.py: persons missed or extra, role, status, relations missed,
place codes missed, event dates that differ for an event type both have.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from bench.intake.score import match_persons

ROOT = Path(__file__).resolve().parent
DEFAULT = [ROOT / "examples/dev", ROOT.parent.parent.parent / "shared/data/intake/dev"]
KINDS = ("persons", "roles", "status", "relations", "places", "dates")


def differences(predicted: dict, gold: dict) -> list[tuple[str, str]]:
    """(kind, description) for each way the draft differs from the annotation."""
    out: list[tuple[str, str]] = []
    matching = match_persons(predicted["persons"], gold["persons"])
    by_gold = {gid: p for p in predicted["persons"] if (gid := matching.get(p["id"]))}
    gold_name = {g["id"]: g["name"] or g["mentions"][0] for g in gold["persons"]}
    pred_to_gold_name = {p["id"]: gold_name.get(matching.get(p["id"], ""), f"?{p['name'] or p['mentions'][0]}")
                         for p in predicted["persons"]}
    for p in predicted["persons"]:
        if p["id"] not in matching:
            out.append(("persons", f"extra {p['name'] or p['mentions'][0]!r} ({p['role']})"))
    for g in gold["persons"]:
        who = gold_name[g["id"]]
        p = by_gold.get(g["id"])
        if p is None:
            out.append(("persons", f"missed {who!r} ({g['role']}, {g.get('status')})"))
            continue
        if p["role"] != g["role"]:
            out.append(("roles", f"{who!r}: {p['role']} for {g['role']}"))
        if p.get("status") != g.get("status"):
            events = ", ".join(e["type"] for e in p.get("events", []))
            out.append(("status", f"{who!r}: {p.get('status')} for {g.get('status')} (events: {events})"))
        have = {(r["type"], pred_to_gold_name.get(r["to"])) for r in p.get("relations", [])}
        for r in g.get("relations", []):
            if (r["type"], gold_name[r["to"]]) not in have:
                out.append(("relations", f"{who!r} {r['type']} {gold_name[r['to']]!r} missed "
                                         f"(has {sorted(have)})"))
        codes = {str(x["code"]) for x in p.get("places", [])}
        for place in g.get("places", []):
            if str(place["code"]) not in codes:
                out.append(("places", f"{who!r}: {place['text']!r} {place['code']} missed "
                                      f"(has {sorted(codes)})"))
        dates = {(e["type"], e.get("date")) for e in p.get("events", [])}
        types = {e["type"] for e in p.get("events", [])}
        for e in g.get("events", []):
            if e["type"] in types and (e["type"], e.get("date")) not in dates:
                found = sorted(str(d) for t, d in dates if t == e["type"])
                out.append(("dates", f"{who!r} {e['type']}: {found} for {e.get('date')} ({e.get('date_text')!r})"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--only", default=",".join(KINDS), help="kinds to print, comma-separated")
    args = parser.parse_args()
    from testimonia.intake.extract import Extractor

    extractor, wanted, totals = Extractor(), set(args.only.split(",")), Counter()
    for folder in args.folders:
        for txt in sorted(folder.glob("*.txt")):
            text = txt.read_text(encoding="utf-8")
            gold = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
            for kind, line in differences(extractor.draft(text), gold):
                totals[kind] += 1
                if kind in wanted:
                    print(f"{txt.stem}\t{kind}\t{line}")
    print("\n" + ", ".join(f"{kind} {totals[kind]}" for kind in KINDS))


if __name__ == "__main__":
    main()
