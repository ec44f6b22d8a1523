"""Split a normalised name into parts and read each part in its script.

A part keeps every reading worth comparing: a Kazakh father's name with and without -ұлы, a
Russian-style passport surname with and without -ov, a pinyin word as Latin letters and as pinyin.
Honorifics (Haji, Hoja, 阿吉 …) are marked optional: present in both names they may match, absent
from one they cost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import icu
import yaml

from .han import (
    character_sounds,
    han_keys,
    han_pinyin,
    han_syllables,
    keys_of_syllables,
    latin_syllables,
    pinyin_keys,
)
from .phonetic import phonetic_key
from .scripts import detect_script, normalise
from .transliterate import arabic_readings, cyrillic_readings, writes_vowels

_PART_SEPARATORS = re.compile(r"[\s.,;:/()\[\]\"«»“”]+")
_TONE_MARKS = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
MIN_STEM = 3


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One part of a name: its text, script, Latin readings and their phonetic keys.

    Compared and hashed by identity: read_part() returns one shared object per spelling, which
    makes part similarities cheap to cache.
    """

    text: str
    script: str
    readings: tuple[str, ...]
    keys: tuple[str, ...]
    optional: bool = False
    initial: bool = False
    vowelless: bool = False
    patronymic: bool = False  # ends as a father's name does (-uly, -ovich …): dropping it is common
    # A part of a name written the Chinese way (马|步芳, "Ma Bufang", "Tso Tsung-t'ang"), and its syllables,
    # each as the set of its toneless pinyin readings: two such parts agree only syllable by syllable.
    chinese: bool = False
    syllables: tuple[frozenset[str], ...] = ()
    # Written in Chinese characters: each character's sounds (han.character_sounds); two such parts
    # whose characters hardly correspond are two names.
    character_sounds: tuple[frozenset[str], ...] = ()
    # "m" or "f" when the part ends as only a man's or a woman's surname or father's name does
    # (data/name_parts.yaml: -ov / -ova, -uly / -kyzy …), else "".
    gender: str = ""


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    raw = yaml.safe_load(resources.files("testimonia.names").joinpath("data/name_parts.yaml").read_text("utf-8"))
    return {kind: frozenset(words) for kind, words in raw.items()}


@lru_cache(maxsize=1)
def shared_affixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(prefixes, suffixes) many names share, as phonetic keys, longest first."""
    vocabulary = _vocabulary()
    def keyed(kind: str) -> tuple[str, ...]:
        return tuple(sorted({phonetic_key(w) for w in vocabulary[kind]}, key=len, reverse=True))
    return keyed("shared_prefixes"), keyed("shared_suffixes")


@lru_cache(maxsize=8)
def _other_scripts() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def split_parts(text: str) -> list[str]:
    """The parts of a name, lower-cased: articles dropped; particles and "son of" words written apart
    ("Ahmet Jan", "Dalil Khan", "Abd al-Qadir", "Zaken uly") joined to their part."""
    vocabulary = _vocabulary()
    words = [w for w in _PART_SEPARATORS.split(normalise(text).casefold()) if w]
    joined_to_previous = vocabulary["attached_particles"] | vocabulary["patronymic_words"]
    parts: list[str] = []
    for word in words:
        if word in vocabulary["articles"]:
            continue
        if parts and word in joined_to_previous:
            parts[-1] += word
            continue
        if parts and parts[-1] in vocabulary["leading_particles"]:
            parts[-1] += word
            continue
        for article in vocabulary["article_prefixes"]:
            if word.startswith(article) and len(word) - len(article) >= MIN_STEM:
                word = word[len(article):]
                break
        parts.append(word)
    return parts


@lru_cache(maxsize=1)
def _surnames_in_pinyin() -> frozenset[str]:
    return frozenset(options[0] for surname in _vocabulary()["chinese_surnames"] for options in han_syllables(surname))


def _chinese_surname(word: str) -> bool:
    """A Latin word that writes a common Chinese surname, in pinyin or Wade-Giles ("Ma", "Pai", "Hsu")."""
    syllables = latin_syllables(word) if detect_script(word) == "Latn" else None
    return bool(syllables) and len(syllables) == 1 and not _surnames_in_pinyin().isdisjoint(syllables[0])


def given_syllables(part: str) -> tuple[tuple[str, ...], ...] | None:
    """The syllables of a Chinese given name written in Latin letters, word by word ("bufang", "fu hsing")."""
    found: list[tuple[str, ...]] = []
    for word in part.split():
        syllables = latin_syllables(word)
        if syllables is None:
            return None
        found.extend(syllables)
    return tuple(found)


def chinese_given_name(words: list[str]) -> tuple[list[str], int | None]:
    """A name written the Chinese way (马步芳, "Ma Bufang", "Ma Fu-hsing", "Shicai Sheng"; data/name_parts.yaml
    says how it is recognised): its words, with the surname in characters split off and a given name
    written as two words ("fu", "hsing") made one ("fu hsing"), and which word is the given name;
    (words, None) for any other name."""
    vocabulary = _vocabulary()
    if len(words) == 1:
        word = words[0]
        if (2 <= len(word) <= 3 and detect_script(word) == "Hani" and word[0] in vocabulary["chinese_surnames"]
                and not set(word[1:]) & vocabulary["transliteration_characters"]):
            return [word[0], word[1:]], 1
    elif len(words) in (2, 3) and all(detect_script(w) == "Latn" for w in words):
        if _chinese_surname(words[0]):
            given = given_syllables(" ".join(words[1:]))
            # "Ma Bufang", "Ma Qi"; three words: one syllable each after the surname
            if given and (len(given) <= 2 if len(words) == 2 else len(given) == 2):
                return [words[0], " ".join(words[1:])], 1
        elif len(words) == 2 and _chinese_surname(words[1]) and len(given_syllables(words[0]) or ()) == 2:
            return words, 0  # given name first, as English writes it: "Shicai Sheng"
    return words, None


def read_name(text: str) -> tuple[Part, ...]:
    """The parts of a name, read (parts without letters left out)."""
    words, given = chinese_given_name(split_parts(text))
    parts = (read_part(word, chinese=given is not None) for word in words)
    return tuple(p for p in parts if p.keys)


def _syllables(part: str, script: str) -> tuple[frozenset[str], ...]:
    if script == "Hani":
        return tuple(frozenset(options) for options in han_syllables(part))
    return tuple(frozenset(options) for options in given_syllables(part) or ())


def _stems(part: str) -> list[str]:
    """The part, and the part without each patronymic ending it carries."""
    stems = [part]
    for ending in _vocabulary()["patronymic_endings"]:
        if part.endswith(ending) and len(part) - len(ending) >= MIN_STEM:
            stems.append(part[: -len(ending)])
    return list(dict.fromkeys(stems))


def _gender(part: str) -> str:
    vocabulary = _vocabulary()
    for gender, endings in (("f", vocabulary["female_endings"]), ("m", vocabulary["male_endings"])):
        if any(part.endswith(ending) and len(part) - len(ending) >= MIN_STEM for ending in endings):
            return gender
    return ""


def _read_stem(stem: str, script: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Latin readings, phonetic keys) of one stem in its script."""
    if script == "Hani":
        return (han_pinyin(stem),), han_keys(stem)
    if script == "Latn":
        # x is kh in Uyghur and Uzbek Latin, sh in pinyin and in pinyin-like spellings ("Xiralijan")
        readings: tuple[str, ...] = (stem, stem.replace("x", "sh")) if "x" in stem else (stem,)
        extra = pinyin_keys(stem) if len(stem) > 3 or _TONE_MARKS.search(stem) else ()
        return readings, (*map(phonetic_key, readings), *extra)
    if script == "Cyrl":
        readings = cyrillic_readings(stem)
    elif script == "Arab":
        readings = arabic_readings(stem)
    else:
        readings = (_other_scripts().transliterate(stem),)
    return readings, tuple(map(phonetic_key, readings))


@lru_cache(maxsize=65536)
def read_part(part: str, chinese: bool = False) -> Part:
    """Every reading of one lower-cased part, and its phonetic keys (distinct, first reading first);
    `chinese`: the part is the surname or the given name of a name written the Chinese way."""
    script = detect_script(part)
    readings: list[str] = []
    keys: list[str] = []
    stems = _stems(part)
    for stem in stems:
        stem_readings, stem_keys = _read_stem(stem, script)
        readings.extend(stem_readings)
        keys.extend(stem_keys)
    if chinese and script == "Latn":  # pinyin or Wade-Giles however short ("Ma Qi", "Tso")
        keys.extend(keys_of_syllables(given_syllables(part) or ()))
    readings = list(dict.fromkeys(r for r in readings if r))
    keys = tuple(dict.fromkeys(k for k in keys if k))
    letters = sum(ch.isalpha() for ch in part)
    return Part(
        text=part, script=script, readings=tuple(readings), keys=keys,
        optional=part in _vocabulary()["honorifics"], initial=letters == 1 and script in ("Latn", "Cyrl"),
        vowelless=script == "Arab" and not writes_vowels(part), patronymic=len(stems) > 1,
        chinese=chinese, syllables=_syllables(part, script) if chinese else (),
        character_sounds=character_sounds(part) if script == "Hani" else (), gender=_gender(part),
    )
