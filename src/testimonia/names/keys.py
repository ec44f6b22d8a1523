"""Blocking keys (two names worth comparing share at least one key) and full-text phonetic tokens.

A key is the consonant skeleton of a part's phonetic key ("Tohti" → TUTI → TT, 土赫提 → TT), with
l and r as one letter, cut to its first four consonants: vowels and the endings Chinese adds vary
most. Each part gives the skeletons of its cheapest readings; parts with fewer than two consonants give none unless the
name has nothing else. `part:` keys find a name from any one part; `pair:` keys (two parts' skeletons,
in sorted order) are the selective ones a large registry blocks on first.
"""

from __future__ import annotations

from .comparison import PreparedName, prepare
from .phonetic import consonants
from .structure import Part

READINGS_PER_PART = 4
SKELETON_LENGTH = 4


def _skeletons(keys: tuple[str, ...]) -> list[str]:
    # l and r are one letter here: Chinese writes both with the same characters (里, 拉, 力 …)
    found = [consonants(key).replace("L", "R")[:SKELETON_LENGTH] for key in keys[:READINGS_PER_PART]]
    return list(dict.fromkeys(s for s in found if s))


def name_keys(name: PreparedName | str) -> set[str]:
    """The blocking keys of a name (raises TypeError for a non-string)."""
    name = name if isinstance(name, PreparedName) else prepare(name)
    parts = [p for p in name.parts if not p.optional and not p.initial]
    skeletons = [_skeletons(p.keys) for p in parts]
    keys = {f"part:{s}" for group in skeletons for s in group if len(s) >= 2}
    if not keys:
        keys = {f"part:{s}" for group in skeletons for s in group}
    for i in range(len(skeletons)):
        for j in range(i + 1, len(skeletons)):
            keys.update(f"pair:{'|'.join(sorted((x, y)))}" for x in skeletons[i] for y in skeletons[j])
    return keys


PHONETIC_TOKEN_MARK = "9"  # phonetic tokens start with a digit, which no name part does


def phonetic_tokens(name: PreparedName | str) -> list[str]:
    """Tokens a full-text index stores beside a name so that a query in another script finds it:
    the consonant skeleton of each part's readings, marked so it cannot collide with a written word."""
    name = name if isinstance(name, PreparedName) else prepare(name)
    return list(dict.fromkeys(token for part in name.parts for token in phonetic_tokens_of_part(part)))


def phonetic_tokens_of_part(part: Part) -> list[str]:
    """The phonetic tokens of one part (none for an initial; skeletons of two consonants or more)."""
    tokens = (PHONETIC_TOKEN_MARK + s.lower() for s in _skeletons(part.keys)) if not part.initial else ()
    return list(dict.fromkeys(t for t in tokens if len(t) >= 3))
