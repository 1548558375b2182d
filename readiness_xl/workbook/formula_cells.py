"""Writing a sheet of values and formulas (workbook.formula.Formula) with their cached
values into a workbook: `<c><f>…</f><v>…</v></c>` (rendered by workbook.cell_xml), so
Excel, LibreOffice and viewers that never recalculate (phone previews, openpyxl's
data_only) all show the figures, and Excel need not recompute on open; the sheet's
entries leave the calculation chain, which Excel rebuilds."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.package import sheet_part
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.sheet_xml import render_sheet_data

CALC_CHAIN = "xl/calcChain.xml"


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
        edits = {part: lambda data: render_sheet_data(data.decode("utf-8"), rows).encode("utf-8")}
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
