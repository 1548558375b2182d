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


def recalc_file(path: str | Path, out: str | Path | None = None, missing: str | None = None,
                progress=None) -> Results:
    """Score the workbook at `path` and write its Summary to `out` (default: in place).
    On any error nothing is written and the original is unchanged."""
    path = Path(path)
    target = Path(out) if out else path
    with exclusive(target), paused_gc():  # the lock: no other run slips between read and write
        wb = begin_reading(path)
        from readiness_xl.workbook.layout import SUMMARY_SHEET
        from readiness_xl.workbook.parts import write_sheet_rows
        from readiness_xl.workbook.read import read_book  # these imports overlap the reading begun
        from readiness_xl.workbook.summary import rows as summary_rows
        book = read_book(path, progress, wb)
        results = score_book(book, missing)
        try:
            if results.preparation is None:
                write_sheet_rows(path, target, SUMMARY_SHEET, summary_rows(results))
            else:
                _write_with_preparation(path, target, results, summary_rows(results))
        except ReadinessError as err:
            raise err.in_file(path.name) from None
    return results


def _write_with_preparation(path: Path, target: Path, results: Results, rows: list[list]) -> None:
    """The Preparation sheet (what data preparation did), then the Summary, staged in a
    temporary file beside the target so the target is replaced once."""
    import tempfile

    from readiness_xl.workbook.parts import write_sheet_rows
    from readiness_xl.workbook.preparation_sheet import preparation_spec
    from readiness_xl.workbook.sheet_writer import write_sheets
    from readiness_xl.workbook.layout import SUMMARY_SHEET

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".readiness-") as folder:
        staged = Path(folder) / path.name
        write_sheets(path, staged, [preparation_spec(results)])
        write_sheet_rows(staged, target, SUMMARY_SHEET, rows)
