"""A large sheet parsed by calamine in two pieces (workbook.sheet_pieces, through
fast_read's read-ahead) gives the very rows calamine gives for the whole sheet, and the
hostile-file protections hold for each piece: a far cell or an error cell in either half
sends the sheet to openpyxl, as it did whole, and a piece beyond bounds is never parsed.
PIECES_FROM is lowered so that small sheets take the path."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook import fast_read, sheet_pieces
from readiness_xl.workbook.fast_read import FastWorkbook, open_workbook

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHARED = ["ใช่", "ไม่ใช่", "D01", "1.1", "a &amp; b"]
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
        'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override '
        'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship '
        'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>'),
    "xl/styles.xml": (  # style 1: a date (built-in format 14)
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}"><fonts count="1"><font/>'
        '</fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'),
    "xl/sharedStrings.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(SHARED)}" '
        f'uniqueCount="{len(SHARED)}">' + "".join(f"<si><t>{s}</t></si>" for s in SHARED) + "</sst>"),
}


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


CELLS = {  # kind -> (attributes, content) of a cell
    "shared": lambda k: (' t="s"', f"<v>{k % len(SHARED)}</v>"),
    "inline": lambda k: (' t="inlineStr"', f"<is><t>ตอบ {k}</t></is>"),
    "number": lambda k: ("", f"<v>{k * 1.25}</v>"),
    "whole": lambda k: ("", f"<v>{k}</v>"),
    "bool": lambda k: (' t="b"', f"<v>{k % 2}</v>"),
    "date": lambda k: (' s="1"', f"<v>{45000 + k}</v>"),
    "formula": lambda k: (' t="str"', f"<f>A{k}</f><v>text {k}</v>"),
    "styled": lambda k: (' s="1"', ""),
}


def sheet_xml(rows: list[tuple[int | None, list[tuple[int | None, str]]]]) -> bytes:
    """A worksheet of these rows: (row number or None for no r, [(column or None, kind)])."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><dimension ref="A1"/>'
           "<sheetData>"]
    for k, (row, cells) in enumerate(rows):
        out.append(f'<row r="{row}">' if row else "<row>")
        for column, kind in cells:
            attrs, content = CELLS[kind](k + 1)
            ref = f' r="{_letters(column)}{row}"' if column and row else ""
            out.append(f"<c{ref}{attrs}>{content}</c>" if content else f"<c{ref}{attrs}/>")
        out.append("</row>")
    out.append('</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
    return "".join(out).encode()


def package(path: Path, sheet: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def whole_rows(path: Path) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name("Responses").to_python(skip_empty_area=False)
    finally:
        book.close()


def _in_pieces(monkeypatch) -> None:
    """Every sheet checked ahead parsed in pieces, whatever its size and the machine's cores."""
    monkeypatch.setattr(FastWorkbook, "PIECES_FROM", 1)
    monkeypatch.setattr(FastWorkbook, "PIECES_CORES", 1)


def read_in_pieces(path: Path, monkeypatch):
    """(the sheet's values read ahead, the number of pieces calamine parsed, merges)."""
    _in_pieces(monkeypatch)
    book = open_workbook(path)
    try:
        book.prefetch(["Responses"], scan_here=True)
        values = book.values("Responses")
        return values, len(book._piece_books), book.merges["Responses"]
    finally:
        book.close()


def plain(n: int, start: int = 1, columns=(1, 2, 3)) -> list:
    kinds = list(CELLS)
    return [(start + i, [(c, kinds[(i + c) % len(kinds)]) for c in columns]) for i in range(n)]


def test_every_kind_of_cell_reads_as_calamine_reads_the_whole_sheet(tmp_path, monkeypatch):
    book = package(tmp_path / "book.xlsx", sheet_xml(plain(400)))
    values, pieces, merges = read_in_pieces(book, monkeypatch)
    assert pieces == 2 and merges == ["A1:B1"]
    assert values == whole_rows(book)
    # by hand: serial 45003 is 18 March 2023; shared string 7 % 5 = 2 is 'D01'; a styled
    # cell without a value is blank; a formula's cached text
    assert values[2] == [3.0, True, datetime.date(2023, 3, 18)]
    assert values[3] == [False, datetime.date(2023, 3, 19), "text 4"]
    assert values[6] == ["", "D01", "ตอบ 7"]


@pytest.mark.parametrize("layout", [
    "gap at the cut",            # rows 200-250 missing: blank rows between the halves
    "second half from column C",
    "second half wider",
    "first half wider",
    "rows without r",            # only every third row says its number; cells without r
    "rows out of order",         # the second half starts above the first half's end
])
def test_the_halves_join_into_the_whole_sheet(layout, tmp_path, monkeypatch):
    rows = {
        "gap at the cut": plain(200) + plain(200, start=251),
        "second half from column C": plain(200) + plain(200, start=201, columns=(3, 4)),
        "second half wider": plain(200) + plain(200, start=201, columns=(1, 2, 3, 7)),
        "first half wider": plain(200, columns=(1, 2, 9)) + plain(200, start=201),
        "rows without r": [(row if i % 3 == 0 else None, [(None, kind) for _, kind in cells])
                           for i, (row, cells) in enumerate(plain(400))],
        "rows out of order": plain(200, start=101) + plain(200, start=1),
    }[layout]
    book = package(tmp_path / "book.xlsx", sheet_xml(rows))
    values, pieces, _ = read_in_pieces(book, monkeypatch)
    assert values == whole_rows(book)
    assert pieces == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(),
                          st.lists(st.tuples(st.integers(1, 6), st.sampled_from(list(CELLS))),
                                   max_size=4)),
                min_size=2, max_size=60))
def test_any_rows_read_in_pieces_as_whole(tmp_path_factory, monkeypatch, spec):
    """Rows numbered upwards with gaps (0: the next row), some saying no number, cells in
    any columns (duplicates dropped, left to right) of any kind."""
    rows, row = [], 0
    for gap, numbered, cells in spec:
        row += gap + 1
        columns = sorted(dict(cells).items())
        rows.append((row if numbered or not rows else None,
                     [(c if numbered else None, kind) for c, kind in columns]))
    book = package(tmp_path_factory.mktemp("any") / "book.xlsx", sheet_xml(rows))
    expected = whole_rows(book)
    values, _, _ = read_in_pieces(book, monkeypatch)
    assert values == expected


@pytest.mark.parametrize("half", [0, 1])
def test_a_far_cell_in_either_half_sends_the_sheet_to_openpyxl(half, tmp_path, monkeypatch):
    rows = plain(400)
    rows[50 if half == 0 else 390][1].append((16384, "whole"))   # column XFD
    xml = sheet_xml(rows)
    assert fast_read._far_cell(xml)
    book = package(tmp_path / "book.xlsx", xml)
    values, pieces, _ = read_in_pieces(book, monkeypatch)
    assert not isinstance(values, list)                     # streamed: no calamine grid
    assert pieces <= half   # the far half is never parsed (the first may be, if it began)


def test_an_error_cell_in_the_second_half_is_read_as_an_error(tmp_path, monkeypatch):
    xml = sheet_xml(plain(400)).replace(b'<c r="B390"', b'<c r="B390" t="e"><v>#N/A</v></c><c r="Z390"', 1)
    book = package(tmp_path / "book.xlsx", xml)
    _in_pieces(monkeypatch)
    read = open_workbook(book)
    try:
        read.prefetch(["Responses"], scan_here=True)
        assert not isinstance(read.values("Responses"), list)
        assert read["Responses"]["B390"].value == "#N/A"       # openpyxl keeps the error
    finally:
        read.close()


@pytest.mark.parametrize("text", [b"<!-- <row r=\"9\"> -->", b"<![CDATA[ <row r=\"9\"> ]]>"])
def test_a_sheet_with_comments_or_cdata_is_not_cut(text, tmp_path, monkeypatch):
    xml = sheet_xml(plain(400)).replace(b"<sheetData>", b"<sheetData>" + text.replace(b"<row", b"x"), 1)
    assert sheet_pieces.cut_at(xml) is None
    book = package(tmp_path / "book.xlsx", xml.replace(b"<![CDATA[", b"<!--").replace(b"]]>", b"-->"))
    values, pieces, _ = read_in_pieces(book, monkeypatch)
    assert pieces == 0 and values == whole_rows(book)       # parsed whole, as before


def test_an_exclamation_mark_alone_does_not_stop_the_cut():
    xml = sheet_xml(plain(400)).replace(b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr">'
                                        b"<is><t>Yes! a &lt;!-- not a comment</t></is></c></row>", 1)
    head, cut = sheet_pieces.cut_at(xml)
    assert xml[head - len(b"<sheetData>"):head] == b"<sheetData>" and xml[cut:].startswith(b'<row r="')


def test_a_size_lie_in_the_sheet_is_still_refused(tmp_path, monkeypatch):
    from tests.test_reliability_g import _size_lie
    good = package(tmp_path / "good.xlsx", sheet_xml(plain(400)))
    _size_lie(good, tmp_path / "bomb.xlsx", "Responses", 4 * 1024 ** 2)
    with pytest.raises(ReadinessError, match="unpacks to more than"):
        read_in_pieces(tmp_path / "bomb.xlsx", monkeypatch)


def test_no_temporary_file_is_left(tmp_path, monkeypatch):
    import tempfile
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    book = package(tmp_path / "book.xlsx", sheet_xml(plain(400)))
    values, pieces, _ = read_in_pieces(book, monkeypatch)
    assert pieces == 2 and list(folder.iterdir()) == []
    # and where the far half stops the read after the first piece was written
    rows = plain(400) + [(1048576, [(16384, "whole")])]
    read_in_pieces(package(tmp_path / "far.xlsx", sheet_xml(rows)), monkeypatch)
    assert list(folder.iterdir()) == []


def test_a_long_workbook_reads_the_same_answers_in_pieces(sample_path, tmp_path, monkeypatch):
    import pandas as pd

    from readiness_xl.builder.responses_sheet import save_long_workbook
    from readiness_xl.workbook.read import read_book
    sample = read_book(sample_path)
    long_form = save_long_workbook(sample.framework, sample.agencies, sample.raw_answers,
                                   tmp_path / "long.xlsx") or tmp_path / "long.xlsx"
    whole = read_book(long_form)
    _in_pieces(monkeypatch)
    split = read_book(long_form)
    pd.testing.assert_frame_equal(split.raw_answers, whole.raw_answers)
    pd.testing.assert_frame_equal(split.answer_cells.rows, whole.answer_cells.rows)
    pd.testing.assert_frame_equal(split.raw_answers, sample.raw_answers, check_names=False)


def _outcome(path: Path, monkeypatch, pieces: bool):
    """What the reader gives for the sheet read ahead: its rows (streamed ones listed),
    or that it failed."""
    with monkeypatch.context() as patch:
        if pieces:
            _in_pieces(patch)
        else:
            patch.setattr(FastWorkbook, "PIECES_FROM", 1 << 62)
        try:
            book = open_workbook(path)
        except Exception:
            return "failed"
        try:
            book.prefetch(["Responses"], scan_here=True)
            return [list(row) for row in book.values("Responses")]
        except Exception:
            return "failed"
        finally:
            book.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10 ** 9), st.binary(min_size=1, max_size=6), st.integers(0, 6))
def test_damaged_xml_reads_in_pieces_as_whole(tmp_path_factory, monkeypatch, where, junk, width):
    """Bytes of the sheet's XML overwritten anywhere (the zip is sound, so only the XML
    is damaged): read in pieces, the sheet gives what it gives read whole (calamine's rows,
    openpyxl's where a far or error cell appeared), or fails as it fails whole."""
    xml = bytearray(sheet_xml(plain(120)))
    at = where % len(xml)
    xml[at:at + width] = junk
    book = package(tmp_path_factory.mktemp("damaged") / "book.xlsx", bytes(xml))
    assert _outcome(book, monkeypatch, pieces=True) == _outcome(book, monkeypatch, pieces=False)


def test_no_room_for_the_pieces_reads_the_sheet_whole(tmp_path, monkeypatch):
    """A temporary copy that cannot be written (a full disk) is no reason to fail: the
    sheet is parsed whole, as stored."""
    import errno

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sheet_pieces, "write_piece", full)
    book = package(tmp_path / "book.xlsx", sheet_xml(plain(400)))
    values, pieces, merges = read_in_pieces(book, monkeypatch)
    assert pieces == 0 and values == whole_rows(book) and merges == ["A1:B1"]
