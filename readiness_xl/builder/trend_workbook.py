"""The trend workbook: the Trend sheet (a row per unit and measure, every round side by
side), the Trend dashboard (native line charts of the nation and the ministries, the
largest moves), the rounds and their frameworks, and which units are in which round.
A derived workbook, rebuilt whole by `readiness-xl trend`, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from readiness_xl.core.trend import OVERALL, Trend, change
from readiness_xl.core.trend_narrative import trend_sentences
from readiness_xl.thai import common_era_year, thai_digits
from readiness_xl.workbook import trend_layout as TL
from readiness_xl.workbook.style import (BODY_FONT, BOLD_FONT, INPUT_FILL, LINE_POINTS, NOTE_FONT, RIGHT,
                                         SCORE_FORMAT, TITLE_FONT, WRAP, excel_text, header, print_a4, put,
                                         put_formula, text_height, visible_length, widths, wrapped_lines)
from readiness_xl.workbook.trend_views import trend_table

# distinct colours for lines (Excel's and LibreOffice's default styles shade one hue)
LINE_COLOURS = ("1F5FA8", "C8553D", "2A9D8F", "8E6C8A", "E9A03B", "5B8E3E", "D1495B", "3D5A80",
                "9C6644", "6C757D")
ILLUSTRATIVE_NOTE = ("ข้อมูลตัวอย่างสมมุติ ไม่ใช่ผลการสำรวจ / Illustrative data: at least one round holds "
                     "invented answers (a sample), not survey results.")
NOTE_WIDTH = 45      # characters: the Rounds sheet's what-changed columns
ID_WIDTH = 20         # unit ids: agency ids, and ministries by their Thai names (wrapped)
UNITS_NOTE_WIDTH = 34  # the Units sheet's mapping column
MOVERS = 10          # agencies shown among the largest gains and the largest falls
SIGNED_FORMAT = "+0.0;-0.0;0.0"
CHOOSER_WIDTH = 46   # the dashboard's first column: row labels and the chooser's label
NO_SCORE = "—"       # the chosen unit's score in a round it missed (or a measure that round lacked)
WHOLE_SIGNED = "+0;-0;0"


def trend_rows(trend: Trend) -> pd.DataFrame:
    """The Trend sheet's table: trend_table plus the trend sentences on overall rows."""
    table = trend_table(trend)
    overall = table["measure"] == OVERALL
    for lang in ("th", "en"):
        texts = pd.concat({u: trend_sentences(trend, u, lang=lang) for u in ("national", "ministry", "agency")})
        keys = pd.MultiIndex.from_arrays([table["unit_type"], table["id"]])
        table[f"trend_{lang}"] = np.where(overall, texts.reindex(keys).to_numpy(object), "")
    table["key"] = table["id"].astype(str) + "|" + table["measure"].astype(str)
    return table


def write_trend_workbook(trend: Trend, target: Path, sources: list[str],
                         about: tuple[str, ...] = ()) -> None:
    """Write the trend workbook to `target`, whole or not at all; `about` adds lines to its
    README sheet and the dashboard's head (e.g. ILLUSTRATIVE_NOTE). openpyxl builds the frame
    (every sheet but the Trend sheet's data, which it styles in row 2); the rows, which
    for a national survey are hundreds of thousands of cells, are then written straight
    into the sheet's part with row 2's styles, as the Summary is."""
    from openpyxl import Workbook

    from readiness_xl.builder.template import xlwings_conf_sheet, save_workbook
    from readiness_xl.workbook.locks import scratch_folder
    from readiness_xl.workbook.parts import write_sheet_rows
    table = trend_rows(trend)
    wb = Workbook()
    wb.remove(wb.active)
    _readme(wb, trend, sources, about)
    chooser = _dashboard(wb, trend, table, about)
    _trend_sheet(wb, table)
    _rounds_sheet(wb, trend, sources)
    _chooser_list(wb[TL.TREND_DASHBOARD_SHEET], chooser, _units_sheet(wb, trend))
    xlwings_conf_sheet(wb)  # READINESS_CHANGE and RANK_CHANGE work in this workbook too
    wb.active = wb.sheetnames.index(TL.TREND_DASHBOARD_SHEET)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == TL.TREND_DASHBOARD_SHEET
    rows = [[TL.column_label(k) for k in table.columns],
            *table.astype(object).where(table.notna(), None).to_numpy().tolist()]
    with scratch_folder("trend") as folder:
        frame = folder / "frame.xlsx"
        save_workbook(wb, frame)
        write_sheet_rows(frame, Path(target), TL.TREND_SHEET, rows)


def _years_text(trend: Trend) -> str:
    return ", ".join(f"{thai_digits(y)} / {TL.both_years(y)}" for y in trend.years)


def _readme(wb, trend: Trend, sources: list[str], about: tuple[str, ...]) -> None:
    ws = wb.create_sheet("README")
    lines = [
        "แนวโน้มความพร้อมรัฐบาลดิจิทัล / Digital government readiness: trend over survey rounds",
        f"รอบการสำรวจ (พ.ศ. / B.E. (C.E.)): {_years_text(trend)}; "
        f"จากไฟล์ / from: {', '.join(sources)}",
        "แต่ละรอบคำนวณด้วยกรอบการประเมินของรอบนั้นเอง หน่วยงานจับคู่ด้วยรหัส (และตาราง Mapping) "
        "มิติจับคู่ด้วยรหัสมิติ / Each round is scored with its own framework; agencies are matched by "
        "id (and the Mapping), dimensions by dimension id.",
        "ชีต Trend: หนึ่งแถวต่อหน่วยและมิติ คะแนนแต่ละปี การเปลี่ยนแปลง อันดับ และระดับ / The Trend sheet: "
        "a row per unit and measure with every round's score, the change in points, rank and band.",
        "อันดับเปลี่ยนและระดับเปลี่ยน: บวก = ดีขึ้น / Rank and band changes: positive = moved up. Ranks are "
        "taken among the matched agencies of each round.",
        "ชีต Units: หน่วยที่มีเพียงบางรอบ ไม่ถูกตัดทิ้ง / The Units sheet lists every unit present in only "
        "some rounds: none is dropped.",
    ]
    if not trend.comparable:
        lines.append("กรอบการประเมินเปลี่ยนระหว่างรอบ (ดูชีต Rounds): การเปลี่ยนแปลงบางส่วนไม่ได้เทียบแบบเดียวกัน "
                     "คอลัมน์ 'ตัวชี้วัดร่วม' คำนวณทุกรอบใหม่ด้วยตัวชี้วัดที่มีทุกรอบ / The framework changed "
                     "between rounds (see the Rounds sheet): some changes are not like for like; the "
                     "'Common indicators' columns re-score every round on the indicators all rounds share.")
    lines += list(about)
    put(ws, 1, 1, lines[0], TITLE_FONT)
    for r, line in enumerate(lines[1:], start=3):
        put(ws, r, 1, line, wrap=True)
        ws.row_dimensions[r].height = text_height(line, 95)
    widths(ws, "A", (95,))
    print_a4(ws, landscape=False)


def _number_format(key: str) -> str | None:
    kind = key.split("_")[0]
    if key.startswith(("change_", "common_change_")):
        return SIGNED_FORMAT
    if key.startswith(("rank_change_", "band_change_")):
        return WHOLE_SIGNED
    return SCORE_FORMAT if kind in ("score", "common") else "0" if kind == "rank" else None


def _value(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _trend_sheet(wb, table: pd.DataFrame) -> None:
    """The Trend sheet's header, and row 2 styled column by column (the writer gives every
    data row row 2's styles)."""
    from openpyxl.utils import get_column_letter
    ws = wb.create_sheet(TL.TREND_SHEET)
    keys = list(table.columns)
    header(ws, 1, [TL.column_label(k) for k in keys])
    for c, key in enumerate(keys, start=1):
        put(ws, 2, c, None, number_format=_number_format(key))
    # ids hold ministries' Thai names: as wide as the longest, so that none runs into the name
    ids = max((visible_length(i) for i in table["id"].astype(str)), default=0)
    wide = {"name_th": 34, "name_en": 34, "ministry_th": 22, "measure_name": 26, "note": 40,
            "trend_th": 70, "trend_en": 70, "unit_type": 9, "id": min(36, max(9, ids + 2))}
    for c, key in enumerate(keys, start=1):
        label = TL.column_label(key)
        level = 18 if key.startswith("level_") else 10
        ws.column_dimensions[get_column_letter(c)].width = wide.get(key, max(level, _header_width(label)))
    ws.row_dimensions[1].height = LINE_POINTS * max(
        wrapped_lines(TL.column_label(k), ws.column_dimensions[get_column_letter(c)].width, HEADER_FILL)
        for c, k in enumerate(keys, start=1)) + 4
    last = get_column_letter(len(keys))
    ws.freeze_panes = "H2"
    ws.auto_filter.ref = f"A1:{last}{len(table) + 1}"
    # On paper: ids and Thai names on every page; the units, then the measures with their
    # scores, then the ranks and levels, each a page across at 8 pt or more (a measure's
    # name runs on over the blank score of a round without it, on the same page).
    printed = get_column_letter(keys.index("note"))
    per_round = [k for k in keys[keys.index("measure_name") + 1:keys.index("note")]]
    split = next((k for k in per_round if k.startswith("rank_")), per_round[-1])
    breaks = (get_column_letter(keys.index("measure")), get_column_letter(keys.index(split)))
    print_a4(ws, title_rows="1:1", columns=f"A:{printed}", breaks_after=breaks,
             title_cols=f"{get_column_letter(keys.index('id') + 1)}:{get_column_letter(keys.index('name_th') + 1)}")
    ws.print_area = f"A1:{printed}{len(table) + 1}"


HEADER_FILL = 0.75   # bold header letters are wider than the body's


def _header_width(label: str) -> float:
    """A column width that holds the longest word of a bold header (words break at
    spaces and after hyphens) whole, so that none is cut inside ("Commo/n")."""
    import re
    words = re.findall(r"[^\s-]+-?", label)
    return max((1.45 * visible_length(w) + 1 for w in words), default=0)


def _dashboard(wb, trend: Trend, table: pd.DataFrame, about: tuple[str, ...]) -> str:
    """The dashboard's sections, one per printed page; returns the chooser cell."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.worksheet.pagebreak import Break

    ws = wb.create_sheet(TL.TREND_DASHBOARD_SHEET)
    years = trend.years
    labels = [f"{thai_digits(y)} ({common_era_year(y)})" for y in years]
    put(ws, 1, 1, "แนวโน้มความพร้อมรัฐบาลดิจิทัล / Readiness trend", TITLE_FONT)
    put(ws, 2, 1, f"รอบ / Rounds: {_years_text(trend)}. ข้อมูลจากชีต Trend / From the Trend sheet.",
        NOTE_FONT)
    if not trend.comparable:
        note = trend.framework_changes.at[OVERALL, "note_en"]
        put(ws, 3, 1, f"กรอบการประเมินเปลี่ยน (ดูชีต Rounds) / Framework changed: {note}", NOTE_FONT)
    if about:
        put(ws, 4, 1, " ".join(about), BOLD_FONT)

    # national line: overall and each dimension by round
    top = 5
    header(ws, top, [" / ".join(trend.all_units), *labels])
    national = trend.national
    names = {OVERALL: "คะแนนรวม / Overall",
             **{d: f"มิติ {d} {r.name_en}" for d, r in trend.dimensions.iterrows()}}
    for i, m in enumerate(trend.measures, start=top + 1):
        put(ws, i, 1, names[m], BOLD_FONT if m == OVERALL else BODY_FONT)
        for j, y in enumerate(years, start=2):
            put(ws, i, j, _value(national.scores.at[national.units[0], (m, y)]), number_format=SCORE_FORMAT)
    end = top + len(trend.measures)
    line = _line_chart("คะแนนประเทศรายรอบ / National scores by round (%)", national.scores)
    line.add_data(Reference(ws, min_col=1, max_col=1 + len(years), min_row=top + 1, max_row=end),
                  from_rows=True, titles_from_data=True)
    line.set_categories(Reference(ws, min_col=2, max_col=1 + len(years), min_row=top, max_row=top))
    _markers(line)
    ws.add_chart(line, f"{_col(len(years) + 3)}{top}")

    # any unit chosen by its id (or a ministry by its name): native formulas over the Trend sheet
    top = max(end + 3, top + 26)
    ws.row_breaks.append(Break(id=top - 1))
    chooser = f"B{top}"
    end = _chosen_unit(ws, trend, table, top, labels, names)

    # ministries: one line each (a slope chart for two rounds), on a page of their own
    top = max(end + 3, top + 26)
    ws.row_breaks.append(Break(id=top - 1))
    header(ws, top, ["กระทรวง / Ministry (overall %)", *labels])
    ministries = trend.ministries
    for i, m in enumerate(ministries.units, start=top + 1):
        put(ws, i, 1, f"{m} / {trend.ministry_names.get(m, '')}")
        for j, y in enumerate(years, start=2):
            put(ws, i, j, _value(ministries.scores.at[m, (OVERALL, y)]), number_format=SCORE_FORMAT)
    end = top + len(ministries.units)
    slope = _line_chart("คะแนนรวมรายกระทรวง / Ministries' overall score by round (%)",
                        ministries.scores[OVERALL])
    slope.add_data(Reference(ws, min_col=1, max_col=1 + len(years), min_row=top + 1, max_row=end),
                   from_rows=True, titles_from_data=True)
    slope.set_categories(Reference(ws, min_col=2, max_col=1 + len(years), min_row=top, max_row=top))
    slope.height = max(11, 0.45 * len(ministries.units) + 8)
    _markers(slope)
    ws.add_chart(slope, f"{_col(len(years) + 3)}{top}")

    # agencies that moved most, first round to last: on a page of their own
    top = max(end + 3, top + int(slope.height * 2) + 2)
    ws.row_breaks.append(Break(id=top - 1))
    first, last = years[0], years[-1]
    gained = change(trend.agencies, OVERALL, first, last).dropna().sort_values(ascending=False)
    movers = pd.concat([gained.head(MOVERS), gained.tail(MOVERS)])
    movers = movers[~movers.index.duplicated()]
    header(ws, top, ["หน่วยงาน / Agency", f"เปลี่ยนแปลง {thai_digits(first)}→{thai_digits(last)} / "
                     f"Change {first}→{last} (points)"])
    for i, (ident, value) in enumerate(movers.items(), start=top + 1):
        put(ws, i, 1, f"{ident} {trend.info.at[ident, 'name_en']}")
        put(ws, i, 2, float(value), number_format=SIGNED_FORMAT)
    end = top + len(movers)
    bar = BarChart()
    bar.type = "bar"
    bar.style = 10
    bar.title = "หน่วยงานที่เปลี่ยนแปลงมากที่สุด / Largest moves (points)"
    bar.add_data(Reference(ws, min_col=2, min_row=top, max_row=end), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=end))
    bar.x_axis.scaling.orientation = "maxMin"
    bar.x_axis.tickLblPos = "low"  # names at the left edge, clear of bars that go below zero
    bar.x_axis.delete = bar.y_axis.delete = False
    bar.y_axis.number_format = "0"
    bar.legend = None
    bar.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                   showLegendKey=False, showPercent=False)
    bar.dataLabels.numFmt = SIGNED_FORMAT
    bar.height, bar.width = max(8, 0.55 * len(movers) + 3), 18
    ws.add_chart(bar, f"{_col(len(years) + 3)}{top}")
    widths(ws, "A", (CHOOSER_WIDTH,))
    for j in range(2, 2 + len(years)):
        ws.column_dimensions[_col(j)].width = 14
    ws.row_dimensions[top].height = 60
    print_a4(ws, landscape=True)
    ws.page_setup.fitToHeight = 0
    return chooser


def _chosen_unit(ws, trend: Trend, table: pd.DataFrame, top: int, labels: list[str],
                 names: dict[str, str]) -> int:
    """A chooser cell and the chosen unit's scores by round, looked up in the Trend sheet
    with INDEX/MATCH on its id|measure key (any spreadsheet program recalculates them),
    drawn as a line chart. Returns the last row used."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    last = len(table) + 1
    column = {k: get_column_letter(i) for i, k in enumerate(table.columns, start=1)}
    trend_ref = f"'{TL.TREND_SHEET}'!"
    keys = f"{trend_ref}${column['key']}$2:${column['key']}${last}"
    chosen = f"$B${top}"
    first_agency = str(trend.agencies.units[0]) if len(trend.agencies.units) else ""
    label = "เลือกหน่วย / Choose a unit (agency id or ministry):"
    put(ws, top, 1, label, BOLD_FONT, wrap=True)
    ws.row_dimensions[top].height = text_height(label, CHOOSER_WIDTH)
    put(ws, top, 2, first_agency, BOLD_FONT, fill=INPUT_FILL)
    names_range = f"{trend_ref}${column['name_th']}$2:${column['name_th']}${last}"
    put_formula(ws, top + 1, 2, f'=IFERROR(INDEX({names_range},MATCH({chosen}&"|{OVERALL}",{keys},0)),'
                f'"ไม่พบ / not found")', BOLD_FONT)
    put(ws, top + 1, 1, "ชื่อ / Name", BODY_FONT)
    header(ws, top + 2, ["หน่วยที่เลือก / Chosen unit", *labels])
    for i, m in enumerate(trend.measures, start=top + 3):
        put(ws, i, 1, names[m], BOLD_FONT if m == OVERALL else BODY_FONT)
        for j, y in enumerate(trend.years, start=2):
            scores = f"{trend_ref}${column[f'score_{y}']}$2:${column[f'score_{y}']}${last}"
            found = f'INDEX({scores},MATCH({chosen}&{excel_text("|" + str(m))},{keys},0))'
            # a round the unit missed shows a dash, never an error value (a column chart
            # draws text as an empty column)
            put_formula(ws, i, j, f'=IFERROR(IF(ISNUMBER({found}),{found},"{NO_SCORE}"),"{NO_SCORE}")',
                        number_format=SCORE_FORMAT).alignment = RIGHT
    end = top + 2 + len(trend.measures)
    # columns, a series per round: a round without the dimension simply has no column
    # (a #N/A in a line chart is a gap in Excel but a zero in LibreOffice)
    chart = BarChart()
    chart.type = "col"
    chart.title = "หน่วยที่เลือก รายมิติและรอบ / The chosen unit by dimension and round (%)"
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(trend.years), min_row=top + 2, max_row=end),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 3, max_row=end))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    for i, series in enumerate(chart.series):
        series.graphicalProperties.solidFill = LINE_COLOURS[i % len(LINE_COLOURS)]
    chart.height, chart.width = 11, 20
    ws.add_chart(chart, f"{_col(len(trend.years) + 3)}{top}")
    return end


def _chooser_list(ws, cell: str, units_last_row: int) -> None:
    """The chooser offers every unit of the Units sheet (agencies, then ministries)."""
    from openpyxl.worksheet.datavalidation import DataValidation
    rule = DataValidation(type="list", formula1=f"'{TL.UNITS_SHEET}'!$B$2:$B${units_last_row}",
                          allow_blank=False, showErrorMessage=True,
                          error="เลือกจากรายชื่อในชีต Units / Choose an id from the Units sheet")
    rule.add(cell)
    ws.add_data_validation(rule)


def _line_chart(title: str, values: pd.DataFrame):
    """A line chart whose value axis spans the data in steps of 10 (within 0..100), so
    that a few points of change can be seen."""
    from openpyxl.chart import LineChart
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "%"
    data = values.to_numpy(float)
    low, high = (np.nanmin(data), np.nanmax(data)) if np.isfinite(data).any() else (0.0, 100.0)
    chart.y_axis.scaling.min = max(0.0, np.floor(low / 10) * 10 - 10)
    chart.y_axis.scaling.max = min(100.0, np.ceil(high / 10) * 10 + 10)
    chart.y_axis.majorUnit = 10
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.height, chart.width = 11, 20
    return chart


def _markers(chart) -> None:
    """Points on every line: with two rounds a line is only its two ends."""
    from openpyxl.chart.marker import Marker
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties
    for i, series in enumerate(chart.series):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        width = 28575 if i == 0 else 19050  # EMU: the first line (overall) 2.25 pt, others 1.5 pt
        series.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=colour, w=width))
        series.marker = Marker(symbol="circle", size=7, spPr=GraphicalProperties(
            solidFill=colour, ln=LineProperties(solidFill=colour)))
        series.smooth = False


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index)


def _rounds_sheet(wb, trend: Trend, sources: list[str]) -> None:
    ws = wb.create_sheet(TL.ROUNDS_SHEET)
    put(ws, 1, 1, "รอบการสำรวจและกรอบการประเมิน / Survey rounds and their frameworks", TITLE_FONT)
    header(ws, 3, ["ปี พ.ศ. / B.E.", "ค.ศ. / C.E.", "ไฟล์ / File", "หน่วยงาน / Agencies",
                   "คะแนนประเทศ / National %", "ระดับ / Level"])
    national = trend.national
    for r, (y, source) in enumerate(zip(trend.years, sources), start=4):
        put(ws, r, 1, y)
        put(ws, r, 2, common_era_year(y))
        put(ws, r, 3, source)
        put(ws, r, 4, int(trend.agencies.present[y].sum()))
        put(ws, r, 5, _value(national.scores.iat[0, list(national.scores.columns).index((OVERALL, y))]),
            number_format=SCORE_FORMAT)
        put(ws, r, 6, f"{national.level_th.at[national.units[0], y]} / {national.level_en.at[national.units[0], y]}")
    top = 5 + len(trend.years)
    put(ws, top, 1, "น้ำหนักมิติ (% ของทั้งหมด) และสิ่งที่เปลี่ยน / Dimension weights (% of the total) "
        "and what changed", BOLD_FONT)
    header(ws, top + 1, ["มิติ / Measure", "ชื่อ / Name", *[f"{thai_digits(y)} / {y}" for y in trend.years],
                         "เทียบได้ / Like for like", "สิ่งที่เปลี่ยน", "What changed"])
    rows = trend.framework_changes
    for r, (m, change_row) in enumerate(rows.iterrows(), start=top + 2):
        put(ws, r, 1, m)
        put(ws, r, 2, "คะแนนรวม / Overall" if m == OVERALL else str(trend.dimensions.at[m, "name_en"]))
        for j, y in enumerate(trend.years, start=3):
            weight = trend.weights.at[m, y] if m in trend.weights.index else np.nan
            put(ws, r, j, _value(float(weight)), number_format="0.0")
        j = 3 + len(trend.years)
        put(ws, r, j, "ใช่ / yes" if change_row["comparable"] else "ไม่ / no",
            BOLD_FONT if not change_row["comparable"] else BODY_FONT)
        put(ws, r, j + 1, change_row["note_th"], wrap=True)
        put(ws, r, j + 2, change_row["note_en"], wrap=True)
        ws.row_dimensions[r].height = max(text_height(change_row["note_th"], NOTE_WIDTH),
                                          text_height(change_row["note_en"], NOTE_WIDTH))
    r = top + 3 + len(rows)
    if trend.common is not None:
        put(ws, r, 1, "ตัวชี้วัดร่วมที่ใช้คำนวณใหม่ / Common indicators of the re-scored comparison "
            f"(the latest round's points, weights and bands): {', '.join(trend.common_indicators)}",
            NOTE_FONT)
    # columns serve both tables: rounds (B.E., C.E., file, agencies, national, level) and
    # dimensions (id, name, a weight per round, like for like, what changed th / en)
    years = len(trend.years)
    widths(ws, "ABC", (14, 36, 22))
    for c in range(4, 3 + years):
        ws.column_dimensions[_col(c)].width = 12
    ws.column_dimensions[_col(3 + years)].width = 16
    for c in (4 + years, 5 + years):
        ws.column_dimensions[_col(c)].width = NOTE_WIDTH
    print_a4(ws)


def _units_sheet(wb, trend: Trend) -> int:
    ws = wb.create_sheet(TL.UNITS_SHEET)
    years = trend.years
    header(ws, 1, ["ระดับหน่วย / Unit type", "รหัส / Id", "ชื่อ (ไทย)", "Name (English)",
                   *[f"{thai_digits(y)} / {y}" for y in years], "สถานะ / Status",
                   "การจับคู่ / Mapping"])
    matching = trend.matching
    notes = {}
    for row in matching.itertuples(index=False):
        text = f"{row.round}: {row.round_id} → {row.trend_id} ({row.how}) {row.note}".strip()
        notes[row.trend_id] = "; ".join(filter(None, [notes.get(row.trend_id, ""), text]))
    r = 2
    for unit_type, panel in (("agency", trend.agencies), ("ministry", trend.ministries)):
        present = panel.present
        order = present.all(axis=1).sort_values(kind="stable").index  # partial units first
        for ident in order:
            marks = present.loc[ident]
            th = trend.info.at[ident, "name_th"] if unit_type == "agency" else ident
            en = (trend.info.at[ident, "name_en"] if unit_type == "agency"
                  else trend.ministry_names.get(ident, ""))
            put(ws, r, 1, unit_type)
            put(ws, r, 2, ident)
            put(ws, r, 3, th)
            put(ws, r, 4, en)
            for j, y in enumerate(years, start=5):
                put(ws, r, j, "✓" if marks[y] else "—")
            only = [str(y) for y in years if marks[y]]
            status = ("ทุกรอบ / every round" if marks.all()
                      else f"มีเฉพาะปี {', '.join(only)} / only in {', '.join(only)}")
            put(ws, r, 5 + len(years), status, BOLD_FONT if not marks.all() else BODY_FONT)
            note = notes.get(ident, "") if unit_type == "agency" else ""
            put(ws, r, 6 + len(years), note, wrap=True)
            for c in (2, 3, 4):
                ws.cell(r, c).alignment = WRAP
            ws.row_dimensions[r].height = max(text_height(note, UNITS_NOTE_WIDTH), text_height(str(ident), ID_WIDTH),
                                              text_height(str(th), 34), text_height(str(en), 34))
            r += 1
    widths(ws, "ABCD", (9, ID_WIDTH, 34, 34))
    for j in range(5, 5 + len(years)):
        ws.column_dimensions[_col(j)].width = 8
    ws.column_dimensions[_col(5 + len(years))].width = 28
    ws.column_dimensions[_col(6 + len(years))].width = UNITS_NOTE_WIDTH
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{_col(6 + len(years))}{max(r - 1, 1)}"
    print_a4(ws, title_rows="1:1", columns=f"A:{_col(6 + len(years))}", title_cols="B:C")
    return r - 1
