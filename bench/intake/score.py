"""Grade predicted drafts against annotated ones (the schema of docs/intake.md), field by field.

A predicted person is the gold person when one of its names or mentions equals one of the gold
person's after folding case, accents and spacing (the issue's rule); each is matched at most once,
the pair sharing most folded forms first. Every other field is then compared through that matching.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = text.split()
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def _forms(person: dict) -> set[str]:
    return {fold(x) for x in [person.get("name"), *person.get("mentions", [])] if x}


def match_persons(predicted: list[dict], gold: list[dict]) -> dict[str, str]:
    """predicted id → gold id."""
    pairs = sorted(((len(_forms(p) & _forms(g)), p["id"], g["id"]) for p in predicted for g in gold
                    if _forms(p) & _forms(g)), key=lambda x: -x[0])
    out: dict[str, str] = {}
    used: set[str] = set()
    for _, pid, gid in pairs:
        if pid not in out and gid not in used:
            out[pid] = gid
            used.add(gid)
    return out


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Tally] = field(default_factory=lambda: {})
    counts: Counter = field(default_factory=Counter)  # numerators and denominators of the accuracies
    invented: list[str] = field(default_factory=list)

    def tally(self, name: str) -> Tally:
        return self.fields.setdefault(name, Tally())

    def rate(self, name: str) -> float:
        total = self.counts[name + ".total"]
        return self.counts[name + ".ok"] / total if total else 1.0

    def goals(self) -> dict[str, float]:
        """The issue's measures, each in [0, 1]."""
        return {
            "named-person F1": self.tally("named persons").f1,
            "detained-person recall": self.rate("detained recall"),
            "role accuracy": self.rate("role"),
            "status accuracy": self.rate("status"),
            "relation recall": self.tally("relations").recall,
            "place resolution": self.rate("place"),
            "date accuracy": self.rate("date"),
        }


def grade(predicted: dict, gold: dict, text: str, report: Report | None = None) -> Report:
    report = report or Report()
    pred, gold_persons = predicted["persons"], gold["persons"]
    matching = match_persons(pred, gold_persons)
    flat = " ".join(text.split())
    for p in pred:
        if p.get("name") and " ".join(p["name"].split()) not in flat:
            report.invented.append(p["name"])

    def mapped(pid: str) -> str:
        return matching.get(pid, f"?{pid}")

    report.tally("persons").add({mapped(p["id"]) for p in pred}, {g["id"] for g in gold_persons})
    report.tally("named persons").add({mapped(p["id"]) for p in pred if p.get("name")},
                                      {g["id"] for g in gold_persons if g.get("name")})
    report.tally("unnamed persons").add({mapped(p["id"]) for p in pred if not p.get("name")},
                                        {g["id"] for g in gold_persons if not g.get("name")})
    report.tally("roles").add({(mapped(p["id"]), p["role"]) for p in pred}, {(g["id"], g["role"]) for g in gold_persons})
    report.tally("status").add({(mapped(p["id"]), p.get("status")) for p in pred if p.get("status")},
                               {(g["id"], g.get("status")) for g in gold_persons if g.get("status")})
    report.tally("relations").add(
        {(mapped(p["id"]), r["type"], mapped(r["to"])) for p in pred for r in p.get("relations", [])},
        {(g["id"], r["type"], r["to"]) for g in gold_persons for r in g.get("relations", [])})
    report.tally("events").add({(mapped(p["id"]), e["type"]) for p in pred for e in p.get("events", [])},
                               {(g["id"], e["type"]) for g in gold_persons for e in g.get("events", [])})
    report.tally("event dates").add(
        {(mapped(p["id"]), e["type"], e.get("date")) for p in pred for e in p.get("events", [])},
        {(g["id"], e["type"], e.get("date")) for g in gold_persons for e in g.get("events", [])})
    report.tally("places").add({(mapped(p["id"]), str(x["code"])) for p in pred for x in p.get("places", [])},
                               {(g["id"], str(x["code"])) for g in gold_persons for x in g.get("places", [])})
    report.tally("facilities").add(
        {(mapped(p["id"]), fold(e["facility"])) for p in pred for e in p.get("events", []) if e.get("facility")},
        {(g["id"], fold(e["facility"])) for g in gold_persons for e in g.get("events", []) if e.get("facility")})
    report.tally("ages").add({(mapped(p["id"]), p["age"]["years"]) for p in pred if p.get("age")},
                             {(g["id"], g["age"]["years"]) for g in gold_persons if g.get("age")})
    report.tally("organizations").add({fold(o) for o in predicted.get("organizations", [])},
                                      {fold(o) for o in gold.get("organizations", [])})

    found = {gid: p for p in pred if (gid := matching.get(p["id"]))}
    for g in gold_persons:
        p = found.get(g["id"])
        if g["role"] == "detained":
            report.counts["detained recall.total"] += 1
            report.counts["detained recall.ok"] += bool(p and p["role"] == "detained")
        if p is None:
            continue
        report.counts["role.total"] += 1
        report.counts["role.ok"] += p["role"] == g["role"]
        if g.get("status") or p.get("status"):
            report.counts["status.total"] += 1
            report.counts["status.ok"] += p.get("status") == g.get("status")
        predicted_codes = {str(x["code"]) for x in p.get("places", [])}
        for place in g.get("places", []):
            report.counts["place.total"] += 1
            report.counts["place.ok"] += str(place["code"]) in predicted_codes
        predicted_dates = {(e["type"], e.get("date")) for e in p.get("events", [])}
        predicted_types = {e["type"] for e in p.get("events", [])}
        for event in g.get("events", []):
            if event["type"] in predicted_types:
                report.counts["date.total"] += 1
                report.counts["date.ok"] += (event["type"], event.get("date")) in predicted_dates
    return report


def baseline(doc_ents: list[tuple[str, str]]) -> dict:
    """spaCy's PERSON entities alone as a draft: each distinct entity text a named person, nothing else."""
    texts = list(dict.fromkeys(text for text, label in doc_ents if label == "PERSON"))
    return {"persons": [{"id": f"b{i}", "name": t, "mentions": [t], "role": "other", "status": None}
                        for i, t in enumerate(texts)], "organizations": []}
