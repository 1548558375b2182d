"""Answers from a long CSV (unit, indicator, value) written into a workbook of either
layout: the answer cells of the agency sheets, or the Responses sheet. Every value is
checked against the framework first and reported by CSV line; on any problem nothing is
written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from readiness_xl.core.answers import parse_answers
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.csv_tables import read_long_answers
from readiness_xl.workbook.locks import exclusive
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.package_edits import full_calc_on_load
from readiness_xl.workbook.parts import replace_parts, write_sheet_rows
from readiness_xl.workbook.read import Book, read_book
from readiness_xl.workbook.responses import responses_rows
from readiness_xl.workbook.sheet_xml import set_cells

WORKBOOK_PART = "xl/workbook.xml"


def _checked(book: Book, csv_path: Path) -> pd.DataFrame:
    """The CSV's answers (agencies x indicators, cell values), every unknown agency or
    indicator and every bad answer refused with its line."""
    wide, lines = read_long_answers(csv_path)
    name = Path(csv_path).name
    problems = [Problem(f"agency '{a}' is not in the workbook's Agencies sheet", None, f"line {line}", name)
                for (a, _), line in lines.items() if a not in book.agencies.index]
    problems += [Problem(f"indicator '{i}' is not in the framework", None, f"line {line}", name)
                 for (_, i), line in lines.items() if i not in book.framework.indicators.index]
    if problems:
        raise ReadinessError(problems)
    _, bad = parse_answers(wide, book.framework)
    if bad:
        raise ReadinessError([Problem(f"indicator {b.indicator}: {b.message}", None,
                                      f"line {lines[(b.agency, b.indicator)]}", name) for b in bad])
    return wide


def load_answers_into(book_path: Path, csv_path: Path, out: Path | None = None) -> int:
    """Write the CSV's answers into the workbook (`out`, default in place) and return how
    many were written. Answers the CSV does not mention are kept."""
    book_path = Path(book_path)
    target = Path(out) if out else book_path
    with exclusive(target):
        return _write_answers(book_path, Path(csv_path), target)


def _write_answers(book_path: Path, csv_path: Path, target: Path) -> int:
    book = read_book(book_path)
    wide = _checked(book, csv_path)
    pairs = wide.stack().dropna().map(lambda v: None if v == "" else v)   # blank clears an answer
    if L.RESPONSES_SHEET in _sheet_names(book_path):
        raw = book.raw_answers.copy()
        for (agency, indicator), value in pairs.items():
            raw.at[agency, indicator] = value
        write_sheet_rows(book_path, target, L.RESPONSES_SHEET, responses_rows(raw),
                         {WORKBOOK_PART: _full_calc}, shared_strings=True)
        return len(pairs)
    cells: dict[str, dict[str, object]] = {}
    nowhere = []
    for (agency, indicator), value in pairs.items():
        where = book.answer_cells.get((agency, indicator))
        if where is None:
            nowhere.append(Problem(f"the sheet of agency '{agency}' has no row for indicator "
                                   f"'{indicator}'", agency, None, book_path.name))
            continue
        cells.setdefault(where[0], {})[where[1]] = value
    if nowhere:
        raise ReadinessError(nowhere)
    with zipfile.ZipFile(book_path) as zf:
        parts = sheet_parts(zf)
    edits = {parts[sheet]: (lambda data, v=values: set_cells(data.decode("utf-8"), v).encode("utf-8"))
             for sheet, values in cells.items()}
    edits[WORKBOOK_PART] = _full_calc
    replace_parts(book_path, target, edits)
    return len(pairs)


def _full_calc(data: bytes) -> bytes:
    """Excel recalculates the sheet's own formulas when the workbook opens."""
    return full_calc_on_load(data.decode("utf-8")).encode("utf-8")


def _sheet_names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        return set(sheet_parts(zf))
