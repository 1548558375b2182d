"""The B.E. 2560 sample reproduces every figure the survey article publishes."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from readiness_xl.sample.build import published_figures
from readiness_xl.workbook.summary import ROW_TYPES
from tests.conftest import run_cli

INDUSTRY = "กระทรวงอุตสาหกรรม"
DIP = "D01"


def unit_values(report: dict, unit_type: str, unit: str) -> dict:
    if unit_type == "national":
        return report["national"]
    if unit_type == "ministry":
        return next(m for m in report["ministries"] if m["name_th"] == unit)
    return next(a for a in report["agencies"] if a["id"] == unit)


def test_nine_published_figures_to_one_decimal(sample_json):
    figures = published_figures()
    assert len(figures) == 9
    for _, fig in figures.iterrows():
        values = unit_values(sample_json, fig["unit_type"], fig["unit"])
        got = values["overall"] if fig["measure"] == "overall" else values["dimensions"][fig["measure"]]
        assert round(got, 1) == pytest.approx(fig["value"]), fig.to_dict()


def test_article_wording_of_levels_and_lowest_dimensions(sample_json):
    national = sample_json["national"]
    dip = unit_values(sample_json, "agency", DIP)
    industry = unit_values(sample_json, "ministry", INDUSTRY)
    # the two dimensions below 50% for the nation and the ministry are 4 and 6
    assert sorted(d for d, v in national["dimensions"].items() if v < 50) == ["4", "6"]
    assert sorted(d for d, v in industry["dimensions"].items() if v < 50) == ["4", "6"]
    # the department's two lowest are 4 and 5; most of its dimensions are above 60
    lowest = sorted(dip["dimensions"], key=dip["dimensions"].get)[:2]
    assert sorted(lowest) == ["4", "5"]
    assert sum(v > 60 for v in dip["dimensions"].values()) >= 4
    # level words of the article: 66.2 "ดีมาก"; the ministry and the nation "ต่ำมาก"
    assert dip["level_th"] == "ดีมาก"
    assert round(dip["overall"] - national["overall"], 1) == 8.4


def test_sample_benchmarks_ranks_and_overalls_are_their_formulas(sample_json):
    """31 agencies in 5 ministries, both kinds, every indicator answered; each overall is
    the weighted mean of its dimensions (the framework's weights), each ministry and the
    nation the mean of their agencies, ranks RANK.EQ: all from the README's formulas in
    plain Python (tests/reference.py), and the published 57.8 and 54.4 among them."""
    from readiness_xl.sample.source_data import load_framework
    from tests import reference as ref

    agencies = sample_json["agencies"]
    assert len(agencies) == 31 and len(sample_json["ministries"]) == 5
    assert {a["kind"] for a in agencies} == {"department", "province"}
    assert all(a["completeness"] == 100.0 for a in agencies)
    weights = {str(d): float(w) for d, w in load_framework().dimensions["weight"].items()}
    dims = list(weights)
    for a in agencies:
        expected = ref.mean([a["dimensions"][d] for d in dims], [weights[d] for d in dims], 1.0)
        assert a["overall"] == pytest.approx(expected, abs=1e-9), a["id"]
    assert [a["rank"] for a in agencies] == ref.rank_eq([a["overall"] for a in agencies])
    groups = {"national": agencies}
    for m in sample_json["ministries"]:
        groups[m["name_th"]] = [a for a in agencies if a["ministry"] == m["name_th"]]
    for name, members in groups.items():
        row = unit_values(sample_json, "national" if name == "national" else "ministry", name)
        for d in dims:
            assert row["dimensions"][d] == pytest.approx(
                sum(a["dimensions"][d] for a in members) / len(members), abs=1e-9), (name, d)
        assert row["overall"] == pytest.approx(sum(a["overall"] for a in members) / len(members), abs=1e-9)
    assert round(sample_json["national"]["overall"], 1) == 57.8
    assert round(unit_values(sample_json, "ministry", INDUSTRY)["overall"], 1) == 54.4


def test_summary_sheet_levels_for_ministry_and_nation(sample_path):
    ws = load_workbook(sample_path, read_only=True, data_only=True)["Summary"]
    rows = {(r[0], r[2]): r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    header = next(ws.iter_rows(max_row=1, values_only=True))
    level = header.index("ระดับ")
    overall = header.index("คะแนนรวม / Overall %")
    assert rows[(ROW_TYPES["ministry"], INDUSTRY)][level] == "ต่ำมาก"
    national = next(r for k, r in rows.items() if k[0] == ROW_TYPES["national"])
    assert national[level] == "ต่ำมาก"
    assert round(national[overall], 1) == 57.8
    assert round(rows[(ROW_TYPES["agency"], "กรมส่งเสริมอุตสาหกรรม")][overall], 1) == 66.2


def test_demo_prints_the_published_figures():
    out = run_cli("demo").stdout
    for figure in ("57.8", "49.3", "47.0", "54.4", "41.4", "49.0", "66.2", "61.3", "60.0"):
        assert figure in out


def test_editing_a_weight_in_the_sheet_changes_overall_by_the_formula(sample_copy, sample_json, tmp_path):
    wb = load_workbook(sample_copy)
    ws = wb["Framework"]
    sheet, ref = next(iter(wb.defined_names["Weights"].destinations))
    cells = [row[0] for row in ws[ref.replace("$", "")]]
    by_dim = {str(ws.cell(row=c.row, column=1).value): c for c in cells}
    by_dim["3"].value, by_dim["4"].value = 25, 15          # 30/10 -> 25/15, still 100
    wb.save(sample_copy)
    new = json.loads(run_cli("recalc", sample_copy, "--json").stdout)
    weights = {d: float(c.value) for d, c in by_dim.items()}
    for before, after in zip(sample_json["agencies"], new["agencies"]):
        assert after["dimensions"] == pytest.approx(before["dimensions"])
        expected = sum(weights[d] * v for d, v in before["dimensions"].items()) / 100
        assert after["overall"] == pytest.approx(expected, abs=1e-9)  # JSON keeps 12 significant digits




def test_summary_compares_each_unit_with_the_nation(sample_path):
    from openpyxl import load_workbook
    ws = load_workbook(sample_path, read_only=True, data_only=True)["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    col = {h: head.index(h) for h in head}
    by_name = {r[2]: r for r in rows[1:]}
    dip, moi = by_name["กรมส่งเสริมอุตสาหกรรม"], by_name["กระทรวงอุตสาหกรรม"]
    gap, below, first = ("เทียบค่าเฉลี่ยประเทศ / vs national (points)", "มิติต่ำกว่า 50% / Below 50%",
                         "พัฒนามิติใดก่อน / Improve first")
    assert round(dip[col[gap]], 1) == 8.4 and dip[col[below]] in (None, "")
    # dimension 3 (30%) at 68.4: 0.30 x 31.6 = 9.5 points to gain, the most of any dimension
    assert dip[col[first]] == "3"
    assert round(moi[col[gap]], 1) == -3.4 and moi[col[below]] == "4, 6"
    national = by_name["ประเทศไทย"]  # the all-units label of the B.E. 2560 settings
    assert national[col[gap]] == 0 and national[col[below]] == "4, 6"
    assert head[-1] == "บทสรุป / Narrative"
