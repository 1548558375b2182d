"""Writing into an existing .xlsx without disturbing anything we did not write.

We never load-and-resave a user's workbook with openpyxl (it drops parts it does not
understand). Instead the zip is copied entry by entry and only the parts we own are
replaced, e.g. the `<sheetData>` of the Summary sheet. The result goes to a temporary
file next to the target which replaces it only when complete."""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree as ET
from openpyxl.utils.cell import get_column_letter

from .errors import Problem, ReadinessError

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(r"<dimension [^>]*/>")
_ROW = re.compile(r"<row [^>]*?r=\"(\d+)\"[^>]*>(.*?)</row>", re.S)
_CELL_STYLE = re.compile(r"<c r=\"([A-Z]+)\d+\"[^>]*?(?: s=\"(\d+)\")?[^>]*?/?>")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_not_locked(path: Path) -> None:
    """Excel keeps a `~$name` owner file beside a workbook it has open."""
    owner = path.with_name("~$" + path.name[2:] if len(path.name) > 2 else "~$" + path.name)
    for candidate in {owner, path.with_name("~$" + path.name)}:
        if candidate.exists():
            raise ReadinessError(Problem("the workbook is open in Excel (owner file "
                                         f"{candidate.name} exists); close it and try again",
                                         file=path.name))


@contextmanager
def atomic_target(target: Path):
    """Yield a temporary path beside `target`; move it over `target` only on success."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if target.exists() and not os.access(target, os.W_OK):
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
        os.replace(tmp, target)
    except OSError as err:
        raise ReadinessError(Problem(f"could not write the file ({err.strerror}); "
                                     "the original is unchanged", file=str(target))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip path of a worksheet's XML, by the sheet's name."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets[sheet.get(f"{{{NS_REL}}}id")]
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    raise ReadinessError(Problem(f"sheet '{sheet_name}' is missing"))


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
    out = ["<sheetData>"]
    width = max((len(r) for r in rows), default=0)
    for r, values in enumerate(rows, start=1):
        col_styles = header_styles if r == 1 else data_styles
        cells = "".join(_cell_xml(f"{get_column_letter(c)}{r}", v,
                                  col_styles.get(get_column_letter(c)))
                        for c, v in enumerate(values, start=1))
        out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData>")
    new = _SHEET_DATA.sub(lambda _: "".join(out), sheet_xml, count=1)
    ref = f"A1:{get_column_letter(max(width, 1))}{max(len(rows), 1)}"
    return _DIMENSION.sub(f'<dimension ref="{ref}"/>', new, count=1)


def replace_parts(source: Path, target: Path, edits: dict[str, "callable"]) -> None:
    """Copy `source` to `target` (atomically), passing the named parts through their
    edit function (bytes -> bytes); every other part is copied unchanged."""
    source, target = Path(source), Path(target)
    check_not_locked(target)
    with zipfile.ZipFile(source) as zin, atomic_target(target) as tmp:
        with zipfile.ZipFile(tmp, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in edits:
                    data = edits[info.filename](data)
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def write_sheet_rows(source: Path, target: Path, sheet_name: str, rows: list[list],
                     extra_edits: dict | None = None) -> None:
    """Replace one sheet's cell values with `rows`, keeping every other part as it was."""
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet_name)
    edits = {part: lambda data: render_sheet_data(data.decode("utf-8"), rows).encode("utf-8")}
    edits.update(extra_edits or {})
    replace_parts(source, target, edits)
