"""The ribbon button **Recalculate all agencies**: the steps of `readiness-xl recalc`,
run on the active workbook inside Excel through xlwings.

Read everything (one read per sheet), score with the same core, then write the whole
Summary in one block and ask Excel for a full calculation (Excel does not recalculate
UDFs on its own after a write; the Dashboard's formulas and charts read the Summary).
Any problem is shown in a message box naming sheet and cell, before anything is
written, so on error the workbook is as it was."""

from __future__ import annotations

import sys
from pathlib import Path

from readiness_xl.core.results import Results
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.read import read_open_book
from readiness_xl.workbook.recalc import score_book
from readiness_xl.workbook.summary import rows as summary_rows

from .xlwings_book import XlwingsWorkbook

TITLE = "readiness-xl"


def _status(app, text) -> None:
    app.status_bar = text  # False gives the status bar back to Excel


def full_calculation(app) -> None:
    """CalculateFull on Windows recalculates every formula, UDFs included; elsewhere
    xlwings' calculate() is what the platform offers."""
    if sys.platform == "win32":
        app.api.CalculateFull()
    else:
        app.calculate()


def recalculate(book) -> Results:
    """Score every agency of `book` (an xlwings Book) and rewrite its Summary."""
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
    results = score_book(read_open_book(workbook, Path(book.fullname), progress))
    rows = summary_rows(results)
    _status(app, "readiness-xl: เขียนสรุป / writing the Summary")
    summary = book.sheets[L.SUMMARY_SHEET]
    width = max(len(r) for r in rows)
    summary.used_range.clear_contents()
    summary.range((1, 1), (len(rows), width)).value = [r + [None] * (width - len(r)) for r in rows]
    full_calculation(app)
    return results


def recalculate_all_agencies(book=None) -> None:
    """The button's action. Errors go to a message box, never a traceback."""
    import xlwings as xw
    book = book or xw.Book.caller()
    app = book.app
    try:
        results = recalculate(book)
        _status(app, f"readiness-xl: {len(results.agencies)} หน่วยงาน / agencies recalculated")
    except ReadinessError as err:
        _status(app, False)
        app.alert(err.one_line(), title=TITLE, buttons="ok", mode="critical")
    except Exception as err:  # shown to the analyst, not lost in a console
        _status(app, False)
        app.alert(f"internal error: {err.__class__.__name__}: {err}", title=TITLE, buttons="ok",
                  mode="critical")
