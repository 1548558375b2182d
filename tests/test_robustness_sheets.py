"""The Uncertainty and Audit sheets in real files: read back by openpyxl, kept by later
recalculations, rewritten without growing, rendered by LibreOffice; and the commands
that write them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import run_cli
from openpyxl import load_workbook
from rich.cells import cell_len
from outside_tools import libreoffice_convert, page_word_heights, pdf_pages
from test_workbook_print import printed_width

from readiness_xl.core import robustness as R
from readiness_xl.core.worksheet_functions import CellValueError
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.recalc import recalc_file
from readiness_xl.workbook.robustness_sheets import robustness_file
from readiness_xl.workbook.sheet_writer import FONT_POINTS
from readiness_xl.workbook.uncertainty_layout import rank_interval

# The median height pdftotext gives the words of a page printed at 8 points or more in the
# fonts LibreOffice prints Tahoma with (descender to ascender; 8 pt measures about 9.5).
EIGHT_POINT_WORDS = 9.0

RUNS, SOBOL_N = 300, 64


@pytest.fixture(scope="module")
def written(sample_path, tmp_path_factory):
    """The sample with both sheets written, and what the run found."""
    book = tmp_path_factory.mktemp("robust") / "book.xlsx"
    found = robustness_file(sample_path, book, runs=RUNS, sobol_n=SOBOL_N)
    return book, found


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_sheets_read_back_with_the_core_results(written):
    book, found = written
    wb = load_workbook(book)
    assert wb.sheetnames[-2:] == [L.UNCERTAINTY_SHEET, L.AUDIT_SHEET]
    ws = wb[L.UNCERTAINTY_SHEET]
    table = found.uncertainty.table.sort_values("rank", kind="stable")
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(table), values_only=True))
    assert [r[0] for r in rows] == list(table.index)
    for r, (ident, t) in zip(rows, table.iterrows()):
        assert r[3] == pytest.approx(t["score"]) and r[4] == t["rank"]
        assert (r[6], r[7], r[5]) == (t["rank_p5"], t["rank_p95"], t["rank_median"])
        assert r[13] == pytest.approx(t["band_share"]) and r[14] == t["rank_width"]
        assert r[15] == pytest.approx(found.sensitivity.total.at[ident, "dimension weights"])
    sentence = ws.cell(2 + list(table.index).index("D12"), ws.max_column - 1).value
    assert sentence.startswith("อันดับอาจอยู่ระหว่าง ") and "±25%" in sentence
    assert ws["D2"].number_format == "0.0" and ws["N2"].number_format == "0%"
    assert ws.freeze_panes == "D2"
    (chart,) = ws._charts
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == [f"'{L.UNCERTAINTY_SHEET}'!$G$2:$G$32", f"'{L.UNCERTAINTY_SHEET}'!$O$2:$O$32"]
    assert chart.y_axis.scaling.orientation == "maxMin"

    audit = wb[L.AUDIT_SHEET]
    first = [c.value for c in audit[2]][:11]
    stats = found.audit.indicators.loc["1.1"]
    assert first[0] == "1.1" and first[2] == pytest.approx(stats["coverage"])
    assert first[7] == pytest.approx(stats["skew"]) and first[8] == pytest.approx(stats["kurtosis"])
    flags = [r[9] for r in audit.iter_rows(min_row=2, max_row=21, values_only=True)]
    assert [f != "" and f is not None for f in flags] == list(found.audit.indicators["flag"])
    colours = audit.conditional_formatting
    assert any("J2:J21" in str(rng.sqref) for rng in colours)


def test_other_parts_are_kept_byte_for_byte(sample_path, written):
    book, _ = written
    before, after = _parts(sample_path), _parts(book)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "[Content_Types].xml"}
    assert set(before) <= set(after)


def test_rewriting_replaces_and_recalc_keeps(written, tmp_path):
    book, _ = written
    again = tmp_path / "again.xlsx"
    robustness_file(book, again, runs=RUNS, sobol_n=SOBOL_N)
    first, second = _parts(book), _parts(again)
    assert set(first) == set(second)                       # no second sheet, chart or drawing
    titles = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]*)<',
                        second["xl/workbook.xml"].decode("utf-8"))
    sheets = load_workbook(again).sheetnames
    ours = {sheets[int(i)]: ref for i, ref in titles if sheets[int(i)] in (L.UNCERTAINTY_SHEET, L.AUDIT_SHEET)}
    assert ours == {L.UNCERTAINTY_SHEET: "'Uncertainty'!$A:$B,'Uncertainty'!$1:$1",
                    L.AUDIT_SHEET: "'Audit'!$1:$1"}                # replaced, not added twice
    assert len(titles) == len({i for i, _ in titles})
    assert first["xl/styles.xml"] == second["xl/styles.xml"]  # no style added twice
    recalc_file(again)
    kept = _parts(again)
    ours = [n for n in first if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert ours and all(kept[n] == second[n] for n in ours)
    wb = load_workbook(again)
    assert wb[L.UNCERTAINTY_SHEET]["A2"].value == load_workbook(book)[L.UNCERTAINTY_SHEET]["A2"].value


def test_rank_interval_reads_the_sheet(written):
    book, found = written
    rows = [list(r) for r in load_workbook(book)[L.UNCERTAINTY_SHEET].iter_rows(values_only=True)]
    t = found.uncertainty.table.loc["D12"]
    assert rank_interval(rows, "D12") == [t["rank_p5"], t["rank_p95"]]
    assert rank_interval(rows, "กรมวิชาการเกษตร", 95) == t["rank_p95"]
    assert rank_interval(rows, "Department of Agriculture", 0.5) == t["rank_median"]
    with pytest.raises(CellValueError, match="the sheet holds 5, 50 and 95") as bad:
        rank_interval(rows, "D12", 90)
    assert bad.value.excel_error == "#VALUE!"
    with pytest.raises(CellValueError, match="'nobody' is not on the Uncertainty sheet") as absent:
        rank_interval(rows, "nobody")
    assert absent.value.excel_error == "#N/A"


def test_libreoffice_renders_the_uncertainty_sheet(written, tmp_path):
    """LibreOffice opens the written book and prints both sheets with the chart; the
    page images are kept for a person to look at (tmp_path/png)."""
    book, _ = written
    pdf = libreoffice_convert(book, "pdf", tmp_path / "pdf", tmp_path / "profile")
    pages = pdf_pages(pdf, tmp_path / "png")
    text = [" ".join(subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout.split())
            for i in range(1, len(pages) + 1)]  # words, whatever the lines a chart title wraps to
    chart = next(i for i, t in enumerate(text) if "Rank interval 5-95%" in t)
    narratives = next(i for i, t in enumerate(text) if "อันดับอาจอยู่ระหว่าง" in t)
    assert any("Cronbach" in t for t in text[chart:])
    assert pages[chart].stat().st_size > 20_000       # the chart is drawn, not an empty page
    # on paper: every page legible (the issue's own bar is a median word of 6 points; ours
    # is 8-point text), ids and Thai names repeated beside the narratives and the chart
    heights = page_word_heights(pdf)
    assert all(h >= 6 for _, h in heights), heights
    ours = [h for name, h in heights if name in (L.UNCERTAINTY_SHEET, L.AUDIT_SHEET)]
    assert len(ours) >= 6 and min(ours) >= EIGHT_POINT_WORDS, heights
    assert "D07" in text[narratives] and "D07" in text[chart] and "กรมสรรพากร" in text[chart]
    # counts print as whole numbers, the seed without a thousands separator
    settings = " ".join(text)
    assert f"{RUNS}.0" not in settings and "2560.0" not in settings and "2,560" not in settings
    assert "เมล็ดสุ่ม / Seed 2560" in settings


@pytest.mark.parametrize("sheet", [L.UNCERTAINTY_SHEET, L.AUDIT_SHEET])
def test_headers_fit_their_columns_and_rows(written, sheet):
    """No header word is cut inside ("Interva/l", "dimensio/n"): each English word fits its
    column in the sheets' bold 10 pt (see test_workbook_print.printed_width, fitted at 11)."""
    ws = load_workbook(written[0])[sheet]
    for cell in ws[1]:
        if not cell.value:
            continue
        width = ws.column_dimensions[cell.column_letter].width
        for word in re.findall(r"[\x21-\x7e]+", cell.value):
            assert printed_width(word) * FONT_POINTS / 11 <= width, (cell.coordinate, word, width)
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_title_cols == ("$A:$B" if sheet == L.UNCERTAINTY_SHEET else None)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert "&P" in ws.oddFooter.right.text and ws.oddFooter.left.text == "&A"
    assert int(ws.page_setup.scale) * FONT_POINTS / 100 >= 8  # a fixed scale: 8 pt or more


def test_robustness_and_audit_commands(sample_path, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(sample_path, book)
    out = json.loads(run_cli("robustness", book, "--runs", "200", "--sobol-n", "32", "--seed", "9",
                             "--json").stdout)
    assert out["runs"] == 200 and out["seed"] == 9 and out["failed"] == 0
    unit = out["units"][0]
    assert {"id", "rank", "rank_median", "rank_p5", "rank_p95", "score_p5", "score_p95",
            "band_share"} <= set(unit)
    assert [s["input"] for s in out["sensitivity"]] == ["dimension weights", "indicator weights"]
    assert {"first_order", "total"} <= set(out["sensitivity"][0])
    again = json.loads(run_cli("robustness", book, "--runs", "200", "--sobol-n", "32", "--seed", "9",
                               "--json").stdout)
    assert again == out                                                  # seeded: reproducible
    audit = json.loads(run_cli("audit", book, "--json").stdout)
    assert len(audit["indicators"]) == 20 and {"id", "coverage", "mean", "sd", "skew", "kurtosis",
                                                "flag"} <= set(audit["indicators"][0])
    assert {"id", "cronbach_alpha", "correlations"} <= set(audit["dimensions"][0])
    assert load_workbook(book).sheetnames[-2:] == [L.UNCERTAINTY_SHEET, L.AUDIT_SHEET]
    bad = run_cli("robustness", book, "--aggregation", "median", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "median" in bad.stderr
    text = run_cli("robustness", book, "--runs", "100", "--sobol-n", "16", "--vary-missing",
                   "--aggregation", "geometric", "--band-shift", "2").stdout
    assert "missing answers" in text and "aggregation" in text and "band cut-offs" in text


def test_zero_noise_in_the_file_collapses_the_intervals(sample_path, tmp_path):
    found = robustness_file(sample_path, tmp_path / "b.xlsx", runs=50, weights_noise=0.0,
                            with_audit=False)
    assert found.sensitivity is None and (found.uncertainty.table["rank_width"] == 0).all()
    ws = load_workbook(tmp_path / "b.xlsx")[L.UNCERTAINTY_SHEET]
    assert all(r[6] == r[4] == r[7] for r in ws.iter_rows(min_row=2, max_row=32, values_only=True))
    assert R.rank_sentences(found.uncertainty.table, ()).eq("").all()


def test_robustness_table_keeps_thai_names_whole_at_80_columns(sample_path, tmp_path):
    """At 80 columns the table drops best-worst, median and score before it cuts a name
    (every province read "จังหวัด…"): each agency's Thai name is printed whole."""
    from readiness_xl.workbook.read import read_book
    book = tmp_path / "book.xlsx"
    shutil.copy(sample_path, book)
    text = run_cli("robustness", book, "--runs", "50", "--sobol-n", "8", columns=80).stdout
    lines = text[:text.index("Uncertainty sheet written")].splitlines()
    assert max(map(cell_len, lines)) <= 80  # terminal cells: Thai marks take none
    for name in read_book(book).agencies["name_th"]:
        assert name in text, name
    header = next(line for line in lines if "หน่วยงาน" in line)
    assert "Rank 5-95%" in header and "Keeps level" in header and "Median" not in header
    wide = run_cli("robustness", book, "--runs", "50", "--sobol-n", "8", columns=160).stdout
    assert "Best-worst" in wide and "Median" in wide
