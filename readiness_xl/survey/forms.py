"""Questionnaire forms: one workbook per agency, built by the template builder from the
master's framework and that agency alone, then locked down so that only answer cells
can be typed in. Each form carries the agency id and framework version it was made
for, so that `collect` can refuse a form sent back for the wrong agency or round."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from readiness_xl.builder.framework_sheet import COPY_NOTE, NOTE_CELL
from readiness_xl.workbook.style import excel_text
from readiness_xl.builder.template import StartPage, build_workbook, save_workbook
from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook import locks
from readiness_xl.workbook.atomic_write import check_not_locked
from readiness_xl.workbook.locks import check_not_input
from readiness_xl.workbook.package import defined_names
from readiness_xl.workbook.read import Book

FORM_AGENCY_NAME = "FormAgency"          # defined name: the agency id, as a text constant
AGENCY_PROPERTY = "readiness-xl agency"
VERSION_PROPERTY = "readiness-xl framework version"
FORM_SHEETS = {L.START_SHEET, L.FRAMEWORK_SHEET, L.AGENCIES_SHEET, L.XLWINGS_CONF_SHEET}
ABOUT_FORM = (
    "แบบสำรวจความพร้อมรัฐบาลดิจิทัล / Digital government readiness questionnaire",
    "กรอกคำตอบในช่องสีเหลืองของชีตหน่วยงานของท่าน แล้วบันทึกและส่งไฟล์นี้กลับ / Type your answers "
    "in the yellow cells of your agency's sheet, save, and send this file back.",
    "ช่องว่าง = ยังไม่ตอบ / A blank means not answered. ชีต Framework เป็นสำเนาอ่านอย่างเดียว / "
    "The Framework sheet is a read-only copy.",
    "อย่าเปลี่ยนชื่อไฟล์ ชีต หรือแทรกคอลัมน์ / Do not rename sheets or insert columns: the file is "
    "checked when it comes back.",
)


def build_form(book: Book, agency: str, prefill: bool = False) -> Workbook:
    """The questionnaire of one agency of `book` (its current answers if `prefill`)."""
    agencies = book.agencies.loc[[agency]]
    answers = book.raw_answers.loc[[agency]] if prefill else None
    wb = build_workbook(book.framework, agencies, answers,
                        about=StartPage(ABOUT_FORM[0], steps=ABOUT_FORM[1:]))
    for ws in list(wb.worksheets):
        if ws.title not in FORM_SHEETS | {agency}:
            wb.remove(ws)
    for name in [n for n, d in wb.defined_names.items()
                 if any(sheet not in wb.sheetnames for sheet, _ in d.destinations)]:
        del wb.defined_names[name]
    wb[L.FRAMEWORK_SHEET].cell(*NOTE_CELL).value = COPY_NOTE  # as the Start sheet says
    wb.move_sheet(agency, -wb.sheetnames.index(agency))  # first: printed, the questions come first
    for ws in wb.worksheets:
        ws.protection.sheet = True       # the agency sheet keeps its answer cells unlocked
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = wb.sheetnames.index(agency)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == agency
    wb.defined_names[FORM_AGENCY_NAME] = DefinedName(FORM_AGENCY_NAME, attr_text=excel_text(agency))
    wb.custom_doc_props.append(StringProperty(name=AGENCY_PROPERTY, value=agency))
    wb.custom_doc_props.append(StringProperty(name=VERSION_PROPERTY,
                                              value=book.framework.version or "-"))
    return wb


def write_forms(book: Book, directory: Path, prefill: bool = False, progress=None) -> list[Path]:
    """<id>.xlsx in `directory` for every agency of `book`, all or none: the set is written
    into a hidden folder beside the forms and moved into place only when every form is
    complete, so a full disk or an error part-way leaves the folder as it was."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReadinessError(Problem(f"cannot create the folder ({err.strerror})",
                                     file=str(directory))) from None
    targets = {agency: directory / f"{agency}.xlsx" for agency in book.agencies.index}
    for target in targets.values():  # all or none: not the first few, then an error
        check_not_locked(target)
        check_not_input(target)
    locks.remove_dead_temps(directory)
    try:
        staging = Path(tempfile.mkdtemp(prefix=locks.temp_prefix("forms"), suffix=".tmp",
                                        dir=directory))
    except OSError as err:
        raise ReadinessError(Problem(f"cannot write in the folder ({err.strerror})",
                                     file=str(directory))) from None
    try:
        for agency in targets:
            save_workbook(build_form(book, agency, prefill), staging / f"{agency}.xlsx")
            if progress:
                progress()
        for agency, target in targets.items():  # renames in one file system: no space needed
            os.replace(staging / f"{agency}.xlsx", target)
    except OSError as err:
        raise ReadinessError(Problem(f"could not write the questionnaires ({err.strerror}); "
                                     "none was written", file=str(directory))) from None
    except ReadinessError as err:
        raise ReadinessError([Problem(p.message.replace("the original is unchanged",
                                                        "no questionnaire was written"),
                                      p.sheet, p.cell, str(directory)) for p in err.problems]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return list(targets.values())


def form_agency(path: Path) -> str | None:
    """The agency id stamped in a form (already checked by read_book), or None."""
    with zipfile.ZipFile(path) as zf:
        stamp = defined_names(zf).get(FORM_AGENCY_NAME, "")
    return stamp[1:-1].replace('""', '"') if len(stamp) > 1 and stamp[0] == stamp[-1] == '"' else None
