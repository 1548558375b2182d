"""Writing into an existing .xlsx without disturbing anything we did not write.

We never load-and-resave a user's workbook with openpyxl (it drops parts it does not
understand). Instead the zip is copied entry by entry and only the parts we own are
replaced, e.g. the `<sheetData>` of the Summary sheet or single answer cells. The result
goes to a temporary file next to the target which replaces it only when complete.

Files come from strangers (returned questionnaires): every source is checked by
workbook.package (bombs, DTDs) before any part of it is parsed here."""

from __future__ import annotations

import copy
import math
import numbers
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from itertools import chain, count, islice, repeat
from pathlib import Path
from typing import Iterable, Iterator
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from defusedxml import ElementTree as ET

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import locks
from readiness_xl.workbook.cell_refs import column_index_from_string, coordinate_from_string, get_column_letter
from readiness_xl.workbook.package import (  # the package's parts, read before writing
    CONTENT_TYPES,
    NS_MAIN,
    NS_REL,
    WORKBOOK_PART,
    WORKBOOK_RELS,
    XML_SUFFIXES,
    check_package,
    sheet_part,
)

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
# Tags may carry a namespace prefix (<x:sheetData>, as .NET's Open XML SDK writes them):
# every pattern accepts one and every element we write uses the part's own prefix.
_P = r"(?:\w+:)?"
_SHEET_DATA_OPEN = re.compile(r"<(\w+:)?sheetData\b([^>]*?)(/?)>")
_ROOT_PREFIX = re.compile(r"<(\w+:)?worksheet\b")
_DIMENSION = re.compile(rf"<{_P}dimension [^>]*/>")
_HEADER_ROW = re.compile(rf'<{_P}row ([^>]*?\br="1"[^>]*?)/?>')
_ROW_NUMBER = re.compile(r'\s*\b(?:r|spans)="[^"]*"')
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ROW_ELEMENT = re.compile(rf"<{_P}row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</{_P}row>)", re.S)
_CELL_ELEMENT = re.compile(rf"<{_P}c\b[^>]*?\br=\"([A-Z]+)\d+\"[^>]*?(?:/>|>.*?</{_P}c>)", re.S)
_STYLE_ATTR = re.compile(rf"^<{_P}c\b[^>]*?\ss=\"(\d+)\"")
# Row and cell openings, for giving a reference to those that omit it (r is optional).
_OPENING = re.compile(rf"<({_P})(row|c)\b([^>]*?)(/?)>")
_R_ATTR = re.compile(r'\br="([A-Z]*)(\d*)"')
_ROW_OPENING = re.compile(rf"<{_P}row\b")


def owner_files(path: Path) -> list[Path]:
    """The files an office program keeps beside a workbook it has open: Excel's `~$name`
    (Word-style `~$` + name less its first two characters too) and LibreOffice's
    `.~lock.name#`."""
    name = path.name
    return [path.with_name(n) for n in
            dict.fromkeys(["~$" + name, "~$" + name[2:] if len(name) > 2 else "~$" + name,
                           f".~lock.{name}#"])]


def check_not_locked(path: Path) -> None:
    """Refuse a workbook that is open in Excel or LibreOffice: writing it would be lost
    when the program saves, or would fail on Windows."""
    path = Path(path)
    for candidate in owner_files(path):
        if candidate.exists():
            raise ReadinessError(Problem("the workbook is open in Excel or LibreOffice (owner "
                                         f"file {candidate.name} exists); close it and try again",
                                         file=path.name))


def _mode_for(target: Path) -> int:
    """The replaced file keeps its permissions; a new one gets the usual ones (umask),
    not the owner-only mode of a temporary file."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_PENDING: dict[Path, str] = {}   # a temporary file of ours -> the target it will become


@contextmanager
def atomic_target(target: Path):
    """Yield a temporary path beside `target`; move it over `target` only on success.

    What every write gets: a symlink is followed (the file it points to is replaced, the
    link stays); a workbook open in Excel, a read-only file or a file this command read
    as input (unless the command holds its lock: read-modify-write) is refused; the
    target is locked against a second run; an error names the target, never a temporary
    file. A temporary file of ours as `target` (a step of a larger write) skips the checks."""
    given = Path(target)
    shown = _PENDING.get(given)
    nested = shown is not None
    shown = shown or str(given)
    real = given if nested else Path(os.path.realpath(given))
    directory = real.parent
    if not nested:
        check_not_locked(given)
        check_not_locked(real)
        locks.check_not_input(real, shown)
    # The mode bits too: root may write anywhere, but a file marked read-only is meant to stay.
    if real.exists() and (not os.access(real, os.W_OK) or not real.stat().st_mode & 0o222):
        raise ReadinessError(Problem("the target file is read-only", file=shown))
    with (nullcontext() if nested else locks.exclusive(real, shown)):
        try:
            fd, tmp = tempfile.mkstemp(prefix=locks.temp_prefix(real.name), suffix=".tmp",
                                       dir=directory)
        except OSError as err:
            raise ReadinessError(Problem(f"cannot write in {directory} ({err.strerror})",
                                         file=shown)) from None
        os.close(fd)
        _PENDING[Path(tmp)] = shown
        try:
            stop = locks.stop_point if not nested else (lambda point: None)  # the outer write's points
            stop("temp-created")
            yield Path(tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, _mode_for(real))
            stop("before-replace")
            os.replace(tmp, real)
            stop("after-replace")
        except OSError as err:
            raise ReadinessError(Problem(f"could not write the file ({err.strerror}); "
                                         "the original is unchanged", file=shown)) from None
        finally:
            _PENDING.pop(Path(tmp), None)
            if os.path.exists(tmp):
                os.unlink(tmp)


def header_style(sheet_xml: str) -> str | None:
    """The style id of cell A1, to give a new sheet's header the look of an existing one."""
    return _row_styles(sheet_xml).get(1, {}).get("A")


def _prefix(sheet_xml: str) -> str:
    """The namespace prefix of the part's elements ('x:' for <x:worksheet>), or ''."""
    match = _ROOT_PREFIX.search(sheet_xml)
    return (match.group(1) or "") if match else ""


def stored(value: object) -> object:
    """What a cell holds once `value` is written: None (blank) for None, NaN and infinity
    (a cell cannot hold them), bool, float for any real number (numpy's too), else text
    without the characters XML cannot carry."""
    if value is None:
        return None
    kind = type(value)  # the common exact types first: this runs twice per cell written
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str:
        return _ILLEGAL_XML.sub("", value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return _ILLEGAL_XML.sub("", str(value))


def _cell_xml(ref: str, value: object, style: str | None, p: str = "", strings=None) -> str:
    """One <c> element; text goes inline, or into `strings` (a SharedStrings) when given."""
    s = f' s="{style}"' if style else ""
    value = stored(value)
    if value is None:
        return f'<{p}c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    if isinstance(value, float):
        return f'<{p}c r="{ref}"{s}><{p}v>{value!r}</{p}v></{p}c>'
    # Inline strings are always text: a value starting with = + - @ never becomes a formula.
    text = escape(value, {"\r": "&#13;"})  # a bare CR would be read back as LF
    if strings is not None:  # a shared string (t="s") is text too
        return f'<{p}c r="{ref}"{s} t="s"><{p}v>{strings.indices([text])[0]}</{p}v></{p}c>'
    return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}</{p}t></{p}is></{p}c>'


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


# Cell values a column may hold to be rendered as one block of numbers or of texts.
_NUMBER_TYPES = frozenset({float, int, type(None), np.float64, np.float32, np.int64, np.int32})
_TEXT_TYPES = frozenset({str, type(None)})
_SEPARATOR = "\x00"   # joins a column's texts: XML cannot carry it, so a cleaned text never holds it
_ILLEGAL_BUT_SEPARATOR = re.compile(_ILLEGAL_XML.pattern.replace("\x00", "\x01", 1))


def escape_texts(texts: list[str]) -> list[str]:
    """What stored() and escape() make of many texts, in a few passes over one string."""
    joined = _SEPARATOR.join(texts)
    if _ILLEGAL_BUT_SEPARATOR.search(joined) or joined.count(_SEPARATOR) != len(texts) - 1:
        joined = _SEPARATOR.join([_ILLEGAL_XML.sub("", t) for t in texts])
    joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return joined.split(_SEPARATOR) if texts else []


def _reprs(floats: np.ndarray) -> list[str]:
    """repr() of each float, computed once per distinct value (scores repeat: 10,000
    agencies' dimension scores take some 1,600 values); distinct by bit pattern, so that
    -0.0 keeps its sign."""
    bits, where = np.unique(floats.view(np.int64), return_inverse=True)
    return np.array(list(map(repr, bits.view(float).tolist())), dtype=object)[where].tolist()


def _column_cells(letter: str, numbers: list[str], values: list, style: str | None, p: str,
                  strings=None) -> list[str]:
    """The <c> elements of one column, one string per row (`numbers`: the rows' numbers
    as text), exactly as _cell_xml writes each cell; a column of numbers or of texts is
    built in a few passes over the whole column rather than one call per cell."""
    kinds = set(map(type, values))
    s = f' s="{style}"' if style else ""
    head = f'<{p}c r="{letter}'
    if kinds <= _NUMBER_TYPES:
        floats = np.array(values, dtype=float)   # None -> NaN, every number -> a float
        texts, blanks = _reprs(floats), np.flatnonzero(~np.isfinite(floats)).tolist()
        middle, tail = f'"{s}><{p}v>', f"</{p}v></{p}c>"
    elif kinds <= _TEXT_TYPES:
        blanks = [i for i, v in enumerate(values) if v is None] if type(None) in kinds else []
        texts = escape_texts([v for v in values if v is not None])
        if strings is not None:
            texts = strings.indices(texts)
        if blanks:
            escaped = iter(texts)
            texts = ["" if v is None else next(escaped) for v in values]
        middle, tail = (f'"{s} t="s"><{p}v>', f"</{p}v></{p}c>") if strings is not None else \
            (f'"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">', f"</{p}t></{p}is></{p}c>")
    else:
        return [_cell_xml(f"{letter}{r}", v, style, p, strings) for r, v in zip(numbers, values)]
    cells = list(map("".join, zip(repeat(head), numbers, repeat(middle), texts, repeat(tail))))
    for i in blanks:
        cells[i] = f'{head}{numbers[i]}"{s}/>' if style else ""
    return cells


def _rows_xml(rows: list[list], letters: list[str], header_cols: list, data_cols: list,
              header_attrs: str, p: str, strings=None) -> Iterator[str]:
    """The <row> elements of `rows` (the first is the header), as pieces to join once; a
    rectangular block is rendered column by column (_column_cells), a ragged one row by row."""
    closing = f"</{p}row>"
    data = rows[1:]
    block: Iterable[str] = ()
    if data and all(len(r) == len(letters) for r in data):
        numbers = [str(r) for r in range(2, len(rows) + 1)]
        columns = [_column_cells(letter, numbers, list(values), style, p, strings)
                   for letter, style, values in zip(letters, data_cols, zip(*data))]
        openings = [f'<{p}row r="{r}">' for r in numbers]
        block = chain.from_iterable(zip(openings, *columns, repeat(closing)))
        rows = rows[:1]
    out = []
    for r, values in enumerate(rows, start=1):
        cells = "".join([_cell_xml(f"{letter}{r}", v, style, p, strings) for letter, style, v
                         in zip(letters, header_cols if r == 1 else data_cols, values)])
        attrs = f" {header_attrs}" if r == 1 and header_attrs else ""
        out.append(f'<{p}row r="{r}"{attrs}>{cells}{closing}')
    return chain(out, block)


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
    return "".join(chain([head, f"<{p}sheetData>"], _rows_xml(rows, letters, header_cols, data_cols,
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
                new = _cell_xml(ref, value, style.group(1) if style else None, p)
                inner = inner[:same.start()] + new + inner[same.end():]
            else:
                after = next((m.start() for m in found
                              if column_index_from_string(m.group(1)) > index), len(inner))
                inner = inner[:after] + _cell_xml(ref, value, None, p) + inner[after:]
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


def sheet_values(sheet_xml: bytes | str) -> dict[str, object]:
    """Cell reference -> value of a worksheet part, read by an XML parser (not by the
    patterns that wrote it), as `stored` gives them; the check that a write did what it
    meant. Rows out of order or a cell twice make it fail. The part is one we have just
    written, from a source whose parts check_package cleared of DTDs, so expat streams
    it without building a tree (a 10,000-row Summary: about 2/3 of the time); a DTD is
    refused still."""
    data = sheet_xml.encode("utf-8") if isinstance(sheet_xml, str) else sheet_xml
    if b"<!DOCTYPE" in data:
        raise ValueError("the part declares a DTD")
    row_tag, cell_tag, value_tag, text_tag = (f"{NS_MAIN}}}{n}" for n in ("row", "c", "v", "t"))
    out: dict[str, object] = {}
    state = {"last": 0, "depth": 0, "cell": None, "texts": None, "value": None, "into": None}

    def start(name: str, attrs: dict) -> None:
        state["depth"] += 1
        if name == row_tag:
            number = int(attrs.get("r", state["last"] + 1))
            if number <= state["last"]:
                raise ValueError(f"row {number} comes after row {state['last']}")
            state["last"] = number
        elif name == cell_tag:
            ref = attrs.get("r")
            if ref in out:
                raise ValueError(f"cell {ref} appears twice")
            state.update(cell=(ref, attrs.get("t", "n"), state["depth"]), texts=[], value=None)
        elif state["cell"] is not None and (name == text_tag or (
                name == value_tag and state["depth"] == state["cell"][2] + 1 and state["value"] is None)):
            state["into"] = []

    def end(name: str) -> None:
        cell, into = state["cell"], state["into"]
        if into is not None and name in (text_tag, value_tag):
            if name == text_tag:
                state["texts"].append("".join(into))
            else:
                state["value"] = "".join(into) if into else None
            state["into"] = None
        elif name == cell_tag and cell is not None:
            ref, kind, _ = cell
            text = state["value"]
            out[ref] = "".join(state["texts"]) if kind == "inlineStr" else None if text is None \
                else float(text) if kind == "n" else text == "1" if kind == "b" else text
            state["cell"] = None
        state["depth"] -= 1

    def chars(text: str) -> None:
        if state["into"] is not None:
            state["into"].append(text)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise ValueError(f"not well-formed XML ({err})") from None
    return out


def _same(expected: object, found: object) -> bool:
    return expected == found or (expected is None and found in (None, ""))


def check_cells(values: dict[str, object]):
    """A verifier for replace_parts: the part, parsed, holds `values` (refs -> as written):
    for values patched into a sheet's own XML (set_cells), whose patterns a stranger's
    markup could mislead."""
    expected = {ref: stored(v) for ref, v in values.items()}

    def verify(data: bytes) -> str | None:
        try:
            found = sheet_values(data)
        except (ET.ParseError, ValueError) as err:
            return str(err)
        wrong = [ref for ref, v in expected.items() if not _same(v, found.get(ref))]
        return f"cell {wrong[0]} does not hold what was written" if wrong else None
    return verify


def new_sheet(zf: zipfile.ZipFile, name: str, sheet_xml: str) -> tuple[dict, dict]:
    """What adding a worksheet takes: edits to the workbook, its relationships and the
    content types (each a text insertion, so nothing else in them changes), and the new
    part. Returns (edits, new_parts) for `replace_parts`; the sheet goes last, so sheet
    indices of defined names and print areas stay valid."""
    names = set(zf.namelist())
    part = next(f"xl/worksheets/sheet{i}.xml" for i in count(1)
                if f"xl/worksheets/sheet{i}.xml" not in names)
    rel_id = free_rel_id(zf)
    sheet_ids = [int(s.get("sheetId", 0)) for s in
                 ET.fromstring(zf.read(WORKBOOK_PART)).iter(f"{{{NS_MAIN}}}sheet")]
    sheet_id = max(sheet_ids, default=0) + 1
    what = f"sheet '{name}'"

    workbook = zf.read(WORKBOOK_PART).decode("utf-8")
    bound = re.search(rf'xmlns:(\w+)="{re.escape(NS_REL)}"', workbook)
    rel_attr = (f'{bound.group(1)}:id="{rel_id}"' if bound
                else f'r:id="{rel_id}" xmlns:r="{NS_REL}"')
    edits = {
        WORKBOOK_PART: insert_before("sheets", f'<@sheet name={quoteattr(name)} sheetId="{sheet_id}" '
                                               f'{rel_attr}/>', what),
        **new_part_edits(part, rel_id, WORKSHEET_REL, WORKSHEET_TYPE, what),
    }
    return edits, {part: sheet_xml.encode("utf-8")}


def free_rel_id(zf: zipfile.ZipFile) -> str:
    """A relationship id the workbook does not use yet."""
    rel_ids = {r.get("Id") for r in ET.fromstring(zf.read(WORKBOOK_RELS))}
    return next(f"rId{i}" for i in count(1) if f"rId{i}" not in rel_ids)


def insert_before(closing: str, element: str, what: str):
    """An edit (bytes -> bytes) putting `element` before the part's `</closing>`, with the
    part's own namespace prefix where the element says `<@`: a text insertion, so nothing
    else in the part changes."""
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        match = re.search(rf"</(\w+:)?{closing}>", text)
        if match is None:
            raise ReadinessError(Problem(f"cannot add {what}: no </{closing}> found"))
        text_element = element.replace("<@", f"<{match.group(1) or ''}")
        return (text[:match.start()] + text_element + text[match.start():]).encode("utf-8")
    return edit


def new_part_edits(part: str, rel_id: str, rel_type: str, content_type: str, what: str) -> dict:
    """The edits that make a new part of the workbook known: its relationship from the
    workbook and its content type."""
    return {
        WORKBOOK_RELS: insert_before("Relationships", f'<@Relationship Id="{rel_id}" Type="{rel_type}" '
                                                      f'Target="/{part}"/>', what),
        CONTENT_TYPES: insert_before("Types", f'<@Override PartName="/{part}" ContentType="{content_type}"/>',
                                     what),
    }


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


# What reading or editing a damaged part raises (bad deflate data or CRC, bytes that are
# not UTF-8, XML that does not parse).
DAMAGED_PART = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ET.ParseError)


class _Doctype(Exception):
    """Raised from expat at a document type declaration: a DTD is refused before any
    of it (an entity-expansion bomb, say) is parsed."""


def _refuse_doctype(*_) -> None:
    raise _Doctype


def well_formed(data: bytes, chunk: int = 1 << 20) -> str | None:
    """Why `data` is not a well-formed XML document without a DTD, or None. The standard
    library's C parser with one handler, for a DTD (found as it parses: no second pass
    over the bytes): a 20 MB Summary in about 0.07 s. It is fed a megabyte at a time:
    it holds the GIL while it parses, and a thread writing the file meanwhile
    (replace_parts) needs it between its deflate calls."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        with memoryview(data) as view:
            for start in range(0, len(data), chunk):
                parser.Parse(view[start:start + chunk], False)
        parser.Parse(b"", True)
    except _Doctype:
        return "the part declares a DTD"
    except expat.ExpatError as err:
        return f"not well-formed XML ({err})"
    return None


def _read_back(written: zipfile.ZipFile, part: str, meant: bytes) -> tuple[bytes | None, str | None]:
    """A part as the written file holds it, and why it is not what was meant (or None):
    zipfile inflates it and checks its CRC-32, and the bytes must equal `meant` (which
    replace_parts has checked to be well-formed XML where the part is XML)."""
    try:
        data = written.read(part)
    except DAMAGED_PART as err:
        return None, f"unreadable: {' '.join(str(err).split())}"
    if data != meant:
        return data, f"{len(data):,} bytes read back differ from the {len(meant):,} written"
    return data, None


def _write_and_read_back(zin: zipfile.ZipFile, tmp: Path, written: dict[str, bytes],
                         new: Iterable[str]) -> dict[str, tuple[bytes | None, str | None]]:
    """Write the package to `tmp`: `zin`'s parts, those in `written` replaced, then the
    `new` ones appended; then read every written part back from the file (_read_back)."""
    with zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            if info.filename not in written:
                _copy_stored(zin, info, zout)
            else:
                zout.writestr(info, written[info.filename], compress_type=zipfile.ZIP_DEFLATED,
                              compresslevel=1)
        for name in new:
            zout.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), written[name],
                          compress_type=zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(tmp) as back:
        return {part: _read_back(back, part, meant) for part, meant in written.items()}


def replace_parts(source: Path, target: Path, edits: dict[str, "callable"],
                  new_parts: dict[str, bytes] | None = None,
                  verify: dict[str, "callable"] | None = None) -> None:
    """Copy `source` to `target` (atomically), passing the named parts through their
    edit function (bytes -> bytes) and appending `new_parts`; every other part is
    copied unchanged, byte for byte. Before the target is replaced, every part written
    is read back from the written file (_read_back: CRC-32, the same bytes), every XML
    part written is checked well-formed, and each part in `verify` is also given to its
    function (bytes -> None, or why it is wrong), e.g. check_cells where values were
    patched into a stranger's XML: what is reported written has been read back. That a
    rendered sheet holds its rows' values is the renderer's property, proven by tests
    (re-parsing every cell cost 0.9 s of the 1.4 s write of a 10,000-agency Summary).
    The file is written and read back in a thread (deflate, inflate and CRC-32 run
    without the GIL) while this one parses the XML parts for well-formedness."""
    from concurrent.futures import ThreadPoolExecutor
    source, target = Path(source), Path(target)
    check_package(source)
    with zipfile.ZipFile(source) as zin, atomic_target(target) as tmp:
        missing = sorted(set(edits) - set(zin.namelist()))
        if missing:
            raise ReadinessError(Problem(f"part {missing[0]} is missing from the package "
                                         "(damaged)", file=source.name))
        written: dict[str, bytes] = {}
        for info in zin.infolist():
            if info.filename in edits:
                try:
                    data = edits[info.filename](zin.read(info.filename))
                except DAMAGED_PART as err:
                    raise ReadinessError(Problem(f"part {info.filename} is damaged "
                                                 f"({' '.join(str(err).split())})",
                                                 file=source.name)) from None
                written[info.filename] = data.encode("utf-8") if isinstance(data, str) else data
        for name, data in (new_parts or {}).items():
            written[name] = data.encode("utf-8") if isinstance(data, str) else data
        checks = verify or {}
        if set(checks) - set(written):
            raise ValueError(f"verify names parts that are not written: {sorted(set(checks) - set(written))}")
        with ThreadPoolExecutor(1) as pool:
            back = pool.submit(_write_and_read_back, zin, tmp, written, list(new_parts or {}))
            formed = {part: well_formed(meant) for part, meant in written.items()
                      if part.lower().endswith(XML_SUFFIXES)}
            found = back.result()
        for part in written:
            data, why = found[part]
            why = why or formed.get(part)
            if why is None and part in checks:
                why = checks[part](data)
            if why:
                raise ReadinessError(Problem(f"part {part} did not come out as written "
                                             f"({why}); nothing was changed",
                                             file=_PENDING.get(target, str(target))))


def write_sheet_rows(source: Path, target: Path, sheet_name: str, rows: list[list],
                     extra_edits: dict | None = None, shared_strings: bool = False) -> None:
    """Replace one sheet's cell values with `rows`, keeping every other part as it was.
    With `shared_strings` its texts go through the workbook's shared-string table, as
    Excel saves them: for a large sheet written once and read often (Responses), whose
    part is then less than half the size. A sheet rewritten on every recalculation
    (Summary) keeps inline strings: its old texts would pile up in the table."""
    check_package(source)
    new_parts: dict[str, bytes] = {}
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet_name)
        if shared_strings:
            from readiness_xl.workbook.shared_strings import SharedStrings
            try:
                old = zf.read(part).decode("utf-8")
                strings = SharedStrings.load(zf)
            except (*DAMAGED_PART, KeyError) as err:   # KeyError: the table's part is missing
                raise ReadinessError(Problem(f"the package is damaged ({' '.join(str(err).split())})",
                                             file=Path(source).name)) from None
            sheet = render_sheet_data(old, rows, strings).encode("utf-8")
            edits, new_parts = strings.changes(zf, dropped=old.count('t="s"'))
            del old
            edits[part] = lambda data: sheet
        else:
            edits = {part: lambda data: render_sheet_data(data.decode("utf-8"), rows).encode("utf-8")}
    for name, edit in (extra_edits or {}).items():
        edits[name] = edit if name not in edits else (lambda data, a=edits[name], b=edit: b(a(data)))
    replace_parts(source, target, edits, new_parts)
