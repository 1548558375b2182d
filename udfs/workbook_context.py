"""What a UDF may read from the workbook it is called from: the Weights name and the
Summary's national row for an argument left out (through xlwings' `caller` range only),
and the framework and the rows of a sheet of ours (Trend, Uncertainty), also from the
book xlwings Lite's script left here. Nothing of the framework is a constant in code.

xlwings Lite gives a function its arguments only, never the workbook: an argument left out
is refused there rather than taken from the script's snapshot, which goes stale as soon as
the analyst edits the workbook. What has no argument to give (the framework's names and
bands for READINESS_NARRATIVE, the Trend and Uncertainty sheets) is read from that
snapshot, and a function says to run the script when there is none yet."""

from __future__ import annotations

from pathlib import Path

from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl.workbook import layout as L

# The readers (workbook.read, summary, xlwings_book: openpyxl and more) are imported where
# used: importing the UDF module is paid when Excel starts Python.


# xlwings Lite gives a function its arguments only, never the workbook; its script
# "recalculate_all_agencies" leaves here the book it was given (a snapshot of the values).
_remembered: list = []


def remember(book) -> None:
    """Keep `book` for functions called without a calling cell (xlwings Lite)."""
    _remembered[:] = [book]


def _book(caller, what: str):
    """The calling workbook, or in xlwings Lite the one its script saw last."""
    if caller is not None:
        return caller.sheet.book
    if _remembered:
        return _remembered[0]
    raise CellValueError(f"no workbook to read {what} from: in xlwings Lite, run the script "
                         "recalculate_all_agencies once", "#N/A")


def _calling_book(caller, argument: str, source: str):
    """The calling workbook for an argument left out; without a calling cell (xlwings Lite)
    the argument must be given."""
    if caller is None:
        raise CellValueError(f"give {argument}: without a calling cell (xlwings Lite) a function "
                             f"cannot read {source} itself", "#N/A")
    return caller.sheet.book


def _named_range(caller, name: str, argument: str):
    """A defined name's range. A missing name raises KeyError on the remote engine and
    macOS but pywintypes.com_error on Windows, and a name that is not a range ValueError:
    each is the same news to the analyst, so all are caught."""
    book = _calling_book(caller, argument, f"the workbook's {name} name")
    try:
        return book.names[name].refers_to_range
    except Exception:  # noqa: BLE001 (the engine's own error type: see above)
        raise CellValueError(f"the workbook has no '{name}' name for a range (Formulas > "
                             "Name Manager); give this argument instead", "#N/A") from None


def named_cells(caller, name: str, argument: str) -> tuple[list[list], str, list[str]]:
    """A defined name's values as rows, its sheet and each cell's address (D5, D6, ...),
    so that a bad value is named by its cell as the command line names it. The addresses
    come from the range's top-left cell and the values' shape: asking Excel cell by cell
    would be two COM round trips per cell on every call."""
    from openpyxl.utils.cell import get_column_letter
    rng = _named_range(caller, name, argument)
    rows = rng.options(ndim=2, err_to_str=True).value
    top, left = rng.row, rng.column
    return (rows, rng.sheet.name, [f"{get_column_letter(left + j)}{top + i}"
                                   for i, row in enumerate(rows) for j in range(len(row))])


def national_row(caller, n_dimensions: int, argument: str) -> list:
    """Dimension scores of the Summary sheet's national row (written by recalculation).
    Recalculation writes it last: found with one End(xlDown) from A1 and read alone, so a
    column of calls does not each read the whole Summary (10,000 agencies: 200,000 cells
    a call); a Summary where it is not last is searched row by row."""
    from readiness_xl.workbook.summary import FIXED_HEADERS, NATIONAL_ROW_TYPES
    hint = "recalculate all agencies first"
    first = len(FIXED_HEADERS)

    def last_row(sheet) -> list:
        last = sheet.range("A1").end("down").row
        return sheet.range((last, 1), (last, first + n_dimensions)).options(ndim=2).value[0]
    _calling_book(caller, argument, "the Summary's national row")
    row = _read(caller, L.SUMMARY_SHEET, hint, last_row)
    if row[0] not in NATIONAL_ROW_TYPES:
        row = next((r for r in sheet_rows(caller, L.SUMMARY_SHEET, hint) if r and r[0] in NATIONAL_ROW_TYPES), None)
    if row is None:
        raise CellValueError(f"the Summary has no national row: {hint}", "#N/A")
    return row[first:first + n_dimensions]


def framework_from_workbook(caller):
    """The calling workbook's framework, read and validated by the same code as
    `readiness-xl recalc` (workbook.read over the xlwings book)."""
    from readiness_xl.workbook.read import read_framework

    from .xlwings_book import XlwingsWorkbook
    book = XlwingsWorkbook(_book(caller, "the framework (dimension names, weights, level bands)"))
    for name in (L.WEIGHTS_NAME, L.INDICATORS_NAME, L.LEVEL_BANDS_NAME):
        if name not in book.defined_names:
            raise CellValueError(f"the workbook has no '{name}' name", "#N/A")
    return read_framework(book, Path(book.book.fullname))


def _read(caller, sheet: str, hint: str, read):
    """read(the sheet) on a sheet of ours; when it fails (no such sheet: each engine raises
    its own error type) the analyst is told what makes the sheet."""
    book = _book(caller, f"the {sheet} sheet")
    try:
        return read(book.sheets[sheet])
    except Exception:  # noqa: BLE001 (the engine's own error type: see above)
        raise CellValueError(f"no {sheet} sheet: {hint}", "#N/A") from None


def sheet_rows(caller, sheet: str, hint: str) -> list[list]:
    """The block of values from A1 of a sheet of ours (down and right to the first gap)."""
    return _read(caller, sheet, hint, lambda s: s.range("A1").expand().options(ndim=2).value)
