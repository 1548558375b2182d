"""A1 references: column letters <-> numbers, cells and ranges, as openpyxl.utils.cell
does them (same results, same ValueError texts), without importing openpyxl.

Importing `openpyxl.utils.cell` runs openpyxl's package __init__, which loads its
workbook, reader, writer and chart modules: about 0.15 s of CPU at every start of a
command that never opens a workbook with openpyxl (recalc of a Responses sheet reads
with calamine and writes XML itself). tests/test_cell_refs.py checks these functions
against openpyxl's over generated references."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_COLUMN = 18_278  # ZZZ
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_COORD = re.compile(r"^[$]?([A-Za-z]{1,3})[$]?(\d+)$")
_RANGE = re.compile(r"^[$]?([A-Za-z]{1,3})?[$]?(\d+)?(:[$]?([A-Za-z]{1,3})?[$]?(\d+)?)?$")


@lru_cache(maxsize=None)
def get_column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA', 18278 -> 'ZZZ'."""
    if not 1 <= index <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = _LETTERS[remainder] + letters
    return letters


@lru_cache(maxsize=None)
def column_index_from_string(column: str) -> int:
    """'A' -> 1, 'aa' -> 27, 'ZZZ' -> 18278."""
    message = f"'{column}' is not a valid column name. Column names are from A to ZZZ"
    if len(column) > 3:
        raise ValueError(message)
    index = 0
    for power, letter in enumerate(reversed(column.upper())):
        position = _LETTERS.find(letter) + 1 if len(letter) == 1 else 0
        if position == 0:
            raise ValueError(message)
        index += position * 26 ** power
    if not 0 < index <= MAX_COLUMN:
        raise ValueError(message)
    return index


def coordinate_from_string(ref: str) -> tuple[str, int]:
    """'B12' -> ('B', 12); '$B$12' too."""
    match = _COORD.match(ref)
    if not match:
        raise ValueError(f"Invalid cell coordinates ({ref})")
    column, row = match.group(1), int(match.group(2))
    if not row:
        raise ValueError(f"There is no row 0 ({ref})")
    return column, row


def coordinate_to_tuple(ref: str) -> tuple[int, int]:
    """'B12' -> (12, 2): row, column."""
    column, row = coordinate_from_string(ref)
    return row, column_index_from_string(column)


def range_boundaries(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """'A1:C5' -> (1, 1, 3, 5): min_col, min_row, max_col, max_row; a cell is a range of
    one; whole columns ('A:C') and whole rows ('1:5') leave the other bounds None."""
    message = f"{ref} is not a valid coordinate or range"
    match = _RANGE.match(ref)
    if not match:
        raise ValueError(message)
    min_col, min_row, sep, max_col, max_row = match.groups()
    if sep:
        cols, rows = (min_col, max_col), (min_row, max_row)
        if not (all(cols + rows) or (all(cols) and not any(rows)) or (all(rows) and not any(cols))):
            raise ValueError(message)
    min_c = column_index_from_string(min_col) if min_col is not None else None
    min_r = int(min_row) if min_row is not None else None
    max_c = column_index_from_string(max_col) if max_col is not None else min_c
    max_r = int(max_row) if max_row is not None else min_r
    return min_c, min_r, max_c, max_r
