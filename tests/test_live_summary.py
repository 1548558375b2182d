"""The Summary is live: answers changed in agency sheets without Python (openpyxl edits),
then LibreOffice recalculates on load, and every Summary row (agencies, ministries, kinds,
nation: dimensions, overall, rank, level, completeness) equals `readiness-xl recalc --json`
on the same answers. Recalculation caches every figure in its formula cell."""

from __future__ import annotations

import json
from pathlib import Path
import pandas as pd
import pytest
from conftest import ROOT, long_book, run_cli
from openpyxl import load_workbook
from outside_tools import libreoffice_convert

from readiness_xl.workbook import layout as L
from readiness_xl.workbook.live_summary import STALE_MESSAGE
from readiness_xl.workbook.summary import ROW_TYPES

TOL = 1e-6
ERRORS = ("#NAME?", "#VALUE!", "#DIV/0!", "#REF!", "#N/A", "Err:", "recalc")


def answer_rows(ws) -> dict[str, int]:
    """Indicator id -> row of an agency sheet."""
    out = {}
    for r in range(L.AGENCY_FIRST_ROW, ws.max_row + 1):
        ident = ws.cell(r, 1).value
        if ident is None:
            break
        out[str(ident)] = r
    return out


def edit(book, changes: dict[str, dict[str, object]], out):
    """`book` with answers changed by openpyxl only (agency -> indicator -> answer)."""
    wb = load_workbook(book)
    for agency, answers in changes.items():
        ws = wb[agency]
        rows = answer_rows(ws)
        for indicator, value in answers.items():
            ws.cell(rows[indicator], 7).value = value
    wb.save(out)
    return out


def columns(header: list) -> dict:
    out = {}
    for i, label in enumerate(header):
        text = str(label)
        if "/ Dim " in text:
            out[("dim", text.split("/ Dim ")[1].removesuffix(" %"))] = i
        for word in ("Overall", "Rank", "Completeness"):
            if word in text:
                out[word] = i
        if text == "Level":
            out["Level"] = i
        if text == "ระดับ":
            out["ระดับ"] = i
    return out


def summary_table(path) -> tuple[list[list], dict]:
    wb = load_workbook(path, data_only=True)
    rows = [list(r) for r in wb[L.SUMMARY_SHEET].iter_rows(values_only=True)]
    return rows, columns(rows[0])


def check_no_errors(path, agencies: list[str]) -> None:
    wb = load_workbook(path, data_only=True)
    for name in [L.SUMMARY_SHEET, *agencies]:
        for row in wb[name].iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not any(e in value for e in ERRORS), (name, value)


def assert_summary_equals(path, expected: dict, unanswered: tuple[str, str] | None = None) -> None:
    """Every Summary row equals the JSON: agencies, ministries, kinds (their means), nation.
    `unanswered`: the level the Summary shows for an agency without any answer (the JSON
    gives the band of its score)."""
    rows, col = summary_table(path)
    dims = list(expected["national"]["dimensions"])
    by_type = {}
    for row in rows[1:]:
        if row[0] is not None:
            by_type.setdefault(row[0], []).append(row)

    def same(row, unit, what):
        for d in dims:
            want = unit["dimensions"][d]
            got = row[col[("dim", d)]]
            assert (got if got != "" else None) == (pytest.approx(want, abs=TOL) if want is not None else None), \
                (what, d)
        got, want = row[col["Overall"]], unit["overall"]
        assert (got if got != "" else None) == (pytest.approx(want, abs=TOL) if want is not None else None), what

    agencies = {r[1]: r for r in by_type[ROW_TYPES["agency"]]}
    assert len(agencies) == len(expected["agencies"])
    for unit in expected["agencies"]:
        row = agencies[unit["id"]]
        same(row, unit, unit["id"])
        assert (row[col["Rank"]] if row[col["Rank"]] != "" else None) == unit["rank"], unit["id"]
        levels = (unit["level_th"], unit["level_en"])
        if unanswered is not None and unit["completeness"] == 0:
            levels = unanswered
        assert ((row[col["ระดับ"]] or ""), (row[col["Level"]] or "")) == levels, unit["id"]
        assert row[col["Completeness"]] == pytest.approx(unit["completeness"], abs=TOL)
    ministries = {r[2]: r for r in by_type[ROW_TYPES["ministry"]]}
    assert len(ministries) == len(expected["ministries"])
    for unit in expected["ministries"]:
        same(ministries[unit["name_th"]], unit, unit["name_th"])
    table = pd.DataFrame([{"kind": a["kind"], "overall": a["overall"], **a["dimensions"]}
                          for a in expected["agencies"]])
    kinds = by_type[ROW_TYPES["kind"]]
    assert len(kinds) == table["kind"].nunique()
    means = table.groupby("kind").mean()
    for row in kinds:
        kind = next(k for k in means.index if row[4] == L.kind_names(k)[0])
        same(row, {"overall": means.at[kind, "overall"], "dimensions": means.loc[kind, dims].to_dict()},
             kind)
    (national,) = by_type[ROW_TYPES["national"]]
    same(national, expected["national"], "national")


def assert_chart_sorted(path, expected: dict) -> None:
    """The Dashboard's bar chart source (LibreOffice's values) lists the agencies, the
    ministries and the nation best first, each once, with the overall of recalc --json;
    equal scores keep the Summary's order. Expected order worked out here from the JSON."""
    order, table = expected_order(path, expected), chart_table(path)
    assert_rows_show(table, order)
    assert [r[0] for r in table] == list(range(1, len(order) + 1))


def expected_order(path, expected: dict) -> list[tuple]:
    """(label, overall, Summary order, the table's column of its colour) of the chart's rows
    worked out from the JSON: scored rows best first (ties in the Summary's order), then the rest."""
    wb = load_workbook(path, data_only=True)
    summary = [list(r) for r in wb[L.SUMMARY_SHEET].iter_rows(min_row=2, values_only=True) if r[0]]
    by_id = {a["id"]: a["overall"] for a in expected["agencies"]}
    by_ministry = {m["name_th"]: m["overall"] for m in expected["ministries"]}
    entries = []
    for i, row in enumerate(summary):
        if row[0] == ROW_TYPES["agency"]:
            entries.append((row[2], by_id[row[1]], i, 3))
        elif row[0] == ROW_TYPES["ministry"]:
            entries.append((row[2] + " (ค่าเฉลี่ย)", by_ministry[row[2]], i, 4))
        elif row[0] == ROW_TYPES["national"]:
            entries.append((row[2] + " (ค่าเฉลี่ย)", expected["national"]["overall"], i, 5))
    scored = sorted((e for e in entries if e[1] is not None), key=lambda e: (-round(e[1], 6), e[2]))
    return scored + [e for e in entries if e[1] is None]


def chart_table(path) -> list[tuple]:
    """The Dashboard's sorted table as LibreOffice computed it: rows with a name."""
    from readiness_xl.builder.dashboard_sheet import RANKING_FIRST_COLUMN, RANKING_HEADER_ROW
    ws = load_workbook(path, data_only=True)[L.DASHBOARD_SHEET]
    return [r for r in ws.iter_rows(min_row=RANKING_HEADER_ROW + 1, min_col=RANKING_FIRST_COLUMN,
                                    max_col=RANKING_FIRST_COLUMN + 5, values_only=True) if r[2]]


def assert_rows_show(table, order) -> None:
    assert [r[2] for r in table] == [e[0] for e in order]
    for row, (label, overall, _, column) in zip(table, order):
        values = [v for v in row[3:] if v not in (None, "")]
        assert values == ([pytest.approx(overall, abs=TOL)] if overall is not None else []), label
        if overall is not None:
            assert row[column] == pytest.approx(overall, abs=TOL), label   # in its own colour


def recalc_json(book, tmp_path) -> dict:
    return json.loads(run_cli("recalc", book, "-o", tmp_path / "python.xlsx", "--json").stdout)


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


def test_sample_summary_follows_answers_changed_without_python(sample_path, lo_profile, tmp_path):
    """The recalculated sample (Summary written by recalc), answers changed by openpyxl:
    LibreOffice's Summary equals recalc --json on the changed answers, row for row; the
    narratives say they are out of date."""
    book = edit(sample_path, {"D01": {"1.1": "ไม่ใช่", "4.2": None, "2.1": 0},
                              "D02": {"1.1": "ใช่", "3.4": "yes", "3.1": 12.5, "6.2": 4},
                              "P01": {"1.2": "ไม่ใช่", "5.1": None}}, tmp_path / "edited.xlsx")
    expected = recalc_json(book, tmp_path)
    before = json.loads(run_cli("recalc", sample_path, "-o", tmp_path / "before.xlsx", "--json").stdout)
    assert expected["national"]["overall"] != pytest.approx(before["national"]["overall"], abs=TOL)
    lo = libreoffice_convert(book, "xlsx", tmp_path / "lo", lo_profile)
    assert_summary_equals(lo, expected)
    assert_chart_sorted(lo, expected)
    check_no_errors(lo, [a["id"] for a in expected["agencies"]])
    rows, col = summary_table(lo)
    status = rows[0].index("บทสรุปทันสมัย? / Narrative status")
    flagged = {r[1] or r[2] for r in rows[1:] if r[status] == STALE_MESSAGE}
    assert {"D01", "D02", "P01", "ประเทศไทย"} <= flagged
    assert "D03" not in flagged     # its answers and scores are as they were


def test_recalc_caches_every_figure_in_its_formula(sample_path, tmp_path):
    """openpyxl reads formulas, and with data_only the values recalculation computed."""
    expected = json.loads(run_cli("recalc", sample_path, "-o", tmp_path / "r.xlsx", "--json").stdout)
    formulas = load_workbook(tmp_path / "r.xlsx")[L.SUMMARY_SHEET]
    assert str(formulas["M2"].value).startswith("=") and "'D01'!$N$11" in formulas["M2"].value
    assert formulas["P2"].value.startswith("=IF(ISNUMBER(M2),1+COUNTIF(")
    assert_summary_equals(tmp_path / "r.xlsx", expected)
    rows, _ = summary_table(tmp_path / "r.xlsx")
    status = rows[0].index("บทสรุปทันสมัย? / Narrative status")
    assert {r[status] for r in rows[1:] if r[0]} == {None}


def test_template_summary_is_live_without_any_recalculation(lo_profile, tmp_path):
    """A blank template answered in openpyxl: LibreOffice alone gives the Summary."""
    book = tmp_path / "t.xlsx"
    run_cli("new-template", book)
    types = pd.read_csv(ROOT / "readiness_xl" / "data" / "be2560" / "indicators.csv", dtype={"id": str})
    typed = {"yesno": ["ใช่", "ไม่ใช่", "yes"], "scale": [1, 4, 3], "percent": [12.5, 100, 61]}
    answers = {row.id: typed[row.type][i % 3] for i, row in enumerate(types.itertuples())}
    first_nine = dict(list(answers.items())[:9])
    edited = edit(book, {"D01": answers, "P01": first_nine}, tmp_path / "e.xlsx")
    expected = recalc_json(edited, tmp_path)
    lo = libreoffice_convert(edited, "xlsx", tmp_path / "lo", lo_profile)
    assert_summary_equals(lo, expected)
    assert_chart_sorted(lo, expected)   # two agencies scored, the rest listed after them
    check_no_errors(lo, ["D01", "P01"])


OWN_DIMENSIONS = """id,name_th,name_en,weight,aggregation
A,มิติ ก,Access,2,geometric
B,มิติ ข,Basics,1,arithmetic
C,มิติ ค,Care,1,harmonic
"""
OWN_INDICATORS = """id,dimension,question_th,question_en,type,max,points,min,direction,transform,normalise
a1,A,,Speed (Mbit/s),number,1000,1,1,higher,log,goalposts
a2,A,,Coverage (%),number,100,2,20,higher,none,goalposts
b1,B,,Online service,yesno,1,1,,,,
b2,B,,Wait (days),number,30,1,2,lower,none,goalposts
c1,C,,Staff trained (0-4),scale,4,1,,,,
c2,C,,Uptime (%),percent,100,1,,,,
"""
OWN_BANDS = "lower,label_th,label_en\n0,ต่ำ,Low\n40,กลาง,Middle\n62.5,สูง,High\n"
OWN_SETTINGS = "key,value\naggregation,geometric\nall_units_th,ทุกหน่วย\nall_units_en,All units\n"
OWN_AGENCIES = """id,name_th,name_en,kind,ministry_th,ministry_en
U1,หน่วย 1,Unit 1,department,กระทรวง ก,Ministry A
U2,หน่วย 2,Unit 2,province,กระทรวง ก,Ministry A
U3,หน่วย 3,Unit 3,department,กระทรวง ข,Ministry B
U4,หน่วย 4,Unit 4,province,กระทรวง ข,Ministry B
U5,หน่วย 5,Unit 5,department,กระทรวง ข,Ministry B
"""



def own_book(book: Path, dimensions: str, indicators: str, settings: str) -> Path:
    """A template built by new-template from a framework given as CSV texts (OWN_BANDS, the
    five OWN_AGENCIES), in the folder of `book`."""
    folder = book.parent / "fw"
    folder.mkdir(exist_ok=True)
    for name, text in (("dimensions", dimensions), ("indicators", indicators),
                       ("bands", OWN_BANDS), ("settings", settings)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    agencies = book.parent / "agencies.csv"
    agencies.write_text(OWN_AGENCIES, encoding="utf-8")
    run_cli("new-template", book, "--framework", folder, "--agencies", agencies)
    return book

@pytest.mark.parametrize("decimals", [None, 1])
def test_own_framework_geometric_log_goalposts_and_decimals(decimals, lo_profile, tmp_path):
    """Log and capped goalposts, a lower-is-better indicator, geometric, harmonic and
    arithmetic dimensions, a geometric overall and one decimal: answered in openpyxl, two
    units tied, LibreOffice's Summary equals recalc --json."""
    settings = OWN_SETTINGS + ("" if decimals is None else f"decimals,{decimals}\n")
    book = own_book(tmp_path / "own.xlsx", OWN_DIMENSIONS, OWN_INDICATORS, settings)
    same = {"a1": 100, "a2": 60, "b1": "ใช่", "b2": 10, "c1": 3, "c2": 90}
    edited = edit(book, {
        "U1": same, "U2": dict(same),                                   # a tie
        "U3": {"a1": 5000, "a2": 10, "b1": "ไม่ใช่", "b2": 1, "c1": 4, "c2": 50},   # capped both ways
        "U4": {"a1": 2, "a2": 99, "b1": "yes", "b2": 45, "c1": 0, "c2": 75},     # a zero in harmonic C
        "U5": {"a1": 30, "b1": "ใช่", "c1": 2},                          # unanswered ones count 0
    }, tmp_path / "edited.xlsx")
    expected = recalc_json(edited, tmp_path)
    ranks = {a["id"]: a["rank"] for a in expected["agencies"]}
    assert ranks["U1"] == ranks["U2"]
    lo = libreoffice_convert(edited, "xlsx", tmp_path / "lo", lo_profile)
    assert_summary_equals(lo, expected)
    assert_chart_sorted(lo, expected)   # U1, U2 and their ministry's mean: a three-way tie
    check_no_errors(lo, list(ranks))
    # the same after our own recalculation wrote the Summary (formulas with cached values)
    lo2 = libreoffice_convert(tmp_path / "python.xlsx", "xlsx", tmp_path / "lo2", lo_profile)
    assert_summary_equals(lo2, expected)
    assert_chart_sorted(lo2, expected)


def test_long_layout_keeps_values_with_a_live_check_of_the_answers(lo_profile, tmp_path):
    """The Responses layout's Summary holds values; its status cells say, live, when any
    answer (a yes turned no, a number changed, a blank filled) differs from those scored."""
    from readiness_xl.workbook.long_check import LONG_STALE
    book = long_book(tmp_path)
    ws = load_workbook(book)[L.SUMMARY_SHEET]
    assert isinstance(ws["M2"].value, float)          # values, not formulas, in this layout
    wb = load_workbook(book)
    responses = wb[L.RESPONSES_SHEET]
    yes = next(r for r in range(2, responses.max_row + 1) if responses.cell(r, 3).value == "ใช่")
    number = next(r for r in range(2, responses.max_row + 1)
                  if isinstance(responses.cell(r, 3).value, (int, float)))
    variants = {"same": {}, "yes-no": {yes: "ไม่ใช่"},
                "number": {number: responses.cell(number, 3).value + 1}}
    for name, changes in variants.items():
        wb = load_workbook(book)
        for row, value in changes.items():
            wb[L.RESPONSES_SHEET].cell(row, 3).value = value
        wb.save(tmp_path / f"{name}.xlsx")
        lo = libreoffice_convert(tmp_path / f"{name}.xlsx", "xlsx", tmp_path / "lo", lo_profile)
        rows, _ = summary_table(lo)
        status = rows[0].index("บทสรุปทันสมัย? / Narrative status")
        flags = {r[status] for r in rows[1:] if r[0]}
        assert flags == ({None} if name == "same" else {LONG_STALE}), name


def test_monte_carlo_ranks_say_no_formula_computes_them_and_when_they_are_stale(
        sample_path, lo_profile, tmp_path):
    """The Uncertainty sheet says plainly that its ranks need Python, and its live flag
    turns on once an agency sheet's answers (hence the Summary's overalls) change."""
    from readiness_xl.workbook.live_summary import SIMULATION_NOTE, SIMULATION_STALE
    book = tmp_path / "r.xlsx"
    run_cli("robustness", sample_path, "-o", book, "--runs", "40", "--sobol-n", "16")

    def flag(path):
        ws = load_workbook(path, data_only=True)[L.UNCERTAINTY_SHEET]
        cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert SIMULATION_NOTE in cells
        label = cells["ทันสมัย? / Up to date?"]
        return ws.cell(label.row, label.column + 1).value

    assert flag(libreoffice_convert(book, "xlsx", tmp_path / "same", lo_profile)) is None
    edited = edit(book, {"D05": {"1.1": "ไม่ใช่", "1.2": "ไม่ใช่"}}, tmp_path / "edited.xlsx")
    assert flag(libreoffice_convert(edited, "xlsx", tmp_path / "changed", lo_profile)) == SIMULATION_STALE


def test_an_agency_sheet_laid_out_otherwise_gets_values_not_wrong_formulas(sample_path, tmp_path):
    """A workbook whose score block is not where this version puts it (another version's,
    a row inserted above it) gets the figures as values: a formula would read the wrong cell."""
    wb = load_workbook(sample_path)
    wb["D01"].insert_rows(6)
    moved = tmp_path / "moved.xlsx"
    wb.save(moved)
    expected = recalc_json(moved, tmp_path)
    ws = load_workbook(tmp_path / "python.xlsx")[L.SUMMARY_SHEET]
    assert ws["M2"].value == pytest.approx(expected["agencies"][0]["overall"], abs=TOL)


def test_summary_cells_leave_excel_calc_chain(sample_path, tmp_path):
    """Excel lists formula cells in xl/calcChain.xml and reports a damaged file when one it
    lists holds no formula: recalculation drops the Summary's entries (Excel rebuilds them)
    and keeps the others."""
    import zipfile

    from readiness_xl.workbook.package import sheet_parts
    with zipfile.ZipFile(sample_path) as zf:
        names = list(sheet_parts(zf))
    summary_id, d01_id = names.index(L.SUMMARY_SHEET) + 1, names.index("D01") + 1  # openpyxl's sheetIds
    chain = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<c r="N5" i="{d01_id}"/><c r="M99" i="{summary_id}"/><c r="M98"/>'
             f'<c r="N6" i="{d01_id}"/></calcChain>')
    book = tmp_path / "chain.xlsx"
    with zipfile.ZipFile(sample_path) as zin, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/calcChain.xml", chain)
    run_cli("recalc", book)
    with zipfile.ZipFile(book) as zf:
        written = zf.read("xl/calcChain.xml").decode()
    assert f'<c r="N5" i="{d01_id}"/>' in written and f'<c r="N6" i="{d01_id}"/>' in written
    assert "M99" not in written and "M98" not in written


def test_formula_cells_hold_their_cached_values_and_share_runs():
    """A run of one column's formulas, the same relative to their row, is one shared formula;
    each cell keeps its cached value (number, text, blank); text that looks like a formula
    stays text."""
    from readiness_xl.workbook.formula import ROW, Formula
    from readiness_xl.workbook.read_back import sheet_values
    from readiness_xl.workbook.sheet_xml import empty_sheet_xml, render_sheet_data
    rows = [["h1", "h2", "h3"],
            [Formula(f"B{ROW}*2", 2.0, 2, "k"), "=x0", Formula('IF(1,"t","")', "t")],
            [Formula(f"B{ROW}*2", 4.5, 3, "k"), 7.0, Formula('IF(0,"t","")', None)],
            [Formula(f"B{ROW}*2", 1.0, 4, "other"), None, None]]
    out = render_sheet_data(empty_sheet_xml(None, 3), rows)
    assert '<f t="shared" ref="A2:A3" si="0">B2*2</f>' in out and '<f t="shared" si="0"/>' in out
    assert "<f>B4*2</f>" in out                     # a run of one is a plain formula
    assert '<f>IF(1,"t","")</f>' in out
    values = sheet_values(out)
    assert values["A2"] == 2.0 and values["A3"] == 4.5 and values["A4"] == 1.0
    assert values["B2"] == "=x0" and values["C2"] == "t" and values.get("C3") in ("", None)


def test_a_true_50_after_float_noise_is_not_a_weak_dimension():
    """49.99999999999999 (a 50 after float noise) is not below 50 in the core, as LibreOffice
    and Excel, comparing the Summary's formula, do not count it either."""
    import numpy as np

    from readiness_xl.core.benchmarks import weak_mask
    from readiness_xl.workbook.live_summary import weak_formula
    assert weak_mask(np.array([49.99999999999999, 49.9999, 50.0])).tolist() == [False, True, False]
    assert "ROUND(G2,9)<50" in weak_formula(["G2"], ["1"])


def test_long_layout_fingerprints_by_hand():
    """The four sums of long_check, for cells of every kind, computed by hand: weights
    MOD(row, 97) + 1; numbers are int and float (numpy's too), not TRUE; a yes word counts
    whatever its case, with its spaces it is only text."""
    import numpy as np

    from readiness_xl.workbook.long_check import fingerprints
    values = [3, 2.5, "ใช่", True, None, " Yes", "YES", np.float64(0.5), 98]
    rows = [2, 3, 4, 5, 6, 7, 8, 9, 96]
    # weights:  3, 4,   5,     6,    7,   8,     9,     10,             97
    assert fingerprints(np.array(values, dtype=object), np.array(rows)) == (
        3 * 3 + 2.5 * 4 + 0.5 * 10 + 98 * 97,     # numbers
        3 + 4 + 10 + 97,                          # how many numbers
        3 * 5 + 4 * 8 + 3 * 9,                    # text lengths
        5 + 9)                                    # yes words


def test_many_units_chart_the_top_and_bottom_twenty_around_the_national_mean(lo_profile, tmp_path):
    """60 agencies, 20 ministries and the nation (81 rows, more than one page of bars): the
    chart's table shows the 20 best, the national mean, the 20 worst scored, live."""
    import sys
    sys.path.insert(0, str(ROOT / "bench"))  # as tests/test_fast_read.py reads the bench's builder
    from workbooks import build
    from readiness_xl.builder.dashboard_sheet import TOP_BOTTOM
    book = build(tmp_path / "b60.xlsx", 60, "sheets")
    expected = recalc_json(book, tmp_path)
    lo = libreoffice_convert(book, "xlsx", tmp_path / "lo", lo_profile)
    order = expected_order(lo, expected)
    assert len(order) == 81 and all(e[1] is not None for e in order)
    national = next(e for e in order if e[3] == 5)
    table = chart_table(lo)
    assert_rows_show(table, order[:TOP_BOTTOM] + [national] + order[-TOP_BOTTOM:])
    assert [r[0] for r in table] == [*range(1, 21), order.index(national) + 1, *range(62, 82)]
