"""The zip package of a workbook, before anything in it is parsed: which parts it has,
where each sheet's XML is, its defined names, and the checks that refuse a hostile file
(bombs, DTDs, missing parts) before any reader unpacks it.

Kept apart from the writers in workbook.parts and free of numpy, pandas and openpyxl, so
that a command can check a workbook and start reading it while those still import."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import zipfile
import zlib
from pathlib import Path

from defusedxml import DTDForbidden, EntitiesForbidden
from defusedxml import ElementTree as ET
from defusedxml.ElementTree import DefusedXMLParser

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook import locks

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"

# Limits for untrusted packages. Real workbooks of thousands of agencies unpack to tens
# of megabytes and compress about 5-30 times; zip bombs compress hundreds of times.
MAX_UNPACKED_BYTES = 500 * 1024 ** 2
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 10 * 1024 ** 2
MAX_PARTS = 100_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE file holding these streams (names in UTF-16 in its directory).
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
XML_SUFFIXES = (".xml", ".rels", ".vml")


class _RootReached(Exception):
    """Raised by the prolog scanner at the first element: no DTD came before it."""


class _StopAtRoot:
    def start(self, tag, attrs):
        raise _RootReached

    def close(self):
        return None


def not_a_package(path: Path) -> str | None:
    """Why `path` is not an .xlsx zip package, told from its first bytes; None if it is one."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if not head:
            return "the file is empty"
        if head == OLE_MAGIC:
            handle.seek(0)
            if ENCRYPTED_STREAM in handle.read(64 * 1024 ** 2):
                return ("the workbook is password-protected (encrypted); remove the password "
                        "in Excel and save it again")
            return "a legacy .xls (Excel 97-2003) file; save it as .xlsx in Excel and try again"
    if not zipfile.is_zipfile(path):
        if head.startswith(ZIP_MAGIC):
            return "the zip package is truncated or damaged (an incomplete download or copy?)"
        return "not an .xlsx workbook (not a zip file)"
    return None


def _refuse_dtd(zf: zipfile.ZipFile, name: str, file: str) -> None:
    """Read a part only up to its root element; a DTD may only appear before it."""
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(4096):  # the root comes early: unpack no more than needed
                parser.feed(chunk)
    except _RootReached:
        return
    except (DTDForbidden, EntitiesForbidden):
        raise _dtd_refused(name, file) from None
    except ET.ParseError as err:
        raise ReadinessError(Problem(f"part {name} is not well-formed XML ({err})",
                                     file=file)) from None
    raise ReadinessError(Problem(f"part {name} is empty or has no XML element", file=file))


INFLATE_STEP = 1024 ** 2  # at most this much unpacked data is held at once while sizes are checked


def _data_start(raw, info: zipfile.ZipInfo) -> int:
    """Where a part's compressed bytes begin (after its local header). A part whose
    compressed size, as the directory declares it, runs past the end of the file is
    damaged: zipfile would read it anyway (inflating stops at the stream's end), but a
    writer copying the part as stored could not."""
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") \
        + int.from_bytes(header[28:30], "little")
    if start + info.compress_size > os.fstat(raw.fileno()).st_size:
        raise zipfile.BadZipFile(f"{info.filename} is truncated (its compressed size runs "
                                 "past the end of the file)")
    return start


def _size_lie(info: zipfile.ZipInfo, file: str) -> ReadinessError:
    return ReadinessError(Problem(
        f"part {info.filename} unpacks to more than the {info.file_size:,} bytes its "
        "header declares (a disguised zip bomb, or damaged); refused", file=file))


def _refuse_size_lies(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Unpack every part in steps and refuse one that gives more bytes than its header
    declares. The limits above trust the declared sizes; a package whose parts keep
    inflating past them (a 1 MB file hiding 1 GB) is refused after at most the declared
    size plus one step of each part has been unpacked, and never held whole, so every
    reader after this (zipfile, calamine, openpyxl) unpacks no more than the limits allow."""
    with open(path, "rb") as raw:
        for info in infos:
            if info.flag_bits & 0x1:
                continue  # encrypted: refused as such when it is read (zipfile's RuntimeError)
            if info.compress_type == zipfile.ZIP_STORED:
                _data_start(raw, info)
                produced = info.compress_size
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                raw.seek(_data_start(raw, info))
                produced = _inflated_size(raw, info.compress_size, info.file_size)
            else:
                continue  # zipfile refuses or checks other methods itself
            if produced > info.file_size:
                raise _size_lie(info, path.name)


def _inflated_size(raw, compressed: int, declared: int) -> int:
    """Bytes a raw deflate stream of `compressed` bytes unpacks to, counted in steps of
    INFLATE_STEP; counting stops as soon as it passes `declared`."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced, left = 0, compressed
    while left > 0 and not inflater.eof:
        chunk = raw.read(min(INFLATE_STEP, left))
        if not chunk:
            break
        left -= len(chunk)
        while chunk and not inflater.eof:
            produced += len(inflater.decompress(chunk, INFLATE_STEP))
            if produced > declared:
                return produced
            chunk = inflater.unconsumed_tail
    return produced


def unpack_checked(zf: zipfile.ZipFile, name: str, file: str) -> bytes:
    """A part's bytes, unpacked once with the checks check_package makes of it: refused if
    it gives more bytes than its header declares or declares a DTD, damaged if its CRC-32
    differs. For a reader that needs the whole part anyway (fast_read scans each sheet
    before calamine parses it): the check costs no second pass over the data. Never more
    than the declared size plus one byte is unpacked."""
    data = unpacked(zf, name, file)
    if _declares_dtd(data):
        raise _dtd_refused(name, file)
    return data


def unpacked(zf: zipfile.ZipFile, name: str, file: str) -> bytes:
    """A part's bytes by the fastest inflate installed (fast_zlib): refused if it gives more
    bytes than its header declares (never more than that plus one byte is unpacked),
    damaged if its CRC-32 differs."""
    info = zf.getinfo(name)
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return zf.read(name)  # zipfile refuses these itself
    with open(zf.filename, "rb") as raw:
        raw.seek(_data_start(raw, info))
        packed = raw.read(info.compress_size)
    inflate = fast_zlib()
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
    else:
        try:
            data = inflate.decompressobj(-zlib.MAX_WBITS).decompress(packed, info.file_size + 1)
        except inflate.error as err:  # isal's errors are not zlib's: the callers know zlib's
            raise zlib.error(str(err)) from None
    del packed
    if len(data) > info.file_size:
        raise _size_lie(info, file)
    if inflate.crc32(data) != info.CRC or len(data) != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
    return data


@functools.cache
def fast_zlib():
    """The deflate, inflate and CRC-32 of the parts we unpack and write: ISA-L's (the
    `fast` extra's `isal`: the same bytes unpacked, a 75 MB sheet inflated in half zlib's
    time and its CRC-32 in a quarter; a 22 MB Summary deflated in a quarter of zlib's
    level-1 time, and smaller) where it is installed, else zlib's. Both inflates stop at
    the `max_length` asked, so a disguised bomb is cut off the same way."""
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib
    return isal_zlib


def _declares_dtd(xml: bytes) -> bool:
    """Whether an XML part declares a DTD (entities can only be declared inside one), told
    from the bytes before its root element where the text is ASCII-compatible, by the
    defused parser otherwise (UTF-16, say)."""
    head = xml[3:] if xml.startswith(b"\xef\xbb\xbf") else xml
    if head.lstrip()[:1] != b"<":
        parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
        try:
            parser.feed(xml)
        except (_RootReached, ET.ParseError):
            return False
        except (DTDForbidden, EntitiesForbidden):
            return True
        return False
    root = _ELEMENT_START.search(head)
    return b"<!DOCTYPE" in head[:root.start() if root else len(head)]


_ELEMENT_START = re.compile(rb"<[^?!]")


def _dtd_refused(name: str, file: str) -> ReadinessError:
    return ReadinessError(Problem(f"part {name} declares a DTD or XML entities (a possible "
                                  "entity-expansion bomb); refused", file=file))


# Packages already checked by this process, by file identity and stamp: a recalc reads
# and then rewrites the same file, and a file changed in between (new inode, size or
# modification time) is checked again. The value: the parts whose unpacked size and DTD
# are left to the reader that unpacks them (unpack_checked), until it has.
_CHECKED: dict[tuple, set[str]] = {}


def _stamp(path: Path) -> tuple:
    st = os.stat(path)
    return os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def check_package(path: Path, defer_sheets: bool = False) -> set[str]:
    """Refuse a zip package before unpacking it: too many parts, too large unpacked,
    suspiciously compressed, a part name twice, not a workbook, XML parts with a DTD,
    or a sheet the workbook lists whose part is missing. A package already checked,
    unchanged since (see _CHECKED), is not checked twice.

    With `defer_sheets` the sheets' parts are not unpacked here: the caller unpacks each
    one through unpack_checked before any other reader sees it and removes it from the
    set returned (fast_read does; a later check_package checks what is left in it)."""
    path = Path(path)
    locks.note_input(path)
    locks.remove_dead_temps(path.parent)  # a killed run's partial copy beside this workbook
    try:
        stamp = _stamp(path)
    except OSError:
        stamp = None
    deferred = _CHECKED.get(stamp)
    if deferred is not None and (defer_sheets or not deferred):
        return deferred
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if deferred is None:
                _check_directory(infos, path.name)
                # the parts that say where the sheets are, checked before they are parsed
                first = [info for info in infos if info.filename in (WORKBOOK_PART, WORKBOOK_RELS)]
                _refuse_unpacking_lies(zf, path, first)
                sheets = _sheet_parts_present(zf, path.name)
                deferred = _only_sheets(zf, sheets) if defer_sheets else set()
                _refuse_unpacking_lies(zf, path, [info for info in infos if info not in first
                                                  and info.filename not in deferred])
            else:  # checked before with the sheets left to a reader: what it did not unpack
                _refuse_unpacking_lies(zf, path, [info for info in infos
                                                  if info.filename in deferred])
                deferred = set()
        if stamp is not None:
            _CHECKED[stamp] = deferred
        return deferred
    except (zipfile.BadZipFile, zlib.error, EOFError, ET.ParseError, KeyError) as err:
        raise ReadinessError(Problem(f"damaged zip package ({' '.join(str(err).split())})",
                                     file=path.name)) from None
    except RuntimeError as err:  # zipfile: "File ... is encrypted, password required"
        raise ReadinessError(Problem(f"an encrypted zip cannot be read ({err})",
                                     file=path.name)) from None
    except OSError as err:  # a zip directory pointing before the file's start, say
        raise ReadinessError(Problem(f"damaged zip package ({err.strerror or err})",
                                     file=path.name)) from None


def _refuse_unpacking_lies(zf: zipfile.ZipFile, path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """These parts unpacked (in steps, never held whole): no more bytes than declared, no DTD."""
    _refuse_size_lies(path, infos)
    for info in infos:
        if info.filename.lower().endswith(XML_SUFFIXES):
            _refuse_dtd(zf, info.filename, path.name)


def _sheet_parts_present(zf: zipfile.ZipFile, file: str) -> list[str]:
    """The parts of the sheets the workbook lists, each present in the package."""
    names = set(zf.namelist())
    parts = sheet_parts(zf)
    for sheet, part in parts.items():
        if part not in names:
            raise ReadinessError(Problem(f"the part of this sheet ({part}) is missing "
                                         "from the package (damaged)", sheet, file=file))
    return list(parts.values())


def _only_sheets(zf: zipfile.ZipFile, parts: list[str]) -> set[str]:
    """Those of the sheets' parts where worksheets live (xl/worksheets/) that nothing else in
    the workbook's relationships names: calamine reads the shared strings and styles when it
    opens a workbook, so a part named as one of those is checked here, not left to the
    sheet reader."""
    rels = ET.fromstring(zf.read(WORKBOOK_RELS))
    others = {part_path(r.get("Target") or "") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")
              if not (r.get("Type") or "").endswith("/worksheet")}
    return {part for part in parts if part.startswith("xl/worksheets/") and part not in others}


def _check_directory(infos: list[zipfile.ZipInfo], file: str) -> None:
    """What the zip directory alone tells: part count, unpacked and compressed sizes,
    names twice, the parts every workbook has."""
    if len(infos) > MAX_PARTS:
        raise ReadinessError(Problem(f"the package holds {len(infos):,} parts (limit "
                                     f"{MAX_PARTS:,}); refused", file=file))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ReadinessError(Problem(
            f"unpacks to {total / 1024 ** 2:,.0f} MB (limit {MAX_UNPACKED_BYTES // 1024 ** 2} "
            "MB; a zip bomb?); refused", file=file))
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadinessError(Problem(
                f"part {info.filename} is compressed {info.file_size // max(info.compress_size, 1):,} "
                f"times (limit {MAX_RATIO}; a zip bomb?); refused", file=file))
    seen: set[str] = set()
    for info in infos:  # part names are case-insensitive (OPC); zipfile would pick one
        if info.filename.casefold() in seen:
            raise ReadinessError(Problem(f"part {info.filename} appears twice in the "
                                         "package (damaged); refused", file=file))
        seen.add(info.filename.casefold())
    names = {info.filename for info in infos}
    for required in (WORKBOOK_PART, CONTENT_TYPES, WORKBOOK_RELS):
        if required not in names:
            raise ReadinessError(Problem(f"not an .xlsx workbook (a zip without {required})",
                                         file=file))


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip path of its XML, in workbook order."""
    return dict(_sheet_parts(zf.read(WORKBOOK_PART), zf.read(WORKBOOK_RELS)))


def defined_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Workbook-level defined names and what they refer to, as written in workbook.xml."""
    return dict(_defined_names(zf.read(WORKBOOK_PART)))


# A recalculation asks for the sheets of one workbook.xml several times (the package check,
# the reader, the writer): 1,000 sheets take 20 ms to parse each time. Kept by content.
@functools.lru_cache(maxsize=4)
def _sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    workbook, rels = ET.fromstring(workbook_xml), ET.fromstring(rels_xml)
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    return tuple((sheet.get("name"), part_path(targets.get(sheet.get(f"{{{NS_REL}}}id"), "")))
                 for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"))


@functools.lru_cache(maxsize=4)
def _defined_names(workbook_xml: bytes) -> tuple[tuple[str, str], ...]:
    return tuple((d.get("name"), d.text or "")
                 for d in ET.fromstring(workbook_xml).iter(f"{{{NS_MAIN}}}definedName")
                 if d.get("localSheetId") is None)


def part_path(target: str) -> str:
    """The zip path of a part named by a relationship of the workbook (relative to xl/)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip path of a worksheet's XML, by the sheet's name."""
    parts = sheet_parts(zf)
    if sheet_name not in parts:
        raise ReadinessError(Problem(f"sheet '{sheet_name}' is missing"))
    return parts[sheet_name]
