"""Check annotated intake examples (a .txt and its .json side by side) against the draft schema.

    python -m bench.intake.check_examples bench/intake/examples/dev [more folders or files…]

Every problem is printed with the file and the JSON path; the exit code is 1 if there is any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROLES = {"detained", "relative", "advocate", "official", "other"}
STATUSES = {"camp", "prison", "detention_center", "detained", "house_arrest", "documents_confiscated",
            "forced_labor", "released", "died", "disappeared", "unknown", None}
RELATIONS = {"spouse", "parent", "child", "sibling", "relative", "colleague"}
EVENTS = {"summoned", "interrogated", "detained", "sent_to_camp", "transferred", "sentenced", "imprisoned",
          "house_arrest", "passport_confiscated", "exit_ban", "forced_labor", "surveillance", "released", "died",
          "disappeared", "returned_to_china", "emigrated"}
EDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?[~?%]?(/\d{4}(-\d{2}(-\d{2})?)?[~?%]?)?$")
PERSON_KEYS = {"id", "name", "mentions", "spans", "role", "status", "relations", "events", "places", "age",
               "confidence"}


def _codes() -> set[str]:
    from testimonia.gazetteer.load import load_places

    return {p.code for p in load_places()} | {"CN", "KZ", "KG", "UZ", "TR", "US", "DE", "NL", "GB", "AU", "CA"}


def check(txt: Path, codes: set[str]) -> list[str]:
    problems: list[str] = []
    where = txt.with_suffix(".json")
    if not where.exists():
        return [f"{txt}: no {where.name} beside it"]
    text = txt.read_text(encoding="utf-8")
    flat = " ".join(text.split())  # phrases are compared with line breaks read as spaces
    gold = json.loads(where.read_text(encoding="utf-8"))

    def bad(path: str, message: str) -> None:
        problems.append(f"{where}: {path}: {message}")

    doc = gold.get("document", {})
    if not (doc.get("date") is None or EDTF.match(doc["date"])):
        bad("document.date", f"not EDTF: {doc['date']!r}")
    ids = [p.get("id") for p in gold.get("persons", [])]
    if len(set(ids)) != len(ids):
        bad("persons", "duplicate ids")
    for i, person in enumerate(gold.get("persons", [])):
        at = f"persons[{i}]({person.get('id')})"
        if set(person) - PERSON_KEYS:
            bad(at, f"unknown keys {sorted(set(person) - PERSON_KEYS)}")
        mentions = person.get("mentions") or []
        if not mentions:
            bad(at, "no mentions")
        name = person.get("name")
        if name is not None and name not in text:
            bad(at + ".name", f"{name!r} is not written in the text")
        if name is not None and name not in mentions:
            bad(at + ".name", "the name is not among the mentions")
        folded = {m.casefold() for m in mentions}
        for m in mentions:
            if m.casefold() not in text.casefold():
                bad(at + ".mentions", f"{m!r} is not in the text")
        for s, e in person.get("spans") or []:
            if text[s:e].casefold() not in folded:
                bad(at + ".spans", f"[{s}, {e}] is {text[s:e]!r}, not a mention")
        if not person.get("spans"):
            bad(at, "no spans")
        if person.get("role") not in ROLES:
            bad(at + ".role", f"{person.get('role')!r}")
        if person.get("status", None) not in STATUSES:
            bad(at + ".status", f"{person.get('status')!r}")
        if person.get("role") == "detained" and person.get("status") is None:
            bad(at + ".status", "a detained person has a status (unknown if no status-bearing event)")
        for r in person.get("relations") or []:
            if r.get("type") not in RELATIONS or r.get("to") not in ids or r.get("to") == person.get("id"):
                bad(at + ".relations", f"{r}")
        for j, ev in enumerate(person.get("events") or []):
            eat = f"{at}.events[{j}]"
            if ev.get("type") not in EVENTS:
                bad(eat, f"type {ev.get('type')!r}")
            if ev.get("date") is not None and not EDTF.match(ev["date"]):
                bad(eat + ".date", f"not EDTF: {ev['date']!r}")
            if ev.get("date_text") is not None and " ".join(ev["date_text"].split()) not in flat:
                bad(eat + ".date_text", f"{ev['date_text']!r} is not in the text")
            s, e = ev.get("span") or (0, 0)
            if not 0 <= s < e <= len(text):
                bad(eat + ".span", f"{ev.get('span')}")
            place = ev.get("place")
            if place is not None:
                if place.get("text") not in text:
                    bad(eat + ".place.text", f"{place.get('text')!r} is not in the text")
                if place.get("code") is not None and str(place["code"]) not in codes:
                    bad(eat + ".place.code", f"{place['code']!r} is not a known code")
        for place in person.get("places") or []:
            if place.get("text") not in text:
                bad(at + ".places", f"{place.get('text')!r} is not in the text")
            if place.get("code") is not None and str(place["code"]) not in codes:
                bad(at + ".places", f"{place['code']!r} is not a known code")
    return problems


def main(args: list[str]) -> int:
    codes = _codes()
    paths: list[Path] = []
    for arg in args:
        p = Path(arg)
        paths += sorted(p.glob("*.txt")) if p.is_dir() else [p]
    problems = [line for txt in paths for line in check(txt, codes)]
    print("\n".join(problems) or f"{len(paths)} examples, no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
