"""Recalculation and collection lose nothing: a copy of the sample is decorated with a
chart, an image, a comment, conditional formats, data validation, a defined name, custom
properties (and VBA for .xlsm); after `recalc` and `collect` every zip part we do not
own is byte-identical, and in the parts we do own only our cells changed."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import xlwings
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage

from readiness_xl.workbook.package import CONTENT_TYPES, WORKBOOK_PART, WORKBOOK_RELS, sheet_parts
from tests.conftest import run_cli

_SHEET_DATA = re.compile(r"<sheetData>.*</sheetData>|<sheetData/>", re.S)
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def decorate(source: Path, target: Path) -> None:
    """What an analyst adds in Excel, added with openpyxl to a copy (test set-up only)."""
    wb = load_workbook(source)
    extras = wb.create_sheet("Extras")
    extras["A1"] = "หมายเหตุของนักวิเคราะห์ / analyst's notes"
    chart = BarChart()
    chart.title = "Overall"
    summary = wb["Summary"]
    chart.add_data(Reference(summary, min_col=summary.max_column - 4, min_row=1, max_row=20),
                   titles_from_data=True)
    extras.add_chart(chart, "B3")
    png = io.BytesIO()
    PILImage.new("RGB", (40, 20), (31, 78, 121)).save(png, format="PNG")
    extras.add_image(Image(png), "L3")
    wb["D01"]["C5"].comment = Comment("ตรวจแล้ว / checked", "analyst")
    red = PatternFill("solid", fgColor="F8696B")
    wb["D01"].conditional_formatting.add("G5:G30", CellIsRule(operator="equal", formula=['"ไม่ใช่"'], fill=red))
    summary.conditional_formatting.add("G2:L60", CellIsRule(operator="lessThan", formula=["50"], fill=red))
    validation = DataValidation(type="whole", operator="between", formula1="0", formula2="9")
    validation.add("B2:B9")
    extras.add_data_validation(validation)
    wb.defined_names["AnalystNote"] = DefinedName("AnalystNote", attr_text="'Extras'!$A$1")
    wb.custom_doc_props.append(StringProperty(name="Reviewer", value="สมชาย"))
    wb.save(target)


XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"  # what Excel writes and opens


def as_xlsm(source: Path, target: Path) -> None:
    """Turn an .xlsx into an .xlsm carrying xlwings' own vbaProject.bin (zip patching)."""
    vba = zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm").read("xl/vbaProject.bin")
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == CONTENT_TYPES:
                data = data.replace(XLSX_MAIN, XLSM_MAIN).replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if info.filename == WORKBOOK_RELS:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", vba)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def outside_cells(xml: bytes) -> str:
    return _SHEET_DATA.sub("", re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml.decode()))


def cells(xml: bytes) -> dict[str, str]:
    return {m.group(1) + m.group(2): m.group(0) for m in _CELL.finditer(xml.decode())}


@pytest.fixture(scope="module")
def decorated(sample_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("decorated") / "decorated.xlsx"
    decorate(sample_path, path)
    return path


def test_decoration_is_really_there(decorated):
    names = set(parts(decorated))
    for pattern in (r"xl/charts/chart\d+\.xml", r"xl/media/image\d+\.png", r"xl/comments/comment\d+\.xml",
                    r"docProps/custom\.xml", r"xl/drawings/drawing\d+\.xml"):
        assert any(re.fullmatch(pattern, n) for n in names), pattern


def test_recalc_rewrites_only_the_summary_cells(decorated, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(decorated, book)
    before = parts(book)
    run_cli("recalc", book)
    after = parts(book)
    with zipfile.ZipFile(book) as zf:
        summary, dashboard = sheet_parts(zf)["Summary"], sheet_parts(zf)["Dashboard"]
    assert set(after) == set(before)
    # the Summary's cells, and the Dashboard's formulas with the values they compute cached
    assert {n for n in before if before[n] != after[n]} == {summary, dashboard}
    assert outside_cells(after[summary]) == outside_cells(before[summary])
    assert "conditionalFormatting" in outside_cells(after[summary])


def _master_and_returned_form(decorated, tmp_path) -> tuple[Path, Path]:
    """A copy of the decorated master and D01's prefilled form with one answer changed, as
    the agency saves it (a returned form, not the master); D02's form beside it unchanged."""
    book = tmp_path / "book.xlsx"
    shutil.copy(decorated, book)
    run_cli("forms", book, "-d", tmp_path / "forms", "--prefill")
    form = tmp_path / "forms" / "D01.xlsx"
    wb = load_workbook(form)
    wb["D01"]["G5"] = "ไม่ใช่" if wb["D01"]["G5"].value == "ใช่" else "ใช่"
    wb.save(form)
    return book, form


def test_collect_patches_answer_cells_and_adds_its_sheet_only(decorated, tmp_path):
    book, form = _master_and_returned_form(decorated, tmp_path)
    before = parts(book)
    run_cli("collect", form, tmp_path / "forms" / "D02.xlsx", "--into", book)
    after = parts(book)
    with zipfile.ZipFile(book) as zf:
        sheets = sheet_parts(zf)
    # styles.xml gains the Validation sheet's cell formats (appended: earlier ids keep their look)
    ours = {WORKBOOK_PART, WORKBOOK_RELS, CONTENT_TYPES, "xl/styles.xml", sheets["Summary"], sheets["D01"],
            sheets["D02"], sheets["Dashboard"]}
    validation = sheets["Validation"]   # the sheet and its (empty) relationships part, both ours
    assert set(after) - set(before) <= {validation, validation.replace("worksheets/", "worksheets/_rels/") + ".rels"}
    assert validation in set(after) - set(before)
    assert set(before) <= set(after)
    assert {n for n in before if before[n] != after[n]} <= ours
    for agency in ("D01", "D02"):
        old, new = before[sheets[agency]], after[sheets[agency]]
        assert outside_cells(new) == outside_cells(old)     # validation, formats, protection
        old_cells, new_cells = cells(old), cells(new)
        assert {r: c for r, c in old_cells.items() if not r.startswith("G")} == \
            {r: c for r, c in new_cells.items() if not r.startswith("G")}
    d01_before, d01_after = cells(before[sheets["D01"]]), cells(after[sheets["D01"]])
    assert d01_before["G5"] != d01_after["G5"]
    workbook_after = after[WORKBOOK_PART].decode()
    ours_only = re.sub(r'<sheet name="Validation"[^>]*/>|<definedName name="_xlnm.Print_Titles" '
                       r"""localSheetId="\d+">'Validation'![^<]*</definedName>""", "", workbook_after)
    assert ours_only == before[WORKBOOK_PART].decode()   # the sheet and its printed header row only
    assert '<definedName name="AnalystNote">' in workbook_after
    for part in (WORKBOOK_RELS, CONTENT_TYPES):     # one element added, nothing else changed
        new_element = rf'<[^<>]*"/{re.escape(sheets["Validation"])}"[^<>]*/>'
        assert re.sub(new_element, "", after[part].decode()) == before[part].decode()
    answers = load_workbook(book, read_only=True)["D01"]
    assert answers["G5"].value == load_workbook(form, read_only=True)["D01"]["G5"].value


def test_xlsm_keeps_its_vba_project_byte_for_byte(decorated, tmp_path):
    book = tmp_path / "book.xlsm"
    as_xlsm(decorated, book)
    before = parts(book)
    run_cli("recalc", book)
    after = parts(book)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert after[CONTENT_TYPES] == before[CONTENT_TYPES]
    assert XLSM_MAIN in after[CONTENT_TYPES] and XLSX_MAIN not in after[CONTENT_TYPES]
    with zipfile.ZipFile(book) as zf:
        summary, dashboard = sheet_parts(zf)["Summary"], sheet_parts(zf)["Dashboard"]
    assert {n for n in before if before[n] != after[n]} == {summary, dashboard}


def test_collect_leaves_the_summary_and_dashboard_as_recalc_would(decorated, tmp_path):
    """collect scores the merged answers and writes the Summary; the Dashboard's cached
    values follow it (a viewer that does not recalculate would otherwise show the figures
    of the last recalc beside a Summary of the new answers)."""
    book, form = _master_and_returned_form(decorated, tmp_path)
    before = parts(book)
    run_cli("collect", form, "--into", book)
    again = tmp_path / "again.xlsx"
    run_cli("recalc", book, "-o", again)
    with zipfile.ZipFile(book) as zf:
        sheets = sheet_parts(zf)
    collected, recalculated = parts(book), parts(again)
    assert collected[sheets["Dashboard"]] != before[sheets["Dashboard"]]
    for sheet in ("Summary", "Dashboard"):
        assert collected[sheets[sheet]] == recalculated[sheets[sheet]], sheet


def test_a_workbook_open_in_excel_is_reported_not_written(decorated, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(decorated, book)
    (tmp_path / "~$book.xlsx").write_bytes(b"\x05Excel" + b"\0" * 160)
    before = book.read_bytes()
    result = run_cli("recalc", book, check=False)
    assert result.returncode == 2 and "open in Excel" in result.stderr
    result = run_cli("collect", tmp_path / "none.xlsx", "--into", book, check=False)
    assert result.returncode == 2 and "open in Excel" in result.stderr
    assert book.read_bytes() == before
