"""The `Responses` sheet: answers in long form, one row per (agency id, indicator id,
answer) from row 2. One sheet per agency stops being workable at thousands of local
bodies; a long table scales to any number of agencies and is what databases export.

Pure functions: cell values in, tables out. Reading the file is done by workbook.read,
writing cells by workbook.parts; a workbook of this layout is built by
builder.responses_sheet."""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter

import numpy as np
import pandas as pd

from readiness_xl.core.answers import is_blank
from readiness_xl.core.framework import Framework, id_text
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.cell_refs import column_index_from_string

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


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize (blank cells: -1) of a column of ids, over its repeating structure
    when its first cells show one: a column sorted into runs (agency ids in agency order)
    is factorized over its runs' first cells, a column repeating one block (indicator
    ids in agency order) over that block. That costs a comparison of neighbours instead
    of a hash of every cell; a column that has neither is factorized whole."""
    n, head = len(values), values[:1024]
    if n > 2 * len(head):
        if np.count_nonzero(head[1:] != head[:-1]) < len(head) // 4:
            starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
            codes, uniques = pd.factorize(values[starts])
            return np.repeat(codes, np.diff(starts, append=n)), uniques
        again = np.flatnonzero(head[1:] == head[0])
        period = int(again[0]) + 1 if len(again) else 0
        if period and (head[period:] == head[:-period]).all() and \
                (values[period:] == values[:-period]).all():
            codes, uniques = pd.factorize(values[:period])
            return np.resize(codes, n), uniques
    return pd.factorize(values)


def _ids(values: np.ndarray) -> pd.Categorical:
    """Ids as text, as the Framework reads them (1.0 -> '1', Thai digits -> Arabic,
    blank -> ''), as codes into the distinct ids: each distinct cell value is normalised
    once."""
    codes, uniques = _factorize(values)
    ids, distinct = pd.factorize(np.asarray([*map(id_text, uniques), ""], dtype=object))
    return pd.Categorical.from_codes(ids[codes], distinct)                # -1: the last, ''


def _columns(rows: list, width: int) -> list[np.ndarray]:
    """The first `width` columns of rows of cell values, each an object array taken at C
    speed (no rows x width grid); short rows (openpyxl's may be) read as blank cells."""
    try:
        return [np.fromiter(map(itemgetter(k), rows), dtype=object, count=len(rows))
                for k in range(width)]
    except IndexError:
        return _columns([[*r, *[None] * (width - len(r))] for r in rows], width)


def _where(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Each row's position of its (categorical) id in `index`, -1 where it is not there,
    looked up once per distinct id."""
    return index.get_indexer(ids.cat.categories)[ids.cat.codes]


def long_table(rows: list[list], first_row: int = FIRST_ROW) -> pd.DataFrame:
    """Sheet rows (agency, indicator, answer cell values; header excluded) -> a table
    with normalised ids (categorical), the raw answer (None for an empty cell, which
    calamine reads as '') and the sheet row number. Blank
    rows are dropped. Rows become columns in one array step, never handled one by one."""
    columns = _columns(rows, max(COLUMN_INDEX.values()) + 1)
    answers = columns[COLUMN_INDEX["answer"]]
    answers[answers == ""] = None          # calamine's empty cell
    table = pd.DataFrame({
        "agency": _ids(columns[COLUMN_INDEX["agency"]]),
        "indicator": _ids(columns[COLUMN_INDEX["indicator"]]),
        "answer": answers,
        "row": np.arange(first_row, first_row + len(rows)),
    })
    empty = pd.Index([""])
    no_ids = np.flatnonzero((_where(table["agency"], empty) == 0) & (_where(table["indicator"], empty) == 0))
    blank = no_ids[[is_blank(v) for v in table["answer"].to_numpy()[no_ids]]]
    return table.drop(index=blank).reset_index(drop=True) if len(blank) else table


def _problems(table: pd.DataFrame, mask: np.ndarray, column: str, message) -> list[Problem]:
    return [Problem(message(r), L.RESPONSES_SHEET, f"{_COLS[column]}{r.row}")
            for r in table[mask].itertuples()] if mask.any() else []


def _repeated(key: np.ndarray, known: np.ndarray, pairs: int) -> np.ndarray:
    """Where a known (agency, indicator) pair (`key`, 0..pairs-1) comes again after its
    first row: counted with one bincount, and found row by row only when there is one."""
    if not known.any() or np.bincount(key[known], minlength=pairs).max() < 2:
        return np.zeros(len(key), bool)
    unknown = -1 - np.arange(len(key))  # never equal to each other or to a pair
    return known & pd.Series(np.where(known, key, unknown)).duplicated().to_numpy()


def to_wide(table: pd.DataFrame, agencies: pd.Index, framework: Framework
            ) -> tuple[pd.DataFrame, AnswerCells]:
    """Long answers -> agencies x indicators raw answers (None = not given) and where
    each answer sits. Raises ReadinessError naming every unknown agency or indicator
    and every (agency, indicator) pair given twice, with its cell."""
    ids = pd.Index(framework.indicator_ids)
    a = _where(table["agency"], agencies)
    i = _where(table["indicator"], ids)
    known = (a >= 0) & (i >= 0)
    pair = _repeated(a * len(ids) + i, known, len(agencies) * len(ids))
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
    raw[a, i] = table["answer"].to_numpy(dtype=object)
    rows[a, i] = table["row"].to_numpy()
    return (pd.DataFrame(raw, index=agencies, columns=ids, dtype=object, copy=False),
            AnswerCells(pd.DataFrame(rows, index=agencies, columns=ids, copy=False)))


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
