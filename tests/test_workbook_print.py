"""What people see of our workbooks without the add-in and on paper, read back with
openpyxl: A4 set-up, page numbers, repeated titles, a legible print scale, headers
that fit their columns, signed gaps, Thai labels, and a blank template that guides."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import run_cli
from openpyxl import load_workbook
from openpyxl.formatting.rule import ColorScale
from openpyxl.utils import column_index_from_string, get_column_letter

from readiness_xl.builder.agency_sheet import SCORE_LETTER
from readiness_xl.builder.dashboard_sheet import EMPTY_STATE
from readiness_xl.sample.build import build_template
from readiness_xl.survey.forms import build_form
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.style import (A4_POINTS, BODY_POINTS, MIN_PRINT_POINTS, SIDE_MARGIN, SIGNED_FORMAT,
                                         column_points)
from readiness_xl.workbook.summary import ROW_TYPES

CM = 72 / 2.54  # points


@pytest.fixture(scope="module")
def template_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "readiness_template.xlsx"
    build_template(path)
    return path


@pytest.fixture(scope="module")
def books(sample_path, template_path, tmp_path_factory):
    """The sample, the blank template and one questionnaire form, as openpyxl reads them."""
    form = tmp_path_factory.mktemp("form") / "D01.xlsx"
    build_form(read_book(sample_path), "D01").save(form)
    return {"sample": load_workbook(sample_path), "template": load_workbook(template_path),
            "form": load_workbook(form)}


def summary_values(wb) -> list:
    """The Summary's rows below the header that hold any value."""
    rows = wb[L.SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)
    return [r for r in rows if any(v is not None for v in r)]


def no_fixed_figures(wb) -> bool:
    """The Summary holds rows, but no number typed in: its figures are all formulas."""
    rows = summary_values(wb)
    return bool(rows) and not any(isinstance(v, (int, float)) for r in rows for v in r) and all(
        str(r[-3]).startswith("=") for r in rows)   # every row's Improve first, say


def visible_sheets(wb):
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def print_columns(ws) -> tuple[str, str]:
    if ws.print_area:
        first, last = re.findall(r"\$?([A-Z]+)\$?\d+", ws.print_area.split(",")[0].split("!")[-1])
        return first, last
    return "A", get_column_letter(ws.max_column)


def width_points(ws, first: str, last: str) -> float:
    return sum(column_points(ws.column_dimensions[get_column_letter(c)].width or 8.43)
               for c in range(column_index_from_string(first), column_index_from_string(last) + 1))


def printed_points(ws) -> float:
    """The body text's printed size in points, from the page set-up as a program applies it."""
    page = A4_POINTS[ws.page_setup.orientation][0] - 2 * SIDE_MARGIN * 72
    if not ws.sheet_properties.pageSetUpPr.fitToPage:
        return BODY_POINTS * int(ws.page_setup.scale) / 100
    first, last = print_columns(ws)
    wide = width_points(ws, first, last)
    for chart in ws._charts:  # a chart's left edge plus its width
        start = get_column_letter(chart.anchor._from.col + 1)
        wide = max(wide, width_points(ws, "A", start) - column_points(ws.column_dimensions[start].width or 8.43)
                   + chart.width * CM)
    return BODY_POINTS * min(1.0, int(ws.page_setup.fitToWidth) * page / wide)


@pytest.mark.parametrize("name", ["sample", "template", "form"])
def test_every_sheet_prints_on_a4_legibly_with_page_numbers(books, name):
    for ws in visible_sheets(books[name]):
        setup = ws.page_setup
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert setup.orientation in ("portrait", "landscape"), ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text, ws.title
        assert ws.oddFooter.left.text.startswith("&A"), ws.title
        assert printed_points(ws) >= MIN_PRINT_POINTS, (ws.title, printed_points(ws))
        # nothing written right of the printed columns (the Summary's narrative is the one
        # deliberate exception, and its footer says so)
        _, last = print_columns(ws)
        beyond = [c.coordinate for row in ws.iter_rows(min_col=column_index_from_string(last) + 1)
                  for c in row if c.value is not None]
        if ws.title in (L.SUMMARY_SHEET, L.DASHBOARD_SHEET):   # narratives; the bar chart's source
            assert "not printed" in ws.oddFooter.left.text
        else:
            assert not beyond, (ws.title, beyond[:3])


def test_agency_sheet_prints_answers_and_scores_together(books):
    ws = books["sample"]["D01"]
    assert ws.print_area == "'D01'!$A$1:$O$24"  # one area: questionnaire A..I and scores K..O
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and not ws.col_breaks.brk
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page across, as many down as needed
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)


def test_summary_prints_scores_and_results_on_one_page_across_with_names_repeated(books):
    ws = books["sample"][L.SUMMARY_SHEET]
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$B:$C"
    # names, kind and ministry; then the dimensions, overall, level and rank together
    assert [b.id for b in ws.col_breaks.brk] == [column_index_from_string("F"), column_index_from_string("P")]
    assert [c.value for c in ws["M1:P1"][0]] == ["คะแนนรวม / Overall %", "ระดับ", "Level", "อันดับ / Rank"]
    assert ws.print_area == "'Summary'!$A$1:$T$40"  # every column but the narrative (U)
    scale = int(ws.page_setup.scale) / 100
    page = A4_POINTS["landscape"][0] - 2 * SIDE_MARGIN * 72
    for part in (width_points(ws, "A", "F"), width_points(ws, "B", "C") + width_points(ws, "G", "P"),
                 width_points(ws, "B", "C") + width_points(ws, "Q", "T")):
        assert part * scale <= page
    assert BODY_POINTS * scale >= MIN_PRINT_POINTS


# How wide a bold header word prints, in column-width units: LibreOffice prints Tahoma
# as DejaVu Sans Bold, whose digit is HEADER_DIGIT times the digit a column width counts,
# plus the cell's padding. Fitted on LibreOffice's print: "Dim" fits 5, "Overall" 9,
# while "Indicator" broke at 10 and "Completeness" at 16 ("Indicato/r", "Completenes/s").
HEADER_DIGIT, CELL_PADDING = 1.36, 0.6


def printed_width(word: str) -> float:
    from matplotlib import font_manager
    from PIL import ImageFont
    font = ImageFont.truetype(font_manager.findfont(font_manager.FontProperties(
        family="DejaVu Sans", weight="bold")), 11)
    return font.getlength(word) / font.getlength("0") * HEADER_DIGIT + CELL_PADDING


@pytest.mark.parametrize("sheet,row", [("D01", L.AGENCY_HEADER_ROW), (L.SUMMARY_SHEET, 1),
                                       (L.AGENCIES_SHEET, 1)])
def test_header_words_fit_their_columns(books, sheet, row):
    """No header word is cut inside ("Dimensio/n", "Completen/ess", "Indicato/r"): each
    English word fits its column as LibreOffice prints it (see printed_width). Thai runs
    have no spaces; spreadsheet programs break them between words by dictionary."""
    ws = books["sample"][sheet]
    for cell in ws[row]:
        if not cell.value:
            continue
        width = ws.column_dimensions[cell.column_letter].width
        for word in re.findall(r"[\x21-\x7e]+", cell.value):
            assert printed_width(word) <= width, (sheet, cell.coordinate, word, width)


@pytest.mark.parametrize("name", ["sample", "template", "form"])
def test_framework_sheet_headers_fit_and_rows_hold_their_questions(books, name):
    """Every table header of the Framework sheet keeps its English words whole
    ("Aggregatio/n", "Minimu/m" were cut); an indicator row is as tall as its wrapped
    Thai question needs (rows of 34 pt cut a third line); band labels and direction words
    stand clear of the number on their left ("60ดี", "0higher")."""
    from readiness_xl.workbook.style import LINE_POINTS, visible_length
    ws = books[name][L.FRAMEWORK_SHEET]
    headers = [row for row in ws.iter_rows() if row[0].fill.fgColor.rgb == "001F4E79"]
    assert len(headers) == 4
    for row in headers:
        for cell in row:
            width = ws.column_dimensions[cell.column_letter].width
            for word in re.findall(r"[\x21-\x7e]+", cell.value or ""):
                assert printed_width(word) <= width, (cell.coordinate, word, width)
    indicators = headers[2][0].row
    for r in range(indicators + 1, indicators + 21):
        question = ws.cell(r, 3).value
        per_line = int(ws.column_dimensions["C"].width * 0.8)  # letters a line holds, at most
        assert ws.row_dimensions[r].height >= LINE_POINTS * -(-visible_length(question) // per_line)
        assert ws.cell(r, 9).alignment.indent >= 1
    bands = headers[1][0].row
    assert all(ws.cell(r, 2).alignment.indent >= 1 for r in range(bands + 1, bands + 5))
    assert ws.print_title_rows == f"${indicators}:${indicators}"  # repeated on the pages it runs onto


def test_summary_reads_in_thai_with_signed_gaps_and_padding(books):
    ws = books["sample"][L.SUMMARY_SHEET]
    header = [c.value for c in ws[1]]
    gap = header.index("เทียบค่าเฉลี่ยประเทศ / vs national (points)") + 1
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == set(ROW_TYPES.values())
    assert {r[4] for r in rows if r[0] == ROW_TYPES["agency"]} == {"หน่วยงานระดับกรม", "จังหวัด"}
    assert not {r[0] for r in rows} & {"agency", "ministry", "kind", "national"}
    for r in range(2, ws.max_row + 1):
        assert ws.cell(r, gap).number_format == SIGNED_FORMAT
        assert ws.cell(r, header.index("คะแนนรวม / Overall %") + 1).number_format == "0.0"
        for c in range(1, len(header) + 1):
            assert ws.cell(r, c).alignment.indent >= 1, (r, c)  # neighbours never touch
    assert ws.cell(2, gap).alignment.horizontal == "right"
    assert ws.cell(2, gap + 1).alignment.horizontal == "left"


def test_nothing_is_coloured_before_answers_exist(books):
    """Heat fills are formula rules keyed on answers (a colour scale would paint a blank
    form's 0.0 red, and LibreOffice ignores a rule placed above one)."""
    for name in ("template", "sample"):
        for ws in visible_sheets(books[name]):
            for rng in ws.conditional_formatting:
                for rule in rng.rules:
                    assert not isinstance(rule.colorScale, ColorScale), (name, ws.title)
                    assert rule.type != "colorScale"
    ws = books["template"]["D01"]
    (rng,) = [r for r in ws.conditional_formatting if str(r.sqref).startswith(SCORE_LETTER)]
    assert str(rng.sqref) == "N5:N11"
    assert all("COUNTA($G$5:$G$24)>0" in rule.formula[0] for rule in rng.rules)
    summary = books["sample"][L.SUMMARY_SHEET]
    assert all("N($Q2)>0" in rule.formula[0] for rng in summary.conditional_formatting for rule in rng.rules)


def test_blank_template_opens_on_start_here_and_waits_for_answers(books):
    wb = books["template"]
    assert wb.sheetnames[0] == L.START_SHEET and wb.active.title == L.START_SHEET
    steps = [row for row in wb[L.START_SHEET].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [s[0] for s in steps] == list(range(1, len(steps) + 1)) and len(steps) >= 5
    text = " ".join(s[1] for s in steps)
    for words in ("ช่องสีเหลือง", "yellow cells", "คอลัมน์ N", "Summary", "Dashboard", "add-in"):
        assert words in text
    assert text.index("ช่องสีเหลือง") < text.index("yellow cells")  # Thai first
    for ident in ("D01", "P01"):
        assert all(wb[ident][f"G{r}"].value is None for r in range(5, 25))
    assert no_fixed_figures(wb)  # every figure is a formula over the (blank) agency sheets
    assert EMPTY_STATE in wb[L.DASHBOARD_SHEET]["A4"].value


def test_sample_keeps_its_example_data_and_opens_on_start_here(books):
    wb = books["sample"]
    assert wb.active.title == L.START_SHEET
    assert wb["D01"]["G5"].value is not None and len(summary_values(wb)) == 31 + 5 + 2 + 1


def test_questionnaire_opens_on_its_agency_sheet_with_instructions(books):
    wb = books["form"]
    assert wb.active.title == "D01"
    assert wb.sheetnames[:2] == ["D01", L.START_SHEET]  # printed, the agency's questions come first
    # the Framework sheet says what the Start sheet says: a read-only copy, not "edit here"
    note = wb[L.FRAMEWORK_SHEET]["A3"].value
    assert "read-only copy" in note and "Edit" not in note
    assert any("read-only copy" in str(c) for row in wb[L.START_SHEET].iter_rows(values_only=True) for c in row)
    steps = [row[0] for row in wb[L.START_SHEET].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert steps == [1, 2, 3]


def test_new_template_with_own_agencies_is_blank_too(tmp_path):
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("id,name_th,name_en,kind,ministry_th,ministry_en\n"
                        "X1,กรมทดสอบ,Test Department,local,กระทรวงทดสอบ,Ministry of Tests\n")
    out = tmp_path / "mine.xlsx"
    run_cli("new-template", out, "--agencies", agencies)
    wb = load_workbook(out)
    assert wb.active.title == L.START_SHEET and no_fixed_figures(wb)
    printed = run_cli("recalc", out).stdout
    summary = load_workbook(out, data_only=True)[L.SUMMARY_SHEET]   # the values recalc cached
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=2)]
    row, header = rows[0], [c.value for c in summary[1]]
    assert row[0] == ROW_TYPES["agency"] and row[4] == "องค์กรปกครองส่วนท้องถิ่น"
    # nothing answered: every level says so (not the band of a score of 0), and so does
    # the terminal, with the completeness, in Thai and in English
    level_th, level_en = header.index("ระดับ"), header.index("Level")
    assert {(r[level_th], r[level_en]) for r in rows if r[0]} == {("ยังไม่มีคำตอบ", "no answers")}
    assert "ยังไม่มีคำตอบ: ตอบแล้ว 0% ของคำถามทั้งหมด" in printed
    assert "No answers: 0% of the questions answered" in printed
    national = next(r for r in rows if r[0] == ROW_TYPES["national"])
    assert national[header.index("บทสรุป / Narrative")].startswith("ยังไม่มีคำตอบ")


def test_mostly_unanswered_is_told_with_its_completeness():
    """Hand-computed: agencies 0%, 20% and 50% answered are 23⅓% answered in all, two of
    three with an answer: too few for results. The sample is whole."""
    from types import SimpleNamespace

    import pandas as pd

    from readiness_xl.core.results import answered
    found = answered(SimpleNamespace(agencies=pd.DataFrame({"completeness": [0.0, 20.0, 50.0]})))
    assert (found.completeness, found.agencies, found.of) == (pytest.approx(70 / 3), 2, 3)
    assert found.too_few and not found.none
    th, en = found.sentences()
    assert "ตอบแล้ว 23% ของคำถามทั้งหมด (2 จาก 3 หน่วยงาน)" in th
    assert en.startswith("Mostly no answers: 23% of the questions answered (2 of 3 agencies)")
    whole = answered(SimpleNamespace(agencies=pd.DataFrame({"completeness": [100.0, 60.0]})))
    assert not whole.too_few and whole.sentences() is None


def test_validation_sheet_prints_one_page_across_with_its_header(sample_path, tmp_path):
    """The Validation ledger `collect` writes: landscape, one page across at 8 pt or more
    (it split over three portrait pages), header repeated and tall enough for its
    labels, every English header word whole, long texts wrapped in rows that hold them."""
    import shutil

    from readiness_xl.survey.collect import VALIDATION_SHEET, collect_forms
    from readiness_xl.workbook.sheet_writer import FONT_POINTS
    master = tmp_path / "master.xlsx"
    shutil.copy(sample_path, master)
    form = tmp_path / "D01.xlsx"
    build_form(read_book(master), "D01", prefill=True).save(form)
    collect_forms([form], master)
    ws = load_workbook(master)[VALIDATION_SHEET]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1" and "&P" in ws.oddFooter.right.text
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    page = A4_POINTS["landscape"][0] - 2 * SIDE_MARGIN * 72
    assert FONT_POINTS * min(1.0, page / width_points(ws, "A", get_column_letter(ws.max_column))) >= 8
    for cell in ws[1]:
        width = ws.column_dimensions[cell.column_letter].width
        for word in re.findall(r"[\x21-\x7e]+", cell.value):
            assert printed_width(word) * FONT_POINTS / 11 <= width, (cell.coordinate, word, width)
    assert ws.row_dimensions[1].height >= 2 * 15
    merged = next(r for r in ws.iter_rows(min_row=2) if r[5].value == "merged")
    assert len(merged[8].value) == 64 and merged[8].alignment.wrap_text
    assert ws.row_dimensions[merged[0].row].height >= 2 * 15   # the SHA-256 on two lines


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="กขคงabcdef่้ั", min_size=1, max_size=30), min_size=1, max_size=12),
       st.integers(4, 60))
def test_wrapped_lines_grow_as_the_column_narrows(words, width):
    """Lines a wrapped header takes (workbook.paper.wrapped_lines): at least one, at least
    the visible letters over a line's letters, never more in a wider column, and one
    line for text that fits a line."""
    from readiness_xl.workbook.style import WRAP_FILL, visible_length, wrapped_lines
    text = " ".join(words)
    lines = wrapped_lines(text, width)
    per_line = max(1, int(width * WRAP_FILL))
    assert lines >= max(1, -(-sum(map(visible_length, words)) // per_line))
    assert wrapped_lines(text, width + 7) <= lines
    if visible_length(text) <= per_line:
        assert lines == 1
