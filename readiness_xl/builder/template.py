"""Building readiness workbooks from code (never by hand): the template, the B.E. 2560
sample and the questionnaire forms all come from this one builder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.agency_sheet import CALC_SHEET, needs_calc, write_agency_sheet, write_calc_sheet
from readiness_xl.builder.method_formulas import SheetMethod
from readiness_xl.builder.dashboard_sheet import write_dashboard, write_live_summary, write_summary_frame
from readiness_xl.builder.framework_sheet import write_framework_sheet
from readiness_xl.workbook.style import (BOLD_FONT, NOTE_FONT, STEP_FONT, TITLE_FONT, header, print_a4, put,
                                         text_height, widths)
from readiness_xl.core.agencies import AGENCY_FIELDS, RANKED_FIELD
from readiness_xl.core.framework import Framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.atomic_write import atomic_target

XLWINGS_SETTINGS = (
    # What xlwings reads from this sheet (its add-in settings, per workbook): the module
    # holding our UDFs, imported from the installed readiness-xl package.
    ("UDF Modules", "udfs.functions"),
    ("Show Console", "False"),
)


@dataclass(frozen=True)
class StartPage:
    """What the first sheet says: a title, notes, then numbered steps (Thai first)."""

    title: str
    notes: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()


ABOUT_TEMPLATE = StartPage(
    "เริ่มต้นที่นี่ / Start here: แบบประเมินความพร้อมรัฐบาลดิจิทัล (Digital government readiness workbook)",
    notes=("ไฟล์นี้ใช้ได้ใน Excel, LibreOffice และ Numbers โดยไม่ต้องติดตั้งอะไรเพิ่ม คะแนนของแต่ละหน่วยงาน"
           "คำนวณด้วยสูตรปกติ\nThis file works in Excel, LibreOffice and Numbers without installing "
           "anything: each agency's scores are plain formulas.",),
    steps=(
        "ตรวจกรอบการประเมินในชีต Framework: มิติ น้ำหนัก (รวม 100) ระดับ และตัวชี้วัด แก้ไขได้ที่นั่น\n"
        "Check the framework on the Framework sheet: dimensions, weights (summing to 100), level "
        "bands and indicators. Edit them there.",
        "ชีต Agencies คือรายชื่อหน่วยงาน แต่ละหน่วยงานมีชีตของตัวเอง ชื่อชีตคือรหัส (เช่น D01) "
        "ถ้าจะใช้รายชื่อของท่านเอง ให้สร้างแม่แบบใหม่: readiness-xl new-template mine.xlsx --agencies "
        "agencies.csv\nThe Agencies sheet lists the agencies; each has its own sheet named by its id "
        "(e.g. D01). For your own list, make a new template with the command above.",
        "กรอกคำตอบในช่องสีเหลือง (คอลัมน์ G \"คำตอบ / Answer\") ของชีตหน่วยงาน: ใช่/ไม่ใช่ เลือกจากรายการ "
        "ระดับและร้อยละพิมพ์เป็นตัวเลข ช่องว่าง = ยังไม่ตอบ\nType answers in the yellow cells (column G) "
        "of each agency sheet: pick ใช่/ไม่ใช่ from the list, type numbers for scales and "
        "percentages. A blank cell means not answered.",
        "คะแนนรายมิติ คะแนนรวม ระดับ และความครบถ้วน ขึ้นทันทีทางขวาของชีตเดียวกัน (คอลัมน์ N "
        "\"คะแนน %\") ไม่ต้องมี add-in สีจะขึ้นเมื่อมีคำตอบแล้ว\nDimension scores, the overall score, "
        "the level and completeness appear at once on the right of the same sheet (column N), with no "
        "add-in. Colours appear once there are answers.",
        "ตารางสรุป (ชีต Summary: คะแนน อันดับ ระดับ ค่าเฉลี่ยกระทรวงและภาพรวม ส่วนต่าง) และชีต Dashboard "
        "เป็นสูตรที่ตามคำตอบในชีตหน่วยงานทันที ในทุกโปรแกรม ส่วนบทสรุป (ข้อความ) เขียนเมื่อกดปุ่ม "
        "คำนวณใหม่ทุกหน่วยงาน บนแท็บ ความพร้อมดิจิทัล / Readiness (ต้องมี add-in) หรือรัน readiness-xl recalc "
        "book.xlsx\nThe Summary (scores, ranks, levels, ministry and overall means, gaps) and the "
        "Dashboard are formulas that follow the agency sheets at once, in any program. The narratives "
        "are written when you press Recalculate all agencies on the Readiness tab (needs the add-in) or "
        "run readiness-xl recalc book.xlsx; the column beside them says when they are out of date.",
        "add-in ไม่บังคับ: เพิ่มฟังก์ชัน เช่น =READINESS_SCORE() และปุ่มคำนวณ (วิธีติดตั้ง: README หัวข้อ "
        "Use it in Excel) ถ้าไม่มี add-in คอลัมน์ O \"ตรวจซ้ำ / Check\" จะแสดง \u2013 ซึ่งเป็นเรื่องปกติ\n"
        "The add-in is optional: it adds functions such as =READINESS_SCORE() and the button (install: "
        "README, \"Use it in Excel\"). Without it column O, \"Check (add-in)\", shows \u2013: that is expected.",
        "ส่งแบบสอบถามให้หน่วยงาน: readiness-xl forms book.xlsx -d forms แล้วรวมไฟล์ที่ส่งกลับด้วย "
        "readiness-xl collect forms/*.xlsx --into book.xlsx\nTo survey agencies: make one questionnaire "
        "each with readiness-xl forms, then merge the returned files with readiness-xl collect.",
        "พิมพ์: ทุกชีตตั้งค่ากระดาษ A4 ไว้แล้ว (ชีตหน่วยงานพิมพ์คำตอบและคะแนนในหน้าเดียวกัน)\nPrinting: "
        "every sheet is set up for A4 (an agency sheet prints its answers beside its scores).",
    ))
START_WIDTHS = (6, 100)  # step number, text


def _agencies_sheet(wb: Workbook, agencies: pd.DataFrame) -> None:
    ws = wb.create_sheet(L.AGENCIES_SHEET)
    header(ws, 1, ["รหัส / Id", "ชื่อหน่วยงาน (ไทย)", "Agency (English)", "ประเภท / Kind",
                   "กระทรวง (ไทย)", "Ministry (English)"])
    extra = [c for c in agencies.columns if c not in AGENCY_FIELDS]
    for col, name in enumerate(extra, start=7):   # ranked and unit attributes, named by their header
        put(ws, 1, col, name, BOLD_FONT)
    for r, (ident, a) in enumerate(agencies.iterrows(), start=L.AGENCIES_FIRST_ROW):
        for col, value in enumerate([ident, a["name_th"], a["name_en"], a["kind"],
                                     a["ministry_th"], a["ministry_en"]], start=1):
            put(ws, r, col, value)
        for col, name in enumerate(extra, start=7):
            value = a[name]
            if name == RANKED_FIELD:
                value = "yes" if value else "no"
            elif isinstance(value, float) and value != value:
                value = None
            put(ws, r, col, value)
    kinds = DataValidation(type="list", formula1=f'"{",".join(L.KIND_NAMES)}"', allow_blank=False,
                           showErrorMessage=False)
    kinds.add(f"D{L.AGENCIES_FIRST_ROW}:D{L.AGENCIES_FIRST_ROW + max(len(agencies), 1) + 200}")
    ws.add_data_validation(kinds)
    widths(ws, "ABCDEF", (8, 42, 42, 12, 34, 38))
    ws.freeze_panes = "B2"
    last = L.AGENCIES_FIRST_ROW + len(agencies) - 1
    ws.auto_filter.ref = f"A1:F{last}"
    print_a4(ws, title_rows="1:1", columns="A:F")
    ws.print_area = f"A1:F{max(last, L.AGENCIES_FIRST_ROW)}"


def _start_sheet(wb: Workbook, page: StartPage) -> None:
    """The sheet a workbook opens on: wrapped text only, so nothing runs off the page."""
    ws = wb.create_sheet(L.START_SHEET)
    widths(ws, "AB", START_WIDTHS)
    text_width = START_WIDTHS[1] - 6
    put(ws, 1, 1, page.title, TITLE_FONT, wrap=True)
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = text_height(page.title, text_width * 0.75, 22)
    row = 3
    for note in page.notes:
        put(ws, row, 1, note, NOTE_FONT, wrap=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = text_height(note, text_width) + 4
        row += 1
    row += 1 if page.notes else 0
    for number, step in enumerate(page.steps, start=1):
        put(ws, row, 1, number, STEP_FONT).alignment = Alignment(horizontal="center", vertical="top")
        put(ws, row, 2, step, wrap=True)
        ws.row_dimensions[row].height = text_height(step, text_width) + 8
        row += 1
    print_a4(ws, landscape=False, columns="A:B")


def xlwings_conf_sheet(wb: Workbook) -> None:
    """The xlwings.conf sheet that points Excel at our UDF module (any workbook with our formulas)."""
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
                   about: StartPage = ABOUT_TEMPLATE, agency_sheets: bool = True) -> Workbook:
    """An openpyxl Workbook following the workbook contract (answers optional); without
    `agency_sheets` for the long layout, whose answers live on one Responses sheet (the
    Summary and Dashboard are still sized for every agency)."""
    wb = Workbook()
    wb.remove(wb.active)
    _start_sheet(wb, about)
    cells = write_framework_sheet(wb, framework)
    _agencies_sheet(wb, agencies)
    method = SheetMethod(framework)
    calc = None
    if agency_sheets and needs_calc(framework, len(agencies)):
        calc = write_calc_sheet(wb, framework, [str(i) for i in agencies.index], method)
    for ident, agency in agencies.iterrows() if agency_sheets else ():
        row = None if answers is None or ident not in answers.index else answers.loc[ident]
        write_agency_sheet(wb, framework, cells, ident, agency, row, method=method, calc=calc)
    summary = write_summary_frame(wb, framework, agencies)
    if agency_sheets:
        write_live_summary(summary, framework, agencies, answers)
    write_dashboard(wb, framework, agencies,
                    chosen=str(agencies.iloc[0]["name_th"]) if len(agencies) else "")
    xlwings_conf_sheet(wb)
    if calc is not None:   # the Calc sheet last, beside the other hidden sheet
        wb.move_sheet(CALC_SHEET, len(wb.sheetnames) - 1 - wb.sheetnames.index(CALC_SHEET))
    wb.active = wb.sheetnames.index(L.START_SHEET)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == L.START_SHEET
    return wb


def save_workbook(wb: Workbook, target: Path) -> None:
    """Write `wb`; a target named .xlsm gets xlwings' standalone VBA (Import Functions)."""
    if Path(target).suffix.lower() == ".xlsm":
        from readiness_xl.builder.addin import with_xlwings_vba
        with_xlwings_vba(wb)
    with atomic_target(Path(target)) as tmp:
        wb.save(tmp)
