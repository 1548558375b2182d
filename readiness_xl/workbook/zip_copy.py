"""Writing a zip package's entries ourselves: a part we do not change goes to the new file
as it is stored, still compressed, byte for byte (CRC included); a part we write is
deflated by the fastest deflate installed (package.fast_zlib). zipfile has no public
call for either; the local header is rebuilt from the entry, without a data descriptor,
as writestr would write it."""

from __future__ import annotations

import copy
import struct
import zipfile

from readiness_xl.workbook.package import fast_zlib


def copy_stored(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy a part we do not change as it is stored, still compressed: it is neither
    inflated nor deflated again (a 130 MB Responses sheet costs a second of each), and
    stays byte for byte what it was, CRC included."""
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    zin.fp.seek(info.header_offset + zipfile.sizeFileHeader + name_length + extra_length)
    data = zin.fp.read(info.compress_size)
    if len(data) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is truncated")
    _append(zout, copy.copy(info), data)


def write_deflated(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, level: int = 1) -> None:
    """Add `data` to `zout` deflated, under `info`'s name, date and attributes (`info` is
    left as it was). What writestr(info, data, ZIP_DEFLATED, level) does, with ISA-L's
    deflate where it is installed (its levels run 0-3; 1 is both fast and as small as
    zlib's level 1)."""
    z = fast_zlib()
    packer = z.compressobj(level, z.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    out = copy.copy(info)
    out.compress_type, out.CRC = zipfile.ZIP_DEFLATED, z.crc32(data)
    out.file_size, out.compress_size = len(data), len(packed)
    out.flag_bits = 0                 # as writestr: no flag of the source's entry carries over
    out.extract_version = out.create_version = zipfile.DEFAULT_VERSION   # deflate needs 2.0
    out.external_attr = out.external_attr or 0o600 << 16                # as writestr: read and written by its owner
    _append(zout, out, packed)


def _append(zout: zipfile.ZipFile, out: zipfile.ZipInfo, data: bytes) -> None:
    """Write an entry's local header and its (compressed) bytes at the end of `zout`."""
    out.flag_bits &= ~0x08
    out.header_offset = zout.fp.tell()
    zout.fp.write(out.FileHeader())
    zout.fp.write(data)
    zout.filelist.append(out)
    zout.NameToInfo[out.filename] = out
    zout.start_dir = zout.fp.tell()
    zout._didModify = True
