"""Writing fast without losing anything: the parts we do not change are copied as they
are stored (never inflated and deflated again), the result is a valid package, every
part written is read back (its bytes, not re-parsed cell by cell), and the column-wise
renderer writes exactly the values it is given, as an XML parser reads them."""

from __future__ import annotations

import io
import math
import zipfile
from xml.sax.saxutils import unescape

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.parts import replace_parts
from readiness_xl.workbook.read_back import sheet_values, well_formed
from readiness_xl.workbook.shared_strings import SharedStrings
from readiness_xl.workbook.sheet_xml import empty_sheet_xml, render_sheet_data


def _stored(path, name: str) -> bytes:
    """A part's bytes as stored in the zip (compressed), read from its local header."""
    with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
        info = zf.getinfo(name)
        raw.seek(info.header_offset + 26)
        skip = int.from_bytes(raw.read(2), "little") + int.from_bytes(raw.read(2), "little")
        raw.seek(skip, 1)
        return raw.read(info.compress_size)


def test_untouched_parts_keep_their_compressed_bytes(sample_copy, tmp_path):
    out = tmp_path / "out.xlsx"
    with zipfile.ZipFile(sample_copy) as zf:
        names = zf.namelist()
        old = {i.filename: (i.CRC, i.compress_type) for i in zf.infolist()}
    edited = "xl/workbook.xml"
    replace_parts(sample_copy, out, {edited: lambda data: data.replace(b"<sheets>", b"<sheets>", 1)})
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None and zf.namelist() == names
        assert {i.filename: (i.CRC, i.compress_type) for i in zf.infolist()} == old
    for name in names:
        if name != edited:
            assert _stored(out, name) == _stored(sample_copy, name), name
    assert load_workbook(out, read_only=True).sheetnames == load_workbook(sample_copy, read_only=True).sheetnames


def test_parts_written_with_data_descriptors_are_copied_valid(sample_copy, tmp_path):
    """A zip streamed by its writer has sizes after each part (a data descriptor, flag
    bit 3); the copy writes them in the local header instead, as every reader accepts."""
    class Stream(io.RawIOBase):  # a pipe, say: zipfile cannot go back to fill in sizes
        def __init__(self, handle):
            self.handle = handle

        def writable(self):
            return True

        def write(self, data):
            return self.handle.write(data)

    streamed = tmp_path / "streamed.xlsx"
    with zipfile.ZipFile(sample_copy) as zin, open(streamed, "wb") as handle, \
            zipfile.ZipFile(Stream(handle), "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    with zipfile.ZipFile(streamed) as zf:
        assert all(i.flag_bits & 0x08 for i in zf.infolist())
    out = tmp_path / "out.xlsx"
    replace_parts(streamed, out, {})
    with zipfile.ZipFile(out) as zf, zipfile.ZipFile(streamed) as src:
        assert zf.testzip() is None
        assert all(zf.read(n) == src.read(n) for n in src.namelist())
    assert "Summary" in load_workbook(out, read_only=True).sheetnames


# Cell values of every kind a writer is given: text (markup-like, formula-like, CR, characters
# XML cannot carry, Thai), numbers of Python and numpy, NaN and infinity, booleans, blanks.
_TEXTS = st.text(alphabet=st.sampled_from(list("ab <>&=+-@\r\n\t\x00\x0b\ufffeไทย๑")), max_size=8)
_NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**15, 10**15),
                     st.floats(width=32).map(np.float32), st.integers(-99, 99).map(np.int64))
_VALUES = st.one_of(st.none(), _TEXTS, _NUMBERS, st.booleans(), st.booleans().map(np.bool_))
# A column of one kind (the renderer's block path) or of mixed kinds (its cell path).
_COLUMN = st.sampled_from([st.one_of(st.none(), _TEXTS), st.one_of(st.none(), _NUMBERS), _VALUES])


def _expected(value):
    """What an XML parser must read from a cell written with `value` (sheet_values' terms)."""
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return "".join(c for c in value if c not in "\x00\x0b\ufffe")
    return float(value)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(1, 5), st.integers(0, 12), st.booleans())
def test_rendered_cells_read_back_as_written(data, width, height, ragged):
    kinds = [data.draw(_COLUMN) for _ in range(width)]
    rows = [[f"h{c}" for c in range(width)]]
    for _ in range(height):
        cut = data.draw(st.integers(0, width)) if ragged else width
        rows.append([data.draw(kind) for kind in kinds[:cut]])
    for sheet, strings in ((empty_sheet_xml("3", width), None), (empty_sheet_xml(None, width), None),
                           (empty_sheet_xml("3", width), SharedStrings(None, ["h0", "x"], None))):
        found = sheet_values(render_sheet_data(sheet, rows, strings))
        if strings is not None:   # every text is an index into the table (sheet_values reads it as text)
            table = ["h0", "x", *(unescape(t, {"&#13;": "\r"}) for t in strings.new)]
            found = {k: table[int(v)] if isinstance(v, str) else v for k, v in found.items()}
        expected = {f"{get_column_letter(c)}{r}": _expected(v) for r, row in enumerate(rows, start=1)
                    for c, v in enumerate(row, start=1)}
        assert {k: v for k, v in found.items() if v is not None} == \
            {k: v for k, v in expected.items() if v is not None}


def test_a_formula_like_text_stays_text_in_a_column_of_texts():
    rows = [["h"], ["=1+1"], ["+A1"], [None], ["@SUM(A1)"]]
    xml = render_sheet_data(empty_sheet_xml("2", 1), rows)
    assert "<f>" not in xml and xml.count('t="inlineStr"') == 4
    assert sheet_values(xml) == {"A1": "h", "A2": "=1+1", "A3": "+A1", "A5": "@SUM(A1)"}


def _corrupting_write(monkeypatch, part: str):
    """Make the writer store `part` with one byte changed (its CRC computed on the changed
    bytes, as a bad disk or a bug between our bytes and the file would give)."""
    from readiness_xl.workbook import parts
    original = parts.write_deflated

    def write_deflated(zout, info, data, *args, **kwargs):
        if info.filename == part:
            data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
        return original(zout, info, data, *args, **kwargs)
    monkeypatch.setattr(parts, "write_deflated", write_deflated)


def test_a_part_whose_written_bytes_differ_is_refused(sample_copy, monkeypatch):
    """No verifier given (as the add-in and load-answers writes call it): the bytes read
    back must still be those written."""
    before = sample_copy.read_bytes()
    _corrupting_write(monkeypatch, "xl/workbook.xml")
    with pytest.raises(ReadinessError, match="did not come out as written.*differ"):
        replace_parts(sample_copy, sample_copy, {"xl/workbook.xml": lambda data: data})
    assert sample_copy.read_bytes() == before


def test_a_recalc_whose_summary_comes_out_different_is_refused(sample_copy, monkeypatch):
    from readiness_xl.workbook.recalc import recalc_file
    with zipfile.ZipFile(sample_copy) as zf:
        part = sheet_parts(zf)["Summary"]
    before = sample_copy.read_bytes()
    _corrupting_write(monkeypatch, part)
    with pytest.raises(ReadinessError, match=f"part {part} did not come out as written"):
        recalc_file(sample_copy)
    assert sample_copy.read_bytes() == before


@pytest.mark.parametrize("damage, why", [("flip", "Bad CRC-32"), ("grow", "unpacks to more than")])
def test_a_part_damaged_on_its_way_to_the_file_is_refused(damage, why, sample_copy, monkeypatch):
    """Damage after the deflate (a bad disk): the read back inflates the stored bytes and
    refuses them, saying why without the temporary file's name."""
    from readiness_xl.workbook import parts, zip_copy
    append = zip_copy._append

    def damaged(zout, out, data):
        if out.filename == "xl/workbook.xml":
            if damage == "flip":     # one bit of the compressed bytes
                data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
            else:                    # the header declares fewer bytes than it holds
                out.file_size -= 1
        return append(zout, out, data)
    monkeypatch.setattr(zip_copy, "_append", damaged)
    before = sample_copy.read_bytes()
    with pytest.raises(ReadinessError, match=f"workbook.xml did not come out as written \\(unreadable: .*{why}") as err:
        parts.replace_parts(sample_copy, sample_copy, {"xl/workbook.xml": lambda data: data})
    assert ".tmp" not in str(err.value) and sample_copy.read_bytes() == before


def test_a_written_entry_is_what_writestr_would_make(tmp_path):
    """No flag, version or permission of the source's entry carries over into the part
    written in its place (an entry once stored by another tool, say)."""
    from readiness_xl.workbook.zip_copy import write_deflated
    source = zipfile.ZipInfo("xl/a.xml", (2020, 5, 6, 7, 8, 10))
    source.flag_bits, source.extract_version, source.create_version, source.external_attr = 0x6, 63, 63, 0
    with zipfile.ZipFile(tmp_path / "ours.zip", "w") as zout:
        write_deflated(zout, source, b"<a/>" * 100)
    with zipfile.ZipFile(tmp_path / "ours.zip") as zf:
        info = zf.getinfo("xl/a.xml")
        assert (info.flag_bits, info.extract_version, info.external_attr >> 16) == (0, 20, 0o600)
        assert info.date_time == (2020, 5, 6, 7, 8, 10) and zf.read(info) == b"<a/>" * 100
    assert (source.flag_bits, source.extract_version, source.external_attr) == (0x6, 63, 0)   # left as it was


def test_an_edit_that_leaves_malformed_xml_is_refused(sample_copy):
    before = sample_copy.read_bytes()
    with pytest.raises(ReadinessError, match="not well-formed XML"):
        replace_parts(sample_copy, sample_copy, {"xl/workbook.xml": lambda data: data + b"<oops"})
    assert sample_copy.read_bytes() == before


@pytest.mark.parametrize("chunk", [1 << 20, 7])
def test_a_written_part_declaring_a_dtd_or_malformed_is_refused(sample_copy, chunk):
    """The well-formedness check, fed in pieces (a piece may end inside a tag or a Thai
    character), refuses a DTD before parsing it, and a DTD only: '<!DOCTYPE' as text is
    no DTD."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "x"><!ENTITY y "&x;&x;">]>'
            b"<a>&y;</a>")
    assert well_formed(bomb, chunk) == "the part declares a DTD"
    assert well_formed("<a><![CDATA[<!DOCTYPE a>]]>ใช่</a>".encode(), chunk) is None
    assert well_formed("<a>ใช่</a><b".encode(), chunk).startswith("not well-formed XML")
    before = sample_copy.read_bytes()
    with pytest.raises(ReadinessError, match="workbook.xml did not come out as written "
                                             r"\(the part declares a DTD\)"):
        replace_parts(sample_copy, sample_copy, {"xl/workbook.xml": lambda data: b"<!DOCTYPE workbook>"
                                                                  + data})
    assert sample_copy.read_bytes() == before


def test_the_written_summary_is_what_the_renderer_made(sample_copy, tmp_path):
    """The cheap check is enough: a recalculated Summary, parsed, holds the Summary rows."""
    from readiness_xl.workbook.read import read_book
    from readiness_xl.workbook.formula import Formula
    from readiness_xl.workbook.recalc import recalc_file, score_book, summary_cells
    out = tmp_path / "out.xlsx"
    recalc_file(sample_copy, out)
    book = read_book(sample_copy)
    cells = summary_cells(book, score_book(book))   # formula cells hold their cached value
    rows = [[v.cached if isinstance(v, Formula) else v for v in row] for row in cells]
    with zipfile.ZipFile(out) as zf:
        found = sheet_values(zf.read(sheet_parts(zf)["Summary"]))
    assert len(rows) > 20
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            found_value = found.get(f"{get_column_letter(c)}{r}")
            assert (None if found_value == "" else found_value) == _expected(None if value == "" else value), (r, c)
