"""Our workbooks as tools that are not ours see them: LibreOffice opens, recalculates
and prints them; the `formulas` engine computes them with our UDFs registered. Both
must give the numbers of `readiness-xl recalc --json`."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import ROOT, run_cli
from openpyxl import load_workbook
from PIL import Image
from outside_tools import libreoffice_convert, pdf_pages

from readiness_xl.builder.agency_sheet import NO_ADDIN
from readiness_xl.builder.dashboard_sheet import EMPTY_STATE
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.style import HEAT_STEPS

SHIPPED = ["sample_2560.xlsx", "readiness_template.xlsx"]
DIMS = ["1", "2", "3", "4", "5", "6"]
TOL = 1e-9


def recalc_json(book, tmp_path) -> dict:
    return json.loads(run_cli("recalc", book, "-o", tmp_path / "scored.xlsx", "--json").stdout)


def score_block(ws) -> dict:
    """The agency sheet's score block: column -> {dimension id / 'overall' / ...: value}."""
    rows = {str(ws.cell(r, 11).value): r for r in range(5, 5 + len(DIMS))}
    out = {}
    for col in ("N", "O"):
        values = {d: ws[f"{col}{rows[d]}"].value for d in DIMS}
        values["overall"] = ws[f"{col}11"].value
        values["level"] = ws[f"{col}12"].value
        out[col] = values
    out["N"]["completeness"] = ws["N13"].value
    return out


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


@pytest.mark.parametrize("name", SHIPPED)
def test_libreoffice_native_checks_equal_recalc(name, lo_profile, tmp_path):
    book = ROOT / "workbooks" / name
    expected = recalc_json(book, tmp_path)
    recalculated = libreoffice_convert(book, "xlsx", tmp_path / "lo", lo_profile)
    wb = load_workbook(recalculated, data_only=True)
    for agency in expected["agencies"]:
        block = score_block(wb[agency["id"]])
        native = block["N"]  # the scores people read are the plain formulas
        for d in DIMS:
            assert native[d] == pytest.approx(agency["dimensions"][d], abs=TOL), (agency["id"], d)
        assert native["overall"] == pytest.approx(agency["overall"], abs=TOL)
        answered = agency["completeness"] > 0  # a blank form has no level yet, not "ต่ำมาก"
        assert (native["level"] or None) == (agency["level_th"] if answered else None)
        assert native["completeness"] == pytest.approx(agency["completeness"], abs=TOL)
        # without our add-in the cross-check shows a dash, never #NAME? or an error text
        assert {block["O"][k] for k in [*DIMS, "overall"]} == {NO_ADDIN}
        assert (block["O"]["level"] or None) == (NO_ADDIN if answered else None)
    dash = wb[L.DASHBOARD_SHEET]
    national = [dash.cell(r, 2).value for r in range(6, 12)]
    if name == "readiness_template.xlsx":  # blank: no results yet, and the Dashboard says so
        assert national == [None] * 6 and dash["A4"].value == EMPTY_STATE
    else:  # the Dashboard's profile table follows the Summary's national row
        assert national == pytest.approx([expected["national"]["dimensions"][d] for d in DIMS], abs=TOL)
        assert dash["A4"].value is None


@pytest.mark.parametrize("name", SHIPPED)
def test_libreoffice_prints_thai_text(name, lo_profile, tmp_path):
    pdf = libreoffice_convert(ROOT / "workbooks" / name, "pdf", tmp_path / "pdf", lo_profile)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert any(f in fonts for f in ("Loma", "Garuda", "Norasi", "Kinnari", "Sarabun", "Tahoma")), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())  # words, whatever lines a title wraps to with the fonts present
    for words in ("กรอบการประเมินความพร้อมรัฐบาลดิจิทัล", "กรมส่งเสริมอุตสาหกรรม",
                  "Digital Government Readiness Dashboard"):
        assert words in flat
    pages = pdf_pages(pdf, tmp_path / "png")
    assert len(pages) >= 4 and all(p.stat().st_size > 1000 for p in pages)
    # what a reader sees without the add-in: no error text anywhere, page numbers on every page
    for error in ("#NAME", "Err:", "#VALUE", "#N/A", "#DIV/0", "ต้องใช้ add-in / needs"):
        assert error not in text
    assert text.count(f"of {len(pages)}") == len(pages)
    heat = {tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4)) for _, colour in HEAT_STEPS}
    coloured = sum(bool(heat & _colours(p)) for p in pages)
    if name == "readiness_template.xlsx":  # blank: nothing is coloured (red) before answers exist
        assert coloured == 0 and "ยังไม่มีคำตอบ" in text
    else:  # scores are coloured; the Summary prints gaps signed, kinds and row types in Thai
        assert coloured > 31
        for words in ("+8.4", "\u22123.5", "Page 1 of"):
            assert words in text
        squeezed = "".join(text.split())  # pdftotext puts spaces inside some Thai words
        assert "หน่วยงานระดับกรม" in squeezed and "ภาพรวม" in squeezed


def test_formulas_engine_computes_every_agency_sheet(tmp_path):
    formulas = pytest.importorskip("formulas")
    from udfs.formulas_bridge import register
    register()
    book = ROOT / "workbooks" / "sample_2560.xlsx"
    expected = recalc_json(book, tmp_path)
    solution = formulas.ExcelModel().loads(str(book)).finish().calculate()
    values = {k.split("]", 1)[1].upper(): v for k, v in solution.items() if "]" in k}  # cells, not internal nodes

    def cell(sheet: str, ref: str):
        return values[f"{sheet.upper()}'!{ref}"].value[0, 0]

    for agency in expected["agencies"]:
        sheet = agency["id"]
        for i, d in enumerate(DIMS, start=5):
            for col in ("N", "O"):  # our UDF and the native formula, both computed by formulas
                assert cell(sheet, f"{col}{i}") == pytest.approx(agency["dimensions"][d], abs=TOL)
        assert cell(sheet, "N11") == pytest.approx(agency["overall"], abs=TOL)
        assert cell(sheet, "O11") == pytest.approx(agency["overall"], abs=TOL)
        assert cell(sheet, "N12") == agency["level_th"] == cell(sheet, "O12")


def _colours(png) -> set[tuple[int, int, int]]:
    """Every RGB colour of a rendered page."""
    image = Image.open(png).convert("RGB")
    return {colour for _, colour in image.getcolors(image.width * image.height)}
