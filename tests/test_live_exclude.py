"""The live workbook under a framework whose `missing` setting is `exclude` (unanswered
indicators left out of their dimension's mean): answers changed in agency sheets without
Python, LibreOffice recalculates on load, and every Summary row equals `recalc --json`;
the agency sheets' plain formulas and our functions agree with it; where a mean has no
formula under the rule, or the run's rule is not the sheets', the Summary holds values."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from openpyxl import load_workbook
from outside_tools import libreoffice_convert
from test_live_summary import (OWN_INDICATORS, TOL, assert_summary_equals, check_no_errors, edit, lo_profile,
                               own_book, recalc_json, summary_table)

from readiness_xl.workbook import layout as L

__all__ = ["lo_profile"]   # the LibreOffice profile fixture, shared with test_live_summary


EXCLUDE_DIMENSIONS = """id,name_th,name_en,weight,aggregation,parent
A,มิติ ก,Access,2,arithmetic,
B,มิติ ข,Basics,1,arithmetic,
C,มิติ ค,Care,1,arithmetic,
C1,มิติ ค1,Care: staff,1,arithmetic,C
C2,มิติ ค2,Care: uptime,3,arithmetic,C
"""
# the indicators of test_live_summary's own framework, C's two under sub-dimensions C1 and C2
EXCLUDE_INDICATORS = OWN_INDICATORS.replace("c1,C,", "c1,C1,").replace("c2,C,", "c2,C2,")
EXCLUDE_SETTINGS = ("key,value\nmissing,exclude\ndecimals,1\n"
                    "all_units_th,ทุกหน่วย\nall_units_en,All units\n")


def exclude_framework(tmp_path, dimensions: str = EXCLUDE_DIMENSIONS):
    return own_book(tmp_path / "exclude.xlsx", dimensions, EXCLUDE_INDICATORS, EXCLUDE_SETTINGS)


def test_a_framework_that_leaves_blanks_out_is_live_too(lo_profile, tmp_path):
    """missing = exclude: an unanswered indicator leaves its dimension's mean (with its
    points), a dimension with no answer is blank and leaves the overall, an agency with no
    answer is blank, unranked and reads "no answers". Answered in openpyxl, LibreOffice's
    Summary (built by new-template, then the one recalc writes) equals recalc --json, and
    every figure recalc cached is what LibreOffice computes from its formulas."""
    from readiness_xl.core.results import NO_ANSWERS
    book = exclude_framework(tmp_path)
    edited = edit(book, {
        "U1": {"a1": 100, "a2": 60, "b1": "ใช่", "c1": 3},          # b2, c2 blank: left out
        "U2": {"a1": 30, "b1": "ไม่ใช่", "b2": 10},                  # C (C1 and C2) unanswered
        "U3": {"a2": 50, "c2": 80},                                  # B unanswered
        "U4": {"a1": 1000, "a2": 100, "b1": "yes", "b2": 2, "c1": 4, "c2": 100},
    }, tmp_path / "edited.xlsx")                                     # U5: no answer at all
    expected = recalc_json(edited, tmp_path)
    by_id = {a["id"]: a for a in expected["agencies"]}
    # by hand: U1's A = 100 (1 x log-share 2/3 + 2 x (60-20)/80) / 3 = 55.56, B = 100 (b2 left
    # out), C = C1 = 75 (C2 left out), overall (2 x 55.56 + 100 + 75) / 4 = 71.53, one decimal
    assert by_id["U1"]["dimensions"] == {"A": 55.6, "B": 100.0, "C": 75.0, "C1": 75.0, "C2": None}
    assert by_id["U1"]["overall"] == pytest.approx(71.5, abs=TOL)
    assert by_id["U2"]["dimensions"]["C"] is None and by_id["U2"]["overall"] is not None
    assert by_id["U5"]["overall"] is None and by_id["U5"]["rank"] is None
    template = libreoffice_convert(edited, "xlsx", tmp_path / "lo", lo_profile)
    recalculated = libreoffice_convert(tmp_path / "python.xlsx", "xlsx", tmp_path / "lo2", lo_profile)
    for label, path in (("template", template), ("recalc", recalculated)):
        assert_summary_equals(path, expected, NO_ANSWERS)
        check_no_errors(path, list(by_id))
        rows, col = summary_table(path)
        u5 = next(r for r in rows if r[1] == "U5")
        assert u5[col["Overall"]] in ("", None) and u5[col["Rank"]] in ("", None), label
        assert (u5[col["ระดับ"]], u5[col["Level"]]) == NO_ANSWERS, label
    cached = load_workbook(tmp_path / "python.xlsx")[L.SUMMARY_SHEET]
    assert str(cached["G2"].value).startswith("="), "recalc writes live formulas under exclude"
    same_as_cached(tmp_path / "python.xlsx", recalculated)
    rows, _ = summary_table(recalculated)    # nothing changed since the narratives were written
    status = rows[0].index("บทสรุปทันสมัย? / Narrative status")
    assert {r[status] or None for r in rows[1:] if r[0]} == {None}


def same_as_cached(recalculated, libreoffice) -> None:
    """Every Summary cell recalc cached (levels, gaps, weak dimensions, improve first of every
    row included) is what LibreOffice computes from its formula."""
    ours = list(load_workbook(recalculated, data_only=True)[L.SUMMARY_SHEET].iter_rows(values_only=True))
    theirs = list(load_workbook(libreoffice, data_only=True)[L.SUMMARY_SHEET].iter_rows(values_only=True))
    status = ours[0].index("บทสรุปทันสมัย? / Narrative status")
    assert len(ours) == len(theirs)
    for mine, lo in zip(ours[1:], theirs[1:]):
        for j, (a, b) in enumerate(zip(mine, lo)):
            if j >= status:
                continue
            a, b = (None if v == "" else v for v in (a, b))
            if isinstance(a, float) or isinstance(b, float):
                assert b == pytest.approx(a, abs=TOL), (mine[:3], ours[0][j])
            else:
                assert a == b, (mine[:3], ours[0][j])


def test_a_mean_without_a_formula_under_exclude_says_so_and_recalc_writes_values(tmp_path):
    """Under exclude a geometric mean has no plain formula: the agency sheet's cell says so,
    and so do the parent and overall above it (never a number that silently skips it);
    recalculation writes the Summary's values."""
    book = exclude_framework(tmp_path, EXCLUDE_DIMENSIONS.replace("C1,มิติ ค1,Care: staff,1,arithmetic",
                                                                  "C1,มิติ ค1,Care: staff,1,geometric"))
    ws = load_workbook(book)["U1"]
    scores = {ws.cell(r, 11).value: ws.cell(r, 14).value for r in range(5, 12)}   # column N
    assert "cannot be a formula" in scores["C1"] and "array IF" in scores["C1"]
    assert "cannot be a formula" in scores["C"] and "C1" in scores["C"]
    assert str(scores["A"]).startswith("=IF(ISNUMBER(P5),ROUND(P5,1)")      # A has its formula
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith("=cannot")]      # a reason is a text, never a formula
    overall = next(ws.cell(r, 14).value for r in range(5, 14) if ws.cell(r, 12).value == "คะแนนรวม / Overall")
    assert "cannot be a formula" in overall
    edited = edit(book, {"U1": {"a1": 100, "c1": 3}}, tmp_path / "edited.xlsx")
    expected = recalc_json(edited, tmp_path)
    summary = load_workbook(tmp_path / "python.xlsx")[L.SUMMARY_SHEET]
    assert summary["G2"].value == pytest.approx(expected["agencies"][0]["dimensions"]["A"], abs=TOL)


def test_summary_is_live_only_when_the_run_follows_the_rule_the_sheets_state(tmp_path):
    """Agency sheets state their missing-answer rule over the questionnaire. Recalculated
    under another rule (--missing zero on sheets built for exclude), or agency sheets that
    state zero (an earlier version's, built before sheets followed exclude) under the
    framework's exclude, the Summary gets values: formulas would show other figures."""
    book = exclude_framework(tmp_path)
    edited = edit(book, {"U1": {"a1": 100, "b1": "ใช่"}}, tmp_path / "edited.xlsx")
    wb = load_workbook(edited)
    assert wb["U1"][L.AGENCY_NOTE_CELL].value == L.AGENCY_NOTES["exclude"]
    run_cli("recalc", edited, "-o", tmp_path / "live.xlsx")
    assert str(load_workbook(tmp_path / "live.xlsx")[L.SUMMARY_SHEET]["G2"].value).startswith("=")
    zero = json.loads(run_cli("recalc", edited, "-o", tmp_path / "zero.xlsx", "--missing", "zero",
                              "--json").stdout)
    g2 = load_workbook(tmp_path / "zero.xlsx")[L.SUMMARY_SHEET]["G2"].value
    assert g2 == pytest.approx(zero["agencies"][0]["dimensions"]["A"], abs=TOL)
    assert g2 == pytest.approx(round(100 * (2 / 3) / 3, 1), abs=TOL)     # a2 blank counts 0
    for name in wb.sheetnames:
        if name.startswith("U"):
            wb[name][L.AGENCY_NOTE_CELL].value = L.AGENCY_NOTES["zero"]
    wb.save(tmp_path / "older.xlsx")
    older = recalc_json(tmp_path / "older.xlsx", tmp_path)
    g2 = load_workbook(tmp_path / "python.xlsx")[L.SUMMARY_SHEET]["G2"].value
    assert g2 == pytest.approx(older["agencies"][0]["dimensions"]["A"], abs=TOL)
    assert g2 == pytest.approx(round(100 * (2 / 3) / 1, 1), abs=TOL)     # a2 left out


def test_under_exclude_the_agency_sheets_and_our_functions_agree_with_recalc(tmp_path):
    """The `formulas` engine (our functions registered) computes every agency sheet of an
    exclude workbook: column N (plain formulas) and column O (the add-in's check) both give
    recalc --json's scores, blank where a dimension has no answer, no error text anywhere."""
    formulas = pytest.importorskip("formulas")
    from udfs.formulas_bridge import register

    from readiness_xl.workbook.score_block import score_cells
    register()
    book = exclude_framework(tmp_path)
    edited = edit(book, {"U1": {"a1": 100, "a2": 60, "b1": "ใช่", "c1": 3},
                         "U2": {"a1": 30, "b1": "ไม่ใช่", "b2": 10},
                         "U3": {"a2": 50, "c2": 80}}, tmp_path / "edited.xlsx")   # U4, U5 blank
    expected = recalc_json(edited, tmp_path)
    solution = formulas.ExcelModel().loads(str(edited)).finish().calculate()
    values = {k.split("]", 1)[1].upper(): v.value[0, 0] for k, v in solution.items() if "]" in k}
    where = score_cells(read_framework_of(edited))
    for agency in expected["agencies"]:
        for column in ("N", "O"):
            def cell(key):
                return values.get(f"{agency['id'].upper()}'!{column}{where[key][1:]}")
            for d, want in agency["dimensions"].items():
                got = cell(d)
                if want is None:
                    assert got in ("", None), (agency["id"], column, d, got)
                else:   # the check column shows the dimensions unrounded
                    assert round(got, 1) == pytest.approx(want, abs=TOL), (agency["id"], column, d)
            if agency["overall"] is None:
                assert cell("overall") in ("", None) and cell("level") in ("", None), (agency["id"], column)
            else:
                assert cell("overall") == pytest.approx(agency["overall"], abs=TOL), (agency["id"], column)
                assert cell("level") == agency["level_th"], (agency["id"], column)


def read_framework_of(path):
    from readiness_xl.workbook.read import read_book
    return read_book(path).framework
