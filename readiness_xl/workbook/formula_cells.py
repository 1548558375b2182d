"""Writing formula cells with their cached values into a sheet's XML: `<c><f>…</f><v>…</v></c>`,
so Excel, LibreOffice and viewers that never recalculate (phone previews, openpyxl's
data_only) all show the figures, and Excel need not recompute on open.

The rows are rendered by workbook.parts.render_sheet_data (styles from row 2, inline
strings, the fast column path) with each formula's cached value in its place; the cells
that hold a formula are then rewritten with it. A text result is `t="str"` (a formula's
string), a blank result an empty string."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.live_summary import Formula
from readiness_xl.workbook.package import sheet_part
from readiness_xl.workbook.parts import render_sheet_data, replace_parts, stored

# One rendered cell: prefix, reference, style attribute, then anything up to its end.
_CELL = re.compile(r'<((?:\w+:)?)c r="([A-Z]+\d+)"( s="\d+")?[^>]*?(?:/>|>.*?</\1c>)', re.S)
CALC_CHAIN = "xl/calcChain.xml"


def _formula_cell(p: str, ref: str, style: str, formula: Formula) -> str:
    value = stored(formula.cached)
    f = f"<{p}f>{escape(formula.text)}</{p}f>"
    if value is None or isinstance(value, str):
        text = escape("" if value is None else value)
        return f'<{p}c r="{ref}"{style} t="str">{f}<{p}v>{text}</{p}v></{p}c>'
    if isinstance(value, bool):
        return f'<{p}c r="{ref}"{style} t="b">{f}<{p}v>{int(value)}</{p}v></{p}c>'
    return f'<{p}c r="{ref}"{style}>{f}<{p}v>{value!r}</{p}v></{p}c>'


def render_with_formulas(sheet_xml: str, rows: list[list]) -> str:
    """render_sheet_data, with every Formula of `rows` written as a formula cell holding its
    cached value (rows: header first, cells are values or Formulas)."""
    from openpyxl.utils.cell import get_column_letter
    formulas: dict[str, Formula] = {}
    plain = []
    for r, row in enumerate(rows, start=1):
        out = []
        for c, value in enumerate(row, start=1):
            if isinstance(value, Formula):
                formulas[f"{get_column_letter(c)}{r}"] = value
                value = ""   # a placeholder: an empty text is rendered as a cell, styled or not
            out.append(value)
        plain.append(out)
    xml = render_sheet_data(sheet_xml, plain)
    if not formulas:
        return xml

    def cell(match: re.Match) -> str:
        formula = formulas.get(match.group(2))
        if formula is None:
            return match.group(0)
        return _formula_cell(match.group(1), match.group(2), match.group(3) or "", formula)
    return _CELL.sub(cell, xml)


def _without_sheet(chain: bytes, sheet_id: str) -> bytes:
    """calcChain.xml without the cells of one sheet: Excel reports a damaged file when its
    chain names a cell that holds no formula, and a rewritten Summary may hold fewer. Each
    <c> may leave out its sheet (i), meaning the previous one's."""
    text = chain.decode("utf-8")
    current = [None]

    def keep(match: re.Match) -> str:
        found = re.search(r'\bi="(\d+)"', match.group(0))
        if found:
            current[0] = found.group(1)
            return "" if current[0] == sheet_id else match.group(0)
        if current[0] == sheet_id:
            return ""
        return match.group(0)
    body = re.sub(r"<(?:\w+:)?c\b[^>]*/>", keep, text)
    return body.encode("utf-8")


def write_summary_rows(source: Path, target: Path, sheet_name: str, rows: list[list],
                       extra_edits: dict | None = None) -> None:
    """Replace a sheet's cells with `rows` (values and Formulas), keeping every other part;
    the sheet's entries leave calcChain.xml (Excel rebuilds it) when there is one."""
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet_name)
        edits = {part: lambda data: render_with_formulas(data.decode("utf-8"), rows).encode("utf-8")}
        if CALC_CHAIN in zf.namelist():
            sheet_id = _sheet_id(zf, sheet_name)
            edits[CALC_CHAIN] = lambda data: _without_sheet(data, sheet_id)
    for name, edit in (extra_edits or {}).items():
        edits[name] = edit if name not in edits else (lambda data, a=edits[name], b=edit: b(a(data)))
    replace_parts(source, target, edits)


def _sheet_id(zf: zipfile.ZipFile, sheet_name: str) -> str:
    from defusedxml import ElementTree as ET

    from readiness_xl.workbook.package import NS_MAIN, WORKBOOK_PART
    for sheet in ET.fromstring(zf.read(WORKBOOK_PART)).iter(f"{{{NS_MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            return str(sheet.get("sheetId"))
    raise ReadinessError(Problem(f"sheet '{sheet_name}' is missing"))
