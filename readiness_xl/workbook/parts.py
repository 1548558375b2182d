"""Writing into an existing .xlsx without disturbing anything we did not write.

We never load-and-resave a user's workbook with openpyxl (it drops parts it does not
understand). Instead the zip is copied entry by entry and only the parts we own are
replaced, e.g. the `<sheetData>` of the Summary sheet or single answer cells. The result
goes to a temporary file next to the target which replaces it only when complete.

Files come from strangers (returned questionnaires), so before any XML parser sees a
package its zip directory is checked for unpacked size and compression ratio, and every
XML part is refused if it declares a DTD (the carrier of entity-expansion bombs)."""

from __future__ import annotations

import copy
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from collections import defaultdict
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DTDForbidden, EntitiesForbidden
from defusedxml import ElementTree as ET
from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from readiness_xl.errors import Problem, ReadinessError

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(r"<dimension [^>]*/>")
_ROW = re.compile(r"<row [^>]*?r=\"(\d+)\"[^>]*>(.*?)</row>", re.S)
_HEADER_ROW = re.compile(r'<row ([^>]*?\br="1"[^>]*?)/?>')
_ROW_NUMBER = re.compile(r'\s*\b(?:r|spans)="[^"]*"')
_CELL_STYLE = re.compile(r"<c r=\"([A-Z]+)\d+\"[^>]*?(?: s=\"(\d+)\")?[^>]*?/?>")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ROW_ELEMENT = re.compile(r"<row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</row>)", re.S)
_CELL_ELEMENT = re.compile(r"<c\b[^>]*?\br=\"([A-Z]+)\d+\"[^>]*?(?:/>|>.*?</c>)", re.S)
_STYLE_ATTR = re.compile(r"^<c\b[^>]*?\ss=\"(\d+)\"")

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

# Limits for untrusted packages. Real workbooks of thousands of agencies unpack to tens
# of megabytes and compress about 5-30 times; zip bombs compress hundreds of times.
MAX_UNPACKED_BYTES = 500 * 1024 ** 2
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 10 * 1024 ** 2
MAX_PARTS = 100_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class _RootReached(Exception):
    """Raised by the prolog scanner at the first element: no DTD came before it."""


class _StopAtRoot:
    def start(self, tag, attrs):
        raise _RootReached

    def close(self):
        return None


def _refuse_dtd(zf: zipfile.ZipFile, name: str, file: str) -> None:
    """Read a part only up to its root element; a DTD may only appear before it."""
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(65536):
                parser.feed(chunk)
    except _RootReached:
        return
    except (DTDForbidden, EntitiesForbidden):
        raise ReadinessError(Problem(f"part {name} declares a DTD or XML entities (a possible "
                                     "entity-expansion bomb); refused", file=file)) from None
    except ET.ParseError as err:
        raise ReadinessError(Problem(f"part {name} is not well-formed XML ({err})",
                                     file=file)) from None


# Packages already checked by this process, by file identity and stamp: a recalc reads
# and then rewrites the same file, and a file changed in between (new inode, size or
# modification time) is checked again.
_CHECKED: set[tuple] = set()


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def check_package(path: Path) -> None:
    """Refuse a zip package before unpacking it: too many parts, too large unpacked,
    suspiciously compressed, not a workbook, or XML parts with a DTD. A package already
    checked, unchanged since (see _CHECKED), is not checked twice."""
    path = Path(path)
    try:
        stamp = _stamp(path)
    except OSError:
        stamp = None
    if stamp in _CHECKED:
        return
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise ReadinessError(Problem(f"the package holds {len(infos):,} parts (limit "
                                             f"{MAX_PARTS:,}); refused", file=path.name))
            total = sum(info.file_size for info in infos)
            if total > MAX_UNPACKED_BYTES:
                raise ReadinessError(Problem(
                    f"unpacks to {total / 1024 ** 2:,.0f} MB (limit {MAX_UNPACKED_BYTES // 1024 ** 2} "
                    "MB; a zip bomb?); refused", file=path.name))
            for info in infos:
                if info.file_size > RATIO_FLOOR_BYTES and \
                        info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ReadinessError(Problem(
                        f"part {info.filename} is compressed {info.file_size // max(info.compress_size, 1):,} "
                        f"times (limit {MAX_RATIO}; a zip bomb?); refused", file=path.name))
            if WORKBOOK_PART not in {info.filename for info in infos}:
                raise ReadinessError(Problem(f"not an .xlsx workbook (a zip without {WORKBOOK_PART})",
                                             file=path.name))
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    _refuse_dtd(zf, info.filename, path.name)
        if stamp is not None:
            _CHECKED.add(stamp)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise ReadinessError(Problem(f"damaged zip package ({' '.join(str(err).split())})",
                                     file=path.name)) from None
    except RuntimeError as err:  # zipfile: "File ... is encrypted, password required"
        raise ReadinessError(Problem(f"an encrypted zip cannot be read ({err})",
                                     file=path.name)) from None


def check_not_locked(path: Path) -> None:
    """Excel keeps a `~$name` owner file beside a workbook it has open."""
    owner = path.with_name("~$" + path.name[2:] if len(path.name) > 2 else "~$" + path.name)
    for candidate in {owner, path.with_name("~$" + path.name)}:
        if candidate.exists():
            raise ReadinessError(Problem("the workbook is open in Excel (owner file "
                                         f"{candidate.name} exists); close it and try again",
                                         file=path.name))


def _mode_for(target: Path) -> int:
    """The replaced file keeps its permissions; a new one gets the usual ones (umask),
    not the owner-only mode of a temporary file."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_target(target: Path):
    """Yield a temporary path beside `target`; move it over `target` only on success."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    # The mode bits too: root may write anywhere, but a file marked read-only is meant to stay.
    if target.exists() and (not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222):
        raise ReadinessError(Problem("the target file is read-only", file=str(target)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise ReadinessError(Problem(f"cannot write in {directory} ({err.strerror})",
                                     file=str(target))) from None
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as err:
        raise ReadinessError(Problem(f"could not write the file ({err.strerror}); "
                                     "the original is unchanged", file=str(target))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip path of its XML, in workbook order."""
    workbook = ET.fromstring(zf.read(WORKBOOK_PART))
    rels = ET.fromstring(zf.read(WORKBOOK_RELS))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
    return parts


def defined_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Workbook-level defined names and what they refer to, as written in workbook.xml."""
    workbook = ET.fromstring(zf.read(WORKBOOK_PART))
    return {d.get("name"): (d.text or "") for d in workbook.iter(f"{{{NS_MAIN}}}definedName")
            if d.get("localSheetId") is None}


def header_style(sheet_xml: str) -> str | None:
    """The style id of cell A1, to give a new sheet's header the look of an existing one."""
    return _row_styles(sheet_xml).get(1, {}).get("A")


def sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip path of a worksheet's XML, by the sheet's name."""
    parts = sheet_parts(zf)
    if sheet_name not in parts:
        raise ReadinessError(Problem(f"sheet '{sheet_name}' is missing"))
    return parts[sheet_name]


def _cell_xml(ref: str, value: object, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'
    # Inline strings are always text: a value starting with = + - @ never becomes a formula.
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row_styles(sheet_xml: str) -> dict[int, dict[str, str]]:
    """Style ids of the existing cells in rows 1 and 2, by column letter."""
    styles: dict[int, dict[str, str]] = {}
    for match in _ROW.finditer(sheet_xml):
        row = int(match.group(1))
        if row > 2:
            break
        styles[row] = {m.group(1): m.group(2) for m in _CELL_STYLE.finditer(match.group(2))
                       if m.group(2)}
    return styles


def render_sheet_data(sheet_xml: str, rows: list[list]) -> str:
    """The sheet XML with its cell data replaced by `rows` (first row = header).
    Header cells keep row 1's styles and data cells row 2's, column by column, so the
    template's fonts and number formats survive every recalculation."""
    styles = _row_styles(sheet_xml)
    header_styles, data_styles = styles.get(1, {}), styles.get(2, {})
    header_row = _HEADER_ROW.search(sheet_xml)  # keeps the header's height
    header_attrs = _ROW_NUMBER.sub("", header_row.group(1)).strip() if header_row else ""
    out = ["<sheetData>"]
    width = max((len(r) for r in rows), default=0)
    letters = [get_column_letter(c) for c in range(1, width + 1)]  # once, not per cell
    header_cols = [header_styles.get(letter) for letter in letters]
    data_cols = [data_styles.get(letter) for letter in letters]
    for r, values in enumerate(rows, start=1):
        cells = "".join([_cell_xml(f"{letter}{r}", v, style) for letter, style, v
                         in zip(letters, header_cols if r == 1 else data_cols, values)])
        attrs = f" {header_attrs}" if r == 1 and header_attrs else ""
        out.append(f'<row r="{r}"{attrs}>{cells}</row>')
    out.append("</sheetData>")
    new = _SHEET_DATA.sub(lambda _: "".join(out), sheet_xml, count=1)
    ref = f"A1:{get_column_letter(max(width, 1))}{max(len(rows), 1)}"
    return _DIMENSION.sub(f'<dimension ref="{ref}"/>', new, count=1)


def set_cells(sheet_xml: str, values: dict[str, object]) -> str:
    """The sheet XML with the cells at `values`' references set to those values, each
    keeping its style; rows and cells are created in order where missing. Every other
    cell and everything outside <sheetData> (validation, formatting, merges) is kept."""
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
                new = _cell_xml(ref, value, style.group(1) if style else None)
                inner = inner[:same.start()] + new + inner[same.end():]
            else:
                after = next((m.start() for m in found
                              if column_index_from_string(m.group(1)) > index), len(inner))
                inner = inner[:after] + _cell_xml(ref, value, None) + inner[after:]
        return inner

    def row_xml(match: re.Match) -> str:
        row = int(match.group(1))
        if row not in wanted:
            return match.group(0)
        head = match.group(0)[:match.group(0).index(">") + 1].replace("/>", ">")
        return f"{head}{cells(row, match.group(2) or '')}</row>"

    body = _SHEET_DATA.search(sheet_xml)
    if body is None:
        raise ReadinessError(Problem("a worksheet part has no <sheetData>"))
    data = _ROW_ELEMENT.sub(row_xml, body.group(0))
    present = {int(m.group(1)) for m in _ROW_ELEMENT.finditer(data)}
    for row in sorted(set(wanted) - present):
        if not cells(row, ""):
            continue                     # only blanks for a row that does not exist
        new = f'<row r="{row}">{cells(row, "")}</row>'
        later = next((m.start() for m in _ROW_ELEMENT.finditer(data) if int(m.group(1)) > row), None)
        if data.endswith("/>"):
            data = f"<sheetData>{new}</sheetData>"
        elif later is None:
            data = data[:-len("</sheetData>")] + new + "</sheetData>"
        else:
            data = data[:later] + new + data[later:]
    return sheet_xml[:body.start()] + data + sheet_xml[body.end():]


def new_sheet(zf: zipfile.ZipFile, name: str, sheet_xml: str) -> tuple[dict, dict]:
    """What adding a worksheet takes: edits to the workbook, its relationships and the
    content types (each a text insertion, so nothing else in them changes), and the new
    part. Returns (edits, new_parts) for `replace_parts`; the sheet goes last, so sheet
    indices of defined names and print areas stay valid."""
    names = set(zf.namelist())
    part = next(f"xl/worksheets/sheet{i}.xml" for i in count(1)
                if f"xl/worksheets/sheet{i}.xml" not in names)
    rel_ids = {r.get("Id") for r in ET.fromstring(zf.read(WORKBOOK_RELS))}
    rel_id = next(f"rId{i}" for i in count(1) if f"rId{i}" not in rel_ids)
    sheet_ids = [int(s.get("sheetId", 0)) for s in
                 ET.fromstring(zf.read(WORKBOOK_PART)).iter(f"{{{NS_MAIN}}}sheet")]
    sheet_id = max(sheet_ids, default=0) + 1

    def insert(closing: str, element: str):
        def edit(data: bytes) -> bytes:
            text = data.decode("utf-8")
            match = re.search(rf"</(\w+:)?{closing}>", text)
            if match is None:
                raise ReadinessError(Problem(f"cannot add sheet '{name}': no </{closing}> found"))
            prefix = match.group(1) or ""
            text_element = element.replace("<@", f"<{prefix}")
            return (text[:match.start()] + text_element + text[match.start():]).encode("utf-8")
        return edit

    workbook = zf.read(WORKBOOK_PART).decode("utf-8")
    bound = re.search(rf'xmlns:(\w+)="{re.escape(NS_REL)}"', workbook)
    rel_attr = (f'{bound.group(1)}:id="{rel_id}"' if bound
                else f'r:id="{rel_id}" xmlns:r="{NS_REL}"')
    edits = {
        WORKBOOK_PART: insert("sheets", f'<@sheet name={quoteattr(name)} sheetId="{sheet_id}" {rel_attr}/>'),
        WORKBOOK_RELS: insert("Relationships", f'<@Relationship Id="{rel_id}" Type="{WORKSHEET_REL}" '
                                               f'Target="/{part}"/>'),
        CONTENT_TYPES: insert("Types", f'<@Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}"/>'),
    }
    return edits, {part: sheet_xml.encode("utf-8")}


def full_calc_on_load(workbook_xml: str) -> str:
    """Ask Excel to recalculate every formula on open: cells changed behind its back
    would otherwise keep stale cached results. Only an existing <calcPr> is touched."""
    def edit(match: re.Match) -> str:
        element = match.group(0)
        if "fullCalcOnLoad=" in element:
            return re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', element)
        return re.sub(r"calcPr\b", 'calcPr fullCalcOnLoad="1"', element, count=1)
    return re.sub(r"<(?:\w+:)?calcPr\b[^>]*>", edit, workbook_xml, count=1)


def empty_sheet_xml(header_style: str | None = None, columns: int = 1,
                    widths: list[float] | None = None) -> str:
    """A minimal worksheet whose row 1 carries `header_style`, for render_sheet_data."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths or [], start=1))
    header = "".join(_cell_xml(f"{get_column_letter(c)}1", None, header_style)
                     for c in range(1, columns + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="A1"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f'<sheetData><row r="1">{header}</row></sheetData></worksheet>')


def _copy_stored(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy a part we do not change as it is stored, still compressed: it is neither
    inflated nor deflated again (a 130 MB Responses sheet costs a second of each), and
    stays byte for byte what it was, CRC included. zipfile has no public call for this;
    the local header is rebuilt from the central directory's entry, without a data
    descriptor, as writestr would write it."""
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    zin.fp.seek(info.header_offset + zipfile.sizeFileHeader + name_length + extra_length)
    data = zin.fp.read(info.compress_size)
    if len(data) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is truncated")
    out = copy.copy(info)
    out.flag_bits &= ~0x08
    out.header_offset = zout.fp.tell()
    zout.fp.write(out.FileHeader())
    zout.fp.write(data)
    zout.filelist.append(out)
    zout.NameToInfo[out.filename] = out
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


def replace_parts(source: Path, target: Path, edits: dict[str, "callable"],
                  new_parts: dict[str, bytes] | None = None) -> None:
    """Copy `source` to `target` (atomically), passing the named parts through their
    edit function (bytes -> bytes) and appending `new_parts`; every other part is
    copied unchanged, byte for byte."""
    source, target = Path(source), Path(target)
    check_not_locked(target)
    check_package(source)
    with zipfile.ZipFile(source) as zin, atomic_target(target) as tmp:
        with zipfile.ZipFile(tmp, "w") as zout:
            for info in zin.infolist():
                if info.filename not in edits:
                    _copy_stored(zin, info, zout)
                    continue
                data = edits[info.filename](zin.read(info.filename))
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
            for name, data in (new_parts or {}).items():
                zout.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)


def write_sheet_rows(source: Path, target: Path, sheet_name: str, rows: list[list],
                     extra_edits: dict | None = None) -> None:
    """Replace one sheet's cell values with `rows`, keeping every other part as it was."""
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet_name)
    edits = {part: lambda data: render_sheet_data(data.decode("utf-8"), rows).encode("utf-8")}
    edits.update(extra_edits or {})
    replace_parts(source, target, edits)
