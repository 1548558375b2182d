"""The Summary sheet as rows of values: a row per agency, then ministries, agency kinds
and the nation. Pure: the writer decides how the rows reach the file."""

from __future__ import annotations

import math

from .narrative import agency_narratives, describe, narrative_for
from .results import Results
from .workbook_layout import KIND_NAMES

ROW_TYPES = {"agency": "หน่วยงาน / agency", "ministry": "กระทรวง / ministry",
             "kind": "ประเภท / kind", "national": "ประเทศ / national"}
FIXED_HEADERS = ["ประเภทแถว / Row", "รหัส / Id", "ชื่อ (ไทย)", "Name (English)",
                 "ประเภทหน่วยงาน / Kind", "กระทรวง / Ministry"]
TAIL_HEADERS = ["คะแนนรวม / Overall %", "ระดับ", "Level", "อันดับ / Rank", "ความครบถ้วน / Completeness %",
                "บทสรุป / Narrative"]


def header(results: Results) -> list[str]:
    dims = results.framework.dimensions
    return FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in dims.index] + TAIL_HEADERS


def _num(value: object) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def rows(results: Results) -> list[list]:
    """Header first, then one list of cell values per row (None = empty cell)."""
    ids = results.dimension_ids
    out = [header(results)]
    narratives = agency_narratives(results)
    for ident, a in results.agencies.iterrows():
        out.append(["agency", ident, a["name_th"], a["name_en"], a["kind"], a["ministry_th"]]
                   + [_num(a[d]) for d in ids]
                   + [_num(a["overall"]), a["level_th"], a["level_en"], _num(a["rank"]),
                      _num(a["completeness"]), narratives[ident]])
    for name, m in results.ministries.iterrows():
        out.append(["ministry", None, name, m["name_en"], None, name]
                   + [_num(m[d]) for d in ids] + [_num(m["overall"]), m["level_th"], m["level_en"], None, None,
                      narrative_for(results, "ministry", name)])
    n = results.national
    for kind, k in results.kinds.iterrows():
        name_th, name_en = KIND_NAMES.get(kind, (kind, kind))
        out.append(["kind", None, name_th, name_en, kind, None]
                   + [_num(k[d]) for d in ids] + [_num(k["overall"]), k["level_th"], k["level_en"], None, None,
                      describe(results.framework, name_th, name_en, k[ids], k["overall"], n["overall"])])
    out.append(["national", None, "ประเทศไทย (ทุกหน่วยงาน)", "Thailand (all agencies)", None, None]
               + [_num(n[d]) for d in ids] + [_num(n["overall"]), n["level_th"], n["level_en"], None, None,
                  narrative_for(results, "national")])
    return out
