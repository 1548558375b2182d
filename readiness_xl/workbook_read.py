"""Reading a readiness workbook (framework, agencies, answers) into plain tables.

Only reads: nothing here writes or changes a file. Every value keeps its sheet and
cell so that a bad one is reported where the analyst can find it."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from . import workbook_layout as L
from .answers import BadAnswer, is_blank
from .errors import Problem, ReadinessError
from .framework import Framework, build_framework, located


@dataclass
class Book:
    """What a workbook says: the framework, the agencies and their raw answers."""

    path: Path
    framework: Framework
    agencies: pd.DataFrame                 # index id, AGENCY_COLUMNS fields
    raw_answers: pd.DataFrame              # agencies x indicator ids, cell values as read
    answer_cells: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def locate(self, bad: BadAnswer) -> Problem:
        sheet, cell = self.answer_cells.get((bad.agency, bad.indicator), (bad.agency, None))
        return Problem(f"indicator {bad.indicator}: {bad.message}", sheet, cell, self.path.name)


def open_workbook(path: Path):
    """openpyxl in read-only mode, with a clear error for files that are not workbooks."""
    if not path.exists():
        raise ReadinessError(Problem("file not found", file=str(path)))
    if not zipfile.is_zipfile(path):
        raise ReadinessError(Problem("not an .xlsx workbook (not a zip file; legacy .xls and "
                                     "password-protected files are not supported)", file=path.name))
    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise ReadinessError(Problem(f"cannot be read as a workbook ({err.__class__.__name__}: "
                                     f"{err})", file=path.name)) from None


def _sheet(wb, name: str, path: Path):
    if name not in wb.sheetnames:
        raise ReadinessError(Problem(f"sheet '{name}' is missing", file=path.name))
    return wb[name]


def _named_start(wb, name: str, path: Path) -> tuple[str, int]:
    """Sheet and first row of a defined name's range."""
    defined = wb.defined_names.get(name)
    if defined is None:
        raise ReadinessError(Problem(f"defined name '{name}' is missing", L.FRAMEWORK_SHEET,
                                     file=path.name))
    destinations = list(defined.destinations)
    if not destinations:
        raise ReadinessError(Problem(f"defined name '{name}' does not refer to a range",
                                     file=path.name))
    sheet, ref = destinations[0]
    _, min_row, _, _ = range_boundaries(ref.replace("$", ""))
    return sheet, min_row


def _read_table(ws, columns: dict[str, str], first_row: int) -> list[dict]:
    """Rows from `first_row` down until the id (first) column is blank."""
    indices = {f: column_index_from_string(c) for f, c in columns.items()}
    width = max(indices.values())
    rows = []
    for values in ws.iter_rows(min_row=first_row, max_col=width, values_only=True):
        values = list(values) + [None] * (width - len(values))
        if is_blank(values[indices[next(iter(columns))] - 1]):
            break
        rows.append({f: values[i - 1] for f, i in indices.items()})
    return rows


def _framework_table(wb, path: Path, name: str, columns: dict[str, str]) -> pd.DataFrame:
    sheet, first = _named_start(wb, name, path)
    ws = _sheet(wb, sheet, path)
    return located(_read_table(ws, columns, first), sheet, columns, first)


def read_framework(wb, path: Path) -> Framework:
    version = ""
    if wb.defined_names.get(L.FRAMEWORK_VERSION_NAME) is not None:
        sheet, ref = next(iter(wb.defined_names[L.FRAMEWORK_VERSION_NAME].destinations))
        version = wb[sheet][ref.replace("$", "")].value or ""
    try:
        return build_framework(
            _framework_table(wb, path, L.WEIGHTS_NAME, L.DIMENSION_COLUMNS),
            _framework_table(wb, path, L.INDICATORS_NAME, L.INDICATOR_COLUMNS),
            _framework_table(wb, path, L.LEVEL_BANDS_NAME, L.BAND_COLUMNS),
            version,
        )
    except ReadinessError as err:
        raise err.in_file(path.name) from None


def read_agencies(wb, path: Path) -> pd.DataFrame:
    ws = _sheet(wb, L.AGENCIES_SHEET, path)
    rows = _read_table(ws, L.AGENCY_COLUMNS, L.AGENCIES_FIRST_ROW)
    table = located(rows, L.AGENCIES_SHEET, L.AGENCY_COLUMNS, L.AGENCIES_FIRST_ROW)
    problems, seen = [], set()
    for i, ident in enumerate(table["id"]):
        ident = str(ident).strip()
        cell = f"{L.AGENCY_COLUMNS['id']}{L.AGENCIES_FIRST_ROW + i}"
        if ident in seen:
            problems.append(Problem(f"duplicate agency id '{ident}'", L.AGENCIES_SHEET, cell, path.name))
        seen.add(ident)
        table.at[i, "id"] = ident
    if problems:
        raise ReadinessError(problems)
    if table.empty:
        raise ReadinessError(Problem("no agencies listed", L.AGENCIES_SHEET, "A2", path.name))
    table = table.drop(columns="_row").set_index("id")
    return table.map(lambda v: "" if v is None else str(v).strip())


def read_agency_sheets(wb, path: Path, agencies: pd.DataFrame, framework: Framework,
                       progress=None) -> tuple[pd.DataFrame, dict]:
    """Raw answers from one sheet per agency, matched to indicators by id."""
    ids = framework.indicator_ids
    known = set(ids)
    rows, cells = [], {}
    for agency in agencies.index:
        if agency not in wb.sheetnames:
            raise ReadinessError(Problem(f"sheet for agency '{agency}' is missing",
                                         agency, None, path.name))
        answers = {}
        table = _read_table(wb[agency], {"indicator": L.AGENCY_INDICATOR_COLUMN,
                                         "answer": L.AGENCY_ANSWER_COLUMN}, L.AGENCY_FIRST_ROW)
        for offset, row in enumerate(table):
            indicator = str(row["indicator"]).strip()
            cell = f"{L.AGENCY_ANSWER_COLUMN}{L.AGENCY_FIRST_ROW + offset}"
            if indicator not in known:
                raise ReadinessError(Problem(f"indicator '{indicator}' is not in the framework",
                                             agency, f"{L.AGENCY_INDICATOR_COLUMN}"
                                             f"{L.AGENCY_FIRST_ROW + offset}", path.name))
            answers[indicator] = row["answer"]
            cells[(agency, indicator)] = (agency, cell)
        rows.append(answers)
        if progress:
            progress()
    return pd.DataFrame(rows, index=agencies.index, columns=ids, dtype=object), cells


def read_book(path: str | Path, progress=None) -> Book:
    """Everything needed to score a workbook, validated; raises ReadinessError."""
    path = Path(path)
    wb = open_workbook(path)
    try:
        framework = read_framework(wb, path)
        agencies = read_agencies(wb, path)
        raw, cells = read_agency_sheets(wb, path, agencies, framework, progress)
    finally:
        wb.close()
    return Book(path, framework, agencies, raw, cells)
