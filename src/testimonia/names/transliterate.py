"""Latin readings of Cyrillic and Arabic-script name parts, through maintained converters.

* Uyghur Arabic script and Uyghur Cyrillic: umsc (Uyghur Arabic ⇄ Uyghur Latin Yéziqi ⇄ Cyrillic),
  which keeps the vowels that anyascii/unidecode/ICU Any-Latin drop.
* Kazakh Arabic script (the alphabet of Kazakhs in Xinjiang): its few letters of its own are first
  mapped to their Uyghur equivalents (ع → غ gh, ٵ ٷ ٶ ٸ → ا ۇ و ى; the front-vowel mark ٴ is
  dropped), then read by umsc. Arabic/Persian spellings (no vowel letters) have their letters
  mapped to the Uyghur letter of the same sound (ی ک ة ح ص ث …; ع, silent there, to ا).
* Kazakh, Kyrgyz and Russian Cyrillic: ICU's BGN/PCGN transforms (kk-kk_Latn/BGN,
  Kirghiz-Latin/BGN, Russian-Latin/BGN).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import icu
from umsc import UgMultiScriptConverter

from .scripts import KAZAKH_CYRILLIC, KYRGYZ_CYRILLIC

# Letters only Kazakh and Uyghur Arabic-script orthographies use (they write every vowel; ئ carries
# a word's first vowel). ى counts too, except word-final, where Arabic writes it as alif maqsura.
_TURKIC_ARABIC = set("ەېۇۆۈۋٴٵٷٶٸئ")
_HARAKAT = set("\u064e\u064f\u0650")
_KAZAKH_GHAIN = str.maketrans({"ع": "غ"})
_ARABIC_AIN = str.maketrans({"ع": "ا"})
_ARABIC_TO_UYGHUR = str.maketrans({
    "ٵ": "ا", "ٷ": "ۇ", "ٶ": "و", "ٸ": "ى", "ٴ": None, "ی": "ى", "ک": "ك", "ة": "ە",
    "ہ": "ھ", "ۃ": "ە", "ح": "ھ", "ص": "س", "ض": "ز", "ط": "ت", "ظ": "ز", "ث": "س", "ذ": "ز",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "ۇ", "ء": None,
})


@lru_cache(maxsize=1)
def _uyghur_arabic() -> UgMultiScriptConverter:
    return UgMultiScriptConverter("UAS", "ULS")


@lru_cache(maxsize=1)
def _uyghur_cyrillic() -> UgMultiScriptConverter:
    return UgMultiScriptConverter("UCS", "ULS")


@lru_cache(maxsize=8)
def _icu(transform_id: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(transform_id)


def turkic_orthography(part: str) -> bool:
    """True when an Arabic-script part is spelled as Uyghur or Kazakh write (every vowel written)."""
    return bool(set(part) & _TURKIC_ARABIC) or "ى" in part.rstrip("ى") or part.startswith("ء")


def writes_vowels(part: str) -> bool:
    """True when an Arabic-script part shows its vowels: a Turkic spelling, or harakat."""
    return turkic_orthography(part) or bool(set(part) & _HARAKAT)


@lru_cache(maxsize=65536)
def arabic_readings(part: str) -> tuple[str, ...]:
    """Uyghur Latin readings of an Arabic-script part (Uyghur, Kazakh, or Arabic/Persian spelling)."""
    # Harakat (short vowel marks) carry vowels Arabic/Persian spelling otherwise omits: keep as letters.
    marked = part.replace("\u064e", "ە").replace("\u064f", "ۇ").replace("\u0650", "ى")
    stripped = "".join(ch for ch in marked if not unicodedata.combining(ch))
    # ع is Kazakh ғ (gh) in a Turkic orthography, and a silent consonant in Arabic/Persian spelling.
    stripped = stripped.translate(_KAZAKH_GHAIN if turkic_orthography(stripped) else _ARABIC_AIN)
    reading = _uyghur_arabic()(stripped.translate(_ARABIC_TO_UYGHUR))
    return (reading,) if reading else ()


@lru_cache(maxsize=65536)
def cyrillic_readings(part: str) -> tuple[str, ...]:
    """Latin readings of a Cyrillic part: Uyghur by umsc, Kazakh/Kyrgyz/Russian by ICU BGN."""
    letters = set(part)
    if "җ" in letters:
        return (_uyghur_cyrillic()(part),)
    if letters & KAZAKH_CYRILLIC:
        return (_icu("kk-kk_Latn/BGN").transliterate(part),)
    if letters & KYRGYZ_CYRILLIC:
        return (_icu("Kirghiz-Latin/BGN").transliterate(part),)
    # Russian spelling of a Turkic name: BGN writes initial е as "ye"; the Kazakh reading does not.
    return tuple(dict.fromkeys((
        _icu("kk-kk_Latn/BGN").transliterate(part), _icu("Russian-Latin/BGN").transliterate(part),
    )))
