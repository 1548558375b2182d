"""Building readiness workbooks from code (never by hand): the template and the
B.E. 2560 sample come from this one builder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from . import workbook_layout as L
from .framework import Framework
from .xlsx_parts import atomic_target

THAI_FONT = "Tahoma"  # ships with Windows and macOS, covers Thai; LibreOffice substitutes a TLWG font
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name=THAI_FONT, bold=True, color="FFFFFF")
BODY_FONT = Font(name=THAI_FONT)
TITLE_FONT = Font(name=THAI_FONT, bold=True, size=14)
TYPE_LABELS = {"yesno": "ใช่/ไม่ใช่ (yes/no)", "scale": "ระดับ (scale)", "percent": "ร้อยละ (%)"}


def _header(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _name(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")


def _framework_sheet(wb: Workbook, framework: Framework) -> None:
    ws = wb.active
    ws.title = L.FRAMEWORK_SHEET
    ws["A1"] = "กรอบการประเมินความพร้อมรัฐบาลดิจิทัล / Digital Government Readiness Framework"
    ws["A1"].font = TITLE_FONT
    ws["A2"], ws["B2"] = "รุ่นกรอบการประเมิน / Framework version", framework.version
    _name(wb, L.FRAMEWORK_VERSION_NAME, L.FRAMEWORK_SHEET, "$B$2")

    row = 4
    _header(ws, row, ["มิติ / Dimension", "ชื่อมิติ (ไทย)", "Dimension (English)", "น้ำหนัก % / Weight %"])
    for i, (dim, d) in enumerate(framework.dimensions.iterrows(), start=row + 1):
        for col, value in enumerate([dim, d["name_th"], d["name_en"], d["weight"]], start=1):
            ws.cell(row=i, column=col, value=value).font = BODY_FONT
    last = row + len(framework.dimensions)
    _name(wb, L.WEIGHTS_NAME, L.FRAMEWORK_SHEET, f"$D${row + 1}:$D${last}")

    row = last + 2
    _header(ws, row, ["ขั้นต่ำ % / Lower bound %", "ระดับ (ไทย)", "Level (English)"])
    for i, (_, b) in enumerate(framework.bands.iterrows(), start=row + 1):
        for col, value in enumerate([b["lower"], b["label_th"], b["label_en"]], start=1):
            ws.cell(row=i, column=col, value=value).font = BODY_FONT
    last = row + len(framework.bands)
    _name(wb, L.LEVEL_BANDS_NAME, L.FRAMEWORK_SHEET, f"$A${row + 1}:$C${last}")

    row = last + 2
    _header(ws, row, ["ตัวชี้วัด / Indicator", "มิติ / Dimension", "คำถาม (ไทย)", "Question (English)",
                      "ประเภทคำตอบ / Answer type", "ค่าสูงสุด / Maximum", "คะแนน / Points"])
    for i, (ind, q) in enumerate(framework.indicators.iterrows(), start=row + 1):
        values = [ind, q["dimension"], q["question_th"], q["question_en"], q["type"], q["max"], q["points"]]
        for col, value in enumerate(values, start=1):
            ws.cell(row=i, column=col, value=value).font = BODY_FONT
    last = row + len(framework.indicators)
    _name(wb, L.INDICATORS_NAME, L.FRAMEWORK_SHEET, f"$A${row + 1}:$G${last}")
    for col, width in zip("ABCDEFG", (14, 40, 36, 48, 16, 12, 10)):
        ws.column_dimensions[col].width = width


def _agencies_sheet(wb: Workbook, agencies: pd.DataFrame) -> None:
    ws = wb.create_sheet(L.AGENCIES_SHEET)
    _header(ws, 1, ["รหัส / Id", "ชื่อหน่วยงาน (ไทย)", "Agency (English)", "ประเภท / Kind",
                    "กระทรวง (ไทย)", "Ministry (English)"])
    for r, (ident, a) in enumerate(agencies.iterrows(), start=L.AGENCIES_FIRST_ROW):
        for col, value in enumerate([ident, a["name_th"], a["name_en"], a["kind"],
                                     a["ministry_th"], a["ministry_en"]], start=1):
            ws.cell(row=r, column=col, value=value).font = BODY_FONT
    for col, width in zip("ABCDEF", (10, 36, 40, 14, 28, 36)):
        ws.column_dimensions[col].width = width


def _agency_sheet(wb: Workbook, framework: Framework, ident: str, agency: pd.Series,
                  answers: pd.Series | None) -> None:
    ws = wb.create_sheet(ident)
    ws["A1"] = f"{agency['name_th']} / {agency['name_en']}"
    ws["A1"].font = TITLE_FONT
    ws["A2"], ws[L.AGENCY_ID_CELL] = "รหัสหน่วยงาน / Agency id", ident
    ws["C2"] = f"{agency['ministry_th']} / {agency['ministry_en']}"
    _header(ws, L.AGENCY_HEADER_ROW, ["ตัวชี้วัด / Indicator", "มิติ / Dimension", "คำถาม (ไทย)",
                                      "Question (English)", "ประเภทคำตอบ / Answer type",
                                      "ค่าสูงสุด / Maximum", "คำตอบ / Answer"])
    for r, (ind, q) in enumerate(framework.indicators.iterrows(), start=L.AGENCY_FIRST_ROW):
        answer = None if answers is None else answers.get(ind)
        values = [ind, q["dimension"], q["question_th"], q["question_en"],
                  TYPE_LABELS[q["type"]], q["max"], answer]
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value).font = BODY_FONT


def _summary_sheet(wb: Workbook, framework: Framework) -> None:
    from .summary_sheet import FIXED_HEADERS, TAIL_HEADERS
    ws = wb.create_sheet(L.SUMMARY_SHEET)
    _header(ws, 1, FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in framework.dimension_ids]
            + TAIL_HEADERS)
    for col in range(1, len(FIXED_HEADERS) + len(framework.dimension_ids) + len(TAIL_HEADERS) + 1):
        cell = ws.cell(row=2, column=col)
        cell.font = BODY_FONT
        if col > len(FIXED_HEADERS):
            cell.number_format = "0.0"


def build_workbook(framework: Framework, agencies: pd.DataFrame,
                   answers: pd.DataFrame | None = None) -> Workbook:
    """An openpyxl Workbook following the workbook contract (answers optional)."""
    wb = Workbook()
    _framework_sheet(wb, framework)
    _agencies_sheet(wb, agencies)
    for ident, agency in agencies.iterrows():
        row = None if answers is None or ident not in answers.index else answers.loc[ident]
        _agency_sheet(wb, framework, ident, agency, row)
    _summary_sheet(wb, framework)
    wb.create_sheet(L.DASHBOARD_SHEET)
    return wb


def save_workbook(wb: Workbook, target: Path) -> None:
    with atomic_target(Path(target)) as tmp:
        wb.save(tmp)
