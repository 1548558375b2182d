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
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.style import (BODY_FONT, BODY_POINTS, BOLD_FONT, INPUT_FILL, NOTE_FONT, SCORE_FORMAT, SIGNED_FORMAT,
                                         LINE_POINTS, THAI_FONT, TITLE_FONT, WRAP, header, heat_fills, print_a4, put, put_formula, widths)
from readiness_xl.workbook.summary import FIXED_HEADERS, GAP_HEADERS, ROW_TYPES, SCORE_HEADERS, TAIL_HEADERS

FIRST_DIMENSION_COLUMN = len(FIXED_HEADERS) + 1
NAME_COLUMN = "C"  # Thai name: what the Dashboard's chooser matches
# What the Dashboard says while no agency has answered anything (a blank template).
EMPTY_STATE = ("ยังไม่มีคำตอบ: กรอกคำตอบในชีตหน่วยงาน ผลจะขึ้นที่นี่ทันที (แบบชีต Responses: กด คำนวณใหม่ทุกหน่วยงาน "
               "หรือรัน readiness-xl recalc) / No answers yet: answer the agency sheets and the results "
               "show here at once (Responses layout: press Recalculate all agencies or run readiness-xl recalc).")
# The Dashboard is one column of content as wide as A..C (about 15 cm), so it prints on
# A4 portrait at full size: the table, the radar under it, the bar chart on its own page.
CHART_WIDTH = 15     # cm
ROW_CM = 15 / 72 * 2.54   # a row of the default height (15 points), in cm
BAR_MAX_CM = 26     # the tallest chart an A4 portrait page holds with its footer
RADAR_ROWS = 25      # rows the radar (12 cm tall) covers at the default row height
# The bar chart's source: a table right of the printed column, sorted live. Up to
# CHART_ALL_UP_TO rows (agencies, ministries, nation) fit one A4 page legibly; beyond,
# the chart shows the TOP_BOTTOM best and worst with the national mean between them.
RANKING_FIRST_COLUMN = 5      # E: place, Summary row, name, agency, ministry mean, national mean
RANKING_HEADER_ROW = 5
PLACE_COLUMN = 12             # L: each Summary row's place, on the Summary's row number
CHART_ALL_UP_TO = 45
TOP_BOTTOM = 20
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


def ranked_entries(agencies: pd.DataFrame) -> int:
    """Summary rows the bar chart ranks: agencies, ministries and the nation (not kinds)."""
    return len(agencies) + agencies["ministry_th"].nunique() + 1


def position_formula(row: int, last: int, overall: str, counted: str) -> str:
    """The place of Summary row `row` in the chart's order, best first: 1 + the rows
    scoring more + the rows above it scoring the same (so ties keep the Summary's order and
    no unit is listed twice); rows without a number follow, in the Summary's order. Kind
    rows take no place. Numbers are compared as numbers (COUNTIF would compare text of 15
    digits); text is greater than any number in a comparison, hence ISNUMBER first."""
    sheet = f"'{L.SUMMARY_SHEET}'!"
    types, scores = f"{sheet}$A$2:$A${last}", f"{sheet}${overall}$2:${overall}${last}"
    above_types, above = f"{sheet}$A$1:$A${row - 1}", f"{sheet}${overall}$1:${overall}${row - 1}"
    kind, me = ROW_TYPES["kind"], f"{sheet}${overall}${row}"
    return (f'=IF({sheet}$A${row}="{kind}","",IF(ISNUMBER({me}),'
            f'1+SUMPRODUCT(({types}<>"{kind}")*ISNUMBER({scores})*({scores}>{me}))'
            f'+SUMPRODUCT(({above_types}<>"{kind}")*ISNUMBER({above})*({above}={me})),'
            f'{counted}+1+SUMPRODUCT(({above_types}<>"{kind}")*(1-ISNUMBER({above})))))')


def chart_places(entries: int) -> list[str]:
    """The place (in the chart's order) each chart row shows, as a formula over the count of
    scored rows `{n}` and the nation's place `{nation}`: every row when they fit one page,
    else the TOP_BOTTOM best, the nation, the TOP_BOTTOM worst scored."""
    if entries <= CHART_ALL_UP_TO:
        return [str(k) for k in range(1, entries + 1)]
    top = [str(k) for k in range(1, TOP_BOTTOM + 1)]
    bottom = [f"{{n}}-{TOP_BOTTOM - j}" for j in range(1, TOP_BOTTOM + 1)]
    return top + ["{nation}"] + bottom


def write_ranking(ws, framework: Framework, agencies: pd.DataFrame) -> int:
    """The bar chart's source beside the profile table: Summary rows sorted by overall
    score, live. Column L holds each Summary row's place (same row number as on the
    Summary); the table lists the rows place by place, its value in one of three columns
    (agency, ministry mean, national mean) so that each has its colour. Returns how many
    rows the chart shows."""
    last = 1 + summary_rows_count(agencies)
    overall = overall_column(framework)
    sheet = f"'{L.SUMMARY_SHEET}'!"
    kind = ROW_TYPES["kind"]
    c = [get_column_letter(RANKING_FIRST_COLUMN + i) for i in range(6)]
    place, counted = get_column_letter(PLACE_COLUMN), f"${c[1]}${RANKING_HEADER_ROW - 1}"
    put(ws, RANKING_HEADER_ROW - 1, RANKING_FIRST_COLUMN, "มีคะแนน / scored:", BOLD_FONT)
    types, scores = f"{sheet}$A$2:$A${last}", f"{sheet}${overall}$2:${overall}${last}"
    put_formula(ws, RANKING_HEADER_ROW - 1, RANKING_FIRST_COLUMN + 1,
                f'=SUMPRODUCT(({types}<>"{kind}")*ISNUMBER({scores}))')
    put(ws, 1, PLACE_COLUMN, "ลำดับในกราฟของแถว Summary (สูตรช่วย) / Chart place of each Summary row (helper)",
        NOTE_FONT, wrap=True)
    for row in range(2, last + 1):
        put_formula(ws, row, PLACE_COLUMN, position_formula(row, last, overall, counted))
    places = f"${place}$2:${place}${last}"
    nation = f"MATCH(\"{ROW_TYPES['national']}\",{types},0)"
    header(ws, RANKING_HEADER_ROW, ["ลำดับ / Place", "แถว / Row", "ชื่อ / Name", "หน่วยงาน / Agency",
                                    "ค่าเฉลี่ยกระทรวง / Ministry mean",
                                    f"ค่าเฉลี่ย{framework.settings.all_units_th} / "
                                    f"{framework.settings.all_units_en} mean"],
           first_col=RANKING_FIRST_COLUMN, height=48)
    for i in range(6):
        ws.cell(RANKING_HEADER_ROW, RANKING_FIRST_COLUMN + i).alignment = WRAP
    rows = chart_places(ranked_entries(agencies))
    for j, k in enumerate(rows):
        r = RANKING_HEADER_ROW + 1 + j
        if k.isdigit():
            put(ws, r, RANKING_FIRST_COLUMN, int(k))
        else:
            k = k.format(n=counted, nation=f"INDEX({places},{nation})")
            put_formula(ws, r, RANKING_FIRST_COLUMN, f'=IFERROR(IF({k}>=1,{k},""),"")')
        put_formula(ws, r, RANKING_FIRST_COLUMN + 1, f'=IFERROR(MATCH(${c[0]}{r},{places},0),"")')
        at = f"${c[1]}{r}"
        suffix = f'IF(INDEX({types},{at})="{ROW_TYPES["agency"]}",""," (ค่าเฉลี่ย)")'
        put_formula(ws, r, RANKING_FIRST_COLUMN + 2,
                    f'=IF({at}="","",INDEX({sheet}$C$2:$C${last},{at})&{suffix})')
        for i, row_type in enumerate(("agency", "ministry", "national")):
            put_formula(ws, r, RANKING_FIRST_COLUMN + 3 + i,
                        f'=IF({at}="","",IF(INDEX({types},{at})="{ROW_TYPES[row_type]}",'
                        f'INDEX({scores},{at}),""))', number_format=SCORE_FORMAT)
    widths(ws, c, (9, 7, 40, 11, 12, 12))
    ws.column_dimensions[place].width = 14
    return len(rows)


def write_dashboard(wb, framework: Framework, agencies: pd.DataFrame, chosen: str) -> None:
    """A chooser cell, a profile table (national vs the chosen unit) feeding a radar
    chart, and a bar chart of the overall scores, best first, of the agencies, the
    ministry means and the national mean (write_ranking)."""
    ws = wb.create_sheet(L.DASHBOARD_SHEET)
    dims = framework.dimension_ids
    last = 1 + summary_rows_count(agencies)
    kinds = f"'{L.SUMMARY_SHEET}'!$A$2:$A${last}"
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
    chooser.add("B3")
    ws.add_data_validation(chooser)
    completeness = get_column_letter(FIRST_DIMENSION_COLUMN + len(dims) + TAIL_HEADERS.index(
        "ความครบถ้วน / Completeness %"))
    answered = f"'{L.SUMMARY_SHEET}'!${completeness}$2:${completeness}${last}"
    put_formula(ws, 4, 1, f'=IF(COUNTIF({answered},">0")=0,"{EMPTY_STATE}","")', EMPTY_FONT).alignment = WRAP
    ws.merge_cells("A4:C4")
    ws.row_dimensions[4].height = 4 * LINE_POINTS

    all_units = f"{framework.settings.all_units_th} / {framework.settings.all_units_en}"
    header(ws, 5, ["มิติ / Dimension", all_units, "หน่วยที่เลือก / Chosen unit"])
    rows = [(f"{d} {framework.dimensions.at[d, 'name_en']}", get_column_letter(FIRST_DIMENSION_COLUMN + i))
            for i, d in enumerate(dims)]
    rows.append(("คะแนนรวม / Overall", overall_column(framework)))
    national = ROW_TYPES["national"]
    for r, (label, col) in enumerate(rows, start=6):
        values = f"'{L.SUMMARY_SHEET}'!${col}$2:${col}${last}"
        put(ws, r, 1, label)
        put_formula(ws, r, 2, f'=IF($A$4<>"","",IFERROR(INDEX({values},MATCH("{national}",{kinds},0)),""))',
                    number_format=SCORE_FORMAT)
        put_formula(ws, r, 3, f'=IF($A$4<>"","",IFERROR(INDEX({values},MATCH($B$3,{names},0)),""))',
                    number_format=SCORE_FORMAT)
    profile_end = 5 + len(dims)

    radar = RadarChart()
    radar.type = "marker"
    radar.style = 26
    radar.title = "โปรไฟล์รายมิติ / Dimension profile"
    radar.add_data(Reference(ws, min_col=2, max_col=3, min_row=5, max_row=profile_end), titles_from_data=True)
    radar.set_categories(Reference(ws, min_col=1, min_row=6, max_row=profile_end))
    radar.y_axis.scaling.min, radar.y_axis.scaling.max = 0, 100
    radar.y_axis.delete = False
    radar.x_axis.delete = False
    radar.legend.position = "b"
    radar.height, radar.width = 12, CHART_WIDTH
    ws.add_chart(radar, f"A{profile_end + 2}")

    chart_rows = write_ranking(ws, framework, agencies)
    bar = BarChart()
    bar.type = "bar"
    bar.grouping = "clustered"
    bar.overlap = 100    # one bar per row: each row has a number in one series only
    bar.style = 10
    bar.title = "คะแนนรวม เรียงจากสูงไปต่ำ / Overall score, best to worst (%)"
    if chart_rows < ranked_entries(agencies):
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
    bar_row = profile_end + 2 + RADAR_ROWS
    ws.add_chart(bar, f"A{bar_row}")
    ws.row_breaks.append(Break(id=bar_row - 1))
    widths(ws, "ABC", (34, 22, 24))
    table = f"E:{get_column_letter(PLACE_COLUMN)}"
    print_a4(ws, landscape=False, columns="A:C",
             footer_note=f"ที่มาของกราฟแท่ง ({table}) ไม่พิมพ์ / Bar chart source ({table}) not printed")
    ws.print_area = f"A1:C{bar_row + math.ceil(bar.height / ROW_CM)}"
