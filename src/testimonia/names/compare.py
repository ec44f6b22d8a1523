"""Compare two names written in any of the scripts and romanisations of docs/names.md.

`prepare(text)` does the expensive work once (splitting, transliteration, readings of Han and
pinyin forms, phonetic keys); `compare(a, b)` on two prepared names only aligns their parts and
measures phonetic keys with rapidfuzz's Indel similarity. Part similarities are cached by key pair,
since the vocabulary of name parts repeats across a registry.

The score, in [0, 1]: parts are paired greedily, best similarity first (honorifics pair only when
they agree and never count); the score is the geometric mean of the pairs' mean and worst
similarity, so one part that disagrees (a sibling's given name, a namesake's father) weighs heavily,
and every part left unpaired (a dropped patronymic, an extra middle name) lowers it a little.
A name written as one word on one side ("Wu'erkaixi", "努尔白克力") is also compared whole.
`same` is `score >= THRESHOLD`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel

from .phonetic import VOWELS, consonants
from .structure import Part, read_part, split_parts
from .variants import Variants, shipped_variants

THRESHOLD = 0.60
UNPAIRED_FACTOR = 0.9
INITIAL_SIMILARITY = 0.9
WHOLE_FACTOR = 0.95
CROSS_POSITION_FACTOR = 0.8
FIRST_SOUND_FACTOR = 0.8


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name ready to compare: its parts and, for names of several parts, the whole read as one word."""

    text: str
    parts: tuple[Part, ...]
    whole: Part | None


@dataclass(frozen=True, slots=True)
class PartMatch:
    a: str
    b: str
    similarity: float
    key_a: str
    key_b: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """A score in [0, 1], the verdict at THRESHOLD, and how it was reached."""

    score: float
    same: bool
    matches: tuple[PartMatch, ...] = ()
    unpaired_a: tuple[str, ...] = ()
    unpaired_b: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


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
    return PreparedName(text=name.text, parts=parts, whole=name.whole)


@lru_cache(maxsize=65536)
def _prepare(text: str) -> PreparedName:
    words = split_parts(text)
    parts = tuple(p for p in (read_part(w) for w in words) if p.keys)
    whole = read_part("".join(words)) if len(words) > 1 else None
    return PreparedName(text=text, parts=parts, whole=whole if whole and whole.keys else None)


def _with_variants(part: Part, variants: Variants) -> Part:
    extra = variants.keys_of(part.text)
    if not extra:
        return part
    keys = tuple(dict.fromkeys(part.keys + extra))
    return Part(part.text, part.script, part.readings, keys, part.optional, part.initial, part.vowelless)


@lru_cache(maxsize=262144)
def _key_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str, str]:
    best = (-1.0, "", "")
    for key_a in a:
        for key_b in b:
            similarity = Indel.normalized_similarity(key_a, key_b)
            if key_a[0] != key_b[0] and (key_a[0] not in VOWELS or key_b[0] not in VOWELS):
                similarity *= FIRST_SOUND_FACTOR
            if similarity > best[0]:
                best = (similarity, key_a, key_b)
    return best


def _part_similarity(a: Part, b: Part) -> tuple[float, str, str]:
    if a.initial and b.initial:
        return (1.0 if a.keys[0] == b.keys[0] else 0.0), a.keys[0], b.keys[0]
    if a.initial or b.initial:
        agree = any(ka[0] == kb[0] for ka in a.keys for kb in b.keys)
        return (INITIAL_SIMILARITY if agree else 0.0), a.keys[0], b.keys[0]
    if a.vowelless or b.vowelless:
        return _key_similarity(_skeletons(a.keys), _skeletons(b.keys))
    return _key_similarity(a.keys, b.keys)


@lru_cache(maxsize=65536)
def _skeletons(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(consonants(key) or key for key in keys))


def compare(a: PreparedName | str, b: PreparedName | str) -> Comparison:
    """Score two names (prepared or as text) and explain the score."""
    a = a if isinstance(a, PreparedName) else prepare(a)
    b = b if isinstance(b, PreparedName) else prepare(b)
    if not a.parts or not b.parts:
        return Comparison(0.0, False, notes=("a name without letters is compared with nothing",))
    candidates = []
    for i, part_a in enumerate(a.parts):
        for j, part_b in enumerate(b.parts):
            similarity, key_a, key_b = _part_similarity(part_a, part_b)
            candidates.append((similarity, i, j, key_a, key_b))
    candidates.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches: list[PartMatch] = []
    counted: list[float] = []
    # First pass: parts that agree; an honorific pairs only with one it agrees with, and then does not count.
    # Second pass: an honorific left over faces a name part left over on the other side, and counts.
    for second_pass in (False, True):
        for similarity, i, j, key_a, key_b in candidates:
            if i in used_a or j in used_b:
                continue
            optional = (a.parts[i].optional, b.parts[j].optional)
            if not second_pass and any(optional) and similarity < THRESHOLD:
                continue
            if second_pass and optional.count(True) != 1:
                continue
            used_a.add(i)
            used_b.add(j)
            matches.append(PartMatch(a.parts[i].text, b.parts[j].text, round(similarity, 3), key_a, key_b))
            if second_pass or not any(optional):
                counted.append(similarity)
    unpaired_a = tuple(p.text for k, p in enumerate(a.parts) if k not in used_a and not p.optional)
    unpaired_b = tuple(p.text for k, p in enumerate(b.parts) if k not in used_b and not p.optional)
    if not counted:  # a name of honorifics only ("Haji") is compared by them
        counted = [m.similarity for m in matches]
    score = 0.0
    if counted:
        score = (sum(counted) / len(counted) * min(counted)) ** 0.5
        score *= UNPAIRED_FACTOR ** (len(unpaired_a) + len(unpaired_b))
    if len(counted) == 1 and (unpaired_a or unpaired_b) and _crosses_position(a, b, matches[0]):
        score *= CROSS_POSITION_FACTOR
    notes: list[str] = []
    whole = _whole_similarity(a, b)
    if whole > score:
        score = whole
        notes.append("compared as one word")
    score = round(max(0.0, min(1.0, score)), 4)
    return Comparison(score, score >= THRESHOLD, tuple(matches), unpaired_a, unpaired_b, tuple(notes))


def _crosses_position(a: PreparedName, b: PreparedName, match: PartMatch) -> bool:
    """True when a lone pair joins one name's given name (first part) to another part of the other."""
    first_a = a.parts[0].text == match.a
    first_b = b.parts[0].text == match.b
    return first_a != first_b


def _whole_similarity(a: PreparedName, b: PreparedName) -> float:
    """Similarity when the names are split into different numbers of parts ("Wu'er Kaixi", "Xi-re-li-jiang"):
    one name read as one word against each part of the other."""
    if len(a.parts) == len(b.parts):
        return 0.0
    best = 0.0
    if len(a.parts) == 1 or len(b.parts) == 1:
        single, other = (a, b) if len(a.parts) == 1 else (b, a)
        if other.whole is not None:
            best = max(best, _key_similarity(single.parts[0].keys, other.whole.keys)[0])
    return best * WHOLE_FACTOR
