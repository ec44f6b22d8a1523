"""Places and facilities named in a text, resolved to the gazetteer and the facility types.

Places: spaCy's GPE/LOC/FAC entities and the gazetteer's aliases (every script: "Ghulja", "Кульджа",
"伊宁", "Nilka County"), resolved by `testimonia.gazetteer` — so "Yining City" and "Yining County" are
two places. Countries outside the gazetteer take their ISO 3166 code from ICU's country names, and
the cities abroad that the parser calls places theirs from GeoNames (gazetteer/data/world_cities.tsv).
Facilities: camp euphemisms are camps; "the Tekes County detention center" is a detention center
named by its county and its type.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import icu
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..gazetteer.load import load_places
from ..gazetteer.resolve import Gazetteer, fold
from . import lexicon

_MATCHED_KINDS = {"country", "region", "prefecture", "city", "county", "city_of_republican_significance"}
_HAN_SUFFIXES = ("市", "县", "地区", "自治州")


@dataclass(frozen=True)
class PlaceMention:
    start: int  # token offsets
    end: int
    text: str
    code: str
    kind: str

    @property
    def in_china(self) -> bool:
        return self.code == "CN" or self.code[:1].isdigit()


@dataclass(frozen=True)
class FacilityMention:
    start: int
    end: int
    text: str
    type: str  # camp | prison | detention_center


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str]]:
    """Folded English country names → (ISO 3166-1 alpha-2, kind), from ICU's locale data; and the cities
    ICU's time zones are named after (Istanbul → TR, Bishkek → KG), outside China and Kazakhstan,
    whose places the gazetteer knows better."""
    english = icu.Locale("en")
    zone_names = icu.TimeZoneNames.createInstance(english)
    out = {}
    for zone in icu.TimeZone.createEnumeration():
        region, city = icu.TimeZone.getRegion(zone), zone_names.getExemplarLocationName(zone)
        if city and region and region not in ("001", "CN", "KZ") and len(region) == 2:
            out[fold(city)] = (region, "city")
    for code in icu.Locale.getISOCountries():
        name = icu.Locale("", code).getDisplayCountry(english)
        if name and name != code:
            out[fold(name)] = (code, "country")
    out.update({fold(name): (code, "country") for name, code in
                (("the United States", "US"), ("USA", "US"), ("UK", "GB"), ("Britain", "GB"))})
    return out


@lru_cache(maxsize=1)
def _world_cities() -> dict[str, str]:
    """Folded names of the cities of 50,000 people or more abroad → ISO 3166-1 alpha-2 (GeoNames, by
    tools/world_cities.py). Trusted only where the parser saw a place (`_seen_as_place`): some are also
    given names."""
    with resources.files("testimonia.gazetteer").joinpath("data/world_cities.tsv").open(encoding="utf-8") as rows:
        cities = sorted(csv.DictReader(rows, delimiter="\t"), key=lambda row: int(row["population"]))
    return {fold(row["name"]): row["country"] for row in cities}  # names alike once folded: the most populous


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


class PlaceFinder:
    """Finds place and facility mentions in a parsed document."""

    def __init__(self, nlp: Language):
        self.places = PhraseMatcher(nlp.vocab, attr="LOWER")
        aliases = {a.text for p in load_places() if p.kind in _MATCHED_KINDS for a in p.aliases if len(a.text) >= 2}
        self.places.add("PLACE", [nlp.make_doc(text) for text in sorted(aliases)])
        self.facilities = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind, phrases in (("camp", lexicon.CAMP_PHRASES), ("prison", lexicon.PRISON_PHRASES),
                              ("detention_center", lexicon.DETENTION_CENTER_PHRASES)):
            self.facilities.add(kind, [nlp.make_doc(p) for p in phrases])
        self.same_place = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.same_place.add("SAME", [nlp.make_doc(p) for p in ("the same center", "the same centre", "the same facility",
                                                                "that center", "that centre", "that facility")])

    def find_places(self, doc: Doc, ents: list[Span]) -> list[PlaceMention]:
        spans = [e for e in ents if e.label_ in ("GPE", "LOC", "FAC", "ORG", "NORP")]
        spans += [doc[s:e] for _, s, e in self.places(doc)]
        found: list[PlaceMention] = []
        taken: set[int] = set()
        for span in sorted(spans, key=lambda s: (-len(s), s.start)):
            if taken & set(range(span.start, span.end)):
                continue
            place = _resolve(span, doc)
            if place is not None:
                found.append(place)
                taken.update(range(span.start, span.end))
        return sorted(found, key=lambda p: p.start)

    def find_facilities(self, doc: Doc, places: list[PlaceMention]) -> list[FacilityMention]:
        """Facility phrases, longest first, extended leftwards over the place that names them."""
        out: list[FacilityMention] = []
        taken: set[int] = set()
        matches = sorted(self.facilities(doc), key=lambda m: (-(m[2] - m[1]), m[1]))
        place_ending = {p.end: p for p in places}
        for kind_id, start, end in matches:
            if taken & set(range(start, end)):
                continue
            kind = doc.vocab.strings[kind_id]
            first = start
            if start in place_ending:  # "Tekes County detention center"
                first = place_ending[start].start
            elif start >= 1 and doc[start - 1].pos_ == "PROPN":  # "Kunes detention center"
                first = start - 1
            taken.update(range(first, end))
            out.append(FacilityMention(first, end, doc[first:end].text, kind))
        out.sort(key=lambda f: f.start)
        for _, start, end in self.same_place(doc):  # "the same center": the facility named before it
            earlier = [f for f in out if f.end <= start]
            if earlier and not taken & set(range(start, end)):
                out.append(FacilityMention(start, end, earlier[-1].text, earlier[-1].type))
        return sorted(out, key=lambda f: f.start)


def _resolve(span: Span, doc: Doc) -> PlaceMention | None:
    text = span.text.strip()
    if text.lower().startswith("the "):
        text = text[4:]
    if not text:
        return None
    abroad = _countries().get(fold(text))
    if abroad:
        return PlaceMention(span.start, span.end, span.text, *abroad)
    if _seen_as_place(span) and (country := _world_cities().get(fold(text))):
        return PlaceMention(span.start, span.end, span.text, country, "city")
    context = doc[max(span.start - 3, 0): min(span.end + 3, len(doc))].text
    match = gazetteer().resolve(text, context)
    if match is None and "\u4e00" <= text[:1] <= "\u9fff":
        match = next((m for s in _HAN_SUFFIXES if (m := gazetteer().resolve(text + s))), None)
    if match is None:
        return None
    if span.label_ in ("ORG", "NORP") and match.kind not in ("country", "region", "prefecture", "city", "county"):
        return None
    return PlaceMention(span.start, span.end, span.text, match.code, match.kind)


def _seen_as_place(span: Span) -> bool:
    """A place to the parser, or a name it took for an organisation where a place stands ("lives in Osh")."""
    return span.label_ in ("GPE", "LOC") or (
        span.label_ == "ORG" and span.start > 0 and span.doc[span.start - 1].lower_ in ("in", "to", "from", "near"))


def names_a_place(word: str) -> bool:
    """Whether a single word is a place's name (a country, a city abroad, a gazetteer place)."""
    return fold(word) in _countries() or gazetteer().resolve(word) is not None


def specificity(place: PlaceMention) -> int:
    """How deep a place sits: county or township codes beat prefectures, which beat the region or country."""
    return len(place.code) if place.in_china else (2 if "-" in place.code else 1)
