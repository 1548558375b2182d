"""The template and the sample, as openpyxl reads them back, and the committed
workbooks/ files: rebuilt from source, they must have the same content."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_cli
from openpyxl import load_workbook
from openpyxl.chart import BarChart, RadarChart
from workbook_content import differences, workbook_content

from readiness_xl.builder.agency_sheet import ordered_indicators
from readiness_xl.sample.build import build_template
from readiness_xl.sample.source_data import load_framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.summary import ROW_TYPES

FRAMEWORK = load_framework()


@pytest.fixture(scope="module")
def sample_book(sample_path):
    return load_workbook(sample_path)


def test_defined_names_point_at_the_framework_tables(sample_book):
    ws = sample_book[L.FRAMEWORK_SHEET]
    weights = [ws[ref].value for _, rng in sample_book.defined_names[L.WEIGHTS_NAME].destinations
               for row in ws[rng] for ref in [row[0].coordinate]]
    assert weights == [20, 20, 30, 10, 15, 5]
    (_, bands), = sample_book.defined_names[L.LEVEL_BANDS_NAME].destinations
    assert [[c.value for c in row] for row in ws[bands]] == [
        [0, "ต่ำมาก", "Very low"], [60, "ดี", "Good"], [65, "ดีมาก", "Very good"], [80, "ดีเยี่ยม", "Excellent"]]
    (_, indicators), = sample_book.defined_names[L.INDICATORS_NAME].destinations
    rows = ws[indicators]
    assert [r[0].value for r in rows] == FRAMEWORK.indicator_ids
    (_, version), = sample_book.defined_names[L.FRAMEWORK_VERSION_NAME].destinations
    assert ws[version.replace("$", "")].value == "B.E. 2560 (2017) v1"


def test_agency_sheet_is_a_protected_questionnaire_with_validation(sample_book):
    ws = sample_book["D01"]
    assert ws.protection.sheet
    assert ws.freeze_panes == "C5"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws["C5"].font.name == "Tahoma"
    order = ordered_indicators(FRAMEWORK)
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    by_cell[cell.coordinate] = dv
    for r, (ind, spec) in enumerate(order.iterrows(), start=L.AGENCY_FIRST_ROW):
        assert ws[f"A{r}"].value == ind
        answer = ws[f"G{r}"]
        assert answer.protection.locked is False, f"answer cell G{r} must be unlocked"
        assert ws[f"C{r}"].protection.locked is not False
        dv = by_cell[f"G{r}"]
        expected = {"yesno": "list", "scale": "whole", "percent": "decimal"}[spec["type"]]
        assert dv.type == expected
        if expected == "list":
            assert dv.formula1 == '"ใช่,ไม่ใช่"'
        else:
            assert float(dv.formula2) == (100 if spec["type"] == "percent" else spec["max"])
    # the score block: plain formulas people read (N), our functions as a quiet cross-check (O)
    assert ws["N5"].value == "=100*SUMPRODUCT(H5:H8,I5:I8)/SUM(H5:H8)"
    assert ws["O5"].value == '=IFERROR(DIMENSION_SCORE(G5:G8,F5:F8,H5:H8),"\u2013")'
    assert ws["N11"].value == "=SUMPRODUCT(M5:M10,N5:N10)/SUM(M5:M10)"
    assert ws["O11"].value == '=IFERROR(READINESS_SCORE(O5:O10,Weights),"\u2013")'
    assert ws["N12"].value.startswith('=IF(COUNTA(G5:G24)=0,"",INDEX(\'Framework\'!$B$') and "MATCH(N11," in ws["N12"].value
    assert ws["O12"].value == '=IFERROR(IF(COUNTA(G5:G24)=0,"",READINESS_LEVEL(O11,LevelBands)),"\u2013")'
    assert ws["N5"].font.b and not ws["O5"].font.b and ws["O5"].font.sz < ws["N5"].font.sz
    assert "Score" in ws["N4"].value and "add-in" in ws["O4"].value


def test_dashboard_charts_refer_to_summary_and_profile(sample_book):
    ws = sample_book[L.DASHBOARD_SHEET]
    charts = ws._charts
    assert sorted(type(c).__name__ for c in charts) == ["BarChart", "RadarChart"]
    radar = next(c for c in charts if isinstance(c, RadarChart))
    refs = [s.val.numRef.f for s in radar.series]
    assert refs == ["'Dashboard'!$B$6:$B$11", "'Dashboard'!$C$6:$C$11"]
    bar = next(c for c in charts if isinstance(c, BarChart))
    # the sorted table: 31 agencies, 5 ministries and the nation, one series per colour
    assert [s.val.numRef.f for s in bar.series] == [f"'Dashboard'!${c}$6:${c}$42" for c in "HIJ"]
    assert all((s.cat.numRef or s.cat.strRef).f == "'Dashboard'!$G$6:$G$42" for s in bar.series)
    assert [s.tx.strRef.f for s in bar.series] == [f"'Dashboard'!{c}5" for c in "HIJ"]
    assert ws["H5"].value.startswith("หน่วยงาน") and ws["J5"].value.startswith("ค่าเฉลี่ยประเทศไทย")
    assert ws["B3"].value == "กรมส่งเสริมอุตสาหกรรม"
    assert f'MATCH("{ROW_TYPES["national"]}"' in ws["B6"].value


def test_xlwings_conf_sheet_names_the_udf_module(sample_book):
    ws = sample_book[L.XLWINGS_CONF_SHEET]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 3)}
    assert settings["UDF Modules"] == "udfs.functions"
    import importlib
    module = importlib.import_module(settings["UDF Modules"])
    assert callable(module.READINESS_SCORE)


def test_sample_says_which_figures_are_published(sample_book):
    text = " ".join(str(c.value) for row in sample_book[L.START_SHEET].iter_rows() for c in row if c.value)
    assert "published, 9 figures" in text and "illustrative" in text
    assert "ประเทศไทย overall 57.8" in text and "D01 overall 66.2" in text


def template_for(tmp_path, agency_row: str):
    """`new-template --agencies` with one agency (a CSV row), opened with openpyxl."""
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\n" + agency_row + "\n")
    out = tmp_path / "mine.xlsx"
    run_cli("new-template", out, "--agencies", agencies)
    return out, load_workbook(out)


def test_new_template_with_own_agencies(tmp_path):
    out, wb = template_for(tmp_path, "X1,กรมทดสอบ,Test Department,department,กระทรวงทดสอบ,Ministry of Tests")
    assert "X1" in wb.sheetnames and wb["X1"]["B2"].value == "X1"
    assert all(wb["X1"][f"G{r}"].value is None for r in range(5, 25))
    # an empty template recalculates: nothing answered scores 0 with completeness 0
    result = json.loads(run_cli("recalc", out, "-o", tmp_path / "r.xlsx", "--json").stdout)
    assert result["agencies"][0]["overall"] == 0 and result["agencies"][0]["completeness"] == 0


@pytest.mark.parametrize("name", ["readiness_template.xlsx", "sample_2560.xlsx"])
def test_committed_workbooks_match_a_rebuild(name, sample_path, tmp_path):
    committed = ROOT / "workbooks" / name
    if name == "sample_2560.xlsx":
        rebuilt = sample_path
    else:
        rebuilt = tmp_path / name
        build_template(rebuilt)
    problems = differences(workbook_content(committed), workbook_content(rebuilt))
    assert not problems, f"{name} is stale; run `make workbooks`: {problems}"


def test_new_template_takes_the_framework_of_another_workbook(sample_copy, tmp_path):
    from openpyxl import load_workbook as load
    wb = load(sample_copy)
    ws = wb[L.FRAMEWORK_SHEET]
    ws["D5"], ws["D7"] = 30, 20  # a colleague moved 10 points from dimension 3 to 1
    edited = tmp_path / "colleague.xlsx"
    wb.save(edited)
    out = tmp_path / "new.xlsx"
    run_cli("new-template", out, "--framework", edited)
    weights = [load(out)[L.FRAMEWORK_SHEET][f"D{r}"].value for r in range(5, 11)]
    assert weights == [30, 20, 20, 10, 15, 5]
    assert load(out)["D01"]["G5"].value is None  # another framework: examples come unanswered


def test_names_that_look_like_formulas_stay_text(tmp_path):
    _, wb = template_for(tmp_path, 'X1,"=HYPERLINK(""http://evil"",""x"")",+cmd,department,@SUM(1),-1+1')
    ws = wb[L.AGENCIES_SHEET]
    assert ws["B2"].data_type == "s" and ws["B2"].value == '=HYPERLINK("http://evil","x")'
    assert [ws[c].data_type for c in ("C2", "E2", "F2")] == ["s", "s", "s"]
    assert wb["X1"]["A1"].data_type == "s"
