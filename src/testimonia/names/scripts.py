"""Normalise a written name, detect its script (ISO 15924) and language (BCP 47), derive search keys.

Normalisation, in this order, for reference data and user input alike:
1. Unicode NFKC (folds Arabic presentation forms and full-width letters);
2. drop zero-width and bidirectional control characters and other format/control characters;
3. name separators (· • ‧ ・ and hyphens) become spaces;
4. whitespace runs become one space, trimmed.
Search keys are then case-folded, with Latin and Cyrillic accents removed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

_SEPARATORS = re.compile(r"[·•‧・\-‐‑‒–—_]+")
_SPACES = re.compile(r"\s+")
KAZAKH_CYRILLIC = set("әғқұһі")  # letters Kazakh writes and Kyrgyz and Russian do not
_UYGHUR_ARABIC = set("ېۇۆۈھىۋ")
_KAZAKH_ARABIC = set("ٵٷٸٴ")
KYRGYZ_CYRILLIC = set("ңөү")  # Kyrgyz letters (Kazakh has them too)
_PERSIAN_LETTERS = set("پچژگکی")
# Pinyin tone marks that no Turkic Latin alphabet uses (é, ū and ü are Uyghur or Kazakh letters too).
_PINYIN_TONE_MARKS = set("āáǎàēěèīíǐìōóǒòúǔùǖǘǚǜ")


def normalise(text: str) -> str:
    """The documented pipeline above (steps 1–4)."""
    if not isinstance(text, str):
        raise TypeError(f"a name must be a string, not {type(text).__name__}")
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs", "Cn") or ch in " \t\n")
    text = _SEPARATORS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# Code point ranges of the scripts names are written in (Unicode blocks), sorted by start.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"), (0x0370, 0x03FF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"), (0x08A0, 0x08FF, "Arab"), (0x1800, 0x18AF, "Mong"), (0x1C80, 0x1C8F, "Cyrl"),
    (0x1E00, 0x1EFF, "Latn"), (0x2DE0, 0x2DFF, "Cyrl"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xA640, 0xA69F, "Cyrl"), (0xF900, 0xFAFF, "Hani"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"), (0xFF21, 0xFF5A, "Latn"), (0x20000, 0x3134F, "Hani"),
)
_STARTS = [start for start, _, _ in _RANGES]


def _script_of_char(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    point = ord(ch)
    at = bisect_right(_STARTS, point) - 1
    if at >= 0 and point <= _RANGES[at][1]:
        return _RANGES[at][2]
    return "Zyyy"


@lru_cache(maxsize=65536)
def detect_script(text: str) -> str:
    """The ISO 15924 code of the text's letters: the majority script, `Zyyy` if none is known, `Zzzz` if no letters."""
    counts: dict[str, int] = {}
    for ch in normalise(text):
        code = _script_of_char(ch)
        if code:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return "Zzzz"
    return max(counts, key=lambda code: counts[code])


@lru_cache(maxsize=65536)
def detect_language(text: str, script: str | None = None) -> str | None:
    """A BCP 47 guess at the language and romanisation, from letters only one of them uses; None when
    the letters do not tell (a plain English-press spelling such as "Aygul Tursun").

    Latin: `zh-Latn-pinyin` (tone marks, or every part segments into pinyin syllables), `ug-Latn`
    (Uyghur Latin Yéziqi: é, or x), `tr` (ş ç ğ ı), `kk-Latn` (Kazakh Latin 2021: ä ñ ū, or ı with q).
    Cyrillic: `ug-Cyrl` (җ), `kk` (ә ғ қ ұ і һ), `ky` (ң ө ү only), else `ru`. Arabic script:
    `kk-Arab` (ٴ ٵ ٷ …, or a word led by the front-vowel mark ء), `ug` (ې ۆ ۈ ۋ ە …), `fa`/`ar` for Persian/Arabic spelling. Han: `zh`.
    """
    letters = set(normalise(text).lower())
    script = script or detect_script(text)
    if script == "Latn":
        return _latin_romanisation(normalise(text).lower(), letters)
    if script == "Cyrl":
        if "җ" in letters:
            return "ug-Cyrl"
        if letters & KAZAKH_CYRILLIC:
            return "kk"
        return "ky" if letters & KYRGYZ_CYRILLIC else "ru"
    if script == "Arab":
        if letters & _KAZAKH_ARABIC or any(word.startswith("ء") for word in normalise(text).split()):
            return "kk-Arab"
        if letters & _UYGHUR_ARABIC:
            return "ug"
        return "fa" if letters & _PERSIAN_LETTERS else "ar"
    if script == "Hani":
        return "zh"
    return None


def _latin_romanisation(text: str, letters: set[str]) -> str | None:
    from .han import segment_pinyin  # names.han reads the pinyin syllable inventory

    if letters & _PINYIN_TONE_MARKS:
        return "zh-Latn-pinyin"
    words = [w for w in re.split(r"[^\w']+", text) if w]
    if words and all((syllables := segment_pinyin(w)) and len(syllables) >= 2 for w in words):
        return "zh-Latn-pinyin"
    if letters & set("äñū") or ("ı" in letters and "q" in letters):
        return "kk-Latn"
    if letters & set("şçğı\u0307"):  # U+0307: the dot of a lower-cased Turkish İ
        return "tr"
    if "é" in letters or "x" in letters:
        return "ug-Latn"
    return None


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@lru_cache(maxsize=65536)
def search_words(text: str) -> tuple[str, ...]:
    """The words of a name or query as a full-text index folds them: normalised, case and accents folded."""
    return tuple(p for p in _fold(normalise(text)).split(" ") if p)


@lru_cache(maxsize=65536)
def han_bigrams(text: str) -> tuple[str, ...]:
    """Each pair of neighbouring Chinese characters of a name, across the breaks between its words
    ("热依拉·达吾提": 热依 依拉 拉达 达吾 吾提). The full-text tokenizers keep a run of characters as
    one word; indexed and searched as pairs, a name is found whatever its word breaks, and a pair is
    rare enough that finding it stays fast where a single character is in a good part of the index."""
    characters = [ch for ch in normalise(text) if _script_of_char(ch) == "Hani"]
    return tuple(dict.fromkeys(a + b for a, b in zip(characters, characters[1:])))
