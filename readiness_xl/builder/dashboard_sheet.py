"""The Summary sheet's frame and the Dashboard: native Excel charts over the Summary
ranges that recalculation fills, so the charts follow every recalculation in Excel,
LibreOffice or any reader, with or without Python.

The Summary has one row per agency (rows 2..n+1, in Agencies order), then ministries,
kinds and the national row; its columns are workbook.summary.header()."""

from __future__ import annotations

import pandas as pd
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from readiness_xl.builder.style import (BODY_FONT, BOLD_FONT, INPUT_FILL, NOTE_FONT, SCORE_FORMAT, TITLE_FONT,
                                        header, print_a4, put, put_formula, widths)
from readiness_xl.core.framework import Framework
from readiness_xl.workbook import layout as L
from readiness_xl.workbook.summary import FIXED_HEADERS, SCORE_HEADERS, TAIL_HEADERS

FIRST_DIMENSION_COLUMN = len(FIXED_HEADERS) + 1
NAME_COLUMN = "C"  # Thai name: what the Dashboard's chooser matches


def summary_rows_count(agencies: pd.DataFrame) -> int:
    """Rows recalculation writes below the header: agencies, ministries, kinds, nation."""
    return len(agencies) + agencies["ministry_th"].nunique() + agencies["kind"].nunique() + 1


def overall_column(framework: Framework) -> str:
    return get_column_letter(FIRST_DIMENSION_COLUMN + len(framework.dimension_ids))


def write_summary_frame(wb, framework: Framework, agencies: pd.DataFrame):
    """Headers and the styles of the data rows (the writer copies row 2's styles)."""
    ws = wb.create_sheet(L.SUMMARY_SHEET)
    labels = FIXED_HEADERS + [f"มิติ {d} / Dim {d} %" for d in framework.dimension_ids] + TAIL_HEADERS
    header(ws, 1, labels)
    for col in range(1, len(labels) + 1):
        cell = ws.cell(row=2, column=col)
        cell.font = BODY_FONT
        is_dimension = FIRST_DIMENSION_COLUMN <= col < FIRST_DIMENSION_COLUMN + len(framework.dimension_ids)
        if is_dimension or labels[col - 1] in SCORE_HEADERS:
            cell.number_format = SCORE_FORMAT
    last = 1 + summary_rows_count(agencies)
    first_dim = get_column_letter(FIRST_DIMENSION_COLUMN)
    ws.conditional_formatting.add(
        f"{first_dim}2:{overall_column(framework)}{last}",
        ColorScaleRule(start_type="num", start_value=0, start_color="F8696B", mid_type="num",
                       mid_value=50, mid_color="FFEB84", end_type="num", end_value=100,
                       end_color="63BE7B"))
    widths(ws, "ABCDEF", (12, 8, 36, 36, 14, 26))
    for col in range(FIRST_DIMENSION_COLUMN, len(labels)):
        ws.column_dimensions[get_column_letter(col)].width = 10
    ws.row_dimensions[1].height = 45
    ws.column_dimensions[get_column_letter(len(labels))].width = 60
    ws.freeze_panes = "C2"
    print_a4(ws, title_rows="1:1")
    # The narrative is for pasting into reports; the printed Summary is the table of numbers.
    ws.print_area = f"A1:{get_column_letter(len(labels) - 1)}{last}"
    return ws


def write_dashboard(wb, framework: Framework, agencies: pd.DataFrame, chosen: str) -> None:
    """A chooser cell, a profile table (national vs the chosen unit) feeding a radar
    chart, and a bar chart of every agency's overall score."""
    ws = wb.create_sheet(L.DASHBOARD_SHEET)
    dims = framework.dimension_ids
    last = 1 + summary_rows_count(agencies)
    kinds = f"'{L.SUMMARY_SHEET}'!$A$2:$A${last}"
    names = f"'{L.SUMMARY_SHEET}'!${NAME_COLUMN}$2:${NAME_COLUMN}${last}"

    put(ws, 1, 1, "แดชบอร์ดความพร้อมรัฐบาลดิจิทัล / Digital Government Readiness Dashboard", TITLE_FONT)
    put(ws, 2, 1, "ข้อมูลจากชีต Summary ซึ่งคำนวณใหม่ทุกครั้งที่กด Recalculate / Data from the Summary "
        "sheet, refreshed by every recalculation.", NOTE_FONT)
    put(ws, 3, 1, "เลือกหน่วยงานหรือกระทรวง / Choose a unit:", BOLD_FONT)
    put(ws, 3, 2, chosen, BOLD_FONT, fill=INPUT_FILL)
    chooser = DataValidation(type="list", formula1=names, allow_blank=False, showErrorMessage=True,
                             error="เลือกจากรายชื่อในชีต Summary / Choose a name from the Summary sheet")
    chooser.add("B3")
    ws.add_data_validation(chooser)

    all_units = f"{framework.settings.all_units_th} / {framework.settings.all_units_en}"
    header(ws, 5, ["มิติ / Dimension", all_units, "หน่วยที่เลือก / Chosen unit"])
    rows = [(f"{d} {framework.dimensions.at[d, 'name_en']}", get_column_letter(FIRST_DIMENSION_COLUMN + i))
            for i, d in enumerate(dims)]
    rows.append(("คะแนนรวม / Overall", overall_column(framework)))
    for r, (label, col) in enumerate(rows, start=6):
        values = f"'{L.SUMMARY_SHEET}'!${col}$2:${col}${last}"
        put(ws, r, 1, label)
        put_formula(ws, r, 2, f'=IFERROR(INDEX({values},MATCH("national",{kinds},0)),"")',
            number_format=SCORE_FORMAT)
        put_formula(ws, r, 3, f'=IFERROR(INDEX({values},MATCH($B$3,{names},0)),"")', number_format=SCORE_FORMAT)
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
    radar.height, radar.width = 12, 18
    ws.add_chart(radar, "E3")

    summary = wb[L.SUMMARY_SHEET]
    overall = FIRST_DIMENSION_COLUMN + len(dims)
    bar = BarChart()
    bar.type = "bar"
    bar.style = 10
    bar.title = "คะแนนรวมรายหน่วยงาน / Overall score by agency (%)"
    bar.add_data(Reference(summary, min_col=overall, min_row=1, max_row=1 + len(agencies)),
                 titles_from_data=True)
    bar.set_categories(Reference(summary, min_col=3, min_row=2, max_row=1 + len(agencies)))
    bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 100
    bar.x_axis.scaling.orientation = "maxMin"  # first agency on top, as in the Summary
    bar.gapWidth = 40
    bar.y_axis.number_format = "0"
    bar.y_axis.majorUnit = 20
    bar.x_axis.delete = bar.y_axis.delete = False
    bar.legend = None
    bar.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                   showLegendKey=False, showPercent=False)
    bar.dataLabels.numFmt = SCORE_FORMAT
    bar.height, bar.width = max(8, 0.6 * len(agencies) + 3), 22
    ws.add_chart(bar, f"A{profile_end + 3}")
    widths(ws, "ABC", (34, 22, 24))
    print_a4(ws, landscape=False)
