"""Recalculating a workbook headless: read, validate, score, write the Summary.
The same steps the ribbon button runs inside Excel.

Nothing heavy loads with this module: recalc_file checks the workbook and starts reading
it (fast_read.begin_reading) first, and numpy, pandas and openpyxl load while calamine
parses, which releases the GIL. On a 10,000-agency workbook that hides their import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.fast_read import begin_reading, paused_gc
from readiness_xl.workbook.locks import exclusive

if TYPE_CHECKING:
    import pandas as pd

    from readiness_xl.core.results import Results
    from readiness_xl.workbook.read import Book


def book_answers(book: Book) -> pd.DataFrame:
    """The answers of a workbook already read, parsed; every bad answer is reported with
    its cell (what recalc, trend rounds and robustness all score)."""
    from readiness_xl.core.answers import parse_answers
    answers, bad = parse_answers(book.raw_answers, book.framework)
    if bad:
        raise ReadinessError([book.locate(b) for b in bad])
    return answers


def score_book(book: Book, missing: str | None = None) -> Results:
    """Results of a workbook already read; every bad answer is reported with its cell."""
    from readiness_xl.core.results import compute_results
    return compute_results(book.framework, book.agencies, book_answers(book), missing)


def summary_cells(book: Book, results: Results, missing: str | None = None) -> list[list]:
    """What recalculation writes on the Summary: in the agency-sheet layout every figure a
    live formula over the agency sheets, with the value computed here cached in it; in the
    long layout the values, with a live check of the answers (workbook.long_check). With a
    missing-answer rule other than the one the agency sheets' formulas follow (the one
    their note states: the framework's when they were built), a mean the sheets cannot
    compute under it (a non-arithmetic mean under `exclude`), data preparation (whose
    steps the sheets cannot compute), units that take no rank (the live RANK counts every
    unit), or agency sheets whose score block is not where this version puts it (an older
    workbook), the values alone: formulas would show other figures."""
    from readiness_xl.workbook import summary
    missing = book.framework.missing_rule(missing)   # the option, else the framework's
    if book.answer_cells.sheet is None:
        everyone_ranked = "ranked" not in book.agencies or bool(book.agencies["ranked"].all())
        live = (missing == book.sheet_rule and summary.sheets_compute(book.framework, missing)
                and book.score_block and results.preparation is None and everyone_ranked)
        return summary.live(results) if live else summary.rows(results)
    from readiness_xl.workbook.long_check import stale_rows
    return stale_rows(summary.rows(results), book)


def recalc_file(path: str | Path, out: str | Path | None = None, missing: str | None = None,
                progress=None) -> Results:
    """Score the workbook at `path` and write its Summary to `out` (default: in place).
    On any error nothing is written and the original is unchanged."""
    path = Path(path)
    target = Path(out) if out else path
    with exclusive(target), paused_gc():  # the lock: no other run slips between read and write
        wb = begin_reading(path)
        from readiness_xl.workbook.layout import SUMMARY_SHEET
        from readiness_xl.workbook.formula_cells import write_summary_rows
        from readiness_xl.workbook.read import read_book  # these imports overlap the reading begun
        book = read_book(path, progress, wb)
        results = score_book(book, missing)
        try:
            cells = summary_cells(book, results, missing)
            if results.preparation is None:
                write_summary_rows(path, target, SUMMARY_SHEET, cells, dashboard_edit(path, results, cells))
            else:
                _write_with_preparation(path, target, results, cells)
        except ReadinessError as err:
            raise err.in_file(path.name) from None
    return results


def dashboard_edit(path: Path, results: Results, cells: list[list]) -> dict:
    """The Dashboard's edit for workbook.parts.replace_parts: its formulas with the values
    they compute over the Summary `cells` about to be written (recalc and collect)."""
    from readiness_xl.workbook.dashboard_cells import DashboardShape
    from readiness_xl.workbook.dashboard_write import dashboard_edits
    from readiness_xl.workbook.summary import shape
    return dashboard_edits(path, DashboardShape(shape(results)), cells)


def _write_with_preparation(path: Path, target: Path, results: Results, rows: list[list]) -> None:
    """The Preparation sheet (what data preparation did), then the Summary, staged in a
    temporary file beside the target so the target is replaced once."""
    import tempfile

    from readiness_xl.workbook.formula_cells import write_summary_rows
    from readiness_xl.workbook.preparation_sheet import preparation_spec
    from readiness_xl.workbook.sheet_writer import write_sheets
    from readiness_xl.workbook.layout import SUMMARY_SHEET

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".readiness-") as folder:
        staged = Path(folder) / path.name
        write_sheets(path, staged, [preparation_spec(results)])
        write_summary_rows(staged, target, SUMMARY_SHEET, rows, dashboard_edit(staged, results, rows))
