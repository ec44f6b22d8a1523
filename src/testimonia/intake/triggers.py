"""Event triggers: where the words and phrases of lexicon.EVENT_PATTERNS occur in a parsed text.

The patterns are spaCy Matcher patterns. Those of one word (a lemma or a lower-cased form, perhaps
with a part of speech or a tag) go to spaCy's PhraseMatcher, which looks each token up once however
many words it holds; the others stay with the Matcher, whose cost grows with the number of patterns
it tries at every token. Same matches, a third of the time (bench/intake_bench.py's texts: all 47
patterns through the Matcher 1.9 s, split this way 0.6 s).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

_WORD_ATTRS = ("LEMMA", "LOWER")
_TOKEN_ATTRS = {"LEMMA": "lemma_", "LOWER": "lower_", "POS": "pos_", "TAG": "tag_"}


def _values(value: str | dict) -> frozenset[str]:
    return frozenset(value["IN"]) if isinstance(value, dict) else frozenset((value,))


def _one_word(pattern: list[dict]) -> str | None:
    """The attribute a one-word pattern looks the word up by, or None when the Matcher must take it."""
    if len(pattern) != 1 or not set(pattern[0]) <= set(_TOKEN_ATTRS):
        return None
    found = [attr for attr in _WORD_ATTRS if attr in pattern[0]]
    return found[0] if len(found) == 1 else None


class Triggers:
    """`Triggers(nlp, patterns)(doc)` → [(kind's string id, start, end)], as spaCy's Matcher would return."""

    def __init__(self, nlp: Language, patterns: dict[str, list[list[dict]]]):
        self.phrases = Matcher(nlp.vocab)
        self.words = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in _WORD_ATTRS}
        # (kind, attr, word) → the other constraints of each pattern naming the word, any one of which must hold
        self.conditions: dict[tuple[int, str, str], list[dict[str, frozenset[str]]]] = {}
        self.order = {nlp.vocab.strings.add(kind): rank for rank, kind in enumerate(patterns)}
        for kind, kind_patterns in patterns.items():
            kind_id = nlp.vocab.strings[kind]
            for pattern in kind_patterns:
                attr = _one_word(pattern)
                if attr is None:
                    self.phrases.add(kind, [pattern])
                    continue
                others = {key: _values(value) for key, value in pattern[0].items() if key != attr}
                for word in sorted(_values(pattern[0][attr])):
                    key = (kind_id, attr, word)
                    if key not in self.conditions:
                        self.words[attr].add(kind, [Doc(nlp.vocab, words=[word], lemmas=[word])])
                    self.conditions.setdefault(key, []).append(others)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found = list(self.phrases(doc))
        for attr, matcher in self.words.items():
            for kind_id, start, end in matcher(doc):
                token = doc[start]
                conditions = self.conditions[(kind_id, attr, getattr(token, _TOKEN_ATTRS[attr]))]
                if any(all(_holds(token, key, values) for key, values in c.items()) for c in conditions):
                    found.append((kind_id, start, end))
        # the Matcher's order: by where the match ends, then where it starts, then the order the kinds were added in
        return sorted(set(found), key=lambda match: (match[2], match[1], self.order[match[0]]))


def _holds(token: Token, attr: str, values: frozenset[str]) -> bool:
    return getattr(token, _TOKEN_ATTRS[attr]) in values
