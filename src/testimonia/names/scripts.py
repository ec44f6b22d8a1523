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

_SEPARATORS = re.compile(r"[·•‧・\-‐‑‒–—_]+")
_SPACES = re.compile(r"\s+")
_KAZAKH_CYRILLIC = set("әғқңөұүһі")
_UYGHUR_ARABIC = set("ېۇۆۈھىۋ")
_KAZAKH_ARABIC = set("ٵٷٸ")


def normalise(text: str) -> str:
    """The documented pipeline above (steps 1–4)."""
    if not isinstance(text, str):
        raise TypeError(f"a name must be a string, not {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs", "Cn") or ch in " \t\n")
    text = _SEPARATORS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _script_of_char(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "Hani"
    for prefix, code in (("LATIN", "Latn"), ("CYRILLIC", "Cyrl"), ("ARABIC", "Arab"), ("MONGOLIAN", "Mong")):
        if name.startswith(prefix):
            return code
    return "Zyyy"


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


def detect_language(text: str, script: str | None = None) -> str | None:
    """A BCP 47 guess from letters only that language uses; None when the letters do not tell."""
    letters = set(normalise(text).lower())
    script = script or detect_script(text)
    if script == "Cyrl":
        return "kk" if letters & _KAZAKH_CYRILLIC else "ru"
    if script == "Arab":
        if letters & _KAZAKH_ARABIC:
            return "kk-Arab"
        return "ug" if letters & _UYGHUR_ARABIC else None
    if script == "Hani":
        return "zh"
    return None


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def search_keys(text: str) -> set[str]:
    """Keys under which a name is indexed and looked up: the folded whole name and each folded part."""
    folded = _fold(normalise(text))
    parts = [p for p in folded.split(" ") if p]
    keys = set(parts)
    if parts:
        keys.add(" ".join(parts))
    if detect_script(text) == "Hani":
        keys.update(ch for ch in folded if _script_of_char(ch) == "Hani")
    return keys
