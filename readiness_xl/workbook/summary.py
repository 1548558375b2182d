"""The Summary sheet as rows of values: a row per agency, then ministries, agency kinds
and the nation. Pure: the writer decides how the rows reach the file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readiness_xl.core.narrative import agency_narratives, describe, ministry_narratives, narrative_for
from readiness_xl.core.results import Results, answered, unanswered_levels
from readiness_xl.workbook.layout import kind_names
from readiness_xl.workbook.live_summary import SummaryShape, live_rows
from readiness_xl.workbook.score_block import score_cells, sheet_score_cells

FIXED_HEADERS = ["ประเภทแถว / Row", "รหัส / Id", "ชื่อ (ไทย)", "Name (English)",
                 "ประเภท / Kind", "กระทรวง / Ministry"]
TAIL_HEADERS = ["คะแนนรวม / Overall %", "ระดับ", "Level", "อันดับ / Rank", "ความครบถ้วน / Completeness %",
                "เทียบค่าเฉลี่ยประเทศ / vs national (points)", "มิติต่ำกว่า 50% / Below 50%",
                "พัฒนามิติใดก่อน / Improve first", "บทสรุปทันสมัย? / Narrative status",
                "บทสรุป / Narrative"]
SCORE_HEADERS = {TAIL_HEADERS[0], TAIL_HEADERS[4]}  # shown with one decimal
GAP_HEADERS = {TAIL_HEADERS[5]}                     # shown signed: +8.4 / −3.5
# What column A says of each row, in Thai (the first column people read). Scripts that
# look for the all-units row accept the older English code too (NATIONAL_ROW_TYPES).
ROW_TYPES = {"agency": "หน่วยงาน", "ministry": "กระทรวง", "kind": "ประเภท", "national": "ภาพรวม"}
NATIONAL_ROW_TYPES = {"national", ROW_TYPES["national"]}


def header(results: Results) -> list[str]:
    dims = results.framework.dimensions
    return FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in dims.index] + TAIL_HEADERS


def _nums(values) -> list[float | None]:
    """Numbers of a column as cell values (NaN = empty cell), in array steps."""
    numbers = np.asarray(values, float).reshape(-1)
    cells = np.array(numbers.tolist(), dtype=object)
    cells[np.isnan(numbers)] = None
    return cells.tolist()


def _ranks(values) -> list[int | None]:
    """Ranks are whole numbers in the sheet (184, not 184.0)."""
    return [None if v is None else int(v) for v in _nums(values)]


def _lines(row_type: str, table: pd.DataFrame, ids: list[str], idents, names_th, names_en,
           kinds, ministries, ranks, completeness, narratives) -> list[list]:
    """One row per unit of `table`, built column by column (None = empty cell; a scalar
    argument is the same for every row)."""
    n = len(table)

    def column(values) -> list:
        return list(values) if isinstance(values, (list, tuple, pd.Series, np.ndarray)) else [values] * n

    columns = ([[ROW_TYPES[row_type]] * n, column(idents), column(names_th), column(names_en),
                [None if k is None else kind_names(k)[0] for k in column(kinds)],
                column(ministries)] + [_nums(table[d]) for d in ids]
               + [_nums(table["overall"]), table["level_th"].tolist(), table["level_en"].tolist(),
                  column(ranks), column(completeness), _nums(table["gap_national"]),
                  table["below_threshold"].tolist(), table["improve_first"].tolist(),
                  [""] * n, column(narratives)])
    return list(map(list, zip(*columns)))


def rows(results: Results) -> list[list]:
    """Header first, then one list of cell values per row (None = empty cell). Units
    without answers read "ยังไม่มีคำตอบ / no answers" as their level, and the national
    narrative says so when the workbook is (mostly) unanswered."""
    results, unanswered = unanswered_levels(results), answered(results).sentences()
    ids, framework, n = results.dimension_ids, results.framework, results.national
    a, m = results.agencies, results.ministries
    out = [header(results)]
    out += _lines("agency", a, ids, a.index.tolist(), a["name_th"].tolist(), a["name_en"].tolist(),
                  a["kind"].tolist(), a["ministry_th"].tolist(), _ranks(a["rank"]),
                  _nums(a["completeness"]), agency_narratives(results).tolist())
    out += _lines("ministry", m, ids, None, m.index.tolist(), m["name_en"].tolist(), None,
                  m.index.tolist(), None, None, ministry_narratives(results).tolist())
    for kind, k in results.kinds.iterrows():
        name_th, name_en = kind_names(kind)
        out += _lines("kind", k.to_frame().T, ids, None, name_th, name_en, kind, None, None, None,
                      describe(framework, name_th, name_en, k[ids], k["overall"], n["overall"]))
    out += _lines("national", n.to_frame().T, ids, None, framework.settings.all_units_th,
                  framework.settings.all_units_en, None, None, None, None,
                  " / ".join(unanswered) if unanswered else narrative_for(results, "national"))
    return out


def shape(results: Results) -> SummaryShape:
    return SummaryShape(results.dimension_ids, len(results.agencies), len(results.ministries),
                        len(results.kinds))


def sheets_compute(framework, missing: str) -> bool:
    """Whether agency sheets built under the `missing` rule compute every mean of the
    framework with a formula (under `exclude` only arithmetic means have one)."""
    from readiness_xl.core import pipeline as P
    return P.means_as_formulas(P.Method.of(framework, missing))


def live(results: Results, narratives: bool = True) -> list[list]:
    """rows(results) with every figure a live formula over the agency sheets (the
    agency-sheet layout), each holding its computed value as the cached result."""
    where = score_cells(results.framework)
    cells = [sheet_score_cells(str(a), results.framework, where) for a in results.agencies.index]
    return live_rows(rows(results), shape(results), cells, narratives)
