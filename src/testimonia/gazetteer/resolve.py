"""Recognise a place from the words a report uses: "Nilka County", "Ghulja", "Кульджа", "伊宁市".

A bare name that several places share (Yining city and Yining county, Hotan city, county and
prefecture) is resolved by the kind word written with it ("county", "city", "prefecture", 县, 市…),
then by such words in the surrounding text, then by preferring the city, the prefecture, and the
county, in that order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .load import PlaceRecord, load_places

# Kind words, folded, and the place kinds they point to.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "county": ("county",), "xian": ("county",), "nahiyisi": ("county",), "nahiye": ("county",),
    "уезд": ("county",), "ауданы": ("county",), "аудан": ("county",), "район": ("county", "district"),
    "city": ("city", "prefecture"), "shehiri": ("city", "prefecture"), "shi": ("city", "prefecture"),
    "город": ("city", "prefecture"), "қаласы": ("city", "prefecture"), "қала": ("city", "prefecture"),
    "prefecture": ("prefecture",), "wilayiti": ("prefecture",), "oblast": ("region",), "region": ("region", "prefecture"),
    "district": ("district",), "township": ("township", "town"), "town": ("town", "township", "city"),
    "облысы": ("region",), "область": ("region",), "autonomous": ("prefecture", "county"),
}
_CHINESE_KIND = (("自治县", ("county",)), ("县", ("county",)), ("市", ("city", "prefecture")),
                 ("区", ("district",)), ("地区", ("prefecture",)), ("自治州", ("prefecture",)),
                 ("镇", ("town",)), ("乡", ("township",)))
_DEFAULT_ORDER = ("country", "city_of_republican_significance", "city", "prefecture", "region",
                  "county", "district", "town", "township", "subdistrict")
_WORD = re.compile(r"[\w\u0600-\u06ff']+")


def fold(text: str) -> str:
    """Case, accents, apostrophes and spacing folded away, for matching place names."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    text = re.sub(r"[’'ʼ`´\-‐·]", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class PlaceMatch:
    code: str
    kind: str
    name: str
    name_en: str | None
    matched: str


class Gazetteer:
    """An in-memory index of place aliases."""

    def __init__(self, places: Iterable[PlaceRecord] | None = None):
        self.places = {p.code: p for p in (places if places is not None else load_places())}
        self._by_alias: dict[str, list[PlaceRecord]] = {}
        for place in self.places.values():
            for alias in place.aliases:
                self._add(fold(alias.text), place)
            self._add(fold(place.code), place)

    def _add(self, key: str, place: PlaceRecord) -> None:
        bucket = self._by_alias.setdefault(key, [])
        if place not in bucket:
            bucket.append(place)

    def ancestors(self, code: str) -> list[str]:
        """The codes above a place, nearest first."""
        out, place = [], self.places.get(code)
        while place and place.parent_code:
            out.append(place.parent_code)
            place = self.places.get(place.parent_code)
        return out

    def resolve(self, text: str, context: str = "") -> PlaceMatch | None:
        """The place a mention names, or None. `context` is the text around it, for kind words."""
        wanted, core = _split_kind(text)
        candidates = self._by_alias.get(fold(core)) or self._by_alias.get(fold(text)) or []
        if not candidates:
            return None
        if len(candidates) > 1 and not wanted and context:
            wanted = _kind_words_near(core, context)
        chosen = _choose(candidates, wanted)
        return PlaceMatch(chosen.code, chosen.kind, chosen.name, chosen.name_en, text)


def _split_kind(text: str) -> tuple[tuple[str, ...], str]:
    stripped = text.strip()
    for suffix, kinds in _CHINESE_KIND:
        if stripped.endswith(suffix) and len(stripped) > len(suffix) + 1:
            return kinds, stripped[: -len(suffix)]
    words = stripped.split()
    kinds: tuple[str, ...] = ()
    while len(words) > 1 and fold(words[-1]) in _KIND_WORDS:
        kinds = kinds or _KIND_WORDS[fold(words[-1])]
        words = words[:-1]
    while len(words) > 1 and fold(words[0]) in ("the",):
        words = words[1:]
    return kinds, " ".join(words)


def _kind_words_near(name: str, context: str) -> tuple[str, ...]:
    folded = fold(context)
    target = fold(name)
    at = folded.find(target)
    while at >= 0:
        after = _WORD.findall(folded[at + len(target): at + len(target) + 30])
        if after and after[0] in _KIND_WORDS:
            return _KIND_WORDS[after[0]]
        at = folded.find(target, at + 1)
    return ()


def _choose(candidates: list[PlaceRecord], wanted: tuple[str, ...]) -> PlaceRecord:
    def rank(place: PlaceRecord) -> tuple[int, int]:
        preferred = wanted.index(place.kind) if place.kind in wanted else len(wanted)
        default = _DEFAULT_ORDER.index(place.kind) if place.kind in _DEFAULT_ORDER else len(_DEFAULT_ORDER)
        return preferred, default

    return min(candidates, key=rank)
