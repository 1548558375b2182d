"""The Summary sheet's frame and the Dashboard: native Excel charts over the Summary
ranges that recalculation fills, so the charts follow every recalculation in Excel,
LibreOffice or any reader, with or without Python.

The Summary has one row per agency (rows 2..n+1, in Agencies order), then ministries,
kinds and the national row; its columns are workbook.summary.header()."""

from __future__ import annotations

import math

import pandas as pd
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.core.framework import Framework
from readiness_xl.thai import radar_labels, thai_digits
from readiness_xl.workbook.paper import A4_POINTS, text_height
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.dashboard_cells import (CHART_ALL_UP_TO, CHOOSER, EMPTY_STATE, KEY_COLUMN, NAME_COLUMN,  # noqa: F401
                                                   PROFILE_HEADER_ROW, RANKING_FIRST_COLUMN, RANKING_HEADER_ROW,
                                                   TOP_BOTTOM, DashboardShape, formulas)
from readiness_xl.workbook.live_summary import SummaryShape
from readiness_xl.workbook.style import (BODY_FONT, BODY_POINTS, BOLD_FONT, INPUT_FILL, NOTE_FONT, SCORE_FORMAT, SIGNED_FORMAT,
                                         LINE_POINTS, THAI_FONT, TITLE_FONT, WRAP, header, heat_fills, print_a4, put, put_formula, widths)
from readiness_xl.workbook.summary import FIXED_HEADERS, GAP_HEADERS, SCORE_HEADERS, TAIL_HEADERS

FIRST_DIMENSION_COLUMN = len(FIXED_HEADERS) + 1
# The Dashboard is one column of content as wide as A..C (about 15 cm), so it prints on
# A4 portrait at full size: the table, the radar under it, the bar chart on its own page.
CHART_WIDTH = 15     # cm
ROW_CM = 15 / 72 * 2.54   # a row of the default height (15 points), in cm
BAR_MAX_CM = 26     # the tallest chart an A4 portrait page holds with its footer
RADAR_CM = 12        # the radar's height where the first page holds it under the profile,
RADAR_MIN_CM = 8     # else less (the profile's Thai names wrap), down to this
# The first page's height for rows: A4 less the top and bottom margins (0.5 in) and room
# for the footer, which sits in the bottom margin but LibreOffice keeps clear of rows.
FIRST_PAGE_POINTS = A4_POINTS["portrait"][1] - 2 * 0.5 * 72 - 30
# The bar chart's source: a table right of the printed column, sorted live
# (workbook.dashboard_cells). Up to CHART_ALL_UP_TO rows (agencies, ministries, nation) fit
# one A4 page legibly; beyond, the chart shows the TOP_BOTTOM best and worst with the
# national mean between them.
PROFILE_LABEL_COLUMNS = 34   # column A's width: a dimension's name wraps in it
DEFAULT_ROW_POINTS = 15
RADAR_SPARE_ROWS = 2
SERIES_COLOURS = ("4472C4", "A5A5A5", "C00000")   # agency, ministry mean, national mean
LABEL_FORMAT = "0.0;-0.0;;"   # a series' empty (text, plotted as 0) cells get no "0.0" label;
                              # so does a true 0.0, whose bar has no length either
EMPTY_FONT = Font(name=THAI_FONT, size=BODY_POINTS, bold=True, color="C55A11")


def summary_rows_count(agencies: pd.DataFrame) -> int:
    """Rows recalculation writes below the header: agencies, ministries, kinds, nation."""
    return len(agencies) + agencies["ministry_th"].nunique() + agencies["kind"].nunique() + 1


def overall_column(framework: Framework) -> str:
    return get_column_letter(FIRST_DIMENSION_COLUMN + len(framework.dimension_ids))


def write_summary_frame(wb, framework: Framework, agencies: pd.DataFrame):
    """Headers and the styles of the data rows (the writer copies row 2's styles):
    numbers right-aligned and text left-aligned, each indented so that neighbours never
    run together; gaps signed. Printed three pages across at a legible size (names, kind
    and ministry; names with the scores, overall, level and rank; names with the rest);
    the narrative column stays out of print."""
    ws = wb.create_sheet(L.SUMMARY_SHEET)
    n_dims = len(framework.dimension_ids)
    labels = FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in framework.dimension_ids] + TAIL_HEADERS
    header(ws, 1, labels, height=70)
    for col in range(1, len(labels) + 1):
        cell = ws.cell(row=1, column=col)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell = ws.cell(row=2, column=col)
        cell.font = BODY_FONT
        label = labels[col - 1]
        is_dimension = FIRST_DIMENSION_COLUMN <= col < FIRST_DIMENSION_COLUMN + n_dims
        numeric = is_dimension or label in SCORE_HEADERS | GAP_HEADERS | {TAIL_HEADERS[3]}
        if is_dimension or label in SCORE_HEADERS:
            cell.number_format = SCORE_FORMAT
        if label in GAP_HEADERS:
            cell.number_format = SIGNED_FORMAT
        cell.alignment = Alignment(horizontal="right" if numeric else "left", indent=1, vertical="top")
    last = 1 + summary_rows_count(agencies)
    first_dim, overall = get_column_letter(FIRST_DIMENSION_COLUMN), overall_column(framework)
    completeness = get_column_letter(len(FIXED_HEADERS) + n_dims + 1 + TAIL_HEADERS.index(
        "ความครบถ้วน / Completeness %"))
    # Coloured once answered: an agency row by its own completeness, a group row (blank
    # completeness) once any agency has answered anything.
    answered = f"COUNTIF(${completeness}$2:${completeness}${last},\">0\")>0"
    heat_fills(ws, f"{first_dim}2:{overall}{last}", f"{first_dim}2",
               f"IF(ISBLANK(${completeness}2),{answered},N(${completeness}2)>0)")
    widths(ws, "ABCDEF", (11, 6, 44, 42, 20, 26))
    tail = (9, 14, 13, 7, 17, 12, 16, 10, 26)  # overall, ระดับ, Level, rank, completeness, gap, below,
                                              # improve, narrative status
    for col, width in enumerate((8,) * n_dims + tail, start=FIRST_DIMENSION_COLUMN):
        ws.column_dimensions[get_column_letter(col)].width = width
    narrative = get_column_letter(len(labels))
    ws.column_dimensions[narrative].width = 90
    ws.freeze_panes = "C2"
    table_end = get_column_letter(len(labels) - 2)   # the narrative and its status stay out
    print_a4(ws, title_rows="1:1", title_cols="B:C", columns=f"A:{table_end}",
             breaks_after=(get_column_letter(FIRST_DIMENSION_COLUMN - 1),
                           get_column_letter(FIRST_DIMENSION_COLUMN + n_dims + 3)),  # overall .. rank
             footer_note=f"บทสรุป (คอลัมน์ {narrative}) ไม่พิมพ์ในตารางนี้ อ่านได้ในรายงาน / "
                         f"Narratives (column {narrative}) are not printed here: see the report")
    ws.print_area = f"A1:{table_end}{last}"
    return ws


def write_live_summary(ws, framework: Framework, agencies: pd.DataFrame,
                       answers: pd.DataFrame | None = None) -> None:
    """The Summary's rows as live formulas over the agency sheets (workbook.summary.live),
    each data row styled as row 2: a workbook never recalculated by Python still shows
    every figure once a spreadsheet program computes it. Text stays text. Where the
    agency sheets cannot compute a mean (a non-arithmetic mean under `exclude`), the
    values of the answers given (nothing, in a blank template), as recalculation writes."""
    from copy import copy

    from readiness_xl.core.answers import parse_answers
    from readiness_xl.core.results import compute_results
    from readiness_xl.workbook.formula import Formula
    from readiness_xl.workbook.summary import live, rows as value_rows, sheets_compute
    raw = pd.DataFrame(None, index=agencies.index, columns=framework.indicator_ids, dtype=object)
    if answers is not None:
        raw = answers.reindex(index=agencies.index, columns=framework.indicator_ids)
    parsed, _ = parse_answers(raw, framework)
    results = compute_results(framework, agencies, parsed)
    rows = (live(results, narratives=False) if sheets_compute(framework, framework.missing_rule())
            else value_rows(results))
    styles = {c.column: c for c in ws[2]}
    for r, row in enumerate(rows[1:], start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, Formula):
                cell.value = "=" + value.text
            else:
                cell.value = value
                if cell.data_type == "f":
                    cell.data_type = "s"
            model = styles.get(col)
            if model is not None and r > 2:
                cell.font, cell.number_format = copy(model.font), model.number_format
                cell.alignment = copy(model.alignment)


def dashboard_shape(framework: Framework, agencies: pd.DataFrame) -> DashboardShape:
    return DashboardShape(SummaryShape(list(framework.dimension_ids), len(agencies),
                                       agencies["ministry_th"].nunique(), agencies["kind"].nunique()))


def write_ranking(ws, framework: Framework, shape: DashboardShape, cells: dict[str, str]) -> int:
    """The bar chart's source beside the profile table: Summary rows sorted by overall
    score, live. Column L holds each Summary row's sort key (same row number as on the
    Summary); the table lists the rows place by place, its value in one of three columns
    (agency, ministry mean, national mean) so that each has its colour. Returns how many
    rows the chart shows."""
    c = [get_column_letter(RANKING_FIRST_COLUMN + i) for i in range(6)]
    key = get_column_letter(KEY_COLUMN)
    put(ws, RANKING_HEADER_ROW - 1, RANKING_FIRST_COLUMN, "มีคะแนน / scored:", BOLD_FONT)
    put(ws, 1, KEY_COLUMN, "ค่าเรียงลำดับของแถว Summary (สูตรช่วย) / Sort key of each Summary row (helper)",
        NOTE_FONT, wrap=True)
    header(ws, RANKING_HEADER_ROW, ["ลำดับ / Place", "แถว / Row", "ชื่อ / Name", "หน่วยงาน / Agency",
                                    "ค่าเฉลี่ยกระทรวง / Ministry mean",
                                    f"ค่าเฉลี่ย{framework.settings.all_units_th} / "
                                    f"{framework.settings.all_units_en} mean"],
           first_col=RANKING_FIRST_COLUMN, height=48)
    for i in range(6):
        ws.cell(RANKING_HEADER_ROW, RANKING_FIRST_COLUMN + i).alignment = WRAP
    places = shape.places()
    for j, k in enumerate(places):
        if k.isdigit():
            put(ws, RANKING_HEADER_ROW + 1 + j, RANKING_FIRST_COLUMN, int(k))
    scores = {c[3], c[4], c[5]}
    for ref, text in cells.items():
        column = ref.rstrip("0123456789")
        if column in c or column == key:
            row = int(ref[len(column):])
            put_formula(ws, row, ws[ref].column, "=" + text,
                        number_format=SCORE_FORMAT if column in scores else None)
    widths(ws, c, (9, 7, 40, 11, 12, 12))
    ws.column_dimensions[key].width = 14
    return len(places)


def write_dashboard(wb, framework: Framework, agencies: pd.DataFrame, chosen: str) -> None:
    """A chooser cell, a profile table (national vs the chosen unit) feeding a radar
    chart, and a bar chart of the overall scores, best first, of the agencies, the
    ministry means and the national mean (write_ranking)."""
    ws = wb.create_sheet(L.DASHBOARD_SHEET)
    dims = framework.dimension_ids
    last = 1 + summary_rows_count(agencies)
    names = f"'{L.SUMMARY_SHEET}'!${NAME_COLUMN}$2:${NAME_COLUMN}${last}"

    put(ws, 1, 1, "แดชบอร์ดความพร้อมรัฐบาลดิจิทัล / Digital Government Readiness Dashboard", TITLE_FONT,
        wrap=True)
    put(ws, 2, 1, "ข้อมูลจากชีต Summary ซึ่งเป็นสูตรที่คำนวณจากชีตหน่วยงานทันที / Data from the Summary "
        "sheet, whose formulas follow the agency sheets at once.", NOTE_FONT, wrap=True)
    for row, lines in ((1, 2.6), (2, 2)):  # within A..C, the printed width
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = lines * LINE_POINTS
    put(ws, 3, 1, "เลือกหน่วยงานหรือกระทรวง / Choose a unit:", BOLD_FONT, wrap=True)
    ws.row_dimensions[3].height = 2 * LINE_POINTS
    put(ws, 3, 2, chosen, BOLD_FONT, fill=INPUT_FILL)
    chooser = DataValidation(type="list", formula1=names, allow_blank=False, showErrorMessage=True,
                             error="เลือกจากรายชื่อในชีต Summary / Choose a name from the Summary sheet")
    chooser.add(CHOOSER)
    ws.add_data_validation(chooser)
    shape = dashboard_shape(framework, agencies)
    cells = formulas(shape)
    put_formula(ws, 4, 1, "=" + cells["A4"], EMPTY_FONT).alignment = WRAP
    ws.merge_cells("A4:C4")
    ws.row_dimensions[4].height = 4 * LINE_POINTS

    all_units = f"{framework.settings.all_units_th} / {framework.settings.all_units_en}"
    header(ws, PROFILE_HEADER_ROW, ["มิติ / Dimension", all_units, "หน่วยที่เลือก / Chosen unit"])
    shorts = [f"มิติที่ {thai_digits(d)}" for d in dims]
    names = [str(framework.dimension_label(d, "th")).strip() or str(framework.dimension_label(d, "en"))
             for d in dims]
    labels = [f"{s} {n}" for s, n in zip(shorts, names)] + ["คะแนนรวม / Overall"]
    for r, label in enumerate(labels, start=PROFILE_HEADER_ROW + 1):
        put(ws, r, 1, label, wrap=True)
        if text_height(label, PROFILE_LABEL_COLUMNS) > LINE_POINTS:
            ws.row_dimensions[r].height = text_height(label, PROFILE_LABEL_COLUMNS)
        for column in "BC":
            put_formula(ws, r, ws[f"{column}{r}"].column, "=" + cells[f"{column}{r}"],
                        number_format=SCORE_FORMAT)
    profile_end = 5 + len(dims)

    radar = RadarChart()
    radar.type = "marker"
    radar.style = 26
    radar.title = "โปรไฟล์รายมิติ / Dimension profile"
    radar.add_data(Reference(ws, min_col=2, max_col=3, min_row=5, max_row=profile_end), titles_from_data=True)
    # the axes name the dimensions in Thai where the name fits beside its axis, as the
    # report's radar does (thai.radar_labels); their cells lie beside the sorted table
    axis = KEY_COLUMN + 1
    put(ws, 1, axis, "ป้ายแกนกราฟเรดาร์ (สูตรช่วย) / Radar axis labels (helper)", NOTE_FONT, wrap=True)
    for r, text in enumerate(radar_labels(shorts, names), start=PROFILE_HEADER_ROW + 1):
        put(ws, r, axis, text, wrap=True)
    ws.column_dimensions[get_column_letter(axis)].width = 24
    radar.set_categories(Reference(ws, min_col=axis, min_row=6, max_row=profile_end))
    radar.y_axis.scaling.min, radar.y_axis.scaling.max = 0, 100
    radar.y_axis.delete = False
    radar.x_axis.delete = False
    radar.legend.position = "b"
    # the rows above the radar, then the radar's rows (rounded up, and two to spare: with
    # one, LibreOffice prints the bar chart's top edge at the foot of the first page)
    above = sum(ws.row_dimensions[r].height or DEFAULT_ROW_POINTS for r in range(1, profile_end + 2))
    room = (FIRST_PAGE_POINTS - above - (RADAR_SPARE_ROWS + 1) * DEFAULT_ROW_POINTS) / 72 * 2.54   # cm
    radar.height, radar.width = max(RADAR_MIN_CM, min(RADAR_CM, room)), CHART_WIDTH
    ws.add_chart(radar, f"A{profile_end + 2}")

    chart_rows = write_ranking(ws, framework, shape, cells)
    bar = BarChart()
    bar.type = "bar"
    bar.grouping = "clustered"
    bar.overlap = 100    # one bar per row: each row has a number in one series only
    bar.style = 10
    bar.title = "คะแนนรวม เรียงจากสูงไปต่ำ / Overall score, best to worst (%)"
    if chart_rows < shape.entries:
        bar.title = (f"คะแนนรวม {TOP_BOTTOM} อันดับแรกและ {TOP_BOTTOM} อันดับท้าย / "
                     f"Overall score: top and bottom {TOP_BOTTOM} (%)")
    first, last_chart = RANKING_HEADER_ROW + 1, RANKING_HEADER_ROW + chart_rows
    bar.add_data(Reference(ws, min_col=RANKING_FIRST_COLUMN + 3, max_col=RANKING_FIRST_COLUMN + 5,
                           min_row=RANKING_HEADER_ROW, max_row=last_chart), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=RANKING_FIRST_COLUMN + 2, min_row=first, max_row=last_chart))
    for series, colour in zip(bar.series, SERIES_COLOURS):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 100
    bar.x_axis.scaling.orientation = "maxMin"  # the best on top
    bar.gapWidth = 40
    bar.y_axis.number_format = "0"
    bar.y_axis.majorUnit = 20
    bar.x_axis.delete = bar.y_axis.delete = False
    bar.x_axis.tickLblSkip = 1  # every row named, not every other one: small enough to fit
    bar.x_axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=800)),
                                            endParaRPr=CharacterProperties(sz=800))])
    bar.legend.position = "b"
    bar.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                   showLegendKey=False, showPercent=False)
    bar.dataLabels.numFmt = LABEL_FORMAT
    bar.height, bar.width = min(BAR_MAX_CM, max(8, 0.6 * chart_rows + 4)), CHART_WIDTH
    bar_row = profile_end + 2 + math.ceil(radar.height / ROW_CM) + RADAR_SPARE_ROWS
    ws.add_chart(bar, f"A{bar_row}")
    ws.row_breaks.append(Break(id=bar_row - 1))
    widths(ws, "ABC", (34, 22, 24))
    table = f"E:{get_column_letter(KEY_COLUMN + 1)}"
    print_a4(ws, landscape=False, columns="A:C",
             footer_note=f"ที่มาของกราฟ ({table}) ไม่พิมพ์ / Chart sources ({table}) not printed")
    ws.print_area = f"A1:C{bar_row + math.ceil(bar.height / ROW_CM)}"
