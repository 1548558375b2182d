"""Replace the source of one module in a VBA project (`xl/vbaProject.bin`), keeping
everything else of the project byte for byte.

The project is an OLE compound file; olefile rewrites a stream in place only at its old
size, so the new source is compressed (MS-OVBA 2.4.1) to exactly the old stream's length:
literal tokens, a trailing comment as padding, and copy tokens where one byte more or
less is needed. A module stream is the module's p-code followed by its compressed source
(at the MODULEOFFSET the project's `dir` stream gives); the p-code is used only when the
project's `_VBA_PROJECT` stream names the running VBA's version, so a project whose
version is 0xFFFF (what MS-OVBA says a writer writes, as xlwings' templates have it) is
compiled from the source, and the new source is what runs. The old p-code is zeroed (as
xlwings' own `xlwings` module has none: its source starts at offset 0)."""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

CHUNK = 4096
NO_PCODE_VERSION = 0xFFFF
_MODULE_STREAM_NAME, _MODULE_OFFSET = 0x001A, 0x0031
_PROJECT_VERSION = 0x0009  # the one record whose size field is not its size (MS-OVBA 2.3.4.2.1.11)


def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.1: a CompressedContainer to its bytes."""
    if not data or data[0] != 1:
        raise ValueError("not a VBA compressed container")
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        start = len(out)
        if not header & 0x8000:  # a raw chunk
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bits = max(4, (len(out) - start - 1).bit_length())
                length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _chunk(tokens: list[bytes]) -> bytes:
    """One compressed chunk: tokens are literal bytes or 2-byte copy tokens, 8 to a flag byte."""
    body = bytearray()
    for i in range(0, len(tokens), 8):
        group = tokens[i:i + 8]
        body.append(sum(1 << j for j, t in enumerate(group) if len(t) == 2))
        body += b"".join(group)
    return struct.pack("<H", 0x8000 | 0x3000 | (len(body) + 2 - 3)) + bytes(body)


# A copy token "the 3 bytes from 1 byte back" (offset 1, length 3) is 0x0000 whatever
# its position: it repeats the byte before it three times.
_REPEAT_3 = b"\x00\x00"


def compress_to_length(source: bytes, length: int) -> bytes:
    """A CompressedContainer of `source` and a padding comment line ("'---...") that is
    exactly `length` bytes long. Literals make the container grow by 9 bytes per 8, so
    some lengths need a copy token (3 dashes in 2 bytes) to be reached; every length from
    one byte over the all-literal size with a 1-dash comment can be (tests/test_ribbon_addin.py)."""
    for dashes in range(1, CHUNK):
        for copies in range(0, 3):
            if 3 * copies >= dashes:
                break
            head = source + b"'" + b"-" * (dashes - 3 * copies)
            tokens = [bytes([b]) for b in head] + [_REPEAT_3] * copies + [b"\r", b"\n"]
            if len(head) + 3 * copies + 2 > CHUNK:
                raise ValueError("the new source is longer than one 4 KB chunk")
            container = b"\x01" + _chunk(tokens)
            if len(container) == length:
                return container
            if len(container) > length + 4:
                raise ValueError(f"the new source does not fit the module's {length} bytes")
    raise ValueError(f"the new source does not fit the module's {length} bytes")


def module_offsets(dir_stream: bytes) -> dict[str, int]:
    """Each module's stream name and where its source starts (the decompressed dir stream)."""
    offsets, name, pos = {}, None, 0
    while pos + 6 <= len(dir_stream):
        record, size = struct.unpack_from("<HI", dir_stream, pos)
        pos += 6
        if record == _PROJECT_VERSION:
            size = 6
        if record == _MODULE_STREAM_NAME:
            name = dir_stream[pos:pos + size].decode("latin-1")
        elif record == _MODULE_OFFSET:
            offsets[name] = struct.unpack_from("<I", dir_stream, pos)[0]
        pos += size
    return offsets


def module_source(vba_project: bytes, module: str) -> str:
    """The source text of `module` (what Excel compiles when there is no usable p-code)."""
    import olefile
    with olefile.OleFileIO(vba_project) as ole:
        offset = module_offsets(decompress(ole.openstream("VBA/dir").read()))[module]
        return decompress(ole.openstream(f"VBA/{module}").read()[offset:]).decode("latin-1")


def replace_module_source(vba_project: bytes, module: str, source: str) -> bytes:
    """`vba_project` with `module`'s source replaced by `source` (ASCII VBA, CRLF lines)
    and its p-code zeroed: Excel compiles the source either way, and p-code that differs
    from the source is what malware scanners call VBA stomping (olevba flags it)."""
    import olefile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vbaProject.bin"
        path.write_bytes(vba_project)
        with olefile.OleFileIO(str(path), write_mode=True) as ole:
            header = ole.openstream("VBA/_VBA_PROJECT").read()
            if struct.unpack_from("<H", header, 2)[0] != NO_PCODE_VERSION:
                raise ValueError("this VBA project carries compiled p-code, which Excel would run "
                                 "instead of a new source")
            offset = module_offsets(decompress(ole.openstream("VBA/dir").read()))[module]
            stream = ole.openstream(f"VBA/{module}").read()
            new = compress_to_length(source.encode("ascii"), len(stream) - offset)
            ole.write_stream(f"VBA/{module}", bytes(offset) + new)
        return path.read_bytes()
