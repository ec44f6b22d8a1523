"""The phonetic key every reading of a name part is folded into, whatever script it came from.

The key keeps what survives between Turkic names and their Chinese, Russian and English spellings
and merges what those spellings confuse:

    vowels      a e ä ə é → A    i ı y → I    o u ö ü w v → U    (runs of one class count once)
    consonants  b p f → P   d t → T   k q g gh c(ğ) → K   j zh ch c ç → J   s sh ş x(pinyin) → S
                z → Z   l → L   r → R   m → M   n ng ñ → N
    dropped     h kh x(Uyghur Latin) and apostrophes: Chinese writes them inconsistently or not at all

So "Ilham" → ILAM, "Toxti"/"Tohti" → TUTI, "Serikzhan"/"Serikjan" → SARIKJAN.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters folded before accents are stripped, because the accent carries the sound.
_LETTERS = str.maketrans({
    "ä": "a", "ə": "a", "æ": "a", "ı": "i", "ş": "S", "ç": "J", "ğ": "K", "ñ": "N", "ⱨ": "",
    "ⱪ": "K", "ƣ": "K", "ž": "J", "č": "J", "š": "S", "ḥ": "", "ⱬ": "J", "ɵ": "u", "ɣ": "K",
    "ʿ": "", "ʾ": "", "'": "", "’": "", "`": "", "ʼ": "", "ʻ": "", "‘": "",
})
_DIGRAPHS = re.compile(r"dzh|tsh|sh|ch|zh|kh|gh|ng|ck|ph|dj|th")
_DIGRAPH_KEYS = {
    "dzh": "J", "tsh": "J", "sh": "S", "ch": "J", "zh": "J", "kh": "", "gh": "K", "ng": "N", "ck": "K",
    "ph": "P", "dj": "J", "th": "T",
}
_SINGLE = str.maketrans({
    "a": "A", "e": "A", "i": "I", "y": "I", "o": "U", "u": "U", "w": "U", "v": "U",
    "b": "P", "p": "P", "f": "P", "d": "T", "t": "T", "k": "K", "q": "K", "g": "K", "c": "J", "j": "J",
    "s": "S", "x": "", "h": "", "z": "Z", "l": "L", "r": "R", "m": "M", "n": "N",
})
_NOT_KEY = re.compile(r"[^A-Z]")
RUNS = re.compile(r"(.)\1+")
VOWELS = frozenset("AIU")


@lru_cache(maxsize=65536)
def phonetic_key(latin: str) -> str:
    """Fold one Latin-letter reading of a name part into the phonetic key (see module docstring)."""
    text = latin.lower().translate(_LETTERS)
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_KEYS[m.group()], text)
    text = _NOT_KEY.sub("", text.translate(_SINGLE))
    return RUNS.sub(r"\1", text)


_WITHOUT_VOWELS = str.maketrans("", "", "".join(VOWELS))


def consonants(key: str) -> str:
    """A phonetic key without its vowels: the skeleton blocking keys are made from."""
    return key.translate(_WITHOUT_VOWELS)
