"""The Summary sheet as rows of values: a row per agency, then ministries, agency kinds
and the nation. Pure: the writer decides how the rows reach the file."""

from __future__ import annotations

import math

import pandas as pd

from readiness_xl.core.narrative import agency_narratives, describe, narrative_for
from readiness_xl.core.results import Results
from readiness_xl.workbook.layout import KIND_NAMES

FIXED_HEADERS = ["ประเภทแถว / Row", "รหัส / Id", "ชื่อ (ไทย)", "Name (English)",
                 "ประเภท / Kind", "กระทรวง / Ministry"]
TAIL_HEADERS = ["คะแนนรวม / Overall %", "ระดับ", "Level", "อันดับ / Rank", "ความครบถ้วน / Completeness %",
                "เทียบค่าเฉลี่ยประเทศ / vs national (points)", "มิติต่ำกว่า 50% / Below 50%",
                "พัฒนามิติใดก่อน / Improve first", "บทสรุป / Narrative"]
SCORE_HEADERS = {TAIL_HEADERS[0], TAIL_HEADERS[4]}  # shown with one decimal
GAP_HEADERS = {TAIL_HEADERS[5]}                     # shown signed: +8.4 / −3.5
# What column A says of each row, in Thai (the first column people read). Scripts that
# look for the all-units row accept the older English code too (NATIONAL_ROW_TYPES).
ROW_TYPES = {"agency": "หน่วยงาน", "ministry": "กระทรวง", "kind": "ประเภท", "national": "ภาพรวม"}
NATIONAL_ROW_TYPES = {"national", ROW_TYPES["national"]}


def kind_label(kind) -> str | None:
    """The Thai word for an agency kind (codes not in the list are shown as typed)."""
    return None if kind is None else KIND_NAMES.get(kind, (kind,))[0]


def header(results: Results) -> list[str]:
    dims = results.framework.dimensions
    return FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in dims.index] + TAIL_HEADERS


def _num(value: object) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _line(row_type: str, ident, name_th: str, name_en: str, kind, ministry, unit: pd.Series,
          ids: list[str], rank, completeness, narrative: str) -> list:
    return ([ROW_TYPES[row_type], ident, name_th, name_en, kind_label(kind), ministry] + [_num(unit[d]) for d in ids]
            + [_num(unit["overall"]), unit["level_th"], unit["level_en"], rank, completeness,
               _num(unit["gap_national"]), unit["below_threshold"], unit["improve_first"], narrative])


def rows(results: Results) -> list[list]:
    """Header first, then one list of cell values per row (None = empty cell)."""
    ids, framework, n = results.dimension_ids, results.framework, results.national
    out = [header(results)]
    narratives = agency_narratives(results)
    for ident, a in results.agencies.iterrows():
        out.append(_line("agency", ident, a["name_th"], a["name_en"], a["kind"], a["ministry_th"], a,
                         ids, _num(a["rank"]), _num(a["completeness"]), narratives[ident]))
    for name, m in results.ministries.iterrows():
        out.append(_line("ministry", None, name, m["name_en"], None, name, m, ids, None, None,
                         narrative_for(results, "ministry", name)))
    for kind, k in results.kinds.iterrows():
        name_th, name_en = KIND_NAMES.get(kind, (kind, kind))
        out.append(_line("kind", None, name_th, name_en, kind, None, k, ids, None, None,
                         describe(framework, name_th, name_en, k[ids], k["overall"], n["overall"])))
    out.append(_line("national", None, "ประเทศไทย (ทุกหน่วยงาน)", "Thailand (all agencies)", None, None,
                     n, ids, None, None, narrative_for(results, "national")))
    return out
