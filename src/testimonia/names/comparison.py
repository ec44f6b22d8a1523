"""Compare two names written in any of the scripts and romanisations of docs/names.md.

`prepare(text)` does the expensive work once (splitting, transliteration, readings of Han and
pinyin forms, phonetic keys, and their letter codes for the compiled kernel, _kernel.pyx);
`compare(a, b)` on two prepared names only aligns their parts and measures their phonetic keys by
Indel similarity, in the kernel.

The score, in [0, 1]: parts are paired greedily, best similarity first (an honorific pairs with a
part it agrees with and then does not count, or with a name part left over, and then does); the
score is the harmonic mean of the pairs' similarities rescaled from [SIMILARITY_FLOOR, 1], so one
part that disagrees (a sibling's given name, a namesake's father) weighs most, and every name part
left unpaired (an extra middle name; not a patronymic, often dropped) lowers it a little; a
patronymic paired with the other name's given name while this name's own given name is left over
("Arman Serikovich" against "Serik": son and father) halves it; two parts in Chinese characters whose
characters hardly share a sound (麦迪娜 / 依木兰) are two names; a man's name against a woman's
("Karimov" / "Karimova", "-uly" / "-kyzy") is × 0.4, below the threshold however alike the rest. A name
written as one word on one side ("Wu'erkaixi", "萨图克布格拉汗") is also compared with every run of
adjacent parts of the other read as one word.
`same` is `score >= THRESHOLD`; docs/names.md gives every constant below its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import _kernel
from ._kernel import Comparison, KeySet, NameCode, PartCode
from .phonetic import consonants
from .structure import Part, read_name, read_part, shared_affixes
from .variants import Variants, shipped_variants

THRESHOLD = 0.5
UNPAIRED_FACTOR = 0.9
SIMILARITY_FLOOR = 0.2
INITIAL_SIMILARITY = 0.75
WHOLE_FACTOR = 0.95
CROSS_POSITION_FACTOR = 0.8
FIRST_SOUND_FACTOR = 0.8
FATHER_FACTOR = 0.5
CHARACTER_FLOOR = 0.4
GENDER_FACTOR = 0.4
_kernel.configure(THRESHOLD, UNPAIRED_FACTOR, SIMILARITY_FLOOR, INITIAL_SIMILARITY, WHOLE_FACTOR,
                  CROSS_POSITION_FACTOR, FIRST_SOUND_FACTOR, FATHER_FACTOR, CHARACTER_FLOOR, GENDER_FACTOR)
_GENDERS = {"m": 1, "f": 2}


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name ready to compare: its parts, read in every way worth comparing, and their codes."""

    text: str
    parts: tuple[Part, ...]
    code: NameCode = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        genders = {p.gender for p in self.parts if p.gender}
        gender = _GENDERS[genders.pop()] if len(genders) == 1 else 0
        code = NameCode(tuple(_part_code(p) for p in self.parts), tuple(p.text for p in self.parts), gender)
        object.__setattr__(self, "code", code)


@dataclass(frozen=True, slots=True)
class PartMatch:
    """Two parts paired by compare(), their similarity and the phonetic keys that gave it."""

    a: str
    b: str
    similarity: float
    key_a: str
    key_b: str


def prepare(text: str, variants: Variants | None = None) -> PreparedName:
    """The comparable representation of a name (raises TypeError for a non-string).

    A part whose spelling reviewers confirmed as another's is also read as it: `variants`, or
    else the variants shipped with the package.
    """
    if not isinstance(text, str):
        raise TypeError(f"a name must be a string, not {type(text).__name__}")
    variants = shipped_variants() if variants is None else variants
    if not variants:
        return _prepare(text)
    name = _prepare(text)
    parts = tuple(_with_variants(part, variants) for part in name.parts)
    return name if parts == name.parts else PreparedName(text=name.text, parts=parts)


@lru_cache(maxsize=65536)
def _prepare(text: str) -> PreparedName:
    return PreparedName(text=text, parts=read_name(text))


def _with_variants(part: Part, variants: Variants) -> Part:
    extra = variants.keys_of(part.text)
    if not extra:
        return part
    return replace(part, keys=tuple(dict.fromkeys(part.keys + extra)))


@lru_cache(maxsize=65536)
def _part_code(part: Part) -> PartCode:
    """The kernel's form of a part (parts are shared objects, hashed by identity)."""
    consonant_keys = tuple(dict.fromkeys(consonants(key) or key for key in part.keys))
    return PartCode(_key_set(part.keys), _key_set(consonant_keys), part.initial, part.vowelless, part.optional,
                    part.patronymic, part.syllables if part.chinese else None,
                    part.character_sounds or None)


@lru_cache(maxsize=65536)
def _key_set(keys: tuple[str, ...]) -> KeySet:
    """Keys with what their comparisons need: consonants, and the prefix and suffix many names share
    (Abdu-, -jan …; by number in the affix lists), which compare() also measures without."""
    prefixes, suffixes = shared_affixes()

    def affix(key: str, affixes: tuple[str, ...], fits) -> tuple[int, int]:
        found = next((k for k, x in enumerate(affixes) if fits(key, x) and len(key) > len(x)), -1)
        return found, len(affixes[found]) if found >= 0 else 0

    return KeySet(keys, tuple(consonants(key) for key in keys),
                  tuple(affix(key, prefixes, str.startswith) for key in keys),
                  tuple(affix(key, suffixes, str.endswith) for key in keys))


def _read_runs(name: NameCode) -> list[tuple[PartCode, str, int]]:
    """Every run of two or more adjacent parts of a name read as one word ("Wu'erkaixi",
    "萨图克布格拉汗" against "Satuq Bughra Khan"): (keys, text, name parts outside the run)."""
    texts, parts, runs = name.texts, name.parts, []
    for start in range(len(texts) - 1):
        for end in range(start + 2, len(texts) + 1):
            joined = read_part("".join(texts[start:end]))
            if joined.keys:
                outside = sum(1 for p in parts[:start] + parts[end:] if not (p.optional or p.patronymic))
                runs.append((_part_code(joined), " ".join(texts[start:end]), outside))
    return runs


def _explain(a: PreparedName, b: PreparedName) -> tuple:
    """Comparison's explanation: (matches, unpaired parts of a, of b, notes)."""
    _, pairs, run = _kernel.explained(a.code, b.code)
    matches = tuple(
        PartMatch(a.parts[i].text, b.parts[j].text, round(similarity, 3),
                  *_kernel.part_similarity(a.code.parts[i], b.code.parts[j])[1:])
        for i, j, similarity in pairs
    )
    paired_a, paired_b = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    unpaired_a = tuple(p.text for k, p in enumerate(a.parts) if k not in paired_a and not p.optional)
    unpaired_b = tuple(p.text for k, p in enumerate(b.parts) if k not in paired_b and not p.optional)
    if not a.parts or not b.parts:
        notes: tuple[str, ...] = ("a name without letters is compared with nothing",)
    elif run is not None:
        notes = (f"compared as one word: {run} ~ {(a if len(a.parts) == 1 else b).parts[0].text}",)
    else:
        notes = ()
    if _kernel.genders_differ(a.code, b.code):
        notes += ("a man's name against a woman's (-ov / -ova, -uly / -kyzy …): two people",)
    return matches, unpaired_a, unpaired_b, notes


_kernel.set_helpers(_read_runs, _explain)


def compare(a: PreparedName | str, b: PreparedName | str) -> Comparison:
    """Score two names (prepared or as text); the result explains the score when asked."""
    a = a if isinstance(a, PreparedName) else prepare(a)
    b = b if isinstance(b, PreparedName) else prepare(b)
    return Comparison(_kernel.score(a.code, b.code), a, b)
