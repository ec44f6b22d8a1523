"""Places and facilities: the Xinjiang gazetteer, Kazakhstan's regions and cities, detention facilities.

Reference data lives in data/ with its source and licence (data/README.md); load.py turns it into
rows, resolve.py recognises the names reports use for a place.
"""

from .resolve import Gazetteer, PlaceMatch

__all__ = ["Gazetteer", "PlaceMatch"]
