"""PRC resident identity card numbers (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidResidentId(ValueError):
    """Not a well-formed resident ID number. The message never repeats the number itself."""


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalise_resident_id(value: str) -> str:
    """Strip spaces and hyphens, upper-case the final x, and validate shape, birth date and check digit."""
    number = re.sub(r"[\s\-]", "", value).upper()
    if not _SHAPE.match(number):
        raise InvalidResidentId("a resident ID number has 17 digits and a final digit or X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId("the birth date inside the resident ID number is not a real date") from None
    if check_character(number[:17]) != number[17]:
        raise InvalidResidentId("the check digit of the resident ID number is wrong")
    return number
