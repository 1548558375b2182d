"""The ribbon button **Recalculate all agencies**: the steps of `readiness-xl recalc`,
run on the active workbook inside Excel through xlwings.

Read everything (one read per sheet), score with the same core, then write the whole
Summary in one block and ask Excel for a full calculation (Excel does not recalculate
UDFs on its own after a write; the Dashboard's formulas and charts read the Summary).
Any problem is shown in a message box naming sheet and cell, before anything is
written, so on error the workbook is as it was. Text is written as text: Excel reads a
string given to Range.value as if typed ('3' a number, '=...' a formula), so every
string goes with a leading apostrophe, which Excel keeps as a prefix, not as content."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L

if TYPE_CHECKING:
    from readiness_xl.core.results import Results

# The readers, scoring and Summary rows (pandas, openpyxl) are imported by recalculate():
# this module is imported on every start of Excel's Python (tests/test_startup.py).

TITLE = "readiness-xl"


def _status(app, text) -> None:
    """Show progress where the engine has a status bar (desktop Excel); xlwings' remote
    and Office.js engines have none and raise NotImplementedError. False gives the
    status bar back to Excel."""
    try:
        app.status_bar = text
    except NotImplementedError:
        pass


def as_typed(value):
    """A value for Range.value that Excel stores unchanged: strings get the apostrophe
    prefix, so '=1+1' and '3' stay text."""
    return "'" + value if isinstance(value, str) else value


def full_calculation(app) -> None:
    """CalculateFull on Windows recalculates every formula, UDFs included; elsewhere
    xlwings' calculate() is what the platform offers."""
    if sys.platform == "win32":
        app.api.CalculateFull()
    else:
        app.calculate()


def recalculate(book) -> Results:
    """Score every agency of `book` (an xlwings Book) and rewrite its Summary."""
    from readiness_xl.workbook.live_summary import Formula
    from readiness_xl.workbook.read import read_open_book
    from readiness_xl.workbook.recalc import score_book, summary_cells

    from .xlwings_book import XlwingsWorkbook
    app = book.app
    workbook = XlwingsWorkbook(book)
    total = len(workbook.sheetnames)
    done = [0]

    def progress() -> None:
        done[0] += 1
        _status(app, f"readiness-xl: อ่านชีตหน่วยงาน / reading agency sheets {done[0]}")

    if L.SUMMARY_SHEET not in workbook.sheetnames:
        raise ReadinessError(Problem(f"sheet '{L.SUMMARY_SHEET}' is missing: the Summary is "
                                     "where the results go", file=book.name))
    _status(app, f"readiness-xl: อ่านกรอบการประเมิน / reading the framework ({total} sheets)")
    read = read_open_book(workbook, Path(book.fullname), progress)
    results = score_book(read)
    rows = summary_cells(read, results)
    _status(app, "readiness-xl: เขียนสรุป / writing the Summary")
    summary = book.sheets[L.SUMMARY_SHEET]
    width = max(len(r) for r in rows)
    summary.used_range.clear_contents()
    block = summary.range((1, 1), (len(rows), width))
    # The values first (what a viewer that does not recalculate shows), then the same
    # block with every figure's live formula, which Excel computes in the full calculation.
    block.value = [[as_typed(v.cached if isinstance(v, Formula) else v) for v in r]
                   + [None] * (width - len(r)) for r in rows]
    block.formula = [[("=" + v.text) if isinstance(v, Formula) else ("" if v is None else as_typed(v))
                      for v in r] + [""] * (width - len(r)) for r in rows]
    full_calculation(app)
    return results


def recalculate_all_agencies(book=None) -> None:
    """The button's action. Errors go to a message box, never a traceback; the status
    bar is given back to Excel either way."""
    import xlwings as xw
    book = book or xw.Book.caller()
    app = book.app
    try:
        recalculate(book)
        _status(app, False)
    except ReadinessError as err:
        _status(app, False)
        app.alert(err.one_line(), title=TITLE, buttons="ok", mode="critical")
    except Exception as err:  # shown to the analyst, not lost in a console
        _status(app, False)
        app.alert(f"internal error: {err.__class__.__name__}: {err}", title=TITLE, buttons="ok",
                  mode="critical")
