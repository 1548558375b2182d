"""Recalculating a workbook headless: read, validate, score, write the Summary.
The same steps the ribbon button runs inside Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from readiness_xl.core.answers import parse_answers
from readiness_xl.core.results import Results, compute_results
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.layout import SUMMARY_SHEET
from readiness_xl.workbook.locks import exclusive
from readiness_xl.workbook.parts import write_sheet_rows
from readiness_xl.workbook.read import Book, read_book
from readiness_xl.workbook.summary import rows as summary_rows


def book_answers(book: Book) -> pd.DataFrame:
    """The answers of a workbook already read, parsed; every bad answer is reported with
    its cell (what recalc, trend rounds and robustness all score)."""
    answers, bad = parse_answers(book.raw_answers, book.framework)
    if bad:
        raise ReadinessError([book.locate(b) for b in bad])
    return answers


def score_book(book: Book, missing: str = "zero") -> Results:
    """Results of a workbook already read; every bad answer is reported with its cell."""
    return compute_results(book.framework, book.agencies, book_answers(book), missing)


def recalc_file(path: str | Path, out: str | Path | None = None, missing: str = "zero",
                progress=None) -> Results:
    """Score the workbook at `path` and write its Summary to `out` (default: in place).
    On any error nothing is written and the original is unchanged."""
    path = Path(path)
    target = Path(out) if out else path
    with exclusive(target):  # held from the read to the write: no other run slips between
        book = read_book(path, progress)
        results = score_book(book, missing)
        try:
            write_sheet_rows(path, target, SUMMARY_SHEET, summary_rows(results))
        except ReadinessError as err:
            raise err.in_file(path.name) from None
    return results
