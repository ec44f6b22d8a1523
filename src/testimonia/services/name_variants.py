"""The name spellings a data folder matches with: the shipped variants and those its reviewers
confirmed (`testimonia names learn` writes them to the folder's name_variants.tsv)."""

from __future__ import annotations

from pathlib import Path

from ..names import Variants
from ..names.variants import shipped_variants

VARIANTS_FILE = "name_variants.tsv"


def folder_variants(folder: Path, extra: Path | None = None, *, strict: bool = True) -> Variants:
    """The shipped variants, the folder's confirmed ones, and an `extra` file. A malformed file raises
    ValueError when `strict`; otherwise its bad lines are left out and matching goes on with the rest
    (`testimonia names` reports the file)."""
    variants = Variants()
    variants.merge(shipped_variants())
    for path in (folder / VARIANTS_FILE, extra):
        if path is None or not path.is_file():
            continue
        try:
            variants.read(path.read_text("utf-8").splitlines(), str(path))
        except ValueError:
            if strict:
                raise
    return variants
