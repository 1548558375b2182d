"""A worksheet part's XML edited as text: its <sheetData> replaced by rows of values
(`render_sheet_data`, keeping the template's header and body styles), single cells set in
place (`set_cells`, keeping everything around them), and a minimal new sheet
(`empty_sheet_xml`). Text patterns, not a parser: a 20 MB Summary is rewritten without
building a tree. workbook.read_back proves with a parser that the result holds what
was meant."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import chain, islice

from readiness_xl.workbook.cell_refs import column_index_from_string, coordinate_from_string, get_column_letter

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.cell_xml import cell_xml, rows_xml
from readiness_xl.workbook.package import NS_MAIN, NS_REL

# Tags may carry a namespace prefix (<x:sheetData>, as .NET's Open XML SDK writes them):
# every pattern accepts one and every element we write uses the part's own prefix.
_P = r"(?:\w+:)?"


_SHEET_DATA_OPEN = re.compile(r"<(\w+:)?sheetData\b([^>]*?)(/?)>")
_ROOT_PREFIX = re.compile(r"<(\w+:)?worksheet\b")
_DIMENSION = re.compile(rf"<{_P}dimension [^>]*/>")
_HEADER_ROW = re.compile(rf'<{_P}row ([^>]*?\br="1"[^>]*?)/?>')
_ROW_NUMBER = re.compile(r'\s*\b(?:r|spans)="[^"]*"')
_ROW_ELEMENT = re.compile(rf"<{_P}row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</{_P}row>)", re.S)
_CELL_ELEMENT = re.compile(rf"<{_P}c\b[^>]*?\br=\"([A-Z]+)\d+\"[^>]*?(?:/>|>.*?</{_P}c>)", re.S)
_STYLE_ATTR = re.compile(rf"^<{_P}c\b[^>]*?\ss=\"(\d+)\"")


# Row and cell openings, for giving a reference to those that omit it (r is optional).
_OPENING = re.compile(rf"<({_P})(row|c)\b([^>]*?)(/?)>")


_R_ATTR = re.compile(r'\br="([A-Z]*)(\d*)"')
_ROW_OPENING = re.compile(rf"<{_P}row\b")


def header_style(sheet_xml: str) -> str | None:
    """The style id of cell A1, to give a new sheet's header the look of an existing one."""
    return _row_styles(sheet_xml).get(1, {}).get("A")


def _prefix(sheet_xml: str) -> str:
    """The namespace prefix of the part's elements ('x:' for <x:worksheet>), or ''."""
    match = _ROOT_PREFIX.search(sheet_xml)
    return (match.group(1) or "") if match else ""


def with_references(sheet_xml: str) -> str:
    """The sheet XML with an r attribute on every row and cell: both are optional in
    SpreadsheetML (a row without one is the next row, a cell the next column), and
    everything here finds rows and cells by it."""
    if all(_R_ATTR.search(m.group(3)) for m in _OPENING.finditer(sheet_xml)):
        return sheet_xml
    row, column = 0, 0

    def number(match: re.Match) -> str:
        nonlocal row, column
        prefix, tag, attrs, close = match.groups()
        ref = _R_ATTR.search(attrs)
        if tag == "row":
            row, column = (int(ref.group(2)) if ref and ref.group(2) else row + 1), 0
            return match.group(0) if ref else f'<{prefix}row r="{row}"{attrs}{close}>'
        column = column_index_from_string(ref.group(1)) if ref and ref.group(1) else column + 1
        return match.group(0) if ref else \
            f'<{prefix}c r="{get_column_letter(column)}{row}"{attrs}{close}>'
    return _OPENING.sub(number, sheet_xml)


def _row_styles(sheet_xml: str) -> dict[int, dict[str, str]]:
    """Style ids of the existing cells in rows 1 and 2, by column letter."""
    styles: dict[int, dict[str, str]] = {}
    for match in _ROW_ELEMENT.finditer(sheet_xml):
        row = int(match.group(1))
        if row > 2:
            break
        styles[row] = {m.group(1): style.group(1)
                       for m in _CELL_ELEMENT.finditer(match.group(2) or "")
                       if (style := _STYLE_ATTR.match(m.group(0)))}
    return styles


def _sheet_data(sheet_xml: str) -> tuple[int, int]:
    """Where the <sheetData> element lies (start, end). Its end is found by plain text
    search for the closing tag (a pattern spanning the element crawls through every
    character of a 20 MB Summary)."""
    opening = _SHEET_DATA_OPEN.search(sheet_xml)
    if opening is not None and opening.group(3):
        return opening.start(), opening.end()
    closing = f"</{opening.group(1) or ''}sheetData>" if opening else ""
    close = sheet_xml.find(closing, opening.end()) if opening else -1
    if close < 0:
        raise ReadinessError(Problem("a worksheet part has no <sheetData>"))
    return opening.start(), close + len(closing)


def _first_rows(sheet_xml: str, start: int, end: int) -> str:
    """The <sheetData> at sheet_xml[start:end] cut before its third row: all that is read
    of the cells a render replaces (rows 1 and 2's styles, the header row's attributes;
    rows come in order), so rewriting a Summary of 10,000 rows does not scan the old one
    cell by cell, nor copy it."""
    third = next(islice(_ROW_OPENING.finditer(sheet_xml, start, end), 2, None), None)
    return sheet_xml[start:end if third is None else third.start()]


def render_sheet_data(sheet_xml: str, rows: list[list], strings=None) -> str:
    """The sheet XML with its cell data replaced by `rows` (first row = header).
    Header cells keep row 1's styles and data cells row 2's, column by column, so the
    template's fonts and number formats survive every recalculation. Texts go inline,
    or through `strings` (a SharedStrings) when given."""
    p = _prefix(sheet_xml)
    start, end = _sheet_data(sheet_xml)
    first = with_references(_first_rows(sheet_xml, start, end))
    styles = _row_styles(first)
    header_styles, data_styles = styles.get(1, {}), styles.get(2, {})
    header_row = _HEADER_ROW.search(first)  # keeps the header's height
    header_attrs = _ROW_NUMBER.sub("", header_row.group(1)).strip() if header_row else ""
    width = max((len(r) for r in rows), default=0)
    letters = [get_column_letter(c) for c in range(1, width + 1)]  # once, not per cell
    header_cols = [header_styles.get(letter) for letter in letters]
    data_cols = [data_styles.get(letter) for letter in letters]
    ref = f'<{p}dimension ref="A1:{get_column_letter(max(width, 1))}{max(len(rows), 1)}"/>'
    head, found = _DIMENSION.subn(ref, sheet_xml[:start], count=1)  # its place is before the data
    tail = sheet_xml[end:] if found else _DIMENSION.sub(ref, sheet_xml[end:], count=1)
    return "".join(chain([head, f"<{p}sheetData>"], rows_xml(rows, letters, header_cols, data_cols,
                                                              header_attrs, p, strings),
                         [f"</{p}sheetData>", tail]))


def set_cells(sheet_xml: str, values: dict[str, object]) -> str:
    """The sheet XML with the cells at `values`' references set to those values, each
    keeping its style; rows and cells are created in order where missing. Every other
    cell and everything outside <sheetData> (validation, formatting, merges) is kept."""
    sheet_xml = with_references(sheet_xml)
    p = _prefix(sheet_xml)
    wanted: dict[int, dict[str, object]] = defaultdict(dict)
    for ref, value in values.items():
        column, row = coordinate_from_string(ref)
        wanted[row][column] = value

    def cells(row: int, inner: str) -> str:
        for column, value in wanted[row].items():
            ref, index = f"{column}{row}", column_index_from_string(column)
            found = [m for m in _CELL_ELEMENT.finditer(inner)]
            same = next((m for m in found if m.group(1) == column), None)
            if same:
                style = _STYLE_ATTR.match(same.group(0))
                new = cell_xml(ref, value, style.group(1) if style else None, p)
                inner = inner[:same.start()] + new + inner[same.end():]
            else:
                after = next((m.start() for m in found
                              if column_index_from_string(m.group(1)) > index), len(inner))
                inner = inner[:after] + cell_xml(ref, value, None, p) + inner[after:]
        return inner

    def row_xml(match: re.Match) -> str:
        row = int(match.group(1))
        if row not in wanted:
            return match.group(0)
        head = match.group(0)[:match.group(0).index(">") + 1].replace("/>", ">")
        return f"{head}{cells(row, match.group(2) or '')}</{p}row>"

    start, end = _sheet_data(sheet_xml)
    data = _ROW_ELEMENT.sub(row_xml, sheet_xml[start:end])
    present = {int(m.group(1)) for m in _ROW_ELEMENT.finditer(data)}
    closing = f"</{p}sheetData>"
    for row in sorted(set(wanted) - present):
        if not cells(row, ""):
            continue                     # only blanks for a row that does not exist
        new = f'<{p}row r="{row}">{cells(row, "")}</{p}row>'
        later = next((m.start() for m in _ROW_ELEMENT.finditer(data) if int(m.group(1)) > row), None)
        if data.endswith("/>"):
            data = f"<{p}sheetData>{new}{closing}"
        elif later is None:
            data = data[:-len(closing)] + new + closing
        else:
            data = data[:later] + new + data[later:]
    return sheet_xml[:start] + data + sheet_xml[end:]


def empty_sheet_xml(header_style: str | None = None, columns: int = 1,
                    widths: list[float] | None = None) -> str:
    """A minimal worksheet whose row 1 carries `header_style`, for render_sheet_data."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths or [], start=1))
    header = "".join(cell_xml(f"{get_column_letter(c)}1", None, header_style)
                     for c in range(1, columns + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="A1"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f'<sheetData><row r="1">{header}</row></sheetData></worksheet>')
