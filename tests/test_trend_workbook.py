"""`readiness-xl trend` on the sample rounds (the illustrative B.E. 2559 round and the
B.E. 2560 sample): its JSON, the trend workbook as openpyxl and LibreOffice see it, the
UDFs over its Trend sheet, long-form workbooks, and one-line errors."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest
from conftest import ROOT, run_cli
from openpyxl import load_workbook
from rich.cells import cell_len
from outside_tools import libreoffice_convert, page_word_heights, pdf_pages
from test_robustness_sheets import EIGHT_POINT_WORDS
from PIL import Image
from workbook_content import differences, workbook_content

from readiness_xl.errors import ReadinessError
from readiness_xl.sample.rounds import MAPPING_CSV, build_sample_2559, load_round_2559
from readiness_xl.workbook import trend_layout as TL
from readiness_xl.builder.responses_sheet import save_long_workbook


@pytest.fixture(scope="module")
def rounds(sample_path, tmp_path_factory):
    """The 2559 sample built beside a copy of the 2560 sample."""
    folder = tmp_path_factory.mktemp("rounds")
    early = folder / "sample_2559.xlsx"
    build_sample_2559(early)
    return early, sample_path


@pytest.fixture(scope="module")
def trend_run(rounds, tmp_path_factory):
    out = tmp_path_factory.mktemp("trend") / "trend.xlsx"
    result = run_cli("trend", *rounds, "--map", MAPPING_CSV, "-o", out, "--json")
    return out, json.loads(result.stdout)


def unit(report: dict, ident: str) -> dict:
    return next(u for u in report["units"] if u["id"] == ident)


def test_json_shape_and_the_published_2560_figures_stay_exact(trend_run, sample_json):
    _, report = trend_run
    assert report["rounds"] == ["2559", "2560"]
    dip = unit(report, "D01")
    assert set(dip) >= {"id", "rounds", "change", "rank_change"}
    assert set(dip["rounds"]["2560"]) >= {"overall", "rank", "level_en"}
    assert round(dip["rounds"]["2560"]["overall"], 1) == 66.2                 # published
    assert round(report["national"]["rounds"]["2560"]["overall"], 1) == 57.8  # published
    industry = next(m for m in report["ministries"] if m["id"] == "กระทรวงอุตสาหกรรม")
    assert round(industry["rounds"]["2560"]["overall"], 1) == 54.4            # published
    # every 2560 agency as `recalc --json` gives it
    for agency in sample_json["agencies"]:
        assert unit(report, agency["id"])["rounds"]["2560"]["overall"] == pytest.approx(agency["overall"])
    assert dip["change"] == pytest.approx(dip["rounds"]["2560"]["overall"] - dip["rounds"]["2559"]["overall"])
    assert dip["rank_change"] == dip["rounds"]["2559"]["rank"] - dip["rounds"]["2560"]["rank"]


def test_sample_rounds_match_by_id_with_the_mapping(trend_run):
    _, report = trend_run
    # TISI (2559) is followed as D04 (2560); D24 only in 2559; P08 only in 2560
    assert set(unit(report, "D04")["rounds"]) == {"2559", "2560"}
    assert all(u["id"] != "TISI" for u in report["units"])
    assert {u["id"]: u["rounds"] for u in report["only_in_some_rounds"]} == {"P08": ["2560"], "D24": ["2559"]}
    changes = {c["measure"]: c for c in report["framework_changes"]}
    assert not changes["overall"]["comparable"] and "dimension 3 weight 35%→30% in 2560" in changes["overall"]["note"]
    assert changes["6"]["note"] == "not in 2559" and changes["4"]["comparable"]
    assert "2.3" not in report["common_indicators"] and "4.1" in report["common_indicators"]


def test_trend_workbook_as_openpyxl_reads_it(trend_run):
    out, report = trend_run
    wb = load_workbook(out)
    assert wb.sheetnames[:5] == ["README", TL.TREND_DASHBOARD_SHEET, TL.TREND_SHEET, TL.ROUNDS_SHEET,
                                 TL.UNITS_SHEET]
    ws = wb[TL.TREND_SHEET]
    keys = [TL.column_key(c.value) for c in ws[1]]
    assert None not in keys and keys[:7] == ["unit_type", "id", "name_th", "name_en", "ministry_th",
                                             "measure", "measure_name"]
    rows = {(r[0], r[1], r[5]): dict(zip(keys, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    national = rows[("national", "national", "overall")]
    assert national["score_2560"] == pytest.approx(report["national"]["rounds"]["2560"]["overall"])
    dip = rows[("agency", "D01", "overall")]
    assert dip["change_2559_2560"] == pytest.approx(unit(report, "D01")["change"])
    assert dip["trend_th"].startswith("กรมส่งเสริมอุตสาหกรรม ได้ 66.2% ในปี ๒๕๖๐")
    assert rows[("agency", "D01", "6")]["score_2559"] is None  # no dimension 6 in 2559: blank, not 0
    assert "ไม่มีในปี 2559" in rows[("agency", "D01", "6")]["note"]
    assert len(wb[TL.TREND_DASHBOARD_SHEET]._charts) == 4
    # the sample rounds are invented: the README and the dashboard say so
    assert "Illustrative data" in wb[TL.TREND_DASHBOARD_SHEET]["A4"].value
    assert any("Illustrative data" in str(c.value) for c in wb["README"]["A"])
    units = {r[1]: r for r in wb[TL.UNITS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert units["D24"][4:7] == ("✓", "—", "มีเฉพาะปี 2559 / only in 2559")
    assert "TISI → D04 (renamed)" in units["D04"][7]


def test_udfs_read_the_trend_sheet(trend_run):
    import udfs.functions as xl
    from udfs.remote_book import remote_book
    out, report = trend_run
    caller = remote_book(out).sheets[TL.TREND_SHEET].range("A1")  # the calling cell, as xlwings gives it
    dip = unit(report, "D01")
    assert xl.READINESS_CHANGE([["D01"]], [[2559]], [[2560]], caller=caller) == pytest.approx(dip["change"])
    assert xl.READINESS_CHANGE([["กรมส่งเสริมอุตสาหกรรม"]], [[2016]], [[2017]], [[4]], caller=caller) == \
        pytest.approx(dip["rounds"]["2560"]["dimensions"]["4"] - dip["rounds"]["2559"]["dimensions"]["4"])
    # Excel passes every number as a float: dimension 4.0 (or Thai ๔) is dimension 4
    assert xl.READINESS_CHANGE([["D01"]], [[2559.0]], [[2560.0]], [[4.0]], caller=caller) == \
        xl.READINESS_CHANGE([["D01"]], [[2559]], [[2560]], [["๔"]], caller=caller) == \
        pytest.approx(dip["rounds"]["2560"]["dimensions"]["4"] - dip["rounds"]["2559"]["dimensions"]["4"])
    assert xl.RANK_CHANGE([["D01"]], [[2559]], [[2560]], caller=caller) == dip["rank_change"]
    assert xl.READINESS_CHANGE([["P08"]], [[2559]], [[2560]], caller=caller) == "#N/A: P08 has no score in 2559"


def test_long_form_rounds_give_the_same_trend(rounds, trend_run, tmp_path):
    framework, agencies, raw = load_round_2559()
    long_form = tmp_path / "long_2559.xlsx"
    save_long_workbook(framework, agencies, raw, long_form)
    result = run_cli("trend", long_form, rounds[1], "--map", MAPPING_CSV, "--json")
    assert json.loads(result.stdout) == trend_run[1]


def test_years_can_be_given_and_errors_are_one_line(rounds, tmp_path):
    report = json.loads(run_cli("trend", *rounds, "--years", "2015,๒๕๕๙", "--json").stdout)
    assert report["rounds"] == ["2558", "2559"]
    # without the mapping TISI and D04 are two units, each listed as in one round only
    partial = {u["id"]: u["rounds"] for u in report["only_in_some_rounds"]}
    assert partial["TISI"] == ["2558"] and partial["D04"] == ["2559"]
    bad = tmp_path / "map.csv"
    bad.write_text("round,round_id,trend_id\n2559,NOPE,D04\n", encoding="utf-8")
    result = run_cli("trend", *rounds, "--map", bad, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("readiness-xl: error: map.csv, line 2: agency 'NOPE' is not in "
                                     "the 2559 workbook (sample_2559.xlsx)")
    result = run_cli("trend", rounds[1], check=False)
    assert result.returncode == 2 and "at least two rounds" in result.stderr
    # outputs are checked before any work: a .csv is no workbook, an input is never overwritten
    result = run_cli("trend", *rounds, "-o", tmp_path / "trend.csv", check=False)
    assert result.returncode == 2 and "trend.xlsx" in result.stderr
    result = run_cli("trend", *rounds, "-o", rounds[0], check=False)
    assert result.returncode == 2 and "overwrite" in result.stderr
    result = run_cli("trend", *rounds, "--pdf", check=False)
    assert result.returncode == 2 and "--report" in result.stderr


def test_libreoffice_renders_the_trend_dashboard(trend_run, tmp_path):
    out, _ = trend_run
    pdf = libreoffice_convert(out, "pdf", tmp_path / "pdf", tmp_path / "profile")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("Readiness trend", "แนวโน้มความพร้อมรัฐบาลดิจิทัล", "National scores by",
                  "กรมส่งเสริมอุตสาหกรรม"):
        assert words in text
    pages = pdf_pages(pdf, tmp_path / "png")
    dashboard = pages[1]  # README first, then the dashboard's national page
    pixels = np.asarray(Image.open(dashboard).convert("RGB")).astype(int)
    # the chart's coloured lines and markers, not only black text on white
    coloured = int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum())
    assert coloured > 500, dashboard
    # every page legible: the Trend sheet flows onto pages across and down at 8 pt or
    # more (it printed one page across at about 6 pt), its ids and names on each page
    heights = page_word_heights(pdf)
    assert all(h >= 6 for _, h in heights), heights
    trend = [h for name, h in heights if name == TL.TREND_SHEET]
    assert len(trend) >= 9 and min(trend) >= EIGHT_POINT_WORDS, heights
    ws = load_workbook(out)[TL.TREND_SHEET]
    assert (ws.print_title_rows, ws.print_title_cols) == ("$1:$1", "$B:$C")
    assert len(ws.col_breaks.brk) == 2 and int(ws.page_setup.scale) >= 73


def test_trend_headers_and_ids_fit_their_columns(trend_run):
    """No header word cut inside ("Commo/n indicato/rs"), and the longest id (a ministry's
    Thai name) within its column rather than running into the name beside it."""
    from test_workbook_print import printed_width

    from readiness_xl.workbook.style import visible_length
    out, _ = trend_run
    ws = load_workbook(out)[TL.TREND_SHEET]
    for cell in ws[1]:
        width = ws.column_dimensions[cell.column_letter].width
        for word in re.findall(r"[^\s-]+-?", cell.value):
            if word.isascii():
                assert printed_width(word) <= width, (cell.coordinate, word, width)
    ids = [r[0] for r in ws.iter_rows(min_row=2, min_col=2, max_col=2, values_only=True)]
    assert max(map(visible_length, ids)) + 1 <= ws.column_dimensions["B"].width


def test_dashboard_chooser_formulas_recalculate_outside_excel(trend_run, tmp_path):
    """LibreOffice recalculates the chosen unit's INDEX/MATCH formulas over the Trend sheet:
    D01's scores by round, a dash (never an error value) for dimension 6 in 2559 (a round
    without it)."""
    out, report = trend_run
    recalculated = libreoffice_convert(out, "xlsx", tmp_path / "lo", tmp_path / "profile")
    ws = load_workbook(recalculated, data_only=True)[TL.TREND_DASHBOARD_SHEET]
    rows = {r[0]: r[1:3] for r in ws.iter_rows(max_col=3, values_only=True) if r[0]}
    dip = unit(report, "D01")["rounds"]
    assert rows["ชื่อ / Name"][0] == "กรมส่งเสริมอุตสาหกรรม"
    assert rows["คะแนนรวม / Overall"] == pytest.approx((dip["2559"]["overall"], dip["2560"]["overall"]))
    sixth = next(v for k, v in rows.items() if k.startswith("มิติ 6"))
    assert sixth[0] == "—" and sixth[1] == pytest.approx(dip["2560"]["dimensions"]["6"])


def test_report_has_a_trend_section(rounds, tmp_path):
    html_path = tmp_path / "report.html"
    run_cli("trend", *rounds, "--map", MAPPING_CSV, "--report", html_path)
    html = html_path.read_text(encoding="utf-8")
    assert '<section id="trend"><h2>แนวโน้มรายปี / Trend over survey rounds</h2>' in html
    assert html.index('id="trend"') < html.index('id="framework"')
    assert "เพิ่มขึ้น 6.4 คะแนนจากปี ๒๕๕๙" in html and "up 6.4 points from B.E. 2559 (2016)" in html
    assert "dimension 3 weight 35%→30% in 2560" in html and "D24" in html
    assert 'aria-label="แนวโน้มระดับประเทศ / national trend"' in html


def test_demo_prints_the_trend_line(tmp_path):
    result = run_cli("demo", "-o", tmp_path / "sample_2560.xlsx")
    assert "ประเทศไทย ได้ 57.8% ในปี ๒๕๖๐ เพิ่มขึ้น" in result.stdout
    assert "Thailand: 57.8% in B.E. 2560 (2017), up" in result.stdout
    assert (tmp_path / "sample_2559.xlsx").exists()


@pytest.mark.parametrize("name", ["sample_2559.xlsx"])
def test_committed_2559_sample_matches_a_rebuild(name, rounds):
    problems = differences(workbook_content(ROOT / "workbooks" / name), workbook_content(rounds[0]))
    assert not problems, f"{name} is stale; run `make workbooks`: {problems}"


def test_a_round_without_a_year_asks_for_years(tmp_path):
    from frameworks import answers, tiny_framework
    from test_trend import AGENCIES, ANSWERS_2559

    from readiness_xl.workbook.rounds import read_round
    book = tmp_path / "no_year.xlsx"
    save_long_workbook(tiny_framework(), AGENCIES, answers(ANSWERS_2559), book)
    with pytest.raises(ReadinessError, match=r"no survey year in the framework version .*--years"):
        read_round(book)
    assert read_round(book, "2016").year == 2559


def test_trend_table_keeps_thai_names_whole_and_levels_in_thai_at_80_columns(rounds):
    """At 80 columns the English names give way first, then the English level words:
    ministry names print whole (they were cut while the English wrapped over 5 lines) and
    the level column reads Thai; wider, it reads Thai / English."""
    narrow = run_cli("trend", *rounds, "--map", MAPPING_CSV, columns=80).stdout
    table = narrow[:narrow.index("ประเทศไทย ได้")]
    assert max(map(cell_len, table.splitlines())) <= 80  # terminal cells: Thai marks take none
    for name in ("กระทรวงเกษตรและสหกรณ์", "กระทรวงเทคโนโลยีสารสนเทศและการสื่อสาร", "กระทรวงสาธารณสุข"):
        assert name in table
    assert "Ministry of" not in table and "ระดับ" in table and "ต่ำมาก → ดี" in table
    wide = run_cli("trend", *rounds, "--map", MAPPING_CSV, columns=200).stdout
    assert "Ministry of Finance" in wide and "ต่ำมาก / Very low → ดี / Good" in wide
