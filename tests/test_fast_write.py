"""Writing fast without losing anything: the parts we do not change are copied as they
are stored (never inflated and deflated again), and the result is a valid package."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from readiness_xl.workbook.parts import replace_parts


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
