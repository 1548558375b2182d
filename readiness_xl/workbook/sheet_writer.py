"""Writing a whole sheet of our own (cells, column formats, conditional colours, one
native chart) into an existing workbook through the part machinery of
`workbook/parts.py`: the sheet's own parts are written, `styles.xml` and the content
types get only additions, every other part is copied byte for byte. Writing the same
sheet again replaces it (and its chart) in place; nothing accumulates.

The look is the house style of workbook.style (its fonts and fills, rendered as
styles.xml elements), so these sheets look like the template's. Styles are appended to
`styles.xml` only when an identical one is not there already, so a workbook rewritten a
hundred times keeps the same handful of styles."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from readiness_xl.workbook.xml_escape import escape, quoteattr

from defusedxml import ElementTree as ET
from openpyxl.xml.functions import tostring

from readiness_xl.workbook import style
from readiness_xl.workbook.atomic_write import atomic_target
from readiness_xl.workbook.cell_refs import column_index_from_string, get_column_letter
from readiness_xl.workbook.package import CONTENT_TYPES, NS_MAIN, NS_PKG_REL, NS_REL, WORKBOOK_PART, sheet_parts
from readiness_xl.workbook.package_edits import insert_before, new_sheet
from readiness_xl.workbook.paper import (LINE_POINTS, PAGE_FOOTER, column_points, fitted_scale, text_height,
                                         wrapped_lines)
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.sheet_xml import render_sheet_data

STYLES_PART = "xl/styles.xml"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


def _element(look) -> str:
    """An openpyxl font or fill as the styles.xml element openpyxl itself writes."""
    return tostring(look.to_tree()).decode("utf-8").replace(" />", "/>")


# The house style (workbook.style) as styles.xml elements.
FONT, HEADER_FONT, HEADER_FILL = map(_element, (style.BODY_FONT, style.HEADER_FONT, style.HEADER_FILL))
FONT_POINTS = style.BODY_POINTS


@dataclass(frozen=True)
class Paper:
    """How a sheet prints on A4 landscape: `title_rows` ('1:1') and `title_cols` ('A:B')
    repeated on every page, page breaks after the columns `breaks_after`. Without breaks
    the sheet is fitted to one page across when that keeps the text at
    MIN_PRINT_POINTS; otherwise (or with breaks) a fixed scale fits the widest run of
    columns between breaks, never smaller than that."""

    title_rows: str | None = "1:1"
    title_cols: str | None = None
    breaks_after: tuple[str, ...] = ()


@dataclass
class SheetSpec:
    """A sheet of ours: rows of values (row 1 the header), a number format per column
    letter (an Excel format code; default General), widths, conditional colours as
    (range, formula on the range's top-left cell, key of style.FLAG_COLOURS), the first unfrozen
    cell, and a chart: a function taking an openpyxl worksheet named like this sheet
    and returning (chart, anchor cell). `wrap`: column letters whose text wraps;
    `heights`: row number -> height in points (rows that hold wrapped text);
    `cell_formats`: a format for single cells that differ from their column (a count
    under a column of fractions); `paper`: the print set-up."""

    name: str
    rows: list[list]
    formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    colours: list[tuple[str, str, str]] = field(default_factory=list)
    freeze: str | None = None
    chart: object = None
    wrap: frozenset[str] = frozenset()
    heights: dict[int, float] = field(default_factory=dict)
    cell_formats: dict[str, str] = field(default_factory=dict)
    paper: Paper = Paper()


HEADER_WRAP = 0.85       # letters a header line holds per unit of width: bold is wider


def row_heights(rows: list[list], wrapped: dict[int, float], widths: dict[str, float]) -> dict[int, float]:
    """Row number -> height: the header's, tall enough for its longest wrapped label,
    and the rows whose text in a wrapped column (0-based index -> width) needs more
    than one line."""
    line, wider = LINE_POINTS * FONT_POINTS / 11, 11 / FONT_POINTS  # text_height measures 11 pt
    heights = {1: line * max(wrapped_lines(h, widths.get(get_column_letter(c), 10), HEADER_WRAP)
                             for c, h in enumerate(rows[0], start=1) if h) + 4}
    for r, row in enumerate(rows[1:], start=2):
        tall = max((text_height(row[c], width * wider, line) for c, width in wrapped.items()
                    if c < len(row) and isinstance(row[c], str) and row[c]), default=0.0)
        if tall > line:
            heights[r] = tall
    return heights


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


def cell_style(styles: str, code: str = "General", header: bool = False,
               wrap: bool = False) -> tuple[str, int]:
    """A cellXfs id: Tahoma 10 with the number format, top-aligned (text "@" also left-
    aligned: LibreOffice may otherwise let Thai text overflow leftwards), wrapped if
    `wrap`; the header style is white bold on dark blue, wrapped."""
    styles, fmt = _number_format(styles, code)
    styles, font = _ensure(styles, "fonts", HEADER_FONT if header else FONT)
    fill = 0
    if header:
        styles, fill = _ensure(styles, "fills", HEADER_FILL)
    wrapped = ' wrapText="1"' if wrap else ""
    align = ('<alignment wrapText="1" vertical="center"/>' if header else
             f'<alignment horizontal="left" vertical="top"{wrapped}/>' if code == "@"
             else f'<alignment vertical="top"{wrapped}/>')
    return _ensure(styles, "cellXfs",
                   f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0" '
                   f'applyNumberFormat="1" applyFont="1" applyFill="1" applyAlignment="1">{align}</xf>')


def colour_style(styles: str, key: str) -> tuple[str, int]:
    """A dxf (differential format) id for a conditional colour (a key of style.FLAG_COLOURS)."""
    fill, font = style.FLAG_COLOURS[key]
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


def _scale(spec: SheetSpec, letters: list[str]) -> int | None:
    """The fixed print scale (%) of `spec`, or None to fit it to one page across."""
    points = {c: column_points(spec.widths.get(c, 10)) for c in letters}
    titles = spec.paper.title_cols.split(":") if spec.paper.title_cols else []
    repeated = sum(points[c] for c in letters[:column_index_from_string(titles[1])]) if titles else 0.0
    cuts = [0] + [column_index_from_string(c) for c in spec.paper.breaks_after] + [len(letters)]
    runs = [sum(points[c] for c in letters[a:b]) + (repeated if i else 0.0)
            for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
    fitted, smallest = fitted_scale(max(runs), True, FONT_POINTS)
    if fitted >= smallest and not spec.paper.breaks_after:
        return None
    return max(smallest, min(100, fitted))


def _print_xml(spec: SheetSpec, letters: list[str]) -> tuple[str, str]:
    """(<pageSetup> with the footer, <colBreaks>) of the spec's paper."""
    scale = _scale(spec, letters)
    fit = 'fitToWidth="1" fitToHeight="0"' if scale is None else f'scale="{scale}"'
    footer = escape(f"&L&8&A&R&8{PAGE_FOOTER}")
    setup = (f'<pageSetup paperSize="9" orientation="landscape" {fit}/>'
             f'<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>')
    brk = "".join(f'<brk id="{column_index_from_string(c)}" max="1048575" man="1"/>'
                  for c in spec.paper.breaks_after)
    n = len(spec.paper.breaks_after)
    breaks = f'<colBreaks count="{n}" manualBreakCount="{n}">{brk}</colBreaks>' if n else ""
    return setup, breaks


def _shape_rows(xml: str, spec: SheetSpec, cells: dict[str, int]) -> str:
    """The rendered sheet XML with the spec's row heights and single-cell styles."""
    for row, height in spec.heights.items():
        xml = xml.replace(f'<row r="{row}">', f'<row r="{row}" ht="{height:g}" customHeight="1">', 1)
    for ref, xf in cells.items():
        xml = re.sub(rf'(<c r="{ref}") s="\d+"', rf'\1 s="{xf}"', xml, count=1)
    return xml


def _header_height(spec: SheetSpec, letters: list[str]) -> float:
    """Row 1 tall enough for the longest wrapped header at its column's width (at least
    two lines: a Thai and an English one)."""
    heights = [style.text_height(str(label), spec.widths.get(letter, 10))
               for letter, label in zip(letters, spec.rows[0] if spec.rows else []) if label]
    return max([2 * style.LINE_POINTS, *heights])


def sheet_xml(spec: SheetSpec, styles: str) -> tuple[str, str]:
    """The worksheet XML of `spec` (with its rows) and styles.xml with what it needs."""
    width = max((len(r) for r in spec.rows), default=1)
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    styles, head = cell_style(styles, header=True)
    body = {}
    for letter in letters:
        styles, body[letter] = cell_style(styles, spec.formats.get(letter, "General"), wrap=letter in spec.wrap)
    cells = {}
    for ref, code in spec.cell_formats.items():
        letter = re.match(r"[A-Z]+", ref).group(0)
        styles, cells[ref] = cell_style(styles, code, wrap=letter in spec.wrap)
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
    setup, breaks = _print_xml(spec, letters)
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheetPr>'
           f'<pageSetUpPr fitToPage="{int("scale" not in setup)}"/>'
           f'</sheetPr><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0">'
           f'{_pane(spec.freeze)}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
           f'<cols>{cols}</cols><sheetData><row r="1" ht="{_header_height(spec, letters):g}" '
           f'customHeight="1">{frame}</row>'
           f'<row r="2">{data}</row></sheetData>{"".join(rules)}'
           f'<pageMargins left="{style.SIDE_MARGIN}" right="{style.SIDE_MARGIN}" top="{style.TOP_MARGIN}" '
           f'bottom="{style.TOP_MARGIN}" header="0.3" footer="0.3"/>'
           f"{setup}{breaks}{drawing}</worksheet>")
    return _shape_rows(render_sheet_data(xml, spec.rows), spec, cells), styles


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


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def print_titles(workbook_xml: str, index: int, spec: SheetSpec) -> str:
    """workbook.xml with the rows and columns the sheet at `index` (0-based, as
    localSheetId counts) repeats on every printed page, replacing any it had."""
    name = _quoted(spec.name)
    parts = []
    if spec.paper.title_cols:
        first, last = spec.paper.title_cols.split(":")
        parts.append(f"{name}!${first}:${last}")
    if spec.paper.title_rows:
        first, last = spec.paper.title_rows.split(":")
        parts.append(f"{name}!${first}:${last}")
    prefix = re.match(r"(?:<\?xml[^>]*>\s*)?<(\w+:)?workbook\b", workbook_xml).group(1) or ""
    old = (rf'<{prefix}definedName\b[^>]*name="_xlnm.Print_Titles"[^>]*localSheetId="{index}"[^>]*>.*?'
           rf'</{prefix}definedName>|<{prefix}definedName\b[^>]*localSheetId="{index}"[^>]*'
           rf'name="_xlnm.Print_Titles"[^>]*>.*?</{prefix}definedName>')
    workbook_xml = re.sub(old, "", workbook_xml, flags=re.S)
    if not parts:
        return workbook_xml
    element = (f'<{prefix}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
               f'{escape(",".join(parts))}</{prefix}definedName>')
    closing = re.search(rf"</{prefix}definedNames>", workbook_xml)
    if closing:
        return workbook_xml[:closing.start()] + element + workbook_xml[closing.start():]
    empty = re.search(rf"<{prefix}definedNames\s*/>", workbook_xml)
    if empty:
        return (workbook_xml[:empty.start()] + f"<{prefix}definedNames>{element}</{prefix}definedNames>"
                + workbook_xml[empty.end():])
    sheets = re.search(rf"</{prefix}sheets>", workbook_xml)
    at = sheets.end()
    return workbook_xml[:at] + f"<{prefix}definedNames>{element}</{prefix}definedNames>" + workbook_xml[at:]


def sheet_edits(zf: zipfile.ZipFile, spec: SheetSpec) -> tuple[dict, dict]:
    """Edits and new parts that write `spec` into the package open in `zf`."""
    names, parts = set(zf.namelist()), sheet_parts(zf)
    xml, styles = sheet_xml(spec, zf.read(STYLES_PART).decode("utf-8"))
    edits = {STYLES_PART: lambda _: styles.encode("utf-8")}
    new_parts: dict[str, bytes] = {}
    if spec.name in parts:
        part = parts[spec.name]
        edits[part] = lambda _: xml.encode("utf-8")
        index = list(parts).index(spec.name)
    else:
        added, created = new_sheet(zf, spec.name, xml)
        part = next(iter(created))
        edits.update(added)
        new_parts.update(created)
        index = len(parts)
    add_sheet = edits.get(WORKBOOK_PART, lambda data: data)
    edits[WORKBOOK_PART] = lambda data: print_titles(add_sheet(data).decode("utf-8"), index,
                                                     spec).encode("utf-8")
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
        insert = insert_before("Types", "".join(f'<@Override PartName="/{n}" ContentType="{t}"/>'
                                                for n, t in fresh), f"the chart of sheet '{spec.name}'")
        edits[CONTENT_TYPES] = lambda data: insert(before(data))
    return edits, new_parts


def write_sheets(source: Path, target: Path, specs: list[SheetSpec]) -> None:
    """Write (or rewrite) each sheet of `specs` into `source`, the result to `target` in
    one atomic replace; sheets not there yet are added at the end, in order."""
    source, target = Path(source), Path(target)
    with atomic_target(target) as tmp:
        current = source
        for spec in specs:
            with zipfile.ZipFile(current) as zf:
                edits, new_parts = sheet_edits(zf, spec)
            replace_parts(current, tmp, edits, new_parts)
            current = tmp
