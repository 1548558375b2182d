"""Proof that a write did what it meant, read from the written bytes by a parser rather
than by the patterns that wrote them: a part is well-formed XML without a DTD, it reads
back from the zip (CRC-32 checked) as the very bytes written, and a patched sheet holds
the values set into it."""

from __future__ import annotations

import zipfile
import zlib
from xml.parsers import expat

from defusedxml import ElementTree as ET

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.cell_xml import stored
from readiness_xl.workbook.package import NS_MAIN, unpacked


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


def read_back(written: zipfile.ZipFile, part: str, meant: bytes) -> tuple[bytes | None, str | None]:
    """A part as the written file holds it, and why it is not what was meant (or None):
    it is inflated (no more than its declared size) and its CRC-32 checked as a stranger's
    part would be (package.unpacked), and the bytes must equal `meant` (which
    replace_parts has checked to be well-formed XML where the part is XML)."""
    try:
        data = unpacked(written, part, written.filename)
    except ReadinessError as err:   # more bytes than written: said without the temporary file's name
        return None, f"unreadable: {err.problems[0].message}"
    except DAMAGED_PART as err:
        return None, f"unreadable: {' '.join(str(err).split())}"
    if data != meant:
        return data, f"{len(data):,} bytes read back differ from the {len(meant):,} written"
    return data, None
