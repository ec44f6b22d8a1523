"""Names across scripts: normalise, detect, read and compare personal names. Pure: no I/O.

    prepare(text) -> PreparedName        the representation compare() needs, built once per name
    compare(a, b) -> Comparison          score in [0, 1], verdict at THRESHOLD, and the reasons
    best_score(codes_a, codes_b, cap)    the best score between two lists of prepared names' codes
    best_scores(codes, prepare, a, b, …) best_score for many pairs at once (linking)
    name_keys(text) -> set[str]          blocking keys
See docs/names.md for the pipeline, the tables it reads and its measured quality.
"""

from ._kernel import NameCode, best_score, best_scores
from .comparison import THRESHOLD, Comparison, PartMatch, PreparedName, compare, prepare
from .keys import name_keys
from .scripts import detect_language, detect_script, han_bigrams, normalise, search_words
from .variants import Variants

__all__ = [
    "THRESHOLD", "Comparison", "NameCode", "PartMatch", "PreparedName", "Variants", "best_score", "best_scores", "compare",
    "detect_language", "detect_script", "han_bigrams", "name_keys", "normalise", "prepare", "search_words",
]
