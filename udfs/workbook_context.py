"""What a UDF may read from the workbook it is called from (through xlwings' `caller`
range): the Weights and LevelBands names and the Summary's national row. Used only when
the analyst leaves those arguments out; nothing of the framework is a constant in code."""

from __future__ import annotations

from pathlib import Path

from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.read import read_framework
from readiness_xl.workbook.summary import FIXED_HEADERS

from .xlwings_book import XlwingsWorkbook


def _book(caller):
    if caller is None:
        raise CellValueError("give this argument: no calling workbook to read it from", "#N/A")
    return caller.sheet.book


def named_rows(caller, name: str) -> list[list]:
    """The values of a defined name's range as rows. A missing name raises KeyError on
    the remote engine and macOS but pywintypes.com_error on Windows, and a name that is
    not a range ValueError: each is the same news to the analyst, so all are caught."""
    book = _book(caller)
    try:
        rng = book.names[name].refers_to_range
    except Exception:  # noqa: BLE001 (the engine's own error type: see above)
        raise CellValueError(f"the workbook has no '{name}' name for a range (Formulas > "
                             "Name Manager); give this argument instead", "#N/A") from None
    return rng.options(ndim=2, err_to_str=True).value


def national_row(caller, n_dimensions: int) -> list:
    """Dimension scores of the Summary sheet's national row (written by recalculation)."""
    book = _book(caller)
    try:
        rows = book.sheets[L.SUMMARY_SHEET].range("A1").expand().options(ndim=2).value
    except Exception:
        raise CellValueError("no Summary sheet: recalculate all agencies first", "#N/A") from None
    for row in rows:
        if row and row[0] == "national":
            first = len(FIXED_HEADERS)
            return row[first:first + n_dimensions]
    raise CellValueError("the Summary has no national row: recalculate all agencies first", "#N/A")


def framework_from_workbook(caller):
    """The calling workbook's framework, read and validated by the same code as
    `readiness-xl recalc` (workbook.read over the xlwings book)."""
    book = XlwingsWorkbook(_book(caller))
    for name in (L.WEIGHTS_NAME, L.INDICATORS_NAME, L.LEVEL_BANDS_NAME):
        if name not in book.defined_names:
            raise CellValueError(f"the workbook has no '{name}' name", "#N/A")
    return read_framework(book, Path(book.book.fullname))


def trend_rows(caller) -> list[list]:
    """The Trend sheet's table (header first), as written by `readiness-xl trend`."""
    from readiness_xl.workbook.trend_layout import TREND_SHEET
    book = _book(caller)
    try:
        return book.sheets[TREND_SHEET].range("A1").expand().options(ndim=2).value
    except Exception:
        raise CellValueError(f"no {TREND_SHEET} sheet: build it with readiness-xl trend", "#N/A") from None
