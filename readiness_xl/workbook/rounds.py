"""Reading survey rounds for a trend: each workbook through the one reading and scoring
path (agency sheets or the long Responses layout alike), its year from the framework
version or given, and the mapping CSV of renamed, merged and split agencies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from readiness_xl.core.results import compute_results
from readiness_xl.core.trend import MAPPING_FIELDS, Round
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import as_buddhist_year
from readiness_xl.workbook.csv_tables import read_csv_table
from readiness_xl.workbook.layout import agency_cell
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import book_answers


def read_round(path: str | Path, year: object = None, missing: str | None = None, progress=None) -> Round:
    """One round: the workbook read and scored with its own framework. `year` (B.E. or
    C.E.) overrides the year named in its framework version."""
    path = Path(path)
    book = read_book(path, progress)
    try:
        be_year = as_buddhist_year(year if year is not None else book.framework.version)
    except ValueError:
        raise ReadinessError(Problem(
            f"no survey year in the framework version {book.framework.version!r}; give the "
            "years of the rounds with --years (e.g. --years 2559,2560)", "Framework",
            file=path.name)) from None
    answers = book_answers(book)
    results = compute_results(book.framework, book.agencies, answers, missing)
    return Round(be_year, results, answers, missing, path.name, agency_cell=agency_cell)


def read_mapping(path: str | Path) -> pd.DataFrame:
    """The mapping CSV (round, round_id, trend_id[, note]), read as every CSV of ours is
    (header names trimmed, an unknown column refused); rows keep their line numbers."""
    path = Path(path)
    table = read_csv_table(path, MAPPING_FIELDS[:3], MAPPING_FIELDS[3:])
    table.attrs = {"file": path.name}
    return table
