"""The look shared by every sheet we make: a Thai-capable font, bilingual headers,
heat fills, flag colours, A4 printing. One place, so the template, the forms and the
sample (built with openpyxl in builder/) and the sheets written into a user's workbook
(workbook.sheet_writer, as styles.xml elements) look alike."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.pagebreak import Break

# Paper sizes and measures live with the package writer (workbook/paper.py), which
# prints the sheets written without openpyxl alike; the builders import them from here.
from readiness_xl.workbook.paper import (A4_POINTS, LINE_POINTS, MIN_PRINT_POINTS, PAGE_FOOTER,  # noqa: F401
                                         SIDE_MARGIN, TOP_MARGIN, WRAP_FILL, column_points, fitted_scale,
                                         printable_points, text_height, visible_length, wrapped_lines)

THAI_FONT = "Tahoma"  # ships with Windows and macOS and covers Thai; LibreOffice falls back to TLWG fonts
BODY_POINTS = 11      # the body font's size
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")     # answer cells: where people type
HEADER_FONT = Font(name=THAI_FONT, size=BODY_POINTS, bold=True, color="FFFFFF")
BODY_FONT = Font(name=THAI_FONT, size=BODY_POINTS)
BOLD_FONT = Font(name=THAI_FONT, size=BODY_POINTS, bold=True)
NOTE_FONT = Font(name=THAI_FONT, size=BODY_POINTS, italic=True, color="595959")
CHECK_FONT = Font(name=THAI_FONT, size=9, color="808080")  # a cross-check: there, but quiet
TITLE_FONT = Font(name=THAI_FONT, bold=True, size=14)
STEP_FONT = Font(name=THAI_FONT, bold=True, size=14, color="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
PADDED = Alignment(vertical="top", horizontal="left", indent=1)  # text right of a number
RIGHT = Alignment(vertical="top", horizontal="right")           # a dash among numbers
SCORE_FORMAT = "0.0"
# Gaps in points: always signed, with a true minus sign (+8.4 / −3.5 / 0.0).
SIGNED_FORMAT = '+0.0;"\u2212"0.0;0.0'
# Score steps of the heat fills (lower bound, colour): the red-yellow-green of a colour
# scale in four steps. Discrete rules, because a colour scale cannot wait for answers:
# every spreadsheet program colours a 0.0 red, and LibreOffice ignores a rule above it.
HEAT_STEPS = ((0, "F8696B"), (25, "FBAA77"), (50, "FFEB84"), (75, "B1D580"))
# Cells flagged by a rule (fill, text colour): Excel's own "light red fill with dark red
# text", "yellow fill with dark yellow text" and "green fill with dark green text" presets.
FLAG_COLOURS = {"bad": ("FFFFC7CE", "FF9C0006"), "warn": ("FFFFEB9C", "FF9C5700"),
                "good": ("FFC6EFCE", "FF006100")}



def header(ws, row: int, labels: list[str], first_col: int = 1, height: float = 32) -> None:
    """A header row tall enough for a Thai and an English line. Labels are text, never
    formulas (as in `put`): some come from people (the framework's all-units label)."""
    ws.row_dimensions[row].height = height
    for col, label in enumerate(labels, start=first_col):
        cell = ws.cell(row=row, column=col, value=label)
        if cell.data_type == "f":
            cell.data_type = "s"
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def put(ws, row: int, col: int, value, font=BODY_FONT, number_format: str | None = None,
        fill=None, wrap: bool = False):
    """Write a value. Text is always text: openpyxl would store a string starting with
    '=' as a formula, and names and questions come from people (formula injection)."""
    cell = ws.cell(row=row, column=col, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    cell.font = font
    if number_format:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    cell.alignment = WRAP if wrap else TOP
    return cell


def excel_text(text: object) -> str:
    """A text as a string literal inside a formula we build: quotes doubled, so an id or a
    name typed by people ends the literal nowhere (`d"1` -> `"d""1"`)."""
    return '"' + str(text).replace('"', '""') + '"'


def put_formula(ws, row: int, col: int, formula: str, font=BODY_FONT,
                number_format: str | None = None, fill=None):
    """Write a formula we built ourselves (starts with '=')."""
    cell = put(ws, row, col, None, font, number_format, fill)
    cell.value = formula
    return cell


def widths(ws, columns: str, values: tuple[float, ...]) -> None:
    for col, width in zip(columns, values):
        ws.column_dimensions[col].width = width


def heat_fills(ws, cells: str, score: str, answered: str) -> None:
    """Fill `cells` by the score steps of HEAT_STEPS, but only where `answered` (a
    formula, relative to the first cell) is true: nothing is red before answers exist."""
    bounds = [lower for lower, _ in HEAT_STEPS[1:]] + [None]
    for (lower, colour), upper in zip(HEAT_STEPS, bounds):
        within = f"{score}>={lower}" + (f",{score}<{upper}" if upper is not None else "")
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[f"AND(ISNUMBER({score}),{answered},{within})"],
            fill=PatternFill("solid", start_color=colour, end_color=colour)))


def columns_points(ws, first: str, last: str) -> float:
    """Printed width of the columns first..last (their set widths, Excel's default else)."""
    return sum(column_points(ws.column_dimensions[get_column_letter(c)].width or 8.43)
               for c in range(column_index_from_string(first), column_index_from_string(last) + 1))


def print_a4(ws, title_rows: str | None = None, landscape: bool = True,
             columns: str | None = None, breaks_after: tuple[str, ...] = (),
             title_cols: str | None = None, footer_note: str = "") -> None:
    """A4 with repeated title rows (and columns), page numbers and the sheet name in the
    footer. Fitted to one page across when `columns` ('A:T') fit there at MIN_PRINT_POINTS
    or more (each program then fits by its own font measure), and always without
    `columns` (sheets that hold charts). Otherwise, or with page breaks (which fitting
    would ignore), a fixed scale makes the widest run of columns between the
    `breaks_after` column breaks (plus the repeated title columns) fill the page width,
    never below MIN_PRINT_POINTS: a run still too wide flows onto more pages across."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = TOP_MARGIN
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.oddFooter.left.text = "&A" + (f" \u2013 {footer_note}" if footer_note else "")
    ws.oddFooter.left.size = ws.oddFooter.right.size = 8
    ws.oddFooter.right.text = PAGE_FOOTER
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    if columns is None:
        _fit_one_page_across(ws)
        return
    first, last = columns.split(":")
    starts = [first] + [get_column_letter(column_index_from_string(c) + 1) for c in breaks_after]
    ends = list(breaks_after) + [last]
    repeated = columns_points(ws, *title_cols.split(":")) if title_cols else 0.0
    widest = max(columns_points(ws, a, b) + (repeated if i else 0.0)
                 for i, (a, b) in enumerate(zip(starts, ends)))
    fitted, smallest = fitted_scale(widest, landscape, BODY_POINTS)  # wider runs flow onto more pages
    for col in breaks_after:
        ws.col_breaks.append(Break(id=column_index_from_string(col)))
    if fitted >= smallest and not (ws.col_breaks.brk or ws.row_breaks.brk):
        _fit_one_page_across(ws)
        return
    scale = max(smallest, min(100, fitted))
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale


def _fit_one_page_across(ws) -> None:
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
