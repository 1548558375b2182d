"""The Framework sheet: dimensions with their weights, level bands and indicators, each
table under a defined name (Weights, LevelBands, Indicators) that formulas and the
reader use. Analysts edit weights, bands and indicators here."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.style import (BOLD_FONT, LINE_POINTS, NOTE_FONT, PADDED, TITLE_FONT,
                                        header, print_a4, put, put_formula, text_height, widths)
from readiness_xl.core.aggregation import aggregation_name
from readiness_xl.core.framework import ANSWER_TYPES, Framework
from readiness_xl.core.words import DIRECTIONS, NORMALISATIONS, TRANSFORMS
from readiness_xl.workbook import layout as L

TYPE_CODES = ANSWER_TYPES


@dataclass(frozen=True)
class FrameworkCells:
    """Where each dimension and indicator sits on the Framework sheet, so that other
    sheets can refer to its weight, maximum and points with live formulas."""

    dimension_rows: dict[str, int]
    indicator_rows: dict[str, int]
    band_rows: tuple[int, int]

    def weight(self, dim: str) -> str:
        return f"'{L.FRAMEWORK_SHEET}'!$D${self.dimension_rows[dim]}"

    def maximum(self, indicator: str) -> str:
        return f"'{L.FRAMEWORK_SHEET}'!$F${self.indicator_rows[indicator]}"

    def minimum(self, indicator: str) -> str:
        return f"'{L.FRAMEWORK_SHEET}'!$H${self.indicator_rows[indicator]}"

    def points(self, indicator: str) -> str:
        return f"'{L.FRAMEWORK_SHEET}'!$G${self.indicator_rows[indicator]}"

    def band_column(self, column: str) -> str:
        """One column of the level bands: 'A' lower bounds, 'B' Thai, 'C' English labels."""
        first, last = self.band_rows
        return f"'{L.FRAMEWORK_SHEET}'!${column}${first}:${column}${last}"


def _header(ws, row: int, labels: list[str]) -> None:
    """Headers here wrap to three lines in their narrow columns."""
    header(ws, row, labels, height=3 * LINE_POINTS)


def define_name(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")


def write_framework_sheet(wb: Workbook, framework: Framework, ws=None) -> FrameworkCells:
    ws = ws or wb.create_sheet(L.FRAMEWORK_SHEET)
    put(ws, 1, 1, "กรอบการประเมินความพร้อมรัฐบาลดิจิทัล / Digital Government Readiness Framework",
        TITLE_FONT)
    put(ws, 2, 1, "รุ่นกรอบการประเมิน / Framework version", BOLD_FONT, wrap=True)
    ws.row_dimensions[2].height = 3 * LINE_POINTS
    put(ws, 2, 2, framework.version)
    define_name(wb, L.FRAMEWORK_VERSION_NAME, L.FRAMEWORK_SHEET, "$B$2")
    put(ws, 3, 1, "น้ำหนักใช้เป็นสัดส่วนของผลรวม / Weights count as shares of their sum. แก้ไขน้ำหนัก "
        "ระดับ และตัวชี้วัดได้ที่นี่ / Edit weights, bands and indicators here.", NOTE_FONT)

    row = 4
    _header(ws, row, ["มิติ / Dimension", "ชื่อมิติ (ไทย)", "Dimension (English)", "น้ำหนัก / Weight",
                     "สัดส่วน / Share", "การรวม / Aggregation", "มิติหลัก / Parent"])
    dim_rows = {}
    first, last = row + 1, row + len(framework.dimensions)
    for r, (dim, d) in enumerate(framework.dimensions.iterrows(), start=first):
        for col, value in enumerate([dim, d["name_th"], d["name_en"], d["weight"]], start=1):
            put(ws, r, col, value, wrap=col in (2, 3))
        ws.row_dimensions[r].height = max(text_height(d["name_th"], 34), text_height(d["name_en"], 30))
        put_formula(ws, r, 5, f"=IFERROR(D{r}/SUMPRODUCT(($G${first}:$G${last}=G{r})*$D${first}:$D${last}),0)",
                    number_format="0.0%")
        put(ws, r, 6, aggregation_name(d["aggregation"])).alignment = PADDED
        put(ws, r, 7, d["parent"] or None)
        dim_rows[dim] = r
    define_name(wb, L.WEIGHTS_NAME, L.FRAMEWORK_SHEET, f"$D${first}:$D${last}")
    put(ws, last + 1, 3, "รวม / Total", BOLD_FONT)
    put_formula(ws, last + 1, 4, f"=SUM(D{first}:D{last})", BOLD_FONT)

    row = last + 3
    _header(ws, row, ["ขั้นต่ำ % / Lower bound %", "ระดับ (ไทย)", "Level (English)"])
    for r, (_, b) in enumerate(framework.bands.iterrows(), start=row + 1):
        for col, value in enumerate([b["lower"], b["label_th"], b["label_en"]], start=1):
            put(ws, r, col, value)
    last = row + len(framework.bands)
    band_rows = (row + 1, last)
    define_name(wb, L.LEVEL_BANDS_NAME, L.FRAMEWORK_SHEET, f"$A${row + 1}:$C${last}")

    row = last + 2
    _header(ws, row, ["ตัวชี้วัด / Indicator", "มิติ / Dimension", "คำถาม (ไทย)", "Question (English)",
                     "ประเภทคำตอบ / Answer type", "ค่าสูงสุด / Maximum", "คะแนน / Points",
                     "ค่าต่ำสุด / Minimum", "ทิศทาง / Direction", "แปลงค่า / Transform",
                     "ปรับมาตรฐาน / Normalise"])
    ind_rows = {}
    for r, (ind, q) in enumerate(framework.indicators.iterrows(), start=row + 1):
        values = [ind, q["dimension"], q["question_th"], q["question_en"], q["type"], q["max"], q["points"],
                  q["min"], q["direction"], q["transform"], q["normalise"]]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, wrap=col in (3, 4))
        ws.row_dimensions[r].height = max(text_height(q["question_th"], 40),
                                          text_height(q["question_en"], 48))
        ind_rows[ind] = r
    last = row + len(framework.indicators)
    define_name(wb, L.INDICATORS_NAME, L.FRAMEWORK_SHEET, f"$A${row + 1}:$K${last}")
    for column, words, title in (("E", TYPE_CODES, "ประเภทคำตอบ / Answer type"),
                                 ("I", DIRECTIONS, "ทิศทาง / Direction"),
                                 ("J", TRANSFORMS, "แปลงค่า / Transform"),
                                 ("K", NORMALISATIONS, "ปรับมาตรฐาน / Normalise")):
        choice = DataValidation(type="list", formula1=f'"{",".join(words)}"', allow_blank=True,
                                showErrorMessage=True, errorTitle=title, error=", ".join(words))
        choice.add(f"{column}{row + 1}:{column}{last}")
        ws.add_data_validation(choice)
    _write_settings(wb, ws, framework, last + 2)
    widths(ws, "ABCDEFGHIJK", (16, 34, 30, 34, 12, 13, 9, 10, 10, 10, 12))
    ws.freeze_panes = "A5"
    print_a4(ws, columns=f"A:{get_column_letter(ws.max_column)}")
    return FrameworkCells(dim_rows, ind_rows, band_rows)


def _write_settings(wb: Workbook, ws, framework: Framework, row: int) -> None:
    """The key/value settings table (how dimensions combine, rounding, row labels)."""
    settings = framework.settings
    _header(ws, row, ["ค่าตั้ง / Setting", "ค่า / Value"])
    values = [("aggregation", aggregation_name(settings.aggregation)),
              ("decimals", settings.decimals),
              ("all_units_th", settings.all_units_th), ("all_units_en", settings.all_units_en),
              ("benchmark_th", settings.benchmark_th), ("benchmark_en", settings.benchmark_en)]
    for r, (key, value) in enumerate(values, start=row + 1):
        put(ws, r, 1, key)
        put(ws, r, 2, value)
    define_name(wb, L.SETTINGS_NAME, L.FRAMEWORK_SHEET, f"$A${row + 1}:$B${row + len(values)}")
