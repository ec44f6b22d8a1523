"""Entities' vocabularies, EDTF dates, status derivation and sensitivity rules. Pure: no I/O."""
