"""Tables of one line per person, their cells separated by "|", as case lists and database exports write them:

    No. | Name | Sex, age | Home | Reported by | What happened | Current status
    1 | Nurlan Zhakypbek | M, 47 | Qapqal County | brother Yersin Zhakypbek | detained in March 2018 … | prison

A row without a digit, or a "Format: … | … |" line, is a header: its cells name the columns of the rows after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROW = re.compile(r"(?m)^[^\n|]*\|[^\n|]*\|[^\n]*$")  # a line with two or more "|"
_NAME_COLUMN = re.compile(r"\bname\b", re.I)
_STATUS_COLUMN = re.compile(r"\bstatus\b", re.I)


def is_row(line: str) -> bool:
    """Whether a line is a table's row: it holds two or more "|"."""
    return line.count("|") >= 2


@dataclass(frozen=True)
class Row:
    start: int  # the character where the line begins
    cells: tuple[tuple[int, int], ...]  # each cell's (start, end), spaces around it left out
    header: tuple[str, ...]  # the column names the cells fall under ("" where there is no header)

    def column(self, pattern: re.Pattern) -> tuple[int, int] | None:
        """The cell under the first column whose name matches `pattern`."""
        return next((cell for cell, name in zip(self.cells, self.header) if pattern.search(name)), None)

    def name_cell(self) -> tuple[int, int] | None:
        return self.column(_NAME_COLUMN)

    def status_cell(self) -> tuple[int, int] | None:
        return self.column(_STATUS_COLUMN)


def rows(text: str) -> list[Row]:
    """The table rows of a text (a header row is not among them), in reading order."""
    out: list[Row] = []
    header: tuple[str, ...] = ()
    for line in _ROW.finditer(text):
        cells = _cells(text, line.start(), line.end())
        words = tuple(text[a:b] for a, b in cells)
        if not any(c.isdigit() for c in line.group()) or line.group().lstrip().lower().startswith("format:"):
            header = words
            if words and ":" in words[0]:  # "Format: one line per person: case" — the column name after the last colon
                header = (words[0].rsplit(":", 1)[1].strip(), *words[1:])
            continue
        out.append(Row(line.start(), cells, header if len(header) == len(cells) else ("",) * len(cells)))
    return out


def _cells(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    cells, at = [], start
    for piece in text[start:end].split("|"):
        left = at + len(piece) - len(piece.lstrip())
        right = at + len(piece.rstrip())
        cells.append((left, max(left, right)))
        at += len(piece) + 1
    return tuple(cells)
