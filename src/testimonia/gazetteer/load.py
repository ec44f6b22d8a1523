"""Read the reference data files into plain records (no database here)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

import yaml
from pypinyin import lazy_pinyin

DATA = files(__package__) / "data"

FACILITY_CREDIT = (
    "Alison Killing and Christo Buschek, BuzzFeed News (2020–2021), "
    "critocrito/xinjiang-camps-data, CC BY 4.0"
)

_CHINESE_SUFFIX_KIND = (("自治县", "county"), ("县", "county"), ("市", "city"), ("区", "district"),
                        ("街道", "subdistrict"), ("镇", "town"), ("乡", "township"), ("地区", "prefecture"),
                        ("自治州", "prefecture"))


@dataclass
class Alias:
    text: str
    script: str
    kind: str
    source: str | None = None


@dataclass
class PlaceRecord:
    code: str
    kind: str
    name: str
    parent_code: str | None
    name_en: str | None = None
    aliases: list[Alias] = field(default_factory=list)


@dataclass
class FacilityRecord:
    source_ref: str
    name: str
    type: str
    source_type: str | None
    town: str | None
    prefecture: str | None
    lat: float | None
    lon: float | None
    corroboration: str | None


def _csv(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _kind_of(code: str, name: str) -> str:
    if len(code) == 4:
        return "prefecture"
    for suffix, kind in _CHINESE_SUFFIX_KIND:
        if name.endswith(suffix):
            return kind
    return "county" if len(code) == 6 else "township"


def _pinyin(name: str) -> str:
    core = name
    for suffix, _ in _CHINESE_SUFFIX_KIND:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    return "".join(lazy_pinyin(core)).capitalize()


@lru_cache(maxsize=1)
def load_places() -> tuple[PlaceRecord, ...]:
    """Every place with its aliases: China, Xinjiang, its prefectures, counties and townships, and Kazakhstan."""
    alias_data = yaml.safe_load((DATA / "xinjiang_aliases.yaml").read_text(encoding="utf-8"))
    kz_data = yaml.safe_load((DATA / "kazakhstan.yaml").read_text(encoding="utf-8"))
    sources = {**alias_data.get("sources", {}), **kz_data.get("sources", {})}

    def aliases(items: list[dict] | None) -> list[Alias]:
        out = []
        for item in items or []:
            src = item.get("source")
            out.append(Alias(item["text"], item["script"], item["kind"], sources[src]["url"] if src else None))
        return out

    records: list[PlaceRecord] = []
    for item in kz_data["places"]:
        records.append(PlaceRecord(str(item["code"]), item["kind"], item["name"], item.get("parent"),
                                   item["name"], aliases(item.get("aliases"))))
    known = {r.code for r in records}
    by_code = alias_data.get("places", {})
    rows = [(r["code"], r["name"], "65") for r in _csv("xinjiang_prefectures.csv")]
    rows += [(r["code"], r["name"], r["cityCode"]) for r in _csv("xinjiang_counties.csv")]
    rows += [(r["code"], r["name"], r["areaCode"]) for r in _csv("xinjiang_townships.csv")]
    for code, name, parent in rows:
        listed = aliases(by_code.get(code, {}).get("aliases"))
        if not any(a.kind == "pinyin" for a in listed):
            listed.append(Alias(_pinyin(name), "Latn", "pinyin"))
        listed.append(Alias(name, "Hani", "chinese"))
        english = next((a.text for a in listed if a.kind == "english"), None) or next(a.text for a in listed if a.kind == "pinyin")
        records.append(PlaceRecord(code, _kind_of(code, name), name, parent, english, listed))
    missing = {r.parent_code for r in records if r.parent_code} - known - {r.code for r in records}
    if missing:
        raise ValueError(f"gazetteer data names unknown parent places: {sorted(missing)}")
    return tuple(records)


@lru_cache(maxsize=1)
def load_facilities() -> tuple[FacilityRecord, ...]:
    """The BuzzFeed News list of 504 facilities; the type keeps the source's word beside ours."""
    out = []
    with (DATA / "xinjiang_facilities_bfn_2021.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            source_type = (row.get("facility type") or "").strip() or None
            out.append(FacilityRecord(
                source_ref=row["id"].strip(),
                name=row["Name"].strip(),
                type=facility_type(source_type),
                source_type=source_type,
                town=(row.get("Town") or "").strip() or None,
                prefecture=(row.get("Prefecture") or "").strip() or None,
                lat=float(row["lat"]) if row.get("lat", "").strip() else None,
                lon=float(row["long"]) if row.get("long", "").strip() else None,
                corroboration=(row.get("corroboration level") or "").strip() or None,
            ))
    return tuple(out)


def facility_type(source_type: str | None) -> str:
    """camp → camp, detention center → detention_center, prison … → prison, none → unknown."""
    if not source_type:
        return "unknown"
    word = source_type.lower()
    if word.startswith("prison"):
        return "prison"
    if "detention" in word:
        return "detention_center"
    if "camp" in word:
        return "camp"
    return "unknown"
