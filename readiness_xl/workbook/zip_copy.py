"""Copying a zip package's entries without unpacking them: a part we do not change goes
to the new file as it is stored, still compressed, byte for byte (CRC included)."""

from __future__ import annotations

import copy
import struct
import zipfile


def copy_stored(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
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
