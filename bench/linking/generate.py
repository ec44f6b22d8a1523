"""Synthetic registries with known truth, for benchmarking record linkage.

    python -m bench.linking.generate --persons 100000 --seed 1 --out bench/out/linking-100k.jsonl

Writes N import rows (PATH.jsonl, docs/import-export.md: one row = one report about one person, which
the importer makes into one registry person) and the truth beside them:

- PATH.truth.tsv: `row<TAB>true_person` per row, row = 0-based line of PATH.jsonl;
- PATH.persons.tsv: each invented true person (name clusters, birth, county, and whether it was
  invented as a sibling or a namesake of an earlier one: a hard negative by design).

Every row's `source.url` is https://example.org/bench/row/<row>, so registry persons map back to rows.
A true person is reported 1 to 6 times; rows are shuffled within blocks of about 50,000 rows, each
holding all the rows of its persons, so the file streams. The output is a pure function of (persons,
seed).

Names are built part by part from name-part clusters harvested from real published forms (the shared
development set and bench/names): a given name of one real person joined to the father's name of
another. The clusters are enlarged with independent converters (umsc, ICU, pypinyin); this module
never uses testimonia.names, which is what a linkage benchmark measures. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import sys
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import icu
from pypinyin import Style, lazy_pinyin
from rapidfuzz.fuzz import ratio
from umsc import UgMultiScriptConverter

from bench.generate import (
    CONSENTS,
    DETENTION_REASONS,
    HEALTH,
    MEDIA,
    OCCUPATIONS,
    RELATIONS,
    STORIES,
    Invented,
    Reference,
    _contacts,
    _day,
    _events,
    _summary,
    _testifier,
    load_reference,
)
from testimonia.domain.prc_id import check_character

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared" if (ROOT / "shared").exists() else ROOT.parent / "shared"  # as tests/conftest.py finds it
PEOPLE_FILES = (SHARED / "data" / "names" / "people.jsonl", ROOT / "bench" / "names" / "people.jsonl")
ROW_URL = "https://example.org/bench/row/"
_ROW_SLOT = "{row}"  # stands for the row number until the block is shuffled

# --- the truth model ---------------------------------------------------------------------------
BLOCK_ROWS = 50_000
REPORT_COUNTS, REPORT_WEIGHTS = (1, 2, 3, 4, 5, 6), (40, 25, 15, 10, 6, 4)
SIBLING = 0.10  # a new true person is a sibling of a recent one: same father's name and county
NAMESAKE = 0.05  # ... or a namesake: the same given and father's names, another birth year
RECENT_PERSONS = 5_000  # the persons siblings and namesakes are drawn from
# Given names drawn far more often (Zipf weights 1/rank) for a share of new persons: the names several real
# persons share, so many per group and sex.
COMMON_GIVEN = {("uyghur", "male"): 5, ("uyghur", "female"): 2, ("kazakh", "male"): 2, ("kazakh", "female"): 1}
COMMON_SHARE = 0.30
SAME_GROUP_FATHER = 0.85  # the father's name comes from the same group (Uyghur-like, Kazakh-like)
RESIDENT_ID_PERSONS = 0.20
BIRTH_RANGE = (dt.date(1938, 1, 1), dt.date(2001, 12, 31))

# --- noise, per row unless said otherwise (README.md lists them) ------------------------------------
NO_NAME = 0.01
ONLY_HAN = 0.02  # of rows about a person both of whose name parts have Chinese forms
TYPO = 0.05  # per Latin or Cyrillic form: a letter dropped, doubled or swapped with the next
GIVEN_ONLY = 0.08  # per form: the father's name left out
SWAPPED = 0.05  # per form: father's name first
PASSPORT_SURNAME = 0.08  # per Latin or Cyrillic form of a Kazakh or Kyrgyz person: -ov/-ova/-ev/-eva, -uly/-qyzy
HONORIFIC = 0.02  # per full form in Latin, Cyrillic or Arabic script
SEX_MISSING = 0.10
ETHNICITY_MISSING = 0.15
BIRTH_MISSING = 0.20
AGE_ERROR = 0.15  # of ages given: one year off
HOMETOWN_MISSING = 0.15
HOMETOWN_TOWNSHIP = 0.20  # of hometowns given: the township rather than the county
RESIDENT_ID_GIVEN = 0.70  # of the rows about a person who has one
OCCUPATION_MISSING = 0.20
OCCUPATION_OTHER = 0.15  # of occupations given: a related one (a farmer called a herder) or, failing one, any
# Occupations one person's reports confuse (bench.generate's OCCUPATIONS).
RELATED_OCCUPATIONS = {"farmer": ("herder",), "herder": ("farmer",), "trader": ("businessman", "shopkeeper"),
                       "businessman": ("trader",), "shopkeeper": ("trader",), "doctor": ("nurse",),
                       "nurse": ("doctor",), "teacher": ("writer", "retired"), "writer": ("journalist", "teacher"),
                       "journalist": ("writer",), "driver": ("mechanic",), "mechanic": ("driver",)}
SOURCE_KINDS, SOURCE_WEIGHTS = ("testimony", "news_article", "leaked_list"), (85, 8, 7)
FORMS_PER_ROW, FORMS_WEIGHTS = (1, 2, 3), (45, 35, 20)

# Where a row takes a name form from ("slots"), and how often, by the person's group.
SLOT_SCRIPT = {"Latn": "Latn", "pinyin": "Latn", "Arab": "Arab", "Cyrl": "Cyrl", "Hani": "Hani"}
SLOT_WEIGHTS = {"uyghur": {"Latn": 40, "Arab": 25, "Hani": 20, "pinyin": 8, "Cyrl": 7},
                "kazakh": {"Latn": 35, "Cyrl": 35, "Hani": 18, "pinyin": 7, "Arab": 5}}
LEAKED_LIST_WEIGHTS = {"Hani": 70, "pinyin": 30, "Latn": 5}  # official lists are in Chinese
GROUP = {"uyghur": "uyghur", "uzbek": "uyghur", "tatar": "uyghur", "kazakh": "kazakh", "kyrgyz": "kazakh"}
TESTIFIER_COMMUNITY = {"uzbek": "uyghur", "tatar": "uyghur"}  # bench.generate has names for the others
HONORIFICS = {"Latn": ("Haji", "Hajim", "Hoja"), "Arab": ("ھاجى", "خوجا"), "Cyrl": ("Хаджи", "Ходжа", "Қожа")}
NEWS = {"title": "News report about detentions (synthetic)", "publisher": "Example Newsroom"}
LEAKED_LIST = {"title": "Leaked detainee list (synthetic)"}


# --- name-part clusters --------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One spelling of one name part: published in the name files, or made from one by a converter."""

    text: str
    slot: str  # Latn, pinyin, Arab, Cyrl, Hani
    kind: str  # the published form's kind (english, uly, chinese…) or the converter's name
    language: str | None = None
    derived: bool = False


@dataclass
class Cluster:
    """The spellings of ONE given name (or father's name) of one real person, across scripts."""

    id: str  # the real person's id and the position: "P002/given"
    ethnicity: str
    sex: str  # of the real person: the given name's sex
    spelling: str  # the reference Latin spelling, for readers of the persons file
    keys: frozenset[str]  # folded spellings, to tell names apart
    variants: dict[str, list[Variant]] = field(default_factory=dict)  # by slot

    @property
    def person(self) -> str:
        return self.id.split("/")[0]


# Persons are women when their notes do not say so plainly enough; the keys of people.jsonl.
FEMALE = frozenset((
    "rahile_dawut gulshan_abbas rushan_abbas rahile_kashgarli soyungul_chanisheff gulbahar_haitiwaji rayhan_asat "
    "mukaddas_mijit rebiya_kadeer dilraba_dilmurat sanubar_tursun mihrigul_tursun dilnar_abdulla gulnazar "
    "chimengul_awut sayragul_sauytbay kaisha_akan gulzira_auelkhan amannisa_khan xiang_fei_iparhan zumret_dawut "
    "tursunay_ziyawudun gulchehra_hoja qimangul_zikri jewher_ilham ziba_murat gulmire_imin").split())
ETHNICITY_WORD = re.compile(r"\b(Uyghur|Uighur|Kazakh|Kyrgyz|Tatar|Uzbek|Hui)", re.I)
ETHNICITY_BY_KIND = {"uyghur_arabic": "uyghur", "uly": "uyghur", "kazakh_cyrillic": "kazakh",
                     "kazakh_latin": "kazakh", "kyrgyz_cyrillic": "kyrgyz"}
# Titles, honorifics and a pen name, folded, and nisbas with the Arabic article (al-Kashgari): a person whose
# name part is one is not harvested, for it is no father's name.
NOT_NAMES = frozenset("han hoja haja hvaja beg bek batir batur sultan tore damola damolla efendi ependi haji hajim "
                      "uigur".split())
ARABIC_ARTICLE = re.compile(r"(al|el|ad|ud|ul)-", re.I)
HAN_SEPARATOR = re.compile(r"\s*[·•‧・.．\-\u2e31\u318d\s]\s*")
LANGUAGE_BY_KIND = {"uyghur_arabic": "ug", "chinese": "zh", "kazakh_cyrillic": "kk", "russian": "ru",
                    "kyrgyz_cyrillic": "ky"}
MIN_SIMILARITY = {"Hani": 20, "pinyin": 20}  # a form's part against the reference part; others 45


_UMSC = UgMultiScriptConverter("UAS", "ULS")
_ICU = {name: icu.Transliterator.createInstance(name)
        for name in ("Any-Latin; Latin-ASCII; Lower", "kk-kk_Latn/BGN", "Russian-Latin/BGN", "Latin-Cyrillic")}
_FOLD_LETTERS = str.maketrans({"ə": "e", "ә": "e", "Ә": "e", "ⱨ": "h", "Ⱨ": "h", "ɵ": "o", "ʿ": "", "’": "", "'": ""})
_FOLD_SOUNDS = (("dzh", "j"), ("kh", "h"), ("zh", "j"), ("gh", "g"), ("sh", "s"), ("ch", "c"), ("x", "h"),
                ("q", "k"), ("w", "v"), ("y", "i"))


def fold(text: str, slot: str, kind: str = "") -> str:
    """A rough Latin key of a name part in any script, to align parts and tell names apart (not a matcher)."""
    if slot == "Hani":
        text = "".join(lazy_pinyin(text))
    elif kind == "uyghur_arabic":
        text = _UMSC(text, "UAS", "ULS")
    key = re.sub(r"[^a-z]", "", _ICU["Any-Latin; Latin-ASCII; Lower"].transliterate(text.translate(_FOLD_LETTERS)))
    for sound, letter in _FOLD_SOUNDS:
        key = key.replace(sound, letter)
    return key


def _slot(form: dict) -> str:
    return "pinyin" if form["kind"] == "pinyin" else form["script"]


def split_parts(form: dict) -> list[str]:
    """A published form's name parts: Chinese and pinyin forms split on the middle dot and its look-alikes."""
    text = form["text"].strip()
    if "," in text or "(" in text:
        return []
    if form["script"] == "Hani" or (form["kind"] == "pinyin" and "·" in text):
        return [p for p in HAN_SEPARATOR.split(text) if p]
    return text.split()


def _ethnicity(person: dict) -> str:
    """As the notes or the forms' kinds say; otherwise Uyghur (officials of the region, relatives of Uyghurs)."""
    found = ETHNICITY_WORD.search(person.get("notes") or "")
    if found:
        return found.group(1).lower().replace("uighur", "uyghur")
    kinds = [ETHNICITY_BY_KIND[f["kind"]] for f in person["forms"] if f["kind"] in ETHNICITY_BY_KIND]
    return kinds[0] if kinds else "uyghur"


def _is_name(part: str, key: str) -> bool:
    return key not in NOT_NAMES and not ARABIC_ARTICLE.match(part)


def _aligned(parts: list[str], slot: str, kind: str, reference: list[str]) -> bool:
    """Two parts in the reference's order, each like the reference's part (not a swapped or another name)."""
    keys = [fold(p, slot, kind) for p in parts]
    if not all(map(_is_name, parts, keys)):
        return False
    straight = (ratio(keys[0], reference[0]), ratio(keys[1], reference[1]))
    swapped = (ratio(keys[0], reference[1]), ratio(keys[1], reference[0]))
    return sum(straight) >= sum(swapped) and min(straight) >= MIN_SIMILARITY.get(slot, 45)


def person_clusters(person: dict) -> tuple[Cluster, Cluster] | None:
    """The given-name and father's-name clusters of one real person, or None when the forms do not align.

    The reference is the person's first Latin form: it must have two parts, neither a title. Every
    other non-alias form with two parts in the same order joins, part by part.
    """
    ethnicity = _ethnicity(person)
    forms = [f for f in person["forms"] if not f.get("alias")]
    latin = [f for f in forms if f["script"] == "Latn"]
    if ethnicity not in GROUP or not latin:
        return None
    spellings = split_parts(latin[0])
    reference = [fold(p, "Latn") for p in spellings]
    if len(reference) != 2 or not all(map(_is_name, spellings, reference)):
        return None
    columns: tuple[list[Variant], list[Variant]] = ([], [])
    for form in forms:
        parts, slot = split_parts(form), _slot(form)
        if len(parts) == 2 and _aligned(parts, slot, form["kind"], reference):
            for column, part in zip(columns, parts):
                column.append(Variant(part, slot, form["kind"], LANGUAGE_BY_KIND.get(form["kind"])))
    sex = "female" if person["key"] in FEMALE else "male"
    return tuple(_cluster(f"{person['id']}/{position}", ethnicity, sex, spelling, published)
                 for position, spelling, published in zip(("given", "father"), spellings, columns))


def _cluster(cluster_id: str, ethnicity: str, sex: str, spelling: str, published: list[Variant]) -> Cluster:
    variants: dict[str, list[Variant]] = {}
    seen: set[tuple[str, str]] = set()
    for v in published + derived_variants(published, ethnicity):
        if (v.slot, v.text.casefold()) not in seen:
            seen.add((v.slot, v.text.casefold()))
            variants.setdefault(v.slot, []).append(v)
    keys = frozenset(fold(v.text, v.slot, v.kind) for vs in variants.values() for v in vs)
    return Cluster(cluster_id, ethnicity, sex, spelling, keys, variants)


def read_people(paths: tuple[Path, ...] = PEOPLE_FILES) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- converters (independent of testimonia) ---------------------------------------------------------
# An English spelling umsc may read as ULY: no c, kh or x, which English and ULY spell differently.
_READS_AS_ULY = re.compile(r"(?!.*kh)(?:ch|[abdefghijklmnopqrstuvwyzéöü'’])+")
_KAZAKH_AS_UYGHUR_CYRILLIC = str.maketrans({"ұ": "у", "Ұ": "У", "і": "и", "І": "И", "ы": "и", "Ы": "И",
                                            "ж": "җ", "Ж": "Җ", "е": "ә", "Е": "Ә"})
# English spellings as ICU's Latin-Cyrillic reads them (š, ž, č, â = я, û = ю, j = й, é = э, dž = дж).
_RUSSIAN_SPELLING = ((r"[öə]", "o"), (r"ü", "u"), (r"ä", "a"), (r"ı", "i"), (r"ş", "š"), (r"ç", "č"), (r"ğ", "g"),
                     (r"^e", "é"), (r"ck", "k"), (r"ff$", "f"), (r"zh", "ž"), (r"kh", "h"), (r"sh", "š"),
                     (r"ch", "č"), (r"gh", "g"), (r"[jc]", "dž"), (r"q", "k"), (r"w", "v"), (r"x", "h"),
                     (r"ya", "â"), (r"yu", "û"), (r"yo", "ë"), (r"ye", "e"), (r"y(?=[aeiou])", "j"),
                     (r"(?<=[aeiou])y", "j"), (r"(?<=[aeou])i(?=$|[^aeiouyl])", "j"))  # Altai, Kaisha; Ismail
# ICU's BGN romanisation marks what people writing their names leave out: ū for у, ī for и, ī̆ for й,
# ʹ for the soft sign, a middle dot between letters read apart.
_BGN_MARKS = str.maketrans({"·": None, "ʹ": None, "\u0304": None, "\u0306": None})


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def uly_from_arabic(text: str) -> str:
    return _capital(_UMSC(text, "UAS", "ULS"))


def uyghur_cyrillic_from_arabic(text: str) -> str:
    return _capital(_UMSC(text, "UAS", "UCS").replace("'", ""))


def arabic_from_uly(text: str) -> str:
    return _UMSC(text.lower().replace("’", "'"), "ULS", "UAS")


def arabic_from_english(text: str) -> str:
    """An English spelling read as ULY, where ng before a vowel is n + g (Chimengul: -gul, flower), not ڭ."""
    return arabic_from_uly(re.sub(r"ng(?=[aeiouöü])", "n'g", text.lower()))


def latin_from_kazakh(text: str) -> str:
    return _without_bgn_marks(_ICU["kk-kk_Latn/BGN"].transliterate(text))


def _without_bgn_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("i\u0304\u0306", "y").replace("I\u0304\u0306", "Y")
    return unicodedata.normalize("NFC", text.translate(_BGN_MARKS))


def arabic_from_kazakh(text: str) -> str:
    """Kazakh Cyrillic read as Uyghur Cyrillic by umsc: the Arabic-script spelling Xinjiang Kazakhs use, nearly."""
    return _UMSC(text.translate(_KAZAKH_AS_UYGHUR_CYRILLIC), "UCS", "UAS")


def latin_from_russian(text: str) -> str | None:
    latin = _without_bgn_marks(_ICU["Russian-Latin/BGN"].transliterate(text))
    return None if re.search(r"[\u0400-\u04ff]", latin) else latin  # a Kazakh letter it does not know


def russian_cyrillic_from_english(text: str) -> str | None:
    spelling = text.lower()
    for pattern, replacement in _RUSSIAN_SPELLING:
        spelling = re.sub(pattern, replacement, spelling)
    cyrillic = _capital(_ICU["Latin-Cyrillic"].transliterate(spelling))
    return None if re.search(r"[^\u0400-\u04ff]", cyrillic) else cyrillic


def pinyin_from_han(text: str) -> list[str]:
    """Pinyin as Chinese documents romanise these names: with tone marks and apostrophes, and plain."""
    toned = lazy_pinyin(text, style=Style.TONE)
    plain = lazy_pinyin(text)
    if not all(re.fullmatch(r"[a-z]+", s) for s in plain):
        return []
    marked = toned[0] + "".join(("'" if unicodedata.normalize("NFD", s)[0] in "aoe" else "") + s for s in toned[1:])
    return [_capital(marked), _capital("".join(plain))]


def derived_variants(published: list[Variant], ethnicity: str) -> list[Variant]:
    """More spellings of one name part, made from its published ones by umsc, ICU and pypinyin."""
    out: list[Variant] = []

    def add(text: str | None, slot: str, kind: str, language: str | None = None) -> None:
        if text and text.strip():
            out.append(Variant(text.strip(), slot, kind, language, derived=True))

    has_arabic = any(v.slot == "Arab" for v in published)
    for v in published:
        if v.slot == "Hani":
            for text in pinyin_from_han(v.text):
                add(text, "pinyin", "pypinyin")
        elif v.kind == "uyghur_arabic":
            add(uly_from_arabic(v.text), "Latn", "umsc UAS-ULS")
            add(uyghur_cyrillic_from_arabic(v.text), "Cyrl", "umsc UAS-UCS", "ug-Cyrl")
        elif v.kind in ("kazakh_cyrillic", "kyrgyz_cyrillic"):
            add(latin_from_kazakh(v.text), "Latn", "icu kk-kk_Latn/BGN")
            add(arabic_from_kazakh(v.text), "Arab", "umsc UCS-UAS (Kazakh)", "kk-Arab")
        elif v.kind == "russian":
            add(latin_from_russian(v.text), "Latn", "icu Russian-Latin/BGN")
        elif v.kind == "uly":
            add(arabic_from_uly(v.text), "Arab", "umsc ULS-UAS", "ug")
        elif v.kind == "english" and GROUP[ethnicity] == "uyghur" and not has_arabic \
                and _READS_AS_ULY.fullmatch(v.text.lower()):
            add(arabic_from_english(v.text), "Arab", "umsc ULS-UAS (English read as ULY)", "ug")
        if v.kind == "english":
            add(russian_cyrillic_from_english(v.text), "Cyrl", "icu Latin-Cyrillic", "ru")
    return out


# --- the pool of names -----------------------------------------------------------------------------
@dataclass
class World:
    """Everything a row is drawn from: the name clusters, the gazetteer and the real names to avoid."""

    given: list[Cluster]
    father: list[Cluster]
    forbidden: set[tuple[str, str]]  # (given id, father id): together they spell a real person's name
    real_forms: frozenset[str]  # every published form, casefolded: no row may carry one
    reference: Reference
    townships: dict[str, list[str]]  # county code → its township codes
    common: list[Cluster]  # the given names drawn most often
    fathers_by_group: dict[str, list[Cluster]] = field(init=False)

    def __post_init__(self) -> None:
        self.fathers_by_group = {group: [c for c in self.father if GROUP[c.ethnicity] == group] or self.father
                                 for group in dict.fromkeys(GROUP.values())}

    def given_pool(self, group: str, sex: str) -> list[Cluster]:
        return [c for c in self.given if GROUP[c.ethnicity] == group and c.sex == sex] or self.given


@lru_cache(maxsize=1)
def load_world() -> World:
    people = read_people()
    pairs = [p for p in map(person_clusters, people) if p]
    given, father = [g for g, _ in pairs], [f for _, f in pairs]
    reference = load_reference()
    townships: dict[str, list[str]] = {}
    for code in reference.townships:
        townships.setdefault(reference.township_county[code], []).append(code)
    common = common_given(given, given + father)
    real_forms = frozenset(f["text"].casefold() for p in people for f in p["forms"])
    return World(given, father, _forbidden_pairs(people, given, father), real_forms, reference, townships, common)


def common_given(given: list[Cluster], clusters: list[Cluster]) -> list[Cluster]:
    """The common given names, most common first: those the most real persons share, then the most spelled."""
    def rank(c: Cluster) -> tuple:
        shared = sum(1 for other in clusters if other.id != c.id and not other.keys.isdisjoint(c.keys))
        return -shared, -sum(map(len, c.variants.values())), c.id

    chosen: list[Cluster] = []
    for (group, sex), count in COMMON_GIVEN.items():
        pool = sorted((c for c in given if GROUP[c.ethnicity] == group and c.sex == sex), key=rank)
        for cluster in pool:
            if sum(1 for c in chosen if GROUP[c.ethnicity] == group and c.sex == sex) == count:
                break
            if all(c.keys.isdisjoint(cluster.keys) for c in chosen):
                chosen.append(cluster)
    return sorted(chosen, key=rank)


def _forbidden_pairs(people: list[dict], given: list[Cluster], father: list[Cluster]) -> set[tuple[str, str]]:
    """Pairs of clusters that would spell a real person's name: two of its parts, in order, in any one form."""
    real = {(fold(a, _slot(f), f["kind"]), fold(b, _slot(f), f["kind"]))
            for p in people for f in p["forms"] for a, b in itertools.combinations(split_parts(f), 2)}
    return {(g.id, f.id) for g in given for f in father
            if g.person == f.person or any((a, b) in real for a in g.keys for b in f.keys)}


# --- true persons ----------------------------------------------------------------------------------
@dataclass
class TruePerson:
    key: str  # T0000123
    ethnicity: str
    given: Cluster
    father: Cluster
    core: Invented  # birth, sex, county and hometown, occupation, resident ID, story, facilities (bench.generate)
    relation: str = ""  # "sibling" or "namesake" of `related_to`
    related_to: str = ""


def invent_persons(rng: random.Random, world: World) -> Iterator[TruePerson]:
    """True persons, one after another: new ones, and siblings and namesakes of recent ones."""
    recent: deque[TruePerson] = deque(maxlen=RECENT_PERSONS)
    issued: set[str] = set()  # resident ID numbers, unique per person
    for number in itertools.count():
        key, roll = f"T{number:07d}", rng.random()
        person = None
        if recent and roll < SIBLING + NAMESAKE:
            earlier = recent[rng.randrange(len(recent))]
            person = (_sibling if roll < SIBLING else _namesake)(rng, world, key, earlier, issued)
        person = person or _new_person(rng, world, key, issued)
        recent.append(person)
        yield person


def _new_person(rng: random.Random, world: World, key: str, issued: set[str]) -> TruePerson:
    if rng.random() < COMMON_SHARE:
        given = rng.choices(world.common, weights=[1 / rank for rank in range(1, len(world.common) + 1)])[0]
    else:
        given = rng.choice(world.given)
    father = _father_for(rng, world, given)
    county = rng.choice(world.reference.counties)
    return _person(rng, world, key, given, father, county, _township(rng, world, county), _birth(rng), issued)


def _father_for(rng: random.Random, world: World, given: Cluster) -> Cluster:
    same_group = world.fathers_by_group[GROUP[given.ethnicity]]
    while True:
        father = rng.choice(same_group if rng.random() < SAME_GROUP_FATHER else world.father)
        if (given.id, father.id) not in world.forbidden:
            return father


def _sibling(rng: random.Random, world: World, key: str, other: TruePerson, issued: set[str]) -> TruePerson | None:
    """Another child of the same father: a different given name, the same father's name and county."""
    sex = "male" if rng.random() < 0.55 else "female"
    choices = [g for g in world.given_pool(GROUP[other.ethnicity], sex)
               if g.keys.isdisjoint(other.given.keys) and (g.id, other.father.id) not in world.forbidden]
    if not choices:
        return None
    township = other.core.hometown if rng.random() < 0.7 and other.core.hometown != other.core.county else None
    birth = dt.date.min
    while not BIRTH_RANGE[0] <= birth <= BIRTH_RANGE[1]:
        birth = other.core.birth + dt.timedelta(days=rng.randint(-12 * 365, 12 * 365))
    person = _person(rng, world, key, rng.choice(choices), other.father, other.core.county,
                     township or _township(rng, world, other.core.county), birth, issued)
    return replace(person, relation="sibling", related_to=other.key)


def _namesake(rng: random.Random, world: World, key: str, other: TruePerson, issued: set[str]) -> TruePerson:
    """Someone else with the very same name: another birth year, often the same county."""
    birth = _birth(rng)
    while abs(birth.year - other.core.birth.year) < 2:
        birth = _birth(rng)
    county = other.core.county if rng.random() < 0.6 else rng.choice(world.reference.counties)
    person = _person(rng, world, key, other.given, other.father, county, _township(rng, world, county), birth, issued)
    return replace(person, relation="namesake", related_to=other.key)


def _person(rng: random.Random, world: World, key: str, given: Cluster, father: Cluster, county: str,
            township: str | None, birth: dt.date, issued: set[str]) -> TruePerson:
    ethnicity, sex = given.ethnicity, given.sex
    resident_id = _resident_id(rng, county, birth, sex, issued) if rng.random() < RESIDENT_ID_PERSONS else None
    citizenships = ["CN"] + (["KZ"] if ethnicity == "kazakh" and rng.random() < 0.25 else [])
    core = Invented(TESTIFIER_COMMUNITY.get(ethnicity, ethnicity), sex, f"{given.spelling} {father.spelling}",
                    (given.spelling, father.spelling), birth, township or county, county, rng.choice(OCCUPATIONS),
                    resident_id, citizenships, rng.choice(STORIES),
                    [rng.choice(world.reference.facilities) for _ in range(3)])
    return TruePerson(key, ethnicity, given, father, core)


def _birth(rng: random.Random) -> dt.date:
    return _day(rng, *BIRTH_RANGE)


def _township(rng: random.Random, world: World, county: str) -> str | None:
    townships = world.townships.get(county)
    return rng.choice(townships) if townships else None


def _resident_id(rng: random.Random, county: str, birth: dt.date, sex: str, issued: set[str]) -> str:
    """18 characters: county, birth date, a serial odd for men and even for women, a valid check character."""
    while True:
        serial = rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)
        first17 = f"{county}{birth:%Y%m%d}{serial:03d}"
        number = first17 + check_character(first17)
        if number not in issued:
            issued.add(number)
            return number


# --- name forms in a row -----------------------------------------------------------------------------
def row_names(rng: random.Random, person: TruePerson, world: World, source_kind: str) -> list[dict]:
    """The forms of the name one report gives: 1–3 forms in scripts the person's community uses, with noise."""
    roll = rng.random()
    shared = [s for s in SLOT_SCRIPT if s in person.given.variants and s in person.father.variants]
    if roll < NO_NAME or not shared:
        return []
    if roll < NO_NAME + ONLY_HAN and "Hani" in shared:
        slots = ["Hani"]
    else:
        weights = LEAKED_LIST_WEIGHTS if source_kind == "leaked_list" else SLOT_WEIGHTS[GROUP[person.ethnicity]]
        slots = _pick_slots(rng, shared, weights, rng.choices(FORMS_PER_ROW, FORMS_WEIGHTS)[0])
    forms: list[dict] = []
    for slot in slots:
        form = name_form(rng, person, slot)
        if form["text"].casefold() not in world.real_forms and all(f["text"] != form["text"] for f in forms):
            forms.append(form)
    return forms


def _pick_slots(rng: random.Random, shared: list[str], weights: dict[str, int], count: int) -> list[str]:
    """`count` different slots (fewer when fewer are shared), drawn by weight without replacement."""
    pool = [s for s in shared if weights.get(s)] or shared
    picked: list[str] = []
    while pool and len(picked) < count:
        slot = rng.choices(pool, weights=[weights.get(s, 1) for s in pool])[0]
        picked.append(slot)
        pool.remove(slot)
    return picked


def name_form(rng: random.Random, person: TruePerson, slot: str) -> dict:
    """One form of the person's name, part by part from the clusters, with the noise of the rates above."""
    given, father = _spellings(rng, person, slot)
    father_text = father.text
    if slot in ("Latn", "Cyrl") and GROUP[person.ethnicity] == "kazakh" and rng.random() < PASSPORT_SURNAME:
        father_text = passport_surname(rng, father_text, person.core.sex, slot)
    roll, part = rng.random(), "full"
    if roll < GIVEN_ONLY:
        words, part = [given.text], rng.choice(("given", "full"))
    elif roll < GIVEN_ONLY + SWAPPED:
        words = [father_text, given.text]
    else:
        words = [given.text, father_text]
    if part == "full" and slot in HONORIFICS and rng.random() < HONORIFIC:
        words.insert(0, rng.choice(HONORIFICS[slot]))
    text = ("·" if slot == "Hani" else " ").join(words)
    if slot in ("Latn", "Cyrl") and rng.random() < TYPO:
        text = typo(rng, text)
    form = {"text": text, "script": SLOT_SCRIPT[slot]}
    if given.language and (given.language == father.language or part == "given"):
        form["language"] = given.language
    if part != "full":
        form["part"] = part
    return form


def _spellings(rng: random.Random, person: TruePerson, slot: str) -> tuple[Variant, Variant]:
    """A spelling of each part; pinyin parts both with tone marks or both without, as one writer would."""
    givens, fathers = person.given.variants[slot], person.father.variants[slot]
    if slot == "pinyin":
        marked = rng.random() < 0.5
        givens = [v for v in givens if _has_tone_marks(v.text) == marked] or givens
        fathers = [v for v in fathers if _has_tone_marks(v.text) == marked] or fathers
    return rng.choice(givens), rng.choice(fathers)


def _has_tone_marks(text: str) -> bool:
    return not text.isascii()


_PATRONYMIC_END = re.compile(r"(uly|ulı|qyzy|kyzy|ova|eva|ov|ev|ұлы|улы|қызы|кызы|ова|ева|ов|ев)$", re.I)
_SURNAME_ENDINGS = {("Latn", "russian"): ("ov", "ova", "ev", "eva"), ("Cyrl", "russian"): ("ов", "ова", "ев", "ева"),
                    ("Latn", "kazakh"): ("uly", "qyzy", "uly", "qyzy"), ("Cyrl", "kazakh"): ("ұлы", "қызы", "ұлы", "қызы")}


def passport_surname(rng: random.Random, father: str, sex: str, slot: str) -> str:
    """The father's name as a passport surname: Russian -ov/-ova (-ev/-eva after a vowel) or Kazakh -uly/-qyzy."""
    stem = _PATRONYMIC_END.sub("", father)
    stem = stem if len(stem) >= 3 else father
    male, female, male_soft, female_soft = _SURNAME_ENDINGS[(slot, rng.choice(("russian", "kazakh")))]
    soft = stem[-1].lower() in "aeiouyаеиоуыэюяәіө"
    return stem + ((male_soft if soft else male) if sex == "male" else (female_soft if soft else female))


def typo(rng: random.Random, text: str) -> str:
    """One letter dropped, doubled, or swapped with the next letter."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(letters)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop" and len(letters) > 3:
        return text[:i] + text[i + 1:]
    if kind == "swap" and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i] + text[i:]


# --- one row ----------------------------------------------------------------------------------------
def report_row(rng: random.Random, person: TruePerson, world: World) -> dict:
    """One import row: one report about the person, with the noise of a testimony, an article or a list."""
    kind = rng.choices(SOURCE_KINDS, SOURCE_WEIGHTS)[0]
    recorded = _day(rng, dt.date(2018, 1, 1), dt.date(2024, 12, 31))
    names = row_names(rng, person, world, kind)
    events = _events(rng, person.core, world.reference)
    row: dict = {"person": person_fields(rng, person, names, recorded, kind)}
    if kind == "testimony":
        testifier, handle = _testifier(rng, person.core)
        subject = replace(person.core, parts=(names[0]["text"] if names else "Name withheld", ""))
        row["testifier"] = {"name": testifier, "relation": rng.choice(RELATIONS), "contacts": _contacts(rng, handle),
                            "consent": rng.choice(CONSENTS)}
        row["testimony"] = {"medium": rng.choice(MEDIA), "date": recorded.isoformat(),
                            "summary": _summary(rng, subject, events),
                            **({"detention_reason": rng.choice(DETENTION_REASONS)} if rng.random() < 0.3 else {})}
    extra = NEWS if kind == "news_article" else LEAKED_LIST if kind == "leaked_list" else {}
    row["source"] = {"kind": kind, **extra, "date": recorded.isoformat(),
                     "language": rng.choice(("kk", "ug", "ru", "en", "ky", "zh")), "url": ROW_URL + _ROW_SLOT}
    row["events"] = events
    return row


def person_fields(rng: random.Random, person: TruePerson, names: list[dict], recorded: dt.date, kind: str) -> dict:
    """What the report says of the person. A report without a name gives a birth date and hometown."""
    core, nameless = person.core, not names
    fields: dict = {"names": names} if names else {}
    if rng.random() >= SEX_MISSING:
        fields["sex"] = core.sex
    if rng.random() >= ETHNICITY_MISSING:
        fields["ethnicity"] = person.ethnicity
    fields.update(birth_fields(rng, core.birth, recorded, nameless))
    if nameless or rng.random() >= HOMETOWN_MISSING:
        fields["hometown"] = core.hometown if rng.random() < HOMETOWN_TOWNSHIP else core.county
    if rng.random() >= OCCUPATION_MISSING:
        fields["occupation"] = reported_occupation(rng, core.occupation)
    given_rate = 0.9 if kind == "leaked_list" else RESIDENT_ID_GIVEN
    if core.resident_id and (nameless or rng.random() < given_rate):
        fields["resident_id"] = core.resident_id
    fields["citizenships"] = core.citizenships
    if rng.random() < 0.1:
        fields["health"] = rng.choice(HEALTH)
    return fields


def reported_occupation(rng: random.Random, occupation: str) -> str:
    """The person's occupation as a report gives it: sometimes a related one, or another altogether."""
    if rng.random() >= OCCUPATION_OTHER:
        return occupation
    return rng.choice(RELATED_OCCUPATIONS.get(occupation) or OCCUPATIONS)


def birth_fields(rng: random.Random, birth: dt.date, recorded: dt.date, required: bool) -> dict:
    """A full date, the year alone, or the age at the report's date (sometimes a year off); often nothing."""
    if not required and rng.random() < BIRTH_MISSING:
        return {}
    roll = rng.random()
    if required or roll < 0.35:
        return {"birth_date": birth.isoformat()}
    if roll < 0.60:
        return {"birth_date": str(birth.year)}
    age = recorded.year - birth.year - ((recorded.month, recorded.day) < (birth.month, birth.day))
    if rng.random() < AGE_ERROR:
        age += rng.choice((-1, 1))
    return {"age": age, "age_at": recorded.isoformat()}


# --- the file ----------------------------------------------------------------------------------------
@dataclass
class Block:
    persons: list[tuple[TruePerson, int]]  # each person and how many rows it has in the block
    rows: list[tuple[str, str]]  # (true person, JSON line with the row slot), shuffled


def blocks(rows: int, seed: int, block_rows: int = BLOCK_ROWS) -> Iterator[Block]:
    """The rows in blocks: all the rows of a person in one block, shuffled within it."""
    rng, world = random.Random(seed), load_world()
    people = invent_persons(rng, world)
    written = 0
    while written < rows:
        block = Block([], [])
        while len(block.rows) < min(block_rows, rows - written):
            person = next(people)
            count = min(rng.choices(REPORT_COUNTS, REPORT_WEIGHTS)[0], rows - written - len(block.rows))
            block.persons.append((person, count))
            block.rows += [(person.key, json.dumps(report_row(rng, person, world), ensure_ascii=False,
                                                   separators=(",", ":"))) for _ in range(count)]
        rng.shuffle(block.rows)
        written += len(block.rows)
        yield block


def truth_path(out: Path) -> Path:
    return out.with_suffix(".truth.tsv")


def persons_path(out: Path) -> Path:
    return out.with_suffix(".persons.tsv")


PERSON_COLUMNS = ("true_person", "rows", "ethnicity", "sex", "birth", "county", "given_cluster", "father_cluster",
                  "given", "father", "relation", "related_to")


def write(out: Path, rows: int, seed: int, block_rows: int = BLOCK_ROWS) -> int:
    """Write the rows, the truth and the persons files; returns the number of true persons."""
    out.parent.mkdir(parents=True, exist_ok=True)
    persons = 0
    with out.open("w", encoding="utf-8") as jsonl, truth_path(out).open("w", encoding="utf-8") as truth, \
            persons_path(out).open("w", encoding="utf-8") as people:
        people.write("\t".join(PERSON_COLUMNS) + "\n")
        row = 0
        for block in blocks(rows, seed, block_rows):
            for key, line in block.rows:
                jsonl.write(line.replace(ROW_URL + _ROW_SLOT, f"{ROW_URL}{row}", 1) + "\n")
                truth.write(f"{row}\t{key}\n")
                row += 1
            for person, count in block.persons:
                people.write("\t".join(map(str, (
                    person.key, count, person.ethnicity, person.core.sex, person.core.birth.isoformat(),
                    person.core.county, person.given.id, person.father.id, person.given.spelling,
                    person.father.spelling, person.relation, person.related_to))) + "\n")
            persons += len(block.persons)
    return persons


def write_clusters(path: Path) -> None:
    """Every harvested cluster and its variants, for reading by eye."""
    world = load_world()
    with path.open("w", encoding="utf-8") as out:
        out.write("cluster\tethnicity\tsex\tslot\ttext\tkind\tderived\n")
        for cluster in world.given + world.father:
            for slot, variants in cluster.variants.items():
                for v in variants:
                    out.write(f"{cluster.id}\t{cluster.ethnicity}\t{cluster.sex}\t{slot}\t{v.text}\t{v.kind}\t"
                              f"{int(v.derived)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linking.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1000, help="rows to write (one report about one person each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file; the truth goes beside it")
    parser.add_argument("--clusters", type=Path, help="also write the name clusters and their variants here (TSV)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    persons = write(args.out, args.persons, args.seed)
    if args.clusters:
        write_clusters(args.clusters)
    print(f"wrote {args.persons:,} rows about {persons:,} true persons to {args.out} "
          f"(truth: {truth_path(args.out)}) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
