"""Building readiness workbooks from code (never by hand): the template, the B.E. 2560
sample and the questionnaire forms all come from this one builder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.agency_sheet import write_agency_sheet
from readiness_xl.builder.dashboard_sheet import write_dashboard, write_summary_frame
from readiness_xl.builder.framework_sheet import write_framework_sheet
from readiness_xl.builder.style import NOTE_FONT, TITLE_FONT, header, print_a4, put, text_height, widths
from readiness_xl.core.framework import Framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.parts import atomic_target

XLWINGS_SETTINGS = (
    # What xlwings reads from this sheet (its add-in settings, per workbook): the module
    # holding our UDFs, imported from the installed readiness-xl package.
    ("UDF Modules", "udfs.functions"),
    ("Show Console", "False"),
)
ABOUT_TEMPLATE = (
    "แม่แบบการประเมินความพร้อมรัฐบาลดิจิทัล / Digital government readiness workbook",
    "ชีต Framework: มิติ น้ำหนัก (ชื่อ Weights) ระดับ (LevelBands) และตัวชี้วัด / dimensions, weights, "
    "level bands and indicators: edit them there.",
    "ชีต Agencies: รายชื่อหน่วยงาน / the agency list; one sheet per agency holds its answers.",
    "กด Recalculate all agencies (แท็บ Readiness) หรือรัน `readiness-xl recalc` เพื่อเขียนชีต Summary / "
    "Press Recalculate all agencies or run `readiness-xl recalc` to fill the Summary and the Dashboard.",
)


def _agencies_sheet(wb: Workbook, agencies: pd.DataFrame) -> None:
    ws = wb.create_sheet(L.AGENCIES_SHEET)
    header(ws, 1, ["รหัส / Id", "ชื่อหน่วยงาน (ไทย)", "Agency (English)", "ประเภท / Kind",
                   "กระทรวง (ไทย)", "Ministry (English)"])
    for r, (ident, a) in enumerate(agencies.iterrows(), start=L.AGENCIES_FIRST_ROW):
        for col, value in enumerate([ident, a["name_th"], a["name_en"], a["kind"],
                                     a["ministry_th"], a["ministry_en"]], start=1):
            put(ws, r, col, value)
    kinds = DataValidation(type="list", formula1=f'"{",".join(L.KIND_NAMES)}"', allow_blank=False,
                           showErrorMessage=False)
    kinds.add(f"D{L.AGENCIES_FIRST_ROW}:D{L.AGENCIES_FIRST_ROW + max(len(agencies), 1) + 200}")
    ws.add_data_validation(kinds)
    widths(ws, "ABCDEF", (10, 40, 44, 14, 30, 36))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:F{L.AGENCIES_FIRST_ROW + len(agencies) - 1}"
    print_a4(ws, title_rows="1:1")


def _about_sheet(wb: Workbook, lines: tuple[str, ...]) -> None:
    ws = wb.create_sheet("README")
    put(ws, 1, 1, lines[0], TITLE_FONT)
    for r, line in enumerate(lines[1:], start=3):
        put(ws, r, 1, line, wrap=True)
        ws.row_dimensions[r].height = text_height(line, 80)
    widths(ws, "A", (95,))
    print_a4(ws, landscape=False)


def _xlwings_conf_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(L.XLWINGS_CONF_SHEET)
    for r, (key, value) in enumerate(XLWINGS_SETTINGS, start=1):
        put(ws, r, 1, key)
        put(ws, r, 2, value)
    put(ws, len(XLWINGS_SETTINGS) + 2, 1, "xlwings reads the settings above; keep this sheet's name.",
        NOTE_FONT)
    widths(ws, "AB", (18, 30))
    ws.sheet_state = "hidden"


def build_workbook(framework: Framework, agencies: pd.DataFrame,
                   answers: pd.DataFrame | None = None,
                   about: tuple[str, ...] = ABOUT_TEMPLATE, agency_sheets: bool = True) -> Workbook:
    """An openpyxl Workbook following the workbook contract (answers optional); without
    `agency_sheets` for the long layout, whose answers live on one Responses sheet (the
    Summary and Dashboard are still sized for every agency)."""
    wb = Workbook()
    wb.remove(wb.active)
    _about_sheet(wb, about)
    cells = write_framework_sheet(wb, framework)
    _agencies_sheet(wb, agencies)
    for ident, agency in agencies.iterrows() if agency_sheets else ():
        row = None if answers is None or ident not in answers.index else answers.loc[ident]
        write_agency_sheet(wb, framework, cells, ident, agency, row)
    write_summary_frame(wb, framework, agencies)
    write_dashboard(wb, framework, agencies,
                    chosen=str(agencies.iloc[0]["name_th"]) if len(agencies) else "")
    _xlwings_conf_sheet(wb)
    wb.active = wb.sheetnames.index(L.DASHBOARD_SHEET)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == L.DASHBOARD_SHEET
    return wb


def save_workbook(wb: Workbook, target: Path) -> None:
    with atomic_target(Path(target)) as tmp:
        wb.save(tmp)
