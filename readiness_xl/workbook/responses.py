"""The `Responses` sheet: answers in long form, one row per (agency id, indicator id,
answer) from row 2. One sheet per agency stops being workable at thousands of local
bodies; a long table scales to any number of agencies and is what databases export.

Pure functions: cell values in, tables out. Reading and writing the file is done by
workbook.read and workbook.parts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils.cell import column_index_from_string

from readiness_xl.core.answers import is_blank
from readiness_xl.core.framework import Framework, id_text
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L

HEADER = ["รหัสหน่วยงาน / Agency id", "ตัวชี้วัด / Indicator", "คำตอบ / Answer"]
FIRST_ROW = 2
_COLS = L.RESPONSES_COLUMNS
COLUMN_INDEX = {field: column_index_from_string(letter) - 1 for field, letter in _COLS.items()}


class AnswerCells(Mapping):
    """(agency, indicator) -> (sheet, cell) of each answer, kept as one matrix of row
    numbers (0 = no row) instead of a dict of hundreds of thousands of entries.
    `sheet` None means each agency's own sheet."""

    def __init__(self, rows: pd.DataFrame, sheet: str | None = L.RESPONSES_SHEET,
                 column: str = _COLS["answer"]):
        self.rows, self.sheet, self.column = rows, sheet, column

    def __getitem__(self, key: tuple[str, str]) -> tuple[str, str]:
        agency, indicator = key
        try:
            row = int(self.rows.at[agency, indicator])
        except KeyError:
            raise KeyError(key) from None
        if row == 0:
            raise KeyError(key)
        return self.sheet or agency, f"{self.column}{row}"

    def __iter__(self):
        agencies, indicators = np.nonzero(self.rows.to_numpy())
        return zip(self.rows.index[agencies], self.rows.columns[indicators])

    def values(self) -> list[tuple[str, str]]:
        """Every answer's (sheet, cell), in one pass rather than a lookup per answer."""
        rows = self.rows.to_numpy()
        agencies, indicators = np.nonzero(rows)
        sheets = self.rows.index[agencies] if self.sheet is None else [self.sheet] * len(agencies)
        return list(zip(sheets, (f"{self.column}{r}" for r in rows[agencies, indicators].tolist())))

    def rows_on(self, sheet: str) -> np.ndarray:
        """The row numbers of the answers on `sheet` (an agency's own sheet, or the
        one sheet of them all)."""
        if self.sheet is None:
            at = self.rows.index.get_indexer([sheet])[0]
            rows = self.rows.to_numpy()[at] if at >= 0 else np.zeros(0, int)
        else:
            rows = self.rows.to_numpy().ravel() if sheet == self.sheet else np.zeros(0, int)
        return rows[rows > 0]

    def __len__(self) -> int:
        return int(np.count_nonzero(self.rows.to_numpy()))


def _idents(values: np.ndarray) -> np.ndarray:
    """Ids as text, as the Framework reads them (1.0 -> '1', Thai digits -> Arabic),
    computed once per distinct value."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.asarray([id_text(u) for u in uniques], dtype=object)[codes]


def _grid(rows: list, width: int) -> np.ndarray:
    """Rows of cell values as a rows x `width` object array in one step (calamine's rows
    all have one width); ragged rows (openpyxl's may be) are padded with None first."""
    widths = set(map(len, rows))
    longest = max(widths, default=0)
    if len(widths) > 1:
        rows = [[*r, *[None] * (longest - len(r))] for r in rows]
    grid = np.empty((len(rows), max(longest, width)), dtype=object)
    if longest:
        grid[:, :longest] = rows
    return grid[:, :width]


def long_table(rows: list[list], first_row: int = FIRST_ROW) -> pd.DataFrame:
    """Sheet rows (agency, indicator, answer cell values; header excluded) -> a table
    with normalised ids, the raw answer and the sheet row number. Blank rows are dropped.
    Rows become columns in one array step, never handled one by one."""
    grid = _grid(rows, max(COLUMN_INDEX.values()) + 1)

    def column(field: str) -> np.ndarray:
        return grid[:, COLUMN_INDEX[field]]

    table = pd.DataFrame({
        "agency": _idents(column("agency")),
        "indicator": _idents(column("indicator")),
        "answer": column("answer"),
        "row": np.arange(first_row, first_row + len(rows)),
    })
    no_ids = np.flatnonzero((table["agency"] == "").to_numpy() & (table["indicator"] == "").to_numpy())
    blank = no_ids[[is_blank(v) for v in table["answer"].to_numpy()[no_ids]]]
    return table.drop(index=blank).reset_index(drop=True) if len(blank) else table


def _problems(table: pd.DataFrame, mask: np.ndarray, column: str, message) -> list[Problem]:
    return [Problem(message(r), L.RESPONSES_SHEET, f"{_COLS[column]}{r.row}")
            for r in table[mask].itertuples()]


def to_wide(table: pd.DataFrame, agencies: pd.Index, framework: Framework
            ) -> tuple[pd.DataFrame, AnswerCells]:
    """Long answers -> agencies x indicators raw answers (None = not given) and where
    each answer sits. Raises ReadinessError naming every unknown agency or indicator
    and every (agency, indicator) pair given twice, with its cell."""
    ids = pd.Index(framework.indicator_ids)
    a = agencies.get_indexer(table["agency"])
    i = ids.get_indexer(table["indicator"])
    known = (a >= 0) & (i >= 0)
    key = np.where(known, a * len(ids) + i, -1 - np.arange(len(a)))  # unknown: never equal
    pair = known & pd.Series(key).duplicated().to_numpy()
    first = table[known].drop_duplicates(["agency", "indicator"]).set_index(
        ["agency", "indicator"])["row"] if pair.any() else None
    problems = (
        _problems(table, a < 0, "agency",
                  lambda r: f"agency '{r.agency}' is not in the Agencies sheet"
                  if r.agency else "agency id is empty")
        + _problems(table, (a >= 0) & (i < 0), "indicator",
                    lambda r: f"indicator '{r.indicator}' is not in the framework"
                    if r.indicator else "indicator id is empty")
        + _problems(table, pair, "agency",
                    lambda r: f"agency '{r.agency}' answers indicator '{r.indicator}' twice "
                              f"(first in row {first[(r.agency, r.indicator)]})")
    )
    if problems:
        raise ReadinessError(sorted(problems, key=lambda p: int(p.cell[1:])))
    raw = np.full((len(agencies), len(ids)), None, dtype=object)
    rows = np.zeros((len(agencies), len(ids)), dtype=np.int64)
    answers = table["answer"].to_numpy(dtype=object)
    raw[a, i] = np.where(answers == "", None, answers)
    rows[a, i] = table["row"].to_numpy()
    return (pd.DataFrame(raw, index=agencies, columns=ids, dtype=object),
            AnswerCells(pd.DataFrame(rows, index=agencies, columns=ids)))


def read_rows(rows: list[list], agencies: pd.Index, framework: Framework
              ) -> tuple[pd.DataFrame, AnswerCells]:
    """The whole Responses sheet as read (header in row 1) -> raw answers and cells."""
    return to_wide(long_table(rows[FIRST_ROW - 1:]), agencies, framework)


def responses_rows(raw: pd.DataFrame) -> list[list]:
    """agencies x indicators raw answers -> Responses sheet rows, header first: every
    (agency, indicator) pair in table order, blank answers as empty cells, so the sheet
    lists what is still to be answered just as an agency sheet does."""
    values = raw.to_numpy(dtype=object).ravel()
    values = np.where(pd.isna(values), None, values)
    agencies = np.repeat(raw.index.to_numpy(dtype=object), raw.shape[1])
    indicators = np.tile(raw.columns.to_numpy(dtype=object), raw.shape[0])
    return [HEADER, *map(list, zip(agencies.tolist(), indicators.tolist(), values.tolist()))]


def save_long_workbook(framework: Framework, agencies: pd.DataFrame, raw: pd.DataFrame | None,
                       target: Path) -> None:
    """A workbook in the long layout: the template's Framework, Agencies and Summary
    sheets, no agency sheets, and a Responses sheet holding `raw` (agencies x indicators)."""
    from readiness_xl.builder.style import HEADER_FILL, HEADER_FONT, print_a4
    from readiness_xl.builder.template import build_workbook, save_workbook
    from readiness_xl.workbook.parts import write_sheet_rows

    wb = build_workbook(framework, agencies, agency_sheets=False)
    responses = wb.create_sheet(L.RESPONSES_SHEET, index=wb.sheetnames.index(L.AGENCIES_SHEET) + 1)
    for col, label in enumerate(HEADER, start=1):
        cell = responses.cell(row=1, column=col, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for col, width in zip("ABC", (16, 14, 16)):
        responses.column_dimensions[col].width = width
    responses.freeze_panes = "A2"
    print_a4(responses, title_rows="1:1", landscape=False, columns="A:C")
    save_workbook(wb, target)
    if raw is None:
        raw = pd.DataFrame(None, index=agencies.index, columns=framework.indicator_ids, dtype=object)
    write_sheet_rows(target, target, L.RESPONSES_SHEET,
                     responses_rows(raw.reindex(index=agencies.index, columns=framework.indicator_ids)),
                     shared_strings=True)
