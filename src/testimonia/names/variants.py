"""Spellings reviewers confirmed as one name ("Xuěkèláití" is "Shohrat"), used from then on.

A variants file is tab-separated, one confirmed pair of name-part spellings a line (`#` starts a
comment). Spellings are grouped transitively; a part whose spelling belongs to a group is also
read as every other spelling of its group. The package ships data/variants.tsv; a registry keeps
its reviewers' own pairs in its data folder (name_variants.tsv), added with `testimonia names learn`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from .structure import read_part, split_parts


class Variants:
    """Groups of part spellings known to be one name."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()):
        self._group_of: dict[str, frozenset[str]] = {}
        for a, b in pairs:
            self.add(a, b)

    def add(self, a: str, b: str) -> list[tuple[str, str]]:
        """Record that names a and b are spelled alike part by part; the part pairs recorded."""
        parts_a, parts_b = split_parts(a), split_parts(b)
        if not parts_a or len(parts_a) != len(parts_b):
            raise ValueError(f"{a!r} and {b!r} must have the same number of parts, given in the same order")
        for x, y in zip(parts_a, parts_b, strict=True):
            group = self._group_of.get(x, frozenset({x})) | self._group_of.get(y, frozenset({y}))
            for member in group:
                self._group_of[member] = group
        return list(zip(parts_a, parts_b, strict=True))

    def merge(self, other: Variants) -> None:
        """Add every group of another set of variants."""
        for group in set(other._group_of.values()):
            members = sorted(group)
            for member in members[1:]:
                self.add(members[0], member)

    def keys_of(self, part: str) -> tuple[str, ...]:
        """Phonetic keys of the other spellings in the part's group (nothing if it has none)."""
        group = self._group_of.get(part)
        if not group:
            return ()
        return tuple(key for member in sorted(group - {part}) for key in read_part(member).keys)

    def __len__(self) -> int:
        return len(self._group_of)

    def __bool__(self) -> bool:
        return bool(self._group_of)

    def read(self, lines: Iterable[str], origin: str) -> Variants:
        """Add the pairs of a variants file's lines; a malformed line raises ValueError naming origin:line."""
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                raise ValueError(f"{origin}:{number}: expected two spellings separated by a tab")
            try:
                self.add(*fields)
            except ValueError as error:
                raise ValueError(f"{origin}:{number}: {error}") from None
        return self


def variants_line(a: str, b: str) -> str:
    """The line a variants file records a confirmed pair with (raises ValueError if it cannot be one)."""
    Variants().add(a, b)
    return f"{a.replace(chr(9), ' ')}\t{b.replace(chr(9), ' ')}\n"


@lru_cache(maxsize=1)
def shipped_variants() -> Variants:
    """The confirmed variants shipped with the package (data/variants.tsv)."""
    text = resources.files("testimonia.names").joinpath("data/variants.tsv").read_text("utf-8")
    return Variants().read(text.splitlines(), "variants.tsv")
