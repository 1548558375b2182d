"""The hostile-file checks of a sheet's part made in the one read that unpacks it for
scanning (workbook.package.unpack_checked), not in a pass of their own: check_package
leaves only worksheet parts to that read, and whatever the read did not reach is checked
by the next check_package, before any writer copies the package."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.package import check_package, sheet_parts, unpack_checked
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.recalc import recalc_file
from tests.test_reliability_g import _size_lie


def _rewrite(source: Path, target: Path, changes: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, changes.get(info.filename, zin.read(info.filename)))
    return target


def _part(book: Path, sheet: str) -> str:
    with zipfile.ZipFile(book) as zf:
        return sheet_parts(zf)[sheet]


def test_only_worksheet_parts_are_left_to_the_reader(sample_path, tmp_path):
    book = shutil.copy(sample_path, tmp_path / "book.xlsx")
    left = check_package(book, defer_sheets=True)
    with zipfile.ZipFile(book) as zf:
        parts = sheet_parts(zf)
    assert left == set(parts.values())
    assert all(part.startswith("xl/worksheets/") for part in left)


def test_a_sheet_part_also_named_as_styles_is_checked_at_once(sample_path, tmp_path):
    """calamine reads the styles (and shared strings) when it opens the workbook, before
    any sheet is scanned: a worksheet part the relationships also name as the styles (a
    hostile package) is not left to the sheet reader."""
    target = _part(sample_path, "D01")
    with zipfile.ZipFile(sample_path) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    assert 'Target="styles.xml"' in rels
    rels = rels.replace('Target="styles.xml"', f'Target="{target.removeprefix("xl/")}"')
    book = _rewrite(sample_path, tmp_path / "book.xlsx", {"xl/_rels/workbook.xml.rels": rels.encode()})
    left = check_package(book, defer_sheets=True)
    assert target not in left and _part(book, "D02") in left


def test_a_size_lie_in_an_agency_sheet_is_refused_by_the_read_that_unpacks_it(sample_path, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _size_lie(sample_path, bomb, "D01", 4 * 1024 ** 2)
    part = _part(bomb, "D01")
    assert part in check_package(bomb, defer_sheets=True)  # not unpacked by the package check
    with pytest.raises(ReadinessError, match=r"bomb\.xlsx.*unpacks to more than the .* bytes"):
        read_book(bomb)
    with zipfile.ZipFile(bomb) as zf, pytest.raises(ReadinessError, match="disguised zip bomb"):
        unpack_checked(zf, part, bomb.name)


def test_what_the_reader_did_not_unpack_is_checked_before_a_write(sample_path, tmp_path):
    """The Summary is not read by recalc: a size lie there is found by the write's own
    check_package, and nothing is written."""
    bomb = tmp_path / "bomb.xlsx"
    _size_lie(sample_path, bomb, "Summary", 4 * 1024 ** 2)
    before = bomb.read_bytes()
    with pytest.raises(ReadinessError, match="unpacks to more than"):
        recalc_file(bomb)
    assert bomb.read_bytes() == before


def test_what_the_reader_did_not_unpack_is_checked_before_it_returns(sample_path, tmp_path):
    """A read need not be followed by a write of the same file (collect reads each returned
    form and writes the master): a size lie in a sheet the read does not reach (the Summary
    here, a form's hidden sheet there) is refused by the read itself."""
    bomb = tmp_path / "bomb.xlsx"
    _size_lie(sample_path, bomb, "Summary", 4 * 1024 ** 2)
    with pytest.raises(ReadinessError, match=r"bomb\.xlsx.*unpacks to more than"):
        read_book(bomb)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_dtd_in_an_agency_sheet_is_refused_in_any_encoding(sample_path, tmp_path, encoding):
    part = _part(sample_path, "D03")
    with zipfile.ZipFile(sample_path) as zf:
        xml = zf.read(part).decode("utf-8")
    body = xml[xml.index("<worksheet"):]
    hostile = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
               '<!DOCTYPE worksheet [<!ENTITY a "ใช่ใช่ใช่">]>' + body).encode(encoding)
    book = _rewrite(sample_path, tmp_path / "dtd.xlsx", {part: hostile})
    with pytest.raises(ReadinessError, match=r"dtd\.xlsx.*declares a DTD or XML entities"):
        read_book(book)


def test_a_doctype_after_the_root_is_text_not_a_dtd(sample_path, tmp_path):
    """Only what comes before the root element can declare a DTD; the words in a cell
    (an inline string) are an answer like any other."""
    part = _part(sample_path, "D03")
    with zipfile.ZipFile(sample_path) as zf:
        xml = zf.read(part)
    xml = xml.replace(b"</worksheet>", b"<!-- <!DOCTYPE x> --></worksheet>")
    book = _rewrite(sample_path, tmp_path / "ok.xlsx", {part: xml})
    with zipfile.ZipFile(book) as zf:
        assert unpack_checked(zf, part, book.name) == xml
    assert len(read_book(book).agencies) > 0


def _compressed_size_lie(source: Path, target: Path, part: str) -> Path:
    """The package with the central directory's compressed size of `part` raised past the end
    of the file (one bit flipped, as the fuzz test's seed 200 found): zipfile still reads the
    part (inflating stops at the stream's end), a copy of the part as stored cannot."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        size = zf.getinfo(part).compress_size
    name = part.encode()
    at = data.rfind(name)  # the central directory's copy of the name comes last
    header = data.rfind(b"PK\x01\x02", 0, at)
    assert int.from_bytes(data[header + 20:header + 24], "little") == size
    data[header + 20:header + 24] = (size | 1 << 24).to_bytes(4, "little")
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("part", ["xl/charts/chart1.xml", "D01"])
def test_a_compressed_size_past_the_end_of_the_file_is_damage_not_a_crash(sample_path, tmp_path, part):
    """A part the write copies as stored (a chart) and a part the reader unpacks itself
    (an agency sheet): both refused as damaged, one line, nothing written."""
    part = part if "/" in part else _part(sample_path, part)
    book = _compressed_size_lie(sample_path, tmp_path / "lie.xlsx", part)
    with zipfile.ZipFile(book) as zf:
        assert zf.read(part)  # zipfile alone does not notice
    before = book.read_bytes()
    with pytest.raises(ReadinessError, match=r"lie\.xlsx.*damaged .*is truncated"):
        recalc_file(book)
    assert book.read_bytes() == before
