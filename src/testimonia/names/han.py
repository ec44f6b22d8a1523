"""Read Chinese-character and pinyin forms of Turkic names back into Turkic readings.

A Han part is turned into pinyin syllables (pypinyin's dictionary, every reading of a heteronym character); a
Latin pinyin part is stripped of tone marks and segmented into syllables. The syllables are then
read through data/han_readings.yaml (see its header for the transliteration practice it models):
each syllable or conventional sequence offers a few readings, and the cheapest paths through that
lattice become the part's readings. The work is done once per distinct part and cached.
"""

from __future__ import annotations

import heapq
import unicodedata
from functools import lru_cache
from importlib import resources

import yaml
from pypinyin import Style
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

from .phonetic import RUNS, phonetic_key

MAX_READINGS = 24
_ALTERNATIVE_COST = 1.0
_HETERONYM_COST = 1.5
_SEPARATE_INITIALS = ("zh", "ch", "sh")


@lru_cache(maxsize=8192)
def strip_tones(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u0308").replace(
        "u\u0308", "v").replace("ü", "v")


@lru_cache(maxsize=1)
def _table() -> dict:
    return yaml.safe_load(resources.files("testimonia.names").joinpath("data/han_readings.yaml").read_text("utf-8"))


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin's dictionary uses (ü written v)."""
    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            found.add(strip_tones(reading))
    return frozenset(found)


@lru_cache(maxsize=1)
def _wade_giles() -> dict[str, frozenset[str]]:
    """Each Wade-Giles syllable → the pinyin syllables it writes: pypinyin's Wade-Giles spelling of every
    pinyin syllable, also as the press prints it without the aspiration apostrophe or the umlaut
    ("Chung" for both ch'ung 崇 and chung 仲, "Yuan" for yüan)."""
    found: dict[str, set[str]] = {}
    for syllable in pinyin_syllables():
        written = strip_tones(convert(syllable, Style.WADEGILES, strict=False))
        for form in {written, written.replace("'", ""), written.replace("v", "u"), written.replace("'", "").replace("v", "u")}:
            found.setdefault(form, set()).add(syllable)
    return {form: frozenset(syllables) for form, syllables in found.items()}


def latin_syllables(word: str) -> tuple[tuple[str, ...], ...] | None:
    """The pinyin syllables a Latin word of a Chinese name writes, each position with every syllable it may
    be: one Wade-Giles syllable ("hsing" → xing, "chung" → zhong or chong, and "chang" also chang as pinyin),
    else joined pinyin ("Bufang"); None if it is neither."""
    form = strip_tones(word).replace("’", "'").replace("ʼ", "'").replace("‘", "'")
    wade_giles = _wade_giles().get(form)
    if wade_giles:
        as_pinyin = {form} if form in pinyin_syllables() else set()
        return (tuple(sorted(wade_giles | as_pinyin)),)
    found: list[tuple[str, ...]] = []
    for piece in form.split("'"):
        syllables = segment_pinyin(piece) if piece else None
        # pinyin writes a syllable after the first that starts with a vowel after an apostrophe
        # ("Zhan'ao"): "Shaou" is another romanisation (French), not "sha'ou"
        if not syllables or any(s[0] in "aeiouv" for s in syllables[1:]):
            return None
        found.extend((s,) for s in syllables)
    return tuple(found)


def _split_syllable(syllable: str) -> tuple[str, str]:
    for initial in _SEPARATE_INITIALS:
        if syllable.startswith(initial):
            return initial, syllable[len(initial):]
    if syllable[0] in "bpmfdtnlgkhjqxrzcsyw" and len(syllable) > 1:
        return syllable[0], syllable[1:]
    return "", syllable


@lru_cache(maxsize=4096)
def syllable_keys(syllable: str) -> tuple[tuple[str, float], ...]:
    """(phonetic key, cost) of the readings of one toneless pinyin syllable, cheapest first."""
    table = _table()
    initial, final = _split_syllable(syllable)
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]  # ju, qu, xu are jü, qü, xü
    if initial in ("y", "w"):
        final = {"i": "i", "in": "in", "ing": "ing", "u": "u", "v": "v"}.get(final, final)
    readings: dict[str, float] = {}
    consonants = table["initials"].get(initial, [initial])
    if initial in ("z", "c", "s", "zh", "ch", "sh", "r") and final == "i":
        vowels = [""]
    else:
        vowels = table["finals"].get(final, [final])
    for ci, consonant in enumerate(consonants):
        for vi, vowel in enumerate(vowels):
            readings.setdefault(consonant + vowel, (ci + vi) * _ALTERNATIVE_COST)
        if initial and final in table["silent_finals"]:
            readings.setdefault(consonant, ci * _ALTERNATIVE_COST + 0.5)
    for extra in table["syllables"].get(syllable, []):
        readings.setdefault(extra, 0.5)
    keys: dict[str, float] = {}
    for reading, cost in sorted(readings.items(), key=lambda item: item[1]):
        keys.setdefault(phonetic_key(reading), cost)
    return tuple(keys.items())


def segment_pinyin(word: str) -> tuple[str, ...] | None:
    """Split joined pinyin ("saierkejian") into syllables, fewest syllables first; None if it is not pinyin."""
    word = strip_tones(word)
    pieces = [piece for piece in word.replace("’", "'").split("'") if piece]
    if not pieces:
        return None
    syllables: list[str] = []
    for piece in pieces:
        split = _segment(piece)
        if split is None:
            return None
        syllables.extend(split)
    return tuple(syllables)


@lru_cache(maxsize=65536)
def _segment(piece: str) -> tuple[str, ...] | None:
    known = pinyin_syllables()
    best: list[tuple[str, ...] | None] = [None] * (len(piece) + 1)
    best[0] = ()
    for end in range(1, len(piece) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and piece[start:end] in known:
                candidate = head + (piece[start:end],)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[len(piece)]


@lru_cache(maxsize=65536)
def _character_syllables(character: str) -> tuple[str, ...]:
    readings = pinyin_dict.get(ord(character))
    if not readings:
        return ()
    preferred = _table()["characters"].get(character, [])
    return tuple(dict.fromkeys([*preferred, *(strip_tones(r) for r in readings.split(","))]))


def han_syllables(part: str) -> tuple[tuple[str, ...], ...]:
    """The pinyin syllables of a Han part, each with every reading pypinyin's dictionary gives its character
    (names are read character by character: their characters are chosen for sound, not as words)."""
    return tuple(found for found in map(_character_syllables, part) if found)


def character_sounds(part: str) -> tuple[frozenset[str], ...]:
    """Each character's sounds: the phonetic keys of its pinyin readings, each read alone (麦 and 买 share
    MAI, 逊 and 孙 SUN). Two writings of one name correspond character by character through them."""
    return tuple(_syllable_sounds(options) for options in han_syllables(part))


@lru_cache(maxsize=65536)
def _syllable_sounds(options: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for syllable in options for key in keys_of_syllables(((syllable,),)))


def keys_of_syllables(syllables: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """Phonetic keys of the cheapest Turkic readings of a syllable sequence (a position may offer several syllables)."""
    sequences = _table()["sequences"]
    longest = max((len(key.split()) for key in sequences), default=1)
    count = len(syllables)
    # edges[i]: (end, reading, cost) for every way to read syllables i..end-1 as one unit
    edges: list[list[tuple[int, str, float]]] = [[] for _ in range(count)]
    for start in range(count):
        for index, options in enumerate(syllables[start]):
            for key, cost in syllable_keys(options):
                edges[start].append((start + 1, key, cost + index * _HETERONYM_COST))
        for length in range(2, min(longest, count - start) + 1):
            for key in _sequence_keys(syllables[start:start + length]):
                for rank, reading in enumerate(sequences.get(key, [])):
                    edges[start].append((start + length, phonetic_key(reading), rank * 0.25))
    return _cheapest_paths(edges, count)


def _sequence_keys(window: tuple[tuple[str, ...], ...]) -> list[str]:
    keys = [""]
    for options in window:
        keys = [f"{key} {option}".strip() for key in keys for option in options[:2]]
    return keys


def _cheapest_paths(edges: list[list[tuple[int, str, float]]], count: int) -> tuple[str, ...]:
    # best[i]: up to MAX_READINGS cheapest (cost, text) paths reaching position i
    best: list[list[tuple[float, str]]] = [[] for _ in range(count + 1)]
    best[0] = [(0.0, "")]
    for start in range(count):
        for cost_so_far, text in best[start]:
            for end, reading, cost in edges[start]:
                best[end].append((cost_so_far + cost, text + reading))
        best[start + 1] = heapq.nsmallest(MAX_READINGS, set(best[start + 1]))
    return tuple(dict.fromkeys(RUNS.sub(r"\1", text) for _, text in sorted(best[count]) if text))


def han_pinyin(part: str) -> str:
    """The default pinyin of a Han part, syllables joined (for explanations)."""
    return "".join(options[0] for options in han_syllables(part))


@lru_cache(maxsize=65536)
def han_keys(part: str) -> tuple[str, ...]:
    """Phonetic keys of the Turkic readings of a part written in Chinese characters."""
    syllables = han_syllables(part)
    return keys_of_syllables(syllables) if syllables else ()


@lru_cache(maxsize=65536)
def pinyin_keys(part: str) -> tuple[str, ...]:
    """Phonetic keys of the Turkic readings of a Latin part if it is pinyin (joined or not), else nothing."""
    syllables = segment_pinyin(part)
    if not syllables or len(syllables) < 2:
        return ()
    return keys_of_syllables(tuple((s,) for s in syllables))
