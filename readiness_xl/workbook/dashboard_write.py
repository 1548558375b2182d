"""Recalculation's Dashboard: its formula cells written again with the values they compute
cached beside them (workbook.dashboard_cells), so a viewer that does not recalculate (a
phone preview, openpyxl's data_only) shows the profile, the chooser's unit and the sorted
bar chart table as Excel and LibreOffice compute them.

Only a Dashboard laid out as this version builds it is touched: its formula cells must be
exactly those dashboard_cells.formulas names for the Summary being written (a Dashboard
built for another number of agencies, an older layout, or one where a person added a
formula of their own keeps its cells as they are). Every other cell, the charts, merges,
validation and styles stay byte for byte; each formula cell keeps its style."""

from __future__ import annotations

import re
import zipfile
from itertools import islice
from pathlib import Path

from readiness_xl.workbook.cell_xml import cell_xml
from readiness_xl.workbook.dashboard_cells import CHOOSER, DashboardShape, formulas, values
from readiness_xl.workbook.formula import Formula
from readiness_xl.workbook.layout import DASHBOARD_SHEET
from readiness_xl.workbook.package import sheet_parts

# a <c> element: its prefix, attributes and content (the content up to its closing tag, as
# runs of non-tags and tags other than </c>: twice as fast as a lazy match of any character)
_CELL = re.compile(r'<((?:\w+:)?)c\b([^>]*?)(?:/>|>([^<]*(?:<(?!/(?:\w+:)?c>)[^<]*)*)</(?:\w+:)?c>)')
_REF = re.compile(r'\br="([A-Z]+\d+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_FORMULA = re.compile(r"<(?:\w+:)?f\b")
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_INLINE = re.compile(r"<(?:\w+:)?t\b[^>]*>([^<]*)</(?:\w+:)?t>")
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si\b")
_SHARED_END = re.compile(rb"</(?:\w+:)?si>")


def dashboard_edits(path: Path, shape: DashboardShape, rows: list[list]) -> dict:
    """{Dashboard part: edit} for workbook.parts.replace_parts, writing the Dashboard's
    formulas with their values over the Summary `rows` about to be written; {} when the
    workbook at `path` has no Dashboard."""
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf)
        names = set(zf.namelist())
    part = parts.get(DASHBOARD_SHEET)
    if part is None or part not in names:   # no Dashboard (a workbook made otherwise)
        return {}

    def edit(data: bytes) -> bytes:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:    # not ours to judge: the part is copied as it is
            return data
        return cached_dashboard(text, shape, rows, lambda i: _shared_text(path, i)).encode("utf-8")
    return {part: edit}


def cached_dashboard(sheet_xml: str, shape: DashboardShape, rows: list[list], shared_text=None) -> str:
    """The Dashboard part with each of our formula cells holding its cached value; the
    part unchanged when its formula cells are not ours (see the module's docstring).
    `shared_text(i)`: the i-th shared string (the chooser as Excel and openpyxl save it)."""
    texts = formulas(shape)
    found = {}
    chooser = None
    for match in _CELL.finditer(sheet_xml):
        ref = _REF.search(match.group(2))
        if ref is None:
            return sheet_xml          # cells without references: not a part we wrote
        inner = match.group(3) or ""
        if _FORMULA.search(inner):
            found[ref.group(1)] = match
        elif ref.group(1) == CHOOSER:
            chooser = _cell_value(match.group(2), inner, shared_text)
    if found.keys() != texts.keys():
        return sheet_xml
    cached = values(shape, rows, chooser)
    out, done = [], 0
    for ref, match in sorted(found.items(), key=lambda item: item[1].start()):
        style = _STYLE.search(match.group(2))
        out += (sheet_xml[done:match.start()],
                cell_xml(ref, Formula(texts[ref], cached[ref]), style and style.group(1), match.group(1)))
        done = match.end()
    out.append(sheet_xml[done:])
    return "".join(out)


def _cell_value(attrs: str, inner: str, shared_text) -> object:
    """The value of a plain (formula-free) cell, as a spreadsheet compares it."""
    kind = re.search(r'\bt="([^"]*)"', attrs)
    kind = kind.group(1) if kind else "n"
    if kind == "inlineStr":
        return _unescape("".join(_INLINE.findall(inner)))
    value = _VALUE.search(inner)
    if value is None:
        return None
    text = _unescape(value.group(1))
    if kind == "s":
        return shared_text(int(text)) if shared_text and text.strip().isdigit() else None
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    try:
        return float(text)
    except ValueError:
        return None


def _shared_text(path: Path, index: int) -> str | None:
    """The text of shared string `index` (runs of rich text joined), found by counting
    <si> elements rather than parsing the table."""
    from readiness_xl.workbook.shared_strings import table_part
    with zipfile.ZipFile(path) as zf:
        part = table_part(zf)
        if part is None:
            return None
        data = zf.read(part)
    item = next(islice(_SHARED_ITEM.finditer(data), index, None), None)
    close = item and _SHARED_END.search(data, item.end())
    if not close:
        return None
    return _unescape("".join(_INLINE.findall(data[item.end():close.start()].decode("utf-8"))))


def _unescape(text: str) -> str:
    """XML character data as text (&amp; &lt; &gt; &quot; &apos; and numeric references)."""
    from html import unescape
    return unescape(text)
