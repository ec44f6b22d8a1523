"""Compare two names written in any of the scripts and romanisations of docs/names.md.

`prepare(text)` does the expensive work once (splitting, transliteration, readings of Han and
pinyin forms, phonetic keys); `compare(a, b)` on two prepared names only aligns their parts and
measures phonetic keys with rapidfuzz's Indel similarity. Part similarities are cached by part
pair, since the vocabulary of name parts repeats across a registry.

The score, in [0, 1]: parts are paired greedily, best similarity first (an honorific pairs with a
part it agrees with and then does not count, or with a name part left over, and then does); the
score is the harmonic mean of the pairs' similarities rescaled from [SIMILARITY_FLOOR, 1], so one
part that disagrees (a sibling's given name, a namesake's father) weighs most, and every name part
left unpaired (an extra middle name; not a patronymic, often dropped) lowers it a little. A name
written as one word on one side ("Wu'erkaixi", "萨图克布格拉汗") is also compared with every run of
adjacent parts of the other read as one word.
`same` is `score >= THRESHOLD`; docs/names.md gives every constant below its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from .phonetic import VOWELS, consonants
from .structure import Part, read_part, shared_affixes, split_parts
from .variants import Variants, shipped_variants

THRESHOLD = 0.5
UNPAIRED_FACTOR = 0.9
SIMILARITY_FLOOR = 0.2
INITIAL_SIMILARITY = 0.75
WHOLE_FACTOR = 0.95
CROSS_POSITION_FACTOR = 0.8
FIRST_SOUND_FACTOR = 0.8


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name ready to compare: its parts, read in every way worth comparing."""

    text: str
    parts: tuple[Part, ...]
    plain: bool = False  # no honorific among the parts: compare() may take its fast path


@dataclass(frozen=True, slots=True)
class PartMatch:
    """Two parts paired by compare(), their similarity and the phonetic keys that gave it."""

    a: str
    b: str
    similarity: float
    key_a: str
    key_b: str


class Comparison:
    """A score in [0, 1], the verdict at THRESHOLD, and how it was reached.

    The explanation (matches, unpaired parts) is built when first asked for, so scoring many
    pairs pays only for the score.
    """

    __slots__ = ("score", "same", "notes", "_a", "_b", "_pairs", "_explained")

    def __init__(self, score: float, a: PreparedName | None = None, b: PreparedName | None = None,
                 pairs: tuple[tuple[int, int, float], ...] = (), notes: tuple[str, ...] = ()):
        self.score, self.same, self.notes = score, score >= THRESHOLD, notes
        self._a, self._b, self._pairs = a, b, pairs
        self._explained: tuple | None = None

    def _explain(self) -> tuple:
        if self._explained is None:
            a, b = self._a, self._b
            matches = tuple(
                PartMatch(a.parts[i].text, b.parts[j].text, round(similarity, 3), *_part_similarity(a.parts[i], b.parts[j])[1:])
                for i, j, similarity in self._pairs
            ) if a and b else ()
            paired_a = {i for i, _, _ in self._pairs}
            paired_b = {j for _, j, _ in self._pairs}
            unpaired_a = tuple(p.text for k, p in enumerate(a.parts) if k not in paired_a and not p.optional) if a else ()
            unpaired_b = tuple(p.text for k, p in enumerate(b.parts) if k not in paired_b and not p.optional) if b else ()
            self._explained = (matches, unpaired_a, unpaired_b)
        return self._explained

    @property
    def matches(self) -> tuple[PartMatch, ...]:
        return self._explain()[0]

    @property
    def unpaired_a(self) -> tuple[str, ...]:
        return self._explain()[1]

    @property
    def unpaired_b(self) -> tuple[str, ...]:
        return self._explain()[2]

    def __repr__(self) -> str:
        return f"Comparison(score={self.score}, same={self.same}, matches={self.matches}, notes={self.notes})"


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
    return PreparedName(text=name.text, parts=parts, plain=name.plain)


@lru_cache(maxsize=65536)
def _prepare(text: str) -> PreparedName:
    words = split_parts(text)
    parts = tuple(p for p in (read_part(w) for w in words) if p.keys)
    return PreparedName(text=text, parts=parts, plain=bool(parts) and not any(p.optional for p in parts))


def _with_variants(part: Part, variants: Variants) -> Part:
    extra = variants.keys_of(part.text)
    if not extra:
        return part
    keys = tuple(dict.fromkeys(part.keys + extra))
    return Part(part.text, part.script, part.readings, keys, part.optional, part.initial, part.vowelless,
                part.patronymic)


@lru_cache(maxsize=65536)
def _forms(keys: tuple[str, ...]) -> tuple[tuple[str, str, str, str], ...]:
    """Each key with what its comparisons need: (key, consonants, shared prefix, shared suffix)."""
    prefixes, suffixes = shared_affixes()
    forms = []
    for key in keys:
        prefix = next((p for p in prefixes if key.startswith(p) and len(key) > len(p)), "")
        suffix = next((x for x in suffixes if key.endswith(x) and len(key) > len(x)), "")
        forms.append((key, consonants(key), prefix, suffix))
    return tuple(forms)


@lru_cache(maxsize=262144)
def _key_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str, str]:
    """The best similarity between any key of a and any key of b, and the two keys.

    Per pair: the Indel similarity of the keys and of their consonants, whichever is lower (vowels
    vary most between scripts, consonants identify); × FIRST_SOUND_FACTOR when they begin with
    different sounds and one is a consonant; and, when both carry a morpheme many names share
    (Abdu-, -jan …), also measured without it, the lower value counting.
    """
    best = (-1.0, "", "")
    similarity_of = Indel.normalized_similarity
    for key_a, consonants_a, prefix_a, suffix_a in _forms(a):
        for key_b, consonants_b, prefix_b, suffix_b in _forms(b):
            similarity = min(similarity_of(key_a, key_b), similarity_of(consonants_a, consonants_b))
            if key_a[0] != key_b[0] and (key_a[0] not in VOWELS or key_b[0] not in VOWELS):
                similarity *= FIRST_SOUND_FACTOR
            if prefix_a and prefix_a == prefix_b:
                similarity = min(similarity, similarity_of(key_a[len(prefix_a):], key_b[len(prefix_b):]))
            if suffix_a and suffix_a == suffix_b:
                similarity = min(similarity, similarity_of(key_a[:-len(suffix_a)], key_b[:-len(suffix_b)]))
            if similarity > best[0]:
                best = (similarity, key_a, key_b)
    return best


@lru_cache(maxsize=262144)
def _part_similarity(a: Part, b: Part) -> tuple[float, str, str]:
    """(similarity, key of a, key of b) of two parts, cached by part (parts are shared objects)."""
    if a.initial and b.initial:
        return (1.0 if a.keys[0] == b.keys[0] else 0.0), a.keys[0], b.keys[0]
    if a.initial or b.initial:
        agree = any(ka[0] == kb[0] for ka in a.keys for kb in b.keys)
        return (INITIAL_SIMILARITY if agree else 0.0), a.keys[0], b.keys[0]
    if a.vowelless or b.vowelless:
        return _key_similarity(_consonant_keys(a.keys), _consonant_keys(b.keys))
    return _key_similarity(a.keys, b.keys)


@lru_cache(maxsize=65536)
def _consonant_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(consonants(key) or key for key in keys))


def compare(a: PreparedName | str, b: PreparedName | str) -> Comparison:
    """Score two names (prepared or as text); the result explains the score when asked."""
    a = a if isinstance(a, PreparedName) else prepare(a)
    b = b if isinstance(b, PreparedName) else prepare(b)
    if a.plain and b.plain and len(a.parts) == len(b.parts) <= 2:
        return _compare_plain(a, b)
    return _compare(a, b)


def _compare_plain(a: PreparedName, b: PreparedName) -> Comparison:
    """The common case, faster: one or two parts on each side and no honorific. The same result as
    `_compare` (tests hold them equal): every part pairs, the greedy pairing is decided by the single
    best candidate, and nothing is left over, out of position or to be read as one word."""
    if len(a.parts) == 1:
        similarity = _part_similarity(a.parts[0], b.parts[0])[0]
        return Comparison(round(min(1.0, _rescaled(similarity)), 4), a, b, ((0, 0, similarity),))
    (a0, a1), (b0, b1) = a.parts, b.parts
    s00, s01 = _part_similarity(a0, b0)[0], _part_similarity(a0, b1)[0]
    s10, s11 = _part_similarity(a1, b0)[0], _part_similarity(a1, b1)[0]
    best = max((s00, 0, 0), (s01, 0, 1), (s10, 1, 0), (s11, 1, 1))
    if best[1] == best[2]:
        pairs = ((1, 1, s11), (0, 0, s00)) if best[1] else ((0, 0, s00), (1, 1, s11))
    else:
        pairs = ((1, 0, s10), (0, 1, s01)) if best[1] else ((0, 1, s01), (1, 0, s10))
    x, y = _rescaled(pairs[0][2]), _rescaled(pairs[1][2])
    score = 0.0 if x == 0 or y == 0 else 2 / (1 / x + 1 / y)
    return Comparison(round(min(1.0, score), 4), a, b, pairs)


def _compare(a: PreparedName, b: PreparedName) -> Comparison:
    """Pair the parts of two prepared names and score the pairing (module docstring)."""
    parts_a, parts_b = a.parts, b.parts
    if not parts_a or not parts_b:
        return Comparison(0.0, notes=("a name without letters is compared with nothing",))
    candidates = sorted(
        ((_part_similarity(pa, pb)[0], i, j) for i, pa in enumerate(parts_a) for j, pb in enumerate(parts_b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    counted: list[float] = []
    # First pass: parts that agree; an honorific pairs only with one it agrees with, and then does not count.
    # Second pass: an honorific left over faces a name part left over on the other side, and counts.
    for second_pass in (False, True):
        for similarity, i, j in candidates:
            if i in used_a or j in used_b:
                continue
            optional_a, optional_b = parts_a[i].optional, parts_b[j].optional
            if second_pass:  # an honorific against a name part that may not simply be dropped
                if optional_a == optional_b or parts_a[i].patronymic or parts_b[j].patronymic:
                    continue
            elif (optional_a or optional_b) and similarity < THRESHOLD:
                continue
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, similarity))
            if second_pass or not (optional_a or optional_b):
                counted.append(similarity)
        if len(used_a) == len(parts_a) or len(used_b) == len(parts_b):
            break
    if not counted:  # a name of honorifics only ("Haji") is compared by them
        counted = [similarity for _, _, similarity in pairs]
    unpaired = sum(1 for k, p in enumerate(parts_a) if k not in used_a and not (p.optional or p.patronymic))
    unpaired += sum(1 for k, p in enumerate(parts_b) if k not in used_b and not (p.optional or p.patronymic))
    score = 0.0
    if counted:
        # harmonic mean of the similarities rescaled from [FLOOR, 1] to [0, 1]: one part that disagrees weighs most
        rescaled = [_rescaled(x) for x in counted]
        score = 0.0 if min(rescaled) == 0 else len(rescaled) / sum(1 / x for x in rescaled)
        score *= UNPAIRED_FACTOR ** unpaired
    if len(counted) == 1 and unpaired and _crosses_position(a, b, pairs[0]):
        score *= CROSS_POSITION_FACTOR
    notes: tuple[str, ...] = ()
    if len(parts_a) != len(parts_b) and (len(parts_a) == 1 or len(parts_b) == 1):
        whole, run = _whole_similarity(a, b)
        if whole > score:
            single = a.parts[0].text if len(parts_a) == 1 else b.parts[0].text
            score, notes = whole, (f"compared as one word: {run} ~ {single}",)
    return Comparison(round(min(1.0, score), 4), a, b, tuple(pairs), notes)


def _rescaled(similarity: float) -> float:
    """A part similarity moved from [SIMILARITY_FLOOR, 1] to [0, 1]: below the floor, nothing agrees."""
    return max(0.0, (similarity - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR))


def _crosses_position(a: PreparedName, b: PreparedName, pair: tuple[int, int, float]) -> bool:
    """True when a lone pair joins one name's given name (first part) to another part of the other."""
    return (pair[0] == 0) != (pair[1] == 0)


def _whole_similarity(a: PreparedName, b: PreparedName) -> tuple[float, str]:
    """Similarity of a name written as one word ("Wu'erkaixi", "萨图克布格拉汗") to a run of two or more
    adjacent parts of the other read as one word, less UNPAIRED_FACTOR for each name part outside it;
    and the run."""
    single, other = (a, b) if len(a.parts) == 1 else (b, a)
    parts, best = other.parts, (0.0, "")
    for start in range(len(parts) - 1):
        for end in range(start + 2, len(parts) + 1):
            joined = read_part("".join(p.text for p in parts[start:end]))
            if not joined.keys:
                continue
            outside = sum(1 for p in parts[:start] + parts[end:] if not (p.optional or p.patronymic))
            similarity = _key_similarity(single.parts[0].keys, joined.keys)[0] * UNPAIRED_FACTOR ** outside
            if similarity > best[0]:
                best = (similarity, " ".join(p.text for p in parts[start:end]))
    return best[0] * WHOLE_FACTOR, best[1]
