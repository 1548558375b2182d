"""What a UDF may read from the workbook it is called from (through xlwings' `caller`
range): the Weights and LevelBands names and the Summary's national row. Used only when
the analyst leaves those arguments out; nothing of the framework is a constant in code."""

from __future__ import annotations

from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.summary import FIXED_HEADERS


def _book(caller):
    if caller is None:
        raise CellValueError("give this argument: no calling workbook to read it from", "#N/A")
    return caller.sheet.book


def named_rows(caller, name: str) -> list[list]:
    """The values of a defined name's range as rows."""
    try:
        rng = _book(caller).names[name].refers_to_range
    except (KeyError, AttributeError):
        raise CellValueError(f"the workbook has no '{name}' name", "#N/A") from None
    return rng.options(ndim=2).value


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
    """The calling workbook's framework, read through its defined names and validated
    exactly as `readiness-xl recalc` validates it."""
    from readiness_xl.core.framework import build_framework, located
    book = _book(caller)

    def block(name: str, columns: dict[str, str]):
        rng = book.names[name].refers_to_range
        sheet = rng.sheet
        first, last = rng.row, rng.row + rng.rows.count - 1
        left = min(columns.values())
        right = max(columns.values())
        rows = sheet.range(f"{left}{first}:{right}{last}").options(ndim=2).value
        start = ord(left)
        records = [{f: r[ord(c) - start] for f, c in columns.items()} for r in rows if r[0] is not None]
        return located(records, sheet.name, columns, first)

    try:
        return build_framework(block(L.WEIGHTS_NAME, L.DIMENSION_COLUMNS),
                               block(L.INDICATORS_NAME, L.INDICATOR_COLUMNS),
                               block(L.LEVEL_BANDS_NAME, L.BAND_COLUMNS))
    except KeyError as err:
        raise CellValueError(f"the workbook has no {err} name", "#N/A") from None
