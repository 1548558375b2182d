"""Reading a readiness workbook (framework, agencies, answers) into plain tables.

Only reads: nothing here writes or changes a file. Every value keeps its sheet and
cell so that a bad one is reported where the analyst can find it. Files may come from
strangers: the package is checked (workbook.package) before any reader parses it,
and tables stop at a row limit instead of reading a million-row sheet."""

from __future__ import annotations

import functools
import itertools
import re
import traceback
from collections.abc import Mapping
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from readiness_xl.core.agencies import checked_agencies
from readiness_xl.core.answers import BadAnswer, is_blank
from readiness_xl.core.framework import Framework, build_framework, located
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.thai import text_key
from readiness_xl.workbook import layout as L
from readiness_xl.workbook import responses
from readiness_xl.workbook.cell_refs import column_index_from_string, get_column_letter, range_boundaries
from readiness_xl.workbook.fast_read import begin_reading, open_workbook, paused_gc
from readiness_xl.workbook.package import check_package

MAX_TABLE_ROWS = 20_000
# What a damaged package raises while its parts are read (bad deflate data, CRC, XML).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, UnicodeDecodeError)
READER_MODULES = ("/openpyxl/", "/python_calamine/", "/zipfile", "/xml/etree/", "/defusedxml/")
_CELL_RANGE = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(?::\$?[A-Z]{1,3}\$?[1-9]\d{0,6})?$")


@dataclass
class Book:
    """What a workbook says: the framework, the agencies and their raw answers."""

    path: Path
    framework: Framework
    agencies: pd.DataFrame                 # index id, AGENCY_COLUMNS fields
    raw_answers: pd.DataFrame              # agencies x indicator ids, cell values as read
    answer_cells: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The agency sheets' score blocks sit where score_block.score_cells says (checked on the
    # first sheet): the Summary's live formulas may refer to them. False for a workbook built
    # by another version whose score block is elsewhere, and for the long layout.
    score_block: bool = False
    # The missing-answer rule the agency sheets' formulas follow, as the note over their
    # questionnaire says (layout.agency_sheet_rule, read on the first sheet).
    sheet_rule: str = "zero"

    def locate(self, bad: BadAnswer) -> Problem:
        sheet, cell = self.answer_cells.get((bad.agency, bad.indicator), (bad.agency, None))
        return Problem(f"indicator {bad.indicator}: {bad.message}", sheet, cell, self.path.name)


def _damaged() -> tuple:
    """DAMAGED and calamine's error. python-calamine is imported only where a file is
    read (not by the Excel and xlwings Lite paths, which read through xlwings)."""
    from python_calamine import CalamineError
    return DAMAGED + (CalamineError,)


def _sheet(wb, name: str, path: Path):
    if name not in wb.sheetnames:
        raise ReadinessError(Problem(f"sheet '{name}' is missing", file=path.name))
    return wb[name]


def _name_range(wb, name: str, path: Path) -> tuple[str, int, int]:
    """Sheet, first row and first column of a defined name's range. Names are typed by
    people as whole columns, formulas (OFFSET) or ranges: we need a cell range on a sheet
    of this workbook ('Framework'!$A$3:$D$9), and say so for anything else."""
    defined = wb.defined_names.get(name)
    if defined is None:
        raise ReadinessError(Problem(f"defined name '{name}' is missing", L.FRAMEWORK_SHEET,
                                     file=path.name))
    destinations = list(defined.destinations)
    sheet, ref = destinations[0] if len(destinations) == 1 else (None, "")
    if sheet and _CELL_RANGE.match(ref):
        _sheet(wb, sheet, path)  # the sheet it names must exist
    else:
        raise ReadinessError(Problem(
            f"defined name '{name}' must refer to a cell range on a sheet of this workbook, "
            f"such as 'Framework'!$A$3:$D$9 (Formulas > Name Manager)", file=path.name))
    min_col, min_row, _, _ = range_boundaries(ref.replace("$", ""))
    return sheet, min_row, min_col


def _read_table(ws, columns: dict[str, str], first_row: int) -> list[dict]:
    """Rows from `first_row` down until the id (first) column is blank, at most
    MAX_TABLE_ROWS of them."""
    indices = [column_index_from_string(c) - 1 for c in columns.values()]
    rows = ws.iter_rows(min_row=first_row, max_col=max(indices) + 1, values_only=True)
    return [dict(zip(columns, values)) for values in
            _table_values(rows, indices, ws.title, f"{next(iter(columns.values()))}"
                          f"{first_row + MAX_TABLE_ROWS}")]


def _table_values(rows, indices: list[int], sheet: str, limit_cell: str) -> list[list]:
    """The values at `indices` (0-based columns, the id column first) of each row until
    the id is blank; more than MAX_TABLE_ROWS rows is refused at `limit_cell`."""
    table = []
    for values in rows:
        picked = [values[i] if i < len(values) else None for i in indices]
        if picked[0] is None or (type(picked[0]) is not int and is_blank(picked[0])):
            break
        if len(table) == MAX_TABLE_ROWS:
            raise ReadinessError(Problem(f"the table goes on past {MAX_TABLE_ROWS:,} rows; "
                                         "refused", sheet, limit_cell))
        table.append(picked)
    return table


def _framework_table(wb, path: Path, name: str, columns: dict[str, str]) -> pd.DataFrame:
    sheet, first, _ = _name_range(wb, name, path)
    ws = _sheet(wb, sheet, path)
    return located(_read_table(ws, columns, first), sheet, columns, first)


def read_framework(wb, path: Path) -> Framework:
    if L.FRAMEWORK_SHEET not in wb.sheetnames and wb.defined_names.get(L.WEIGHTS_NAME) is None:
        raise ReadinessError(Problem(f"not a readiness workbook (no '{L.FRAMEWORK_SHEET}' sheet): "
                                     "make one with `readiness-xl new-template`", file=path.name))
    version = ""
    if wb.defined_names.get(L.FRAMEWORK_VERSION_NAME) is not None:
        sheet, row, column = _name_range(wb, L.FRAMEWORK_VERSION_NAME, path)  # its first cell
        version = _sheet(wb, sheet, path)[f"{get_column_letter(column)}{row}"].value or ""
    try:
        settings = (_framework_table(wb, path, L.SETTINGS_NAME, L.SETTING_COLUMNS)
                    if wb.defined_names.get(L.SETTINGS_NAME) is not None else None)
        return build_framework(
            _framework_table(wb, path, L.WEIGHTS_NAME, L.DIMENSION_COLUMNS),
            _framework_table(wb, path, L.INDICATORS_NAME, L.INDICATOR_COLUMNS),
            _framework_table(wb, path, L.LEVEL_BANDS_NAME, L.BAND_COLUMNS),
            version, settings,
        )
    except ReadinessError as err:
        raise err.in_file(path.name) from None


def read_framework_file(path: Path) -> Framework:
    """The framework of another workbook (a colleague's template, last year's master)."""
    wb = open_workbook(Path(path))
    try:
        return read_framework(wb, Path(path))
    finally:
        wb.close()


def read_agencies(wb, path: Path) -> pd.DataFrame:
    ws = _sheet(wb, L.AGENCIES_SHEET, path)
    columns = {**L.AGENCY_COLUMNS, **_attribute_columns(ws)}
    rows = _read_table(ws, columns, L.AGENCIES_FIRST_ROW)
    if not rows:
        raise ReadinessError(Problem("no agencies listed", L.AGENCIES_SHEET, "A2", path.name))
    table = located(rows, L.AGENCIES_SHEET, columns, L.AGENCIES_FIRST_ROW)
    return checked_agencies(table, L.RESERVED_SHEETS, lambda i, field: (
        L.AGENCIES_SHEET, f"{columns[field]}{L.AGENCIES_FIRST_ROW + i}", path.name))


def _attribute_columns(ws) -> dict[str, str]:
    """The Agencies sheet's further columns (`ranked`, unit attributes such as population):
    their header in row 1 is their name, read from the column after the fixed ones up
    to the first blank header."""
    first = column_index_from_string(max(L.AGENCY_COLUMNS.values())) + 1
    header = next(iter(ws.iter_rows(min_row=1, max_row=1, values_only=True)), ())
    out = {}
    for i, name in enumerate(header[first - 1:], start=first):
        if name is None or is_blank(name):
            break
        out[str(name).strip()] = get_column_letter(i)
    return out


def read_agency_sheets(wb, path: Path, agencies: pd.DataFrame, framework: Framework,
                       progress=None) -> tuple[pd.DataFrame, responses.AnswerCells]:
    """Raw answers from one sheet per agency, matched to indicators by id. Each sheet's
    rows are read once (header, then the table) into one agencies x indicators matrix
    of answers and one of row numbers, not a dict entry per answer."""
    ids = framework.indicator_ids
    position = {ident: j for j, ident in enumerate(ids)}
    keyed = {text_key(ident): j for j, ident in enumerate(ids)}  # '1.1' + U+200B is 1.1 too
    in_order, first_rows = list(ids), np.arange(L.AGENCY_FIRST_ROW, L.AGENCY_FIRST_ROW + len(ids))
    raw = np.full((len(agencies), len(ids)), None, dtype=object)
    rows = np.zeros((len(agencies), len(ids)), dtype=np.int64)
    columns = (L.AGENCY_INDICATOR_COLUMN, L.AGENCY_ANSWER_COLUMN)
    indices = [column_index_from_string(c) - 1 for c in columns]
    limit = f"{L.AGENCY_INDICATOR_COLUMN}{L.AGENCY_FIRST_ROW + MAX_TABLE_ROWS}"
    sheets = set(wb.sheetnames)
    for k, agency in enumerate(agencies.index):
        if agency not in sheets:
            raise ReadinessError(Problem(f"sheet for agency '{agency}' is missing",
                                         agency, None, path.name))
        sheet_rows = _picked_rows(wb[agency], L.AGENCY_HEADER_ROW, indices)
        _check_header(dict(zip(columns, next(sheet_rows, ()))), agency, path)
        table = list(itertools.islice(sheet_rows, len(ids) + 1))
        if [pair[0] for pair in table[:len(ids)]] == in_order and (
                len(table) == len(ids) or is_blank(table[-1][0])):
            # the template's rows: every indicator once, in the framework's order
            raw[k], rows[k] = [pair[1] for pair in table[:len(ids)]], first_rows
        else:
            _match_indicators(itertools.chain(table, sheet_rows), position, keyed, raw[k], rows[k],
                              agency, limit, path)
        if progress:
            progress()
    return (pd.DataFrame(raw, index=agencies.index, columns=ids, dtype=object),
            responses.AnswerCells(pd.DataFrame(rows, index=agencies.index, columns=ids),
                                  sheet=None, column=L.AGENCY_ANSWER_COLUMN))


def _picked_rows(ws, min_row: int, indices: list[int]):
    """The values of these columns (0-based) in each row from `min_row` on, as lists:
    from the rows a FastSheet holds already (`picked_rows`), else streamed by iter_rows."""
    picking = getattr(ws, "picked_rows", None)
    if picking is not None:
        return iter(picking(min_row, indices))
    rows = ws.iter_rows(min_row=min_row, max_col=max(indices) + 1, values_only=True)
    return ([values[i] if i < len(values) else None for i in indices] for values in rows)


def _match_indicators(pairs, position: dict, keyed: dict, raw_row, rows_row, agency: str,
                      limit: str, path: Path) -> None:
    """An agency sheet's (indicator, answer) rows matched to the framework by id, in any
    order, each indicator once, until the first blank id."""
    for row, (indicator, answer) in enumerate(_table_values(pairs, [0, 1], agency, limit),
                                              start=L.AGENCY_FIRST_ROW):
        j = position.get(str(indicator).strip())
        if j is None:
            j = keyed.get(text_key(indicator))
        if j is None:
            raise ReadinessError(Problem(f"indicator '{str(indicator).strip()}' is not in the "
                                         "framework", agency,
                                         f"{L.AGENCY_INDICATOR_COLUMN}{row}", path.name))
        if rows_row[j]:  # listed twice: one of the two answers would be lost
            raise ReadinessError(Problem(
                f"indicator {list(position)[j]} appears twice, rows {rows_row[j]} and {row}; give "
                "each indicator one row", agency, f"{L.AGENCY_INDICATOR_COLUMN}{row}", path.name))
        raw_row[j], rows_row[j] = answer, row


def _check_header(header: dict[str, object], sheet: str, path: Path) -> None:
    """Answers are read by column letter, so a column inserted or moved must be noticed."""
    for column, words in L.AGENCY_HEADER_WORDS.items():
        text = str(header.get(column) if header.get(column) is not None else "")
        if not any(word in text.lower() for word in words):
            raise ReadinessError(Problem(
                f"header {text!r} is not the expected '{' / '.join(words)}' column; were columns "
                "inserted, moved or renamed?", sheet, f"{column}{L.AGENCY_HEADER_ROW}", path.name))


def _refuse_merged_answers(path: Path, merges: dict[str, list[str]],
                           cells: responses.AnswerCells) -> None:
    """A merged range over answer cells hides all but its first answer. `merges` holds
    the merged ranges of the sheets read (found in the same read as their values); answer
    rows are looked at only on a sheet with a merge over the answer column, as one array
    of row numbers (answers sit in one column), and only when it reaches below the
    first answer row (an agency sheet's merged title does not)."""
    column = column_index_from_string(cells.column)
    rows = cells.rows.to_numpy()
    first = rows[rows > 0].min(initial=np.iinfo(rows.dtype).max)  # no answer sits above this row
    bounds = functools.lru_cache(maxsize=None)(range_boundaries)  # sheets share their merges
    for sheet, refs in merges.items():
        over = [(ref, bounds(ref)) for ref in refs]
        over = [(ref, min_row, max_row) for ref, (min_col, min_row, max_col, max_row) in over
                if min_col <= column <= max_col and max_row >= first]
        rows = cells.rows_on(sheet) if over else ()
        for ref, min_row, max_row in over if len(rows) else ():
            hit = rows[(rows >= min_row) & (rows <= max_row)]
            if len(hit):
                raise ReadinessError(Problem(
                    f"answer cells are merged ({ref}); unmerge them so that every "
                    "indicator has its own answer", sheet, f"{cells.column}{hit.min()}", path.name))


def read_responses(wb, path: Path, agencies: pd.DataFrame, framework: Framework
                   ) -> tuple[pd.DataFrame, responses.AnswerCells]:
    """Raw answers from the long-form Responses sheet (the layout for thousands of agencies)."""
    rows = wb.values(L.RESPONSES_SHEET, max(responses.COLUMN_INDEX.values()) + 1)
    try:
        return responses.read_rows(list(rows), agencies.index, framework)
    except ReadinessError as err:
        raise err.in_file(path.name) from None


def read_book(path: str | Path, progress=None, wb=None) -> Book:
    """Everything needed to score a workbook, validated; raises ReadinessError. `wb`: the
    workbook as fast_read.begin_reading opened it, when a command began reading it before
    this module loaded (closed here, like one opened here)."""
    path = Path(path)
    with paused_gc():
        return _read_book(path, progress, wb)


def _read_book(path: Path, progress, wb) -> Book:
    if wb is None:
        wb = begin_reading(path)
    try:
        book = read_open_book(wb, path, progress)
    except ReadinessError as err:  # a refusal met reading a sheet (a size lie, say) names it
        raise err.in_file(path.name, getattr(err, "sheet", None)) from None
    except Exception as err:  # parts are unpacked lazily, so damage shows up while reading
        if not damaged(err):
            raise
        raise ReadinessError(Problem(f"damaged workbook ({err.__class__.__name__}: "
                                     f"{' '.join(str(err).split())})", getattr(err, "sheet", None),
                                     file=path.name)) from None
    finally:
        wb.close()
    # the parts the read did not reach (a form's hidden sheets, the Summary): checked now,
    # not only before a write, since a read need not be followed by a write of this file
    check_package(path)
    _refuse_merged_answers(path, wb.merges, book.answer_cells)
    return book


def damaged(err: Exception) -> bool:
    """Whether an error raised while a workbook's parts were read means the file is damaged
    (a reader's error type, or raised inside a reader), not a bug of ours."""
    return isinstance(err, _damaged()) or _raised_by_reader(err)


def _raised_by_reader(err: Exception) -> bool:
    """True when the error comes from inside a file reader (openpyxl on a shared-string
    index the file lacks, say): the file is damaged. Raised in our own code, it is a bug."""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and any(part in frames[-1].filename.replace("\\", "/") for part in READER_MODULES)


def read_open_book(wb, path: Path, progress=None) -> Book:
    """The same from a workbook already open: a file opened here, or the active workbook
    in Excel seen through udfs.xlwings_book (anything with sheetnames, defined_names,
    wb[name].iter_rows and, for the long layout, wb.values)."""
    framework = read_framework(wb, path)
    agencies = read_agencies(wb, path)
    if L.RESPONSES_SHEET in wb.sheetnames:
        raw, cells = read_responses(wb, path, agencies, framework)
    else:
        if hasattr(wb, "prefetch"):  # a FastWorkbook reads ahead: the agency sheets, in their order
            wb.prefetch(agencies.index)
        raw, cells = read_agency_sheets(wb, path, agencies, framework, progress)
        first = str(agencies.index[0])
        return Book(path, framework, agencies, raw, cells, score_block_in_place(wb, first, framework),
                    sheet_rule(wb, first))
    return Book(path, framework, agencies, raw, cells)


def sheet_rule(wb, sheet: str) -> str:
    """The missing-answer rule the agency sheet's formulas follow, from its note."""
    row = int(L.AGENCY_NOTE_CELL[1:])
    column = column_index_from_string(L.AGENCY_NOTE_CELL[0])
    found = next(iter(wb[sheet].iter_rows(min_row=row, max_row=row, max_col=column, values_only=True)), ())
    return L.agency_sheet_rule(found[column - 1] if len(found) >= column else None)


def score_block_in_place(wb, sheet: str, framework: Framework) -> bool:
    """Does the agency sheet show each dimension's id in column K of the row where
    score_block.score_cells puts its score? (Only then may the Summary refer to its cells.)"""
    from readiness_xl.workbook.score_block import LABEL_LETTER, score_cells
    rows = {d: int(ref[1:]) for d, ref in score_cells(framework).items()
            if d in set(framework.dimension_ids)}
    if not rows:
        return False
    first, last = min(rows.values()), max(rows.values())
    column = column_index_from_string(LABEL_LETTER)
    found = {r: (row[column - 1] if len(row) >= column else None) for r, row in
             enumerate(wb[sheet].iter_rows(min_row=first, max_row=last, max_col=column,
                                           values_only=True), start=first)}
    return all(str(found.get(r)).strip() == str(d) for d, r in rows.items())
