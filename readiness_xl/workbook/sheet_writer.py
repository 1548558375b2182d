"""Writing a whole sheet of our own (cells, column formats, conditional colours, one
native chart) into an existing workbook through the part machinery of
`workbook/parts.py`: the sheet's own parts are written, `styles.xml` and the content
types get only additions, every other part is copied byte for byte. Writing the same
sheet again replaces it (and its chart) in place; nothing accumulates.

Styles are appended to `styles.xml` only when an identical one is not there already,
so a workbook rewritten a hundred times keeps the same handful of styles."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as ET
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from readiness_xl.workbook.package import CONTENT_TYPES, NS_MAIN, NS_PKG_REL, NS_REL, sheet_parts
from readiness_xl.workbook.formula_cells import render_with_formulas
from readiness_xl.workbook.parts import atomic_target, new_sheet, replace_parts

STYLES_PART = "xl/styles.xml"
FONT = '<font><sz val="10"/><name val="Tahoma"/></font>'
HEADER_FONT = '<font><b val="1"/><sz val="10"/><color rgb="FFFFFFFF"/><name val="Tahoma"/></font>'
HEADER_FILL = '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/></patternFill></fill>'
# Conditional colours (Excel's own "light red fill with dark red text" and "yellow" presets).
COLOURS = {"bad": ("FFFFC7CE", "FF9C0006"), "warn": ("FFFFEB9C", "FF9C5700"),
           "good": ("FFC6EFCE", "FF006100")}
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


@dataclass
class SheetSpec:
    """A sheet of ours: rows of values (row 1 the header), a number format per column
    letter (an Excel format code; default General), widths, conditional colours as
    (range, formula on the range's top-left cell, key of COLOURS), the first unfrozen
    cell, and a chart: a function taking an openpyxl worksheet named like this sheet
    and returning (chart, anchor cell)."""

    name: str
    rows: list[list]
    formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    colours: list[tuple[str, str, str]] = field(default_factory=list)
    freeze: str | None = None
    chart: object = None


# ----------------------------------------------------------------------------- styles.xml

_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "cellXfs": "xf", "dxfs": "dxf"}
_AFTER = {"dxfs": ("<tableStyles", "<colors", "<extLst", "</styleSheet>"), "numFmts": ("<fonts",)}


def _ensure(styles: str, collection: str, element: str) -> tuple[str, int]:
    """The index of `element` in `collection` of styles.xml, appending it (and fixing the
    count) when no identical element is there. numFmts and dxfs may be absent: made."""
    child = _CHILD[collection]
    pattern = rf"<{collection}\b[^>]*?(?:/>|>(.*?)</{collection}>)"
    block = re.search(pattern, styles, re.S)
    if block is None:
        at = min(i for i in (styles.find(t) for t in _AFTER[collection]) if i >= 0)
        styles = styles[:at] + f'<{collection} count="0"/>' + styles[at:]
        block = re.search(pattern, styles, re.S)
    inner = block.group(1) or ""
    if element in inner:
        return styles, len(re.findall(rf"<{child}[\s/>]", inner[:inner.index(element)]))
    children = len(re.findall(rf"<{child}[\s/>]", inner))
    opening = block.group(0)[:block.group(0).index(">")].rstrip("/")
    opening = re.sub(r'\scount="\d+"', "", opening)
    new = f'{opening} count="{children + 1}">{inner}{element}</{collection}>'
    return styles[:block.start()] + new + styles[block.end():], children


def _number_format(styles: str, code: str) -> tuple[str, int]:
    """The numFmtId of a format code: a built-in one, or a custom one (id >= 164)."""
    builtin = {"General": 0, "0": 1, "0.00": 2, "0%": 9, "0.00%": 10, "@": 49}
    if code in builtin:
        return styles, builtin[code]
    found = re.search(rf'<numFmt numFmtId="(\d+)" formatCode={re.escape(quoteattr(code))}\s*/>', styles)
    if found:
        return styles, int(found.group(1))
    ident = max([163, *map(int, re.findall(r'numFmtId="(\d+)"', styles))]) + 1
    styles, _ = _ensure(styles, "numFmts", f"<numFmt numFmtId=\"{ident}\" formatCode={quoteattr(code)}/>")
    return styles, ident


def cell_style(styles: str, code: str = "General", header: bool = False) -> tuple[str, int]:
    """A cellXfs id: Tahoma 10 with the number format, top-aligned (text "@" also left-
    aligned: LibreOffice may otherwise let Thai text overflow leftwards); the header
    style is white bold on dark blue, wrapped."""
    styles, fmt = _number_format(styles, code)
    styles, font = _ensure(styles, "fonts", HEADER_FONT if header else FONT)
    fill = 0
    if header:
        styles, fill = _ensure(styles, "fills", HEADER_FILL)
    align = ('<alignment wrapText="1" vertical="center"/>' if header else
             '<alignment horizontal="left" vertical="top"/>' if code == "@" else '<alignment vertical="top"/>')
    return _ensure(styles, "cellXfs",
                   f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0" '
                   f'applyNumberFormat="1" applyFont="1" applyFill="1" applyAlignment="1">{align}</xf>')


def colour_style(styles: str, key: str) -> tuple[str, int]:
    """A dxf (differential format) id for a conditional colour."""
    fill, font = COLOURS[key]
    return _ensure(styles, "dxfs", f'<dxf><font><color rgb="{font}"/></font><fill><patternFill '
                                   f'patternType="solid"><bgColor rgb="{fill}"/></patternFill></fill></dxf>')


# ----------------------------------------------------------------------------- the sheet

def _pane(freeze: str | None) -> str:
    if not freeze:
        return ""
    column, row = re.match(r"([A-Z]+)(\d+)", freeze).groups()
    x, y = column_index_from_string(column) - 1, int(row) - 1
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return f'<pane{split} topLeftCell="{freeze}" activePane="bottomRight" state="frozen"/>'


def sheet_xml(spec: SheetSpec, styles: str) -> tuple[str, str]:
    """The worksheet XML of `spec` (with its rows) and styles.xml with what it needs."""
    width = max((len(r) for r in spec.rows), default=1)
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    styles, head = cell_style(styles, header=True)
    body = {}
    for letter in letters:
        styles, body[letter] = cell_style(styles, spec.formats.get(letter, "General"))
    cols = "".join(f'<col min="{i}" max="{i}" width="{spec.widths.get(c, 10)}" customWidth="1"/>'
                   for i, c in enumerate(letters, start=1))
    frame = "".join(f'<c r="{c}1" s="{head}"/>' for c in letters)
    data = "".join(f'<c r="{c}2" s="{body[c]}"/>' for c in letters)
    rules = []
    for priority, (sqref, formula, key) in enumerate(spec.colours, start=1):
        styles, dxf = colour_style(styles, key)
        rules.append(f'<conditionalFormatting sqref="{sqref}"><cfRule type="expression" '
                     f'dxfId="{dxf}" priority="{priority}"><formula>{escape(formula)}</formula>'
                     "</cfRule></conditionalFormatting>")
    drawing = '<drawing r:id="rId1"/>' if spec.chart else ""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheetPr><pageSetUpPr fitToPage="1"/>'
           f'</sheetPr><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0">'
           f'{_pane(spec.freeze)}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
           f'<cols>{cols}</cols><sheetData><row r="1" ht="45" customHeight="1">{frame}</row>'
           f'<row r="2">{data}</row></sheetData>{"".join(rules)}'
           '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
           f'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
           f"{drawing}</worksheet>")
    return render_with_formulas(xml, spec.rows), styles


def chart_parts(spec: SheetSpec) -> tuple[bytes, bytes]:
    """(drawing XML, chart XML) of the spec's chart, serialised by openpyxl from a scratch
    workbook whose sheet has the same name, so the chart's ranges point at our sheet."""
    from openpyxl import Workbook

    scratch = Workbook()
    ws = scratch.active
    ws.title = spec.name
    chart, anchor = spec.chart(ws)
    ws.add_chart(chart, anchor)
    buffer = io.BytesIO()
    scratch.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        return zf.read("xl/drawings/drawing1.xml"), zf.read("xl/charts/chart1.xml")


def _free(names: set[str], pattern: str) -> str:
    return next(pattern.format(i) for i in count(1) if pattern.format(i) not in names)


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels"


def _targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship type -> part name, from a part's .rels (none if it has no .rels)."""
    rels = _rels_path(part)
    if rels not in zf.namelist():
        return {}
    folder, out = posixpath.dirname(part), {}
    for r in ET.fromstring(zf.read(rels)).iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = r.get("Target", "")
        out[r.get("Type")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
    return out


def _rels(rel_type: str | None = None, target: str = "") -> bytes:
    inner = (f'<Relationship Id="rId1" Type="{rel_type}" Target="/{target}"/>' if rel_type else "")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}">{inner}</Relationships>').encode("utf-8")


def _insert_types(data: bytes, overrides: str) -> bytes:
    text = data.decode("utf-8")
    match = re.search(r"</(\w+:)?Types>", text)
    prefix = match.group(1) or ""
    return (text[:match.start()] + overrides.replace("<Override", f"<{prefix}Override")
            + text[match.start():]).encode("utf-8")


def _sheet_edits(zf: zipfile.ZipFile, spec: SheetSpec) -> tuple[dict, dict]:
    """Edits and new parts that write `spec` into the package open in `zf`."""
    names, parts = set(zf.namelist()), sheet_parts(zf)
    xml, styles = sheet_xml(spec, zf.read(STYLES_PART).decode("utf-8"))
    edits = {STYLES_PART: lambda _: styles.encode("utf-8")}
    new_parts: dict[str, bytes] = {}
    if spec.name in parts:
        part = parts[spec.name]
        edits[part] = lambda _: xml.encode("utf-8")
    else:
        added, created = new_sheet(zf, spec.name, xml)
        part = next(iter(created))
        edits.update(added)
        new_parts.update(created)
    files: dict[str, bytes] = {}
    fresh = []
    if spec.chart is None:
        files[_rels_path(part)] = _rels()
    else:
        drawing_xml, chart_xml = chart_parts(spec)
        drawing = _targets(zf, part).get(DRAWING_REL)
        chart = _targets(zf, drawing).get(CHART_REL) if drawing in names else None
        if drawing not in names:
            drawing = _free(names, "xl/drawings/drawing{}.xml")
            fresh.append((drawing, DRAWING_TYPE))
        if chart not in names:
            chart = _free(names, "xl/charts/chart{}.xml")
            fresh.append((chart, CHART_TYPE))
        files = {drawing: drawing_xml, _rels_path(drawing): _rels(CHART_REL, chart),
                 chart: chart_xml, _rels_path(part): _rels(DRAWING_REL, drawing)}
    for name, data in files.items():
        if name in names:
            edits[name] = lambda _, d=data: d
        else:
            new_parts[name] = data
    if fresh:
        before = edits.get(CONTENT_TYPES, lambda data: data)
        overrides = "".join(f'<Override PartName="/{n}" ContentType="{t}"/>' for n, t in fresh)
        edits[CONTENT_TYPES] = lambda data: _insert_types(before(data), overrides)
    return edits, new_parts


def write_sheets(source: Path, target: Path, specs: list[SheetSpec]) -> None:
    """Write (or rewrite) each sheet of `specs` into `source`, the result to `target` in
    one atomic replace; sheets not there yet are added at the end, in order."""
    source, target = Path(source), Path(target)
    with atomic_target(target) as tmp:
        current = source
        for spec in specs:
            with zipfile.ZipFile(current) as zf:
                edits, new_parts = _sheet_edits(zf, spec)
            replace_parts(current, tmp, edits, new_parts)
            current = tmp
