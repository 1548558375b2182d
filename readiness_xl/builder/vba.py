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


# Renaming the project. Three places hold the names xlwings' ribbon template leaves as
# "MyAddin": the PROJECT stream's `Name="..."` line (plain text, MS-OVBA 2.3.1), the dir
# stream's PROJECTNAME record (2.3.4.2.1.6, compressed) and, for the conf file xlwings' VBA
# reads, the `PROJECT_NAME` constant in the xlwings module's source (compressed). olefile
# rewrites a stream only at its old size, so a new name has the old name's length and the
# one compressed chunk holding it is compressed again to exactly its old size: a chunk's
# tokens are independent of the other chunks (2.4.1.1.1), so every other byte stays.
_PROJECT_NAME_RECORD = 0x0004


def _offset_bits(position: int) -> int:
    """Bits of a copy token's offset at `position` in its chunk (2.4.1.3.19.1)."""
    return max(4, (position - 1).bit_length())


def _smallest_tokens(chunk: bytes) -> list[tuple[int, int, int]]:
    """The tokens (position, offset, length; offset 0 for a literal) of the smallest
    encoding of `chunk`: a shortest path, a literal costing 9 bits and a copy 17, over
    every match length at the nearest earlier start giving it (earlier starts are found
    through their first three bytes)."""
    n = len(chunk)
    starts: dict[bytes, list[int]] = {}
    matches: list[dict[int, int]] = []
    for p in range(n):
        found, longest = {}, 2
        limit = min((0xFFFF >> _offset_bits(p)) + 3, n - p) if p else 0
        for start in reversed(starts.get(chunk[p:p + 3], ())) if limit >= 3 else ():
            length = 3
            while length < limit and chunk[start + length] == chunk[p + length]:
                length += 1
            if length > longest:
                found.update(dict.fromkeys(range(longest + 1, length + 1), p - start))
                longest = length
                if length == limit:
                    break
        matches.append(found)
        starts.setdefault(chunk[p:p + 3], []).append(p)
    cost, choice = [0] * (n + 1), [(0, 0, 1)] * (n + 1)
    for p in range(n - 1, -1, -1):
        cost[p], choice[p] = 9 + cost[p + 1], (p, 0, 1)
        for length, offset in matches[p].items():
            if 17 + cost[p + length] < cost[p]:
                cost[p], choice[p] = 17 + cost[p + length], (p, offset, length)
    tokens, p = [], 0
    while p < n:
        tokens.append(choice[p])
        p += choice[p][2]
    return tokens


def _chunk_size(tokens) -> int:
    return 2 + sum(2 if offset else 1 for _, offset, _ in tokens) + (len(tokens) + 7) // 8


def _encode_chunk(chunk: bytes, tokens) -> bytes:
    body = bytearray()
    for i in range(0, len(tokens), 8):
        group, flags, parts = tokens[i:i + 8], 0, bytearray()
        for j, (position, offset, length) in enumerate(group):
            if offset:
                bits = _offset_bits(position)
                parts += struct.pack("<H", ((offset - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << j
            else:
                parts.append(chunk[position])
        body.append(flags)
        body += parts
    return struct.pack("<H", 0x8000 | 0x3000 | (len(body) + 2 - 3)) + bytes(body)


def compress_chunk_to_size(chunk: bytes, size: int) -> bytes:
    """A compressed chunk of `chunk` (at most 4,096 bytes) exactly `size` bytes long,
    header included: the smallest encoding, grown by splitting one literal off the end of
    copy tokens (+1 byte) and turning 3-byte copies into literals (+1 byte, 2 tokens), which
    move the flag bytes differently. ValueError when even the smallest is too long."""
    tokens = _smallest_tokens(chunk)
    base = _chunk_size(tokens)
    if base > size:
        raise ValueError(f"the chunk needs {base} bytes, more than its {size}")
    copies = sorted((t for t in tokens if t[1]), key=lambda t: -t[2])
    splits_max = sum(length - 3 for _, _, length in copies)
    literal_bytes = sum(2 if offset else 1 for _, offset, _ in tokens)
    for threes in range(0, len(copies) + 1):
        for splits in range(0, splits_max + 1):
            count = len(tokens) + splits + 2 * threes
            total = 2 + literal_bytes + splits + threes + (count + 7) // 8
            if total > size:
                break
            if total == size:
                try:
                    return _grown(chunk, tokens, splits, threes)
                except ValueError:   # too few 3-byte copies left after those splits
                    continue
    raise ValueError(f"no encoding of the chunk is exactly {size} bytes")


def _grown(chunk: bytes, tokens, splits: int, threes: int) -> bytes:
    """`tokens` with `splits` literals split off the longest copies, then `threes` copies of
    length 3 (among those not split) turned into literals."""
    tokens = list(tokens)
    while splits:
        i = max((k for k, t in enumerate(tokens) if t[1]), key=lambda k: tokens[k][2])
        position, offset, length = tokens[i]
        take = min(splits, length - 3)
        tokens[i:i + 1] = [(position, offset, length - take)] + [
            (position + length - take + k, 0, 1) for k in range(take)]
        splits -= take
    threes_at = [k for k, t in enumerate(tokens) if t[1] and t[2] == 3]
    if len(threes_at) < threes:
        raise ValueError("not enough 3-byte copies")
    for i in threes_at[:threes][::-1]:
        position = tokens[i][0]
        tokens[i:i + 1] = [(position + k, 0, 1) for k in range(3)]
    return _encode_chunk(chunk, tokens)


def _chunk_spans(container: bytes) -> list[tuple[int, int]]:
    """Where each compressed chunk of a container starts and ends."""
    spans, pos = [], 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        end = min(pos + (header & 0x0FFF) + 3, len(container))
        spans.append((pos, end))
        pos = end
    return spans


def patch_compressed(container: bytes, at: int, new: bytes) -> bytes:
    """`container` whose decompressed bytes at `at` are `new` (as many as were there),
    with every chunk but the one holding them unchanged and the length kept."""
    old = decompress(container)
    if at // CHUNK != (at + len(new) - 1) // CHUNK:
        raise ValueError("the bytes to change cross a chunk boundary")
    wanted = old[:at] + new + old[at + len(new):]
    index = at // CHUNK
    start, end = _chunk_spans(container)[index]
    chunk = wanted[index * CHUNK:(index + 1) * CHUNK]
    patched = container[:start] + compress_chunk_to_size(chunk, end - start) + container[end:]
    if decompress(patched) != wanted or len(patched) != len(container):
        raise ValueError("the chunk did not compress back to the same bytes")
    return patched


def _project_name_at(dir_stream: bytes) -> tuple[int, int]:
    """Where the PROJECTNAME record's name starts in the decompressed dir stream, and its size."""
    pos = 0
    while pos + 6 <= len(dir_stream):
        record, size = struct.unpack_from("<HI", dir_stream, pos)
        if record == _PROJECT_NAME_RECORD:
            return pos + 6, size
        pos += 6 + (6 if record == _PROJECT_VERSION else size)
    raise ValueError("the dir stream has no PROJECTNAME record")


def rename_project(vba_project: bytes, name: str, constant_module: str, constant: str) -> bytes:
    """`vba_project` named `name` (PROJECT and dir streams), with `constant`'s string value in
    `constant_module`'s source set to name.lower(): xlwings' PROJECT_NAME, which names the
    conf file and the conf sheet its VBA reads. `name` has the old name's length."""
    import re

    import olefile
    encoded = name.encode("ascii")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vbaProject.bin"
        path.write_bytes(vba_project)
        with olefile.OleFileIO(str(path), write_mode=True) as ole:
            project = ole.openstream("PROJECT").read()
            old = re.search(rb'^Name="([^"]*)"\r?$', project, re.M)
            if old is None or len(old.group(1)) != len(encoded):
                raise ValueError(f"the new project name must have {len(old.group(1)) if old else '?'} letters")
            ole.write_stream("PROJECT", project[:old.start(1)] + encoded + project[old.end(1):])

            container = ole.openstream("VBA/dir").read()
            at, size = _project_name_at(decompress(container))
            if size != len(encoded):
                raise ValueError("the dir stream's project name has another length")
            ole.write_stream("VBA/dir", patch_compressed(container, at, encoded))

            dir_stream = decompress(ole.openstream("VBA/dir").read())
            offset = module_offsets(dir_stream)[constant_module]
            stream = ole.openstream(f"VBA/{constant_module}").read()
            source = decompress(stream[offset:])
            value = re.search(rb'Const ' + constant.encode() + rb' As String = "([^"]*)"', source)
            if value is None or len(value.group(1)) != len(encoded):
                raise ValueError(f"{constant} in {constant_module} is missing or of another length")
            patched = patch_compressed(stream[offset:], value.start(1), encoded.lower())
            ole.write_stream(f"VBA/{constant_module}", stream[:offset] + patched)
        return path.read_bytes()
