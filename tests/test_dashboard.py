"""The Dashboard as a viewer that never recalculates sees it: `recalc` writes its formulas
with their values cached, and those values are LibreOffice's own (LibreOffice headless
recalculating every formula of the same file on load), cell for cell, to 1e-6: the
profile of the nation and of the chosen unit, the empty-state note, the sort keys and the
bar chart's sorted table (top and bottom 20 beyond 45 rows)."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT, long_book, run_cli
from openpyxl import load_workbook
from outside_tools import libreoffice_convert

from readiness_xl.workbook import layout as L

TOL = 1e-6


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


def formula_cells(path) -> dict[str, object]:
    """Each formula cell of the Dashboard -> its cached value (openpyxl's data_only)."""
    formulas = load_workbook(path)[L.DASHBOARD_SHEET]
    cached = load_workbook(path, data_only=True)[L.DASHBOARD_SHEET]
    return {c.coordinate: cached[c.coordinate].value for row in formulas.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


def assert_same_values(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for ref, value in ours.items():
        other = theirs[ref]
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            assert value == pytest.approx(other, abs=TOL), ref
        else:
            assert (value if value != "" else None) == (other if other != "" else None), ref


def choose(book, unit: str, out):
    """`book` with the Dashboard's chooser set to `unit` by openpyxl (a shared string)."""
    wb = load_workbook(book)
    wb[L.DASHBOARD_SHEET]["B3"] = unit
    wb.save(out)
    return out


def test_recalc_caches_the_dashboard_as_libreoffice_computes_it(sample_path, lo_profile, tmp_path):
    """The sample with its chooser on a ministry: every Dashboard figure is cached, and
    equals LibreOffice's; the chosen ministry's overall is its Summary row's."""
    chosen = choose(sample_path, "กระทรวงการคลัง", tmp_path / "chosen.xlsx")
    run_cli("recalc", chosen, "-o", tmp_path / "ours.xlsx")
    ours = formula_cells(tmp_path / "ours.xlsx")
    assert len(ours) > 40 and sum(v is not None for v in ours.values()) > 40   # before: all None
    lo = libreoffice_convert(tmp_path / "ours.xlsx", "xlsx", tmp_path / "lo", lo_profile)
    assert_same_values(ours, formula_cells(lo))
    summary = load_workbook(tmp_path / "ours.xlsx", data_only=True)[L.SUMMARY_SHEET]
    row = next(r for r in summary.iter_rows(values_only=True) if r[2] == "กระทรวงการคลัง")
    overall = [c.value for c in summary[1]].index("คะแนนรวม / Overall %")
    assert ours["C12"] == pytest.approx(row[overall], abs=TOL)    # the profile's overall row
    assert ours["A4"] is None or ours["A4"] == ""                 # answered: no empty-state note


def test_template_answered_in_part_and_blank(lo_profile, tmp_path):
    """Two agencies answered (the rest unscored, listed after the scored in the Summary's
    order) and a blank template (the empty-state note, no figures): as LibreOffice."""
    from test_live_summary import edit
    book = tmp_path / "t.xlsx"
    run_cli("new-template", book)
    edited = edit(book, {"D01": {"1.1": "ใช่", "2.1": 3}, "P01": {"1.1": "ใช่", "2.1": 3}},
                  tmp_path / "e.xlsx")   # a tie: the Summary's order keeps D01 first
    for name, source in (("answered", edited), ("blank", book)):
        out = tmp_path / f"{name}-ours.xlsx"
        run_cli("recalc", source, "-o", out)
        ours = formula_cells(out)
        lo = libreoffice_convert(out, "xlsx", tmp_path / f"lo-{name}", lo_profile)
        assert_same_values(ours, formula_cells(lo))
        if name == "blank":
            assert ours["A4"].startswith("ยังไม่มีคำตอบ")


def test_top_and_bottom_twenty_are_cached_as_libreoffice_sorts_them(lo_profile, tmp_path):
    """60 agencies: the chart's table of the 20 best, the nation and the 20 worst."""
    sys.path.insert(0, str(ROOT / "bench"))
    from workbooks import build
    book = build(tmp_path / "b60.xlsx", 60, "sheets")
    run_cli("recalc", book, "-o", tmp_path / "ours.xlsx")
    ours = formula_cells(tmp_path / "ours.xlsx")
    assert ours["E26"] is not None                       # the nation's place, computed
    lo = libreoffice_convert(tmp_path / "ours.xlsx", "xlsx", tmp_path / "lo", lo_profile)
    assert_same_values(ours, formula_cells(lo))


def test_a_dashboard_with_a_formula_of_its_own_is_left_as_it_is(sample_path, tmp_path):
    """A person's own formula on the Dashboard (or a Dashboard of another layout): its
    cells are kept byte for byte, without cached values."""
    import zipfile

    from readiness_xl.workbook.package import sheet_part
    wb = load_workbook(sample_path)
    wb[L.DASHBOARD_SHEET]["A40"] = "=1+1"
    wb.save(tmp_path / "own.xlsx")
    run_cli("recalc", tmp_path / "own.xlsx", "-o", tmp_path / "out.xlsx")
    parts = []
    for path in (tmp_path / "own.xlsx", tmp_path / "out.xlsx"):
        with zipfile.ZipFile(path) as zf:
            parts.append(zf.read(sheet_part(zf, L.DASHBOARD_SHEET)))
    assert parts[0] == parts[1]


def test_a_reason_without_formula_reads_in_thai_and_english_in_libreoffice(lo_profile, tmp_path):
    """Under exclude a geometric mean has no formula: the agency sheet's cell says why in
    Thai, then English; the sentence is longer than the 255 characters one text constant of
    a formula may hold, so it is written as constants joined by &, and LibreOffice shows it whole."""
    from test_live_exclude import EXCLUDE_DIMENSIONS, exclude_framework

    from readiness_xl.core.pipeline import NoFormula
    from readiness_xl.core.pipeline.aggregate import mean_formula
    reason = mean_formula("x", "w", 0.0, "exclude")
    assert isinstance(reason, NoFormula) and len(str(reason)) > 255
    assert str(reason).startswith("ไม่มีสูตรใดคำนวณได้: ค่าเฉลี่ยที่ไม่ใช่เลขคณิต")
    book = exclude_framework(tmp_path, EXCLUDE_DIMENSIONS.replace("C1,มิติ ค1,Care: staff,1,arithmetic",
                                                                  "C1,มิติ ค1,Care: staff,1,geometric"))
    formulas = load_workbook(book)["U1"]
    written = [c.value for row in formulas.iter_rows() for c in row
               if isinstance(c.value, str) and "ไม่มีสูตรใดคำนวณได้" in c.value]
    assert written and all(len(part) <= 255 + 2 for f in written for part in f[1:].split('"&"'))
    lo = load_workbook(libreoffice_convert(book, "xlsx", tmp_path / "lo", lo_profile), data_only=True)["U1"]
    shown = {c.value for row in lo.iter_rows() for c in row if isinstance(c.value, str)}
    assert str(reason) in shown
    assert any(s.startswith("ไม่มีสูตรใดคำนวณได้: คะแนนของมิติย่อย C1 ไม่มีสูตร / cannot be a formula") for s in shown)


def test_dashboard_formulas_use_only_functions_every_program_computes():
    """The Dashboard's formulas call only functions docs/live-workbook.md lists (Excel 2010
    and later, LibreOffice), none of Excel 365's dynamic-array ones."""
    import re

    from readiness_xl.workbook.dashboard_cells import DashboardShape, formulas
    from readiness_xl.workbook.live_summary import SummaryShape
    texts = formulas(DashboardShape(SummaryShape(["1", "2", "3"], 70, 20, 3))).values()
    used = {name for text in texts for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", text)}
    doc = (ROOT / "docs" / "live-workbook.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([A-Z][A-Z.]+)`", doc.split("Functions used in the Summary and the Dashboard:")[1]
                            .split("Every one is")[0]))
    assert {"LARGE", "MATCH", "INDEX", "ROUND", "ROW", "SUMPRODUCT"} <= used <= listed
    assert not used & {"SORT", "SORTBY", "FILTER", "XLOOKUP", "XMATCH", "LET", "UNIQUE", "SEQUENCE"}


def test_long_layout_dashboard_is_cached_as_libreoffice_computes_it(lo_profile, tmp_path):
    """The Responses layout, two agencies answered, a ministry chosen: its Summary holds
    values rather than formulas, and the Dashboard's cached values are still LibreOffice's."""
    book = long_book(tmp_path)
    chosen = choose(book, "กระทรวงมหาดไทย", tmp_path / "chosen.xlsx")   # P01's ministry
    run_cli("recalc", chosen, "-o", tmp_path / "ours.xlsx")
    ours = formula_cells(tmp_path / "ours.xlsx")   # 2 agencies, 2 ministries, 2 kinds, the nation
    assert sum(v is not None for v in ours.values()) > 25 and ours["C12"] is not None
    lo = libreoffice_convert(tmp_path / "ours.xlsx", "xlsx", tmp_path / "lo", lo_profile)
    assert_same_values(ours, formula_cells(lo))
