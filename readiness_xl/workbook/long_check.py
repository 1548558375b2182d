"""The long layout's Summary keeps values (live formulas over a Responses sheet of hundreds
of thousands of rows would make Excel crawl), with a live check that says when the
answers have changed since: fingerprints of the answers computed at recalculation,
written into a formula that computes the same fingerprints over the Responses sheet.

    numbers   SUMPRODUCT(answers, w)                 numbers weighted by their row
    count     SUMPRODUCT(ISNUMBER(answers) * w)      a blank that becomes 0 shows too
    texts     SUMPRODUCT(ISTEXT(answers) * LEN(answers) * w)
    yes       SUMPRODUCT(((answers = "ใช่") + ...) * w)   a yes that becomes a no
with w = MOD(ROW(answers), 97) + 1 (small, so the sums stay exact enough to compare)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from readiness_xl.core.answers import YES_WORDS
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.formula import Formula
from readiness_xl.workbook.live_summary import STALE_MESSAGE, text_literal
from readiness_xl.workbook.summary import TAIL_HEADERS

if TYPE_CHECKING:
    from readiness_xl.workbook.read import Book

MODULUS = 97
RELATIVE = 1e-9
LONG_STALE = ("คำตอบในชีต Responses เปลี่ยนหลังการคำนวณครั้งล่าสุด: กด คำนวณใหม่ทุกหน่วยงาน / answers on "
              "the Responses sheet changed since the last recalculation: press Recalculate")
WORDS = sorted(w for w in YES_WORDS if not w.isdigit())   # "1" is a number in a cell
_YES = frozenset(WORDS)
_BLANK, _NUMBER, _TEXT, _OTHER = range(4)
# a cell's kind by its type; any other type (bool, a date, numpy's numbers) is looked at alone
_KIND = defaultdict(lambda: _OTHER, {type(None): _BLANK, float: _NUMBER, int: _NUMBER, str: _TEXT})


def fingerprints(values: np.ndarray, rows: np.ndarray) -> tuple[float, float, float, float]:
    """The four sums above, from the answers as read and the row each sits in. Cells are
    told apart by their type once, as one array of small codes (a 600,000-answer sheet:
    0.03 s); numbers are int and float (numpy's too), never bool, as ISNUMBER counts them.
    A text's length and yes are worked out once per distinct text."""
    values, rows = np.asarray(values, dtype=object).ravel(), np.asarray(rows).ravel()
    weights = (rows % MODULUS + 1).astype(float)
    listed = values.tolist()
    kinds = np.fromiter(map(_KIND.__getitem__, map(type, listed)), dtype=np.int8, count=len(listed))
    numeric, texts = kinds == _NUMBER, kinds == _TEXT
    other = np.flatnonzero(kinds == _OTHER)
    if other.size:
        numeric[other] = [isinstance(listed[i], np.number) for i in other.tolist()]
    numbers = np.zeros(len(listed))
    numbers[numeric] = values[numeric].astype(float)
    codes, distinct = pd.factorize(values[texts])
    lengths = np.fromiter(map(len, distinct), float, count=len(distinct))[codes]
    yes = np.fromiter(map(_YES.__contains__, map(str.lower, distinct)), bool, count=len(distinct))[codes]
    return (float(numbers @ weights), float(numeric @ weights), float(lengths @ weights[texts]),
            float(yes @ weights[texts]))


def check_formula(last_row: int, sums: tuple[float, ...]) -> str:
    answers = f"'{L.RESPONSES_SHEET}'!$C$2:$C${last_row}"
    w = f"(MOD(ROW({answers}),{MODULUS})+1)"
    yes = "+".join(f"({answers}={text_literal(word)})" for word in WORDS)
    live = [f"SUMPRODUCT({answers},{w})", f"SUMPRODUCT(ISNUMBER({answers})*{w})",
            f"SUMPRODUCT(ISTEXT({answers})*LEN({answers})*{w})", f"SUMPRODUCT(({yes})*{w})"]
    tests = ",".join(f"ABS({f}-({s!r}))>{RELATIVE:g}*MAX(1,ABS({s!r}))" for f, s in zip(live, sums))
    return f'IF(OR({tests}),{text_literal(LONG_STALE)},"")'


def stale_rows(rows: list[list], book: Book) -> list[list]:
    """The Summary rows (values) with the live check in the national row's status cell,
    and every other row's status pointing at it."""
    from readiness_xl.workbook.cell_refs import get_column_letter
    cells = book.answer_cells
    positions = cells.rows.to_numpy()
    if not positions.size or positions.max() < 2:
        return rows
    status = len(rows[0]) - len(TAIL_HEADERS) + TAIL_HEADERS.index("บทสรุปทันสมัย? / Narrative status")
    sums = fingerprints(book.raw_answers.to_numpy(dtype=object)[positions > 0], positions[positions > 0])
    national = len(rows)
    letter = get_column_letter(status + 1)
    out = [list(r) for r in rows]
    for r, row in enumerate(out[1:-1], start=2):
        row[status] = Formula(f"${letter}${national}", "")
    out[-1][status] = Formula(check_formula(int(positions.max()), sums), "")
    return out
