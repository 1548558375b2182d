"""The Preparation sheet: what data preparation did in the last recalculation, for a
person to read and filter. Left, one row per changed cell (unit, indicator, step, the
value before and after: imputed blanks, winsorised points, log-transformed values) and
per unit screened out (with the share it answered); right, one row per indicator with
its treatment and its skewness and kurtosis before and after (COINr's skew() and kurt(),
Excel's SKEW and KURT). Written by `recalc` beside the Summary when the framework asks
for any preparation step; the cells it lists are the ones the scores used."""

from __future__ import annotations

from readiness_xl.core.results import Results, number_or_none
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.sheet_writer import SheetSpec

STEP_WORDS = {"imputed": "เติมค่าที่ขาด / imputed", "winsorised": "ปรับค่าสุดโต่ง / winsorised",
              "log": "แปลงลอการิทึม / log-transformed", "screened": "ตัดออก / screened out"}
TREATMENT_WORDS = {"none": "", "winsorised": "ปรับค่าสุดโต่ง / winsorised", "log": "ลอการิทึม / log"}


def _beside(left: list[list], right: list[list], gap: int = 1) -> list[list]:
    width = max((len(r) for r in left), default=0) + gap
    height = max(len(left), len(right))
    padded = [r + [None] * (width - len(r)) for r in left + [[] for _ in range(height - len(left))]]
    return [row + (right[i] if i < len(right) else []) for i, row in enumerate(padded)]


def preparation_spec(results: Results) -> SheetSpec | None:
    """The sheet of `results`' preparation record; None when nothing was asked."""
    prep = results.preparation
    if prep is None:
        return None
    units = results.agencies.index
    cells = [["หน่วย / Unit", "ตัวชี้วัด / Indicator", "ขั้นตอน / Step", "ก่อน / Before", "หลัง / After"]]
    changes = prep.changes(units)
    cells += [[u, i, STEP_WORDS[s], number_or_none(b), number_or_none(a)]
              for u, i, s, b, a in changes[["unit", "indicator", "step", "before", "after"]].itertuples(index=False)]
    screened = prep.screened_units(units)
    cells += [[u, None, STEP_WORDS["screened"] + f" (ตอบ {c:.0%} / answered {c:.0%})", None, None]
              for u, c in screened.itertuples(index=False)]
    if len(cells) == 1:
        cells.append(["— ไม่มีค่าใดเปลี่ยน / nothing changed", None, None, None, None])
    per = [["ตัวชี้วัด / Indicator", "การจัดการ / Treatment", "ความเบ้ก่อน / Skew before",
            "ความโด่งก่อน / Kurtosis before", "ความเบ้หลัง / Skew after", "ความโด่งหลัง / Kurtosis after"]]
    won = prep.winsorised.any(axis=0)
    for j, name in enumerate(prep.names):
        word = "log" if prep.logged[j] else "winsorised" if won[j] else "none"
        per.append([name, TREATMENT_WORDS[word], number_or_none(prep.skew_before[j]),
                    number_or_none(prep.kurtosis_before[j]), number_or_none(prep.skew_after[j]),
                    number_or_none(prep.kurtosis_after[j])])
    rows = _beside(cells, per)
    formats = {"D": "0.####", "E": "0.####", "I": "0.00", "J": "0.00", "K": "0.00", "L": "0.00"}
    widths = {"A": 14, "B": 14, "C": 34, "D": 14, "E": 14, "G": 14, "H": 24, "I": 12, "J": 12,
              "K": 12, "L": 12}
    colours = [(f"C2:C{len(cells)}", 'ISNUMBER(SEARCH("screened",$C2))', "bad"),
               (f"H2:H{len(per)}", "LEN($H2)>0", "warn")]
    return SheetSpec(L.PREPARATION_SHEET, rows, formats, widths, colours, freeze="A2")
