"""The long layout's reading and checking, made cheaper, computes what the plain
definitions compute: the live check's four fingerprints (workbook.long_check) over cells
of every kind, texts repeated as a Responses sheet repeats them; thai.text_key's path for
ASCII; a sheet unpacked by ISA-L's inflate or zlib's, to the same bytes and the same
refusals."""

from __future__ import annotations

import datetime
import struct
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness_xl.errors import ReadinessError
from readiness_xl.workbook import package
from readiness_xl.workbook.long_check import MODULUS, WORDS, fingerprints

try:  # the `fast` extra, which the tests install
    from isal import isal_zlib
except ImportError:
    isal_zlib = None

CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6),
    st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["ใช่", "ไม่ใช่", "Yes", " yes", "NO", "", "3"]),
    st.text(max_size=5), st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 1, 1)),
    st.builds(np.float64, st.floats(-1e3, 1e3, allow_nan=False)), st.builds(np.int64, st.integers(-99, 99)))


def by_definition(values: list, rows: list[int]) -> tuple[float, float, float, float]:
    """SUMPRODUCT's sums cell by cell, in the order fingerprints adds them (one dot product
    each, so the same float sums)."""
    weights = np.array([r % MODULUS + 1 for r in rows], dtype=float)
    number = [isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values]
    text = [type(v) is str for v in values]
    numbers = np.array([float(v) if n else 0.0 for v, n in zip(values, number)])
    lengths = np.array([len(v) for v, t in zip(values, text) if t], dtype=float)
    yes = np.array([v.lower() in WORDS for v, t in zip(values, text) if t], dtype=bool)
    texts = np.array(text, dtype=bool)
    return (float(numbers @ weights), float(np.array(number, dtype=bool) @ weights),
            float(lengths @ weights[texts]), float(yes @ weights[texts]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELLS, st.integers(2, 10 ** 6)), max_size=80))
def test_fingerprints_are_the_sums_cell_by_cell(cells):
    values, rows = [v for v, _ in cells], [r for _, r in cells]
    assert fingerprints(np.array(values + [None], dtype=object)[:-1], np.array(rows, dtype=np.int64)) \
        == by_definition(values, rows)


def test_repeated_texts_count_each_time_by_hand():
    values = ["ใช่", "ใช่", "no", "YES", "no", 2.0]
    rows = [2, 98, 3, 4, 5, 6]          # weights 3, 2, 4, 5, 6, 7
    assert fingerprints(np.array(values, dtype=object), np.array(rows)) == (
        2.0 * 7, 7, 3 * 3 + 3 * 2 + 2 * 4 + 3 * 5 + 2 * 6, 3 + 2 + 5)


class _Text(str):
    """A str that is not exactly str: thai.text_key takes its full path."""


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=12))
def test_text_key_of_ascii_is_its_full_form(text):
    from readiness_xl.thai import text_key
    assert text_key(text) == text_key(_Text(text)) == text.strip()


# --- unpacking a sheet: ISA-L's inflate (the `fast` extra) and zlib's give the same bytes
# and refuse the same damage (workbook.package.unpack_checked)

needs_isal = pytest.mark.skipif(isal_zlib is None, reason="the fast extra (isal) is not installed")
INFLATERS = pytest.mark.parametrize("inflater", [pytest.param(zlib, id="zlib"),
                                                 pytest.param(isal_zlib, id="isal", marks=needs_isal)])
PART = "xl/worksheets/sheet1.xml"
XML = b'<?xml version="1.0"?><worksheet><sheetData>' + b"".join(
    b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe0\xb9\x83\xe0\xb8\x8a\xe0\xb9\x88 %d</t></is></c></row>' % (i, i, i)
    for i in range(1, 3000)) + b"</sheetData></worksheet>"


def _zip(path, data: bytes = XML) -> zipfile.ZipFile:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(PART, data)
    return zipfile.ZipFile(path)


def _patch_headers(path, offset_in_local: int, offset_in_central: int, value: int) -> None:
    """Overwrite a 4-byte field of the part's local header and central directory entry."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset_in_local, value)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + offset_in_central, value)
    path.write_bytes(bytes(data))


@INFLATERS
def test_a_sound_part_unpacks_to_its_bytes(inflater, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "fast_zlib", lambda: inflater)
    with _zip(tmp_path / "b.xlsx") as zf:
        assert package.unpack_checked(zf, PART, "b.xlsx") == XML


@INFLATERS
def test_a_part_larger_than_declared_is_refused(inflater, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "fast_zlib", lambda: inflater)
    path = tmp_path / "b.xlsx"
    _zip(path, XML + b" " * 4 * 1024 ** 2).close()
    _patch_headers(path, 14, 16, zlib.crc32(XML))          # CRC-32 as of the short part
    _patch_headers(path, 22, 24, len(XML))                 # and its size
    with zipfile.ZipFile(path) as zf, pytest.raises(ReadinessError, match="unpacks to more than the"):
        package.unpack_checked(zf, PART, "b.xlsx")


@INFLATERS
def test_a_wrong_crc_is_damage(inflater, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "fast_zlib", lambda: inflater)
    path = tmp_path / "b.xlsx"
    _zip(path).close()
    _patch_headers(path, 14, 16, zlib.crc32(XML) ^ 1)
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
        package.unpack_checked(zf, PART, "b.xlsx")


@INFLATERS
def test_a_broken_deflate_stream_is_zlib_damage(inflater, tmp_path, monkeypatch):
    """What the callers catch as damage (zlib.error), whichever inflates."""
    monkeypatch.setattr(package, "fast_zlib", lambda: inflater)
    path = tmp_path / "b.xlsx"
    _zip(path).close()
    data = bytearray(path.read_bytes())
    start = 30 + len(PART)                                   # the part's data, after its local header
    data[start:start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf, pytest.raises(zlib.error):
        package.unpack_checked(zf, PART, "b.xlsx")


@needs_isal
def test_the_fast_inflate_is_used_where_installed():
    package.fast_zlib.cache_clear()
    assert package.fast_zlib() is isal_zlib


@pytest.mark.parametrize("deflate", [pytest.param(isal_zlib, id="isal", marks=needs_isal), zlib])
def test_a_part_written_by_either_deflate_reads_back_as_written(deflate, tmp_path, monkeypatch):
    """write_deflated's entry is a plain deflated zip entry: zipfile (zlib) reads it back
    byte for byte, with its name, date and CRC; so does our own unpacking."""
    from readiness_xl.workbook import zip_copy
    monkeypatch.setattr(zip_copy, "fast_zlib", lambda: deflate)
    data = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>ใช่ {i}</t></is></c></row>'
                   for i in range(1, 5000)).encode()
    path = tmp_path / "w.zip"
    with zipfile.ZipFile(path, "w") as zout:
        zip_copy.write_deflated(zout, zipfile.ZipInfo("xl/ชีต.xml", (2024, 1, 2, 3, 4, 6)), data)
        zout.writestr("after.txt", b"next entry")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/ชีต.xml")
        assert zf.read(info) == data and zf.read("after.txt") == b"next entry"
        assert info.date_time == (2024, 1, 2, 3, 4, 6) and info.compress_type == zipfile.ZIP_DEFLATED
        assert info.CRC == zlib.crc32(data) and info.compress_size < len(data) // 5
        assert zf.testzip() is None and package.unpacked(zf, "xl/ชีต.xml", "w.zip") == data
