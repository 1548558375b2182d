"""The look shared by every sheet we build: a Thai-capable font, bilingual headers,
A4 printing. One place, so the template, the forms and the sample look alike."""

from __future__ import annotations

import unicodedata

from openpyxl.styles import Alignment, Font, PatternFill

THAI_FONT = "Tahoma"  # ships with Windows and macOS and covers Thai; LibreOffice falls back to TLWG fonts
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")     # answer cells: where people type
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")     # native-formula cross-checks
HEADER_FONT = Font(name=THAI_FONT, bold=True, color="FFFFFF")
BODY_FONT = Font(name=THAI_FONT)
BOLD_FONT = Font(name=THAI_FONT, bold=True)
NOTE_FONT = Font(name=THAI_FONT, italic=True, color="595959")
TITLE_FONT = Font(name=THAI_FONT, bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
SCORE_FORMAT = "0.0"


def header(ws, row: int, labels: list[str], first_col: int = 1) -> None:
    """A header row tall enough for a Thai and an English line."""
    ws.row_dimensions[row].height = 32
    for col, label in enumerate(labels, start=first_col):
        cell = ws.cell(row=row, column=col, value=label)
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


def put_formula(ws, row: int, col: int, formula: str, font=BODY_FONT,
                number_format: str | None = None, fill=None):
    """Write a formula we built ourselves (starts with '=')."""
    cell = put(ws, row, col, None, font, number_format, fill)
    cell.value = formula
    return cell


def text_height(text: str, width_chars: float, line_points: float = 15.0) -> float:
    """Row height that shows wrapped text whole: spreadsheet programs do not grow rows
    on opening a file. Thai vowel and tone marks sit above or below a letter and take
    no width of their own, so they are not counted."""
    def lines(part: str) -> int:
        visible = sum(1 for ch in part if unicodedata.category(ch) != "Mn")
        return max(1, -(-visible // int(width_chars)))
    return line_points * sum(lines(part) for part in str(text).split("\n"))


def widths(ws, columns: str, values: tuple[float, ...]) -> None:
    for col, width in zip(columns, values):
        ws.column_dimensions[col].width = width


def print_a4(ws, title_rows: str | None = None, landscape: bool = True, pages_tall: int = 0) -> None:
    """A4, fitted to one page across (and `pages_tall` down, 0 = as many as needed),
    repeating the header rows on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
