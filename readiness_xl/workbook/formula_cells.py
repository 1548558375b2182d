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
from readiness_xl.workbook.xml_escape import escape

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.live_summary import Formula
from readiness_xl.workbook.package import sheet_part
from readiness_xl.workbook.cell_xml import stored
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.sheet_xml import render_sheet_data

# A formula cell's placeholder as render_sheet_data writes it (an inline string holding a
# private-use character and the formula's index), replaced by the formula cell.
_MARK = "\ue000"
_PLACEHOLDER = re.compile(r'<((?:\w+:)?)c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><(?:\w+:)?is>'
                          r'<(?:\w+:)?t xml:space="preserve">\ue000(\d+)</(?:\w+:)?t></(?:\w+:)?is></(?:\w+:)?c>')
CALC_CHAIN = "xl/calcChain.xml"


def _value_xml(p: str, cached: object) -> tuple[str, str]:
    """The type attribute and <v> element of a formula's cached value."""
    value = stored(cached)
    if value is None or isinstance(value, str):
        return ' t="str"', f"<{p}v>{escape('' if value is None else value)}</{p}v>"
    if isinstance(value, bool):
        return ' t="b"', f"<{p}v>{int(value)}</{p}v>"
    return "", f"<{p}v>{value!r}</{p}v>"


def _shared_runs(cells: list[tuple[int, int, Formula]]) -> dict[int, tuple[int, str | None]]:
    """For each formula (by index), its shared-formula id and, for the first of a run, the
    run's range: runs are consecutive rows of one column whose formulas share a key."""
    from readiness_xl.workbook.cell_refs import get_column_letter
    runs: dict[int, tuple[int, str | None]] = {}
    last: dict[int, tuple[object, int, int, list[int]]] = {}   # column -> (key, end row, si, members)
    si = 0

    def close(column: int) -> None:
        key, end, ident, members = last.pop(column)
        if len(members) > 1:
            first_row = cells[members[0]][0]
            letter = get_column_letter(column)
            runs[members[0]] = (ident, f"{letter}{first_row}:{letter}{end}")
            runs.update({m: (ident, None) for m in members[1:]})
    for index, (row, column, formula) in enumerate(cells):
        open_run = last.get(column)
        if open_run and (formula.shared is None or open_run[0] != formula.shared or open_run[1] != row - 1):
            close(column)
            open_run = None
        if formula.shared is None:
            continue
        if open_run:
            last[column] = (open_run[0], row, open_run[2], open_run[3] + [index])
        else:
            last[column] = (formula.shared, row, si, [index])
            si += 1
    for column in list(last):
        close(column)
    return runs


def render_with_formulas(sheet_xml: str, rows: list[list]) -> str:
    """render_sheet_data, with every Formula of `rows` written as a formula cell holding its
    cached value (rows: header first, cells are values or Formulas); runs of a column whose
    formulas are the same relative to their row are one shared formula, as Excel saves them."""
    cells: list[tuple[int, int, Formula]] = []
    plain = []
    for r, row in enumerate(rows, start=1):
        out = list(row)
        for c, value in enumerate(row):
            if type(value) is Formula:
                out[c] = f"{_MARK}{len(cells)}"
                cells.append((r, c + 1, value))
            elif type(value) is str and _MARK in value:   # never taken for a placeholder
                out[c] = value.replace(_MARK, "")
        plain.append(out)
    xml = render_sheet_data(sheet_xml, plain)
    if not cells:
        return xml
    runs = _shared_runs(cells)
    out, done = [], 0
    for found in _placeholders(xml):
        p, ref, style, index = found.group(1), found.group(2), found.group(3) or "", int(found.group(4))
        formula = cells[index][2]
        cached = formula.cached
        if type(cached) is float and cached == cached and cached not in (_INF, -_INF):
            kind, value = "", f"<{p}v>{cached!r}</{p}v>"
        else:
            kind, value = _value_xml(p, cached)
        shared = runs.get(index)
        if shared is None:
            f = f"<{p}f>{escape(formula.text)}</{p}f>"
        elif shared[1] is None:
            f = f'<{p}f t="shared" si="{shared[0]}"/>'
        else:
            f = f'<{p}f t="shared" ref="{shared[1]}" si="{shared[0]}">{escape(formula.text)}</{p}f>'
        out += (xml[done:found.start()], f'<{p}c r="{ref}"{style}{kind}>{f}{value}</{p}c>')
        done = found.end()
    out.append(xml[done:])
    return "".join(out)


def _placeholders(xml: str):
    """Each placeholder cell of the rendered sheet, in order: found by its private-use mark
    (a plain search) and matched from its <c> three tags back, rather than by running the
    pattern over every tag of a 10,000-row sheet."""
    at = xml.find(_MARK)
    while at >= 0:
        found = _PLACEHOLDER.match(xml, xml.rfind("<", 0, xml.rfind("<", 0, xml.rfind("<", 0, at))))
        if found is None:  # the mark is stripped from every plain text: only ours remain
            raise ValueError(f"a formula placeholder was rendered unexpectedly near {xml[at - 80:at]!r}")
        yield found
        at = xml.find(_MARK, found.end())


_INF = float("inf")


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
