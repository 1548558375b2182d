"""Writing into an existing .xlsx without disturbing anything we did not write.

We never load-and-resave a user's workbook with openpyxl (it drops parts it does not
understand). Instead the zip is copied entry by entry (workbook.zip_copy) and only the
parts we own are replaced, e.g. the `<sheetData>` of the Summary sheet (workbook.sheet_xml)
or single answer cells. The result goes to a temporary file next to the target
(workbook.atomic_write) which replaces it only when complete, and only once every part
written has been read back from it (workbook.read_back).

Files come from strangers (returned questionnaires): every source is checked by
workbook.package (bombs, DTDs) before any part of it is parsed here."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterable

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.atomic_write import atomic_target, shown_name
from readiness_xl.workbook.package import XML_SUFFIXES, check_package, sheet_part
from readiness_xl.workbook.read_back import DAMAGED_PART, read_back, well_formed
from readiness_xl.workbook.sheet_xml import render_sheet_data
from readiness_xl.workbook.zip_copy import copy_stored, write_deflated


def _write_and_read_back(zin: zipfile.ZipFile, tmp: Path, written: dict[str, bytes],
                         new: Iterable[str]) -> dict[str, tuple[bytes | None, str | None]]:
    """Write the package to `tmp`: `zin`'s parts, those in `written` replaced, then the
    `new` ones appended; then read every written part back from the file (read_back)."""
    with zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            if info.filename not in written:
                copy_stored(zin, info, zout)
            else:
                write_deflated(zout, info, written[info.filename])
        for name in new:
            write_deflated(zout, zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), written[name])
    with zipfile.ZipFile(tmp) as back:
        return {part: read_back(back, part, meant) for part, meant in written.items()}


def replace_parts(source: Path, target: Path, edits: dict[str, "callable"],
                  new_parts: dict[str, bytes] | None = None,
                  verify: dict[str, "callable"] | None = None) -> None:
    """Copy `source` to `target` (atomically), passing the named parts through their
    edit function (bytes -> bytes) and appending `new_parts`; every other part is
    copied unchanged, byte for byte. Before the target is replaced, every part written
    is read back from the written file (read_back: CRC-32, the same bytes), every XML
    part written is checked well-formed, and each part in `verify` is also given to its
    function (bytes -> None, or why it is wrong), e.g. check_cells where values were
    patched into a stranger's XML: what is reported written has been read back. That a
    rendered sheet holds its rows' values is the renderer's property, proven by tests
    (re-parsing every cell cost 0.9 s of the 1.4 s write of a 10,000-agency Summary).
    The file is written and read back in a thread (deflate, inflate and CRC-32 run
    without the GIL) while this one parses the XML parts for well-formedness."""
    from concurrent.futures import ThreadPoolExecutor
    source, target = Path(source), Path(target)
    check_package(source)
    with zipfile.ZipFile(source) as zin, atomic_target(target) as tmp:
        missing = sorted(set(edits) - set(zin.namelist()))
        if missing:
            raise ReadinessError(Problem(f"part {missing[0]} is missing from the package "
                                         "(damaged)", file=source.name))
        written: dict[str, bytes] = {}
        for info in zin.infolist():
            if info.filename in edits:
                try:
                    data = edits[info.filename](zin.read(info.filename))
                except DAMAGED_PART as err:
                    raise ReadinessError(Problem(f"part {info.filename} is damaged "
                                                 f"({' '.join(str(err).split())})",
                                                 file=source.name)) from None
                written[info.filename] = data.encode("utf-8") if isinstance(data, str) else data
        for name, data in (new_parts or {}).items():
            written[name] = data.encode("utf-8") if isinstance(data, str) else data
        checks = verify or {}
        if set(checks) - set(written):
            raise ValueError(f"verify names parts that are not written: {sorted(set(checks) - set(written))}")
        with ThreadPoolExecutor(1) as pool:
            back = pool.submit(_write_and_read_back, zin, tmp, written, list(new_parts or {}))
            formed = {part: well_formed(meant) for part, meant in written.items()
                      if part.lower().endswith(XML_SUFFIXES)}
            found = back.result()
        for part in written:
            data, why = found[part]
            why = why or formed.get(part)
            if why is None and part in checks:
                why = checks[part](data)
            if why:
                raise ReadinessError(Problem(f"part {part} did not come out as written "
                                             f"({why}); nothing was changed",
                                             file=shown_name(target)))


def write_sheet_rows(source: Path, target: Path, sheet_name: str, rows: list[list],
                     extra_edits: dict | None = None, shared_strings: bool = False) -> None:
    """Replace one sheet's cell values with `rows`, keeping every other part as it was.
    With `shared_strings` its texts go through the workbook's shared-string table, as
    Excel saves them: for a large sheet written once and read often (Responses), whose
    part is then less than half the size. A sheet rewritten on every recalculation
    (Summary) keeps inline strings: its old texts would pile up in the table."""
    check_package(source)
    new_parts: dict[str, bytes] = {}
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet_name)
        if shared_strings:
            from readiness_xl.workbook.shared_strings import SharedStrings
            try:
                old = zf.read(part).decode("utf-8")
                strings = SharedStrings.load(zf)
            except (*DAMAGED_PART, KeyError) as err:   # KeyError: the table's part is missing
                raise ReadinessError(Problem(f"the package is damaged ({' '.join(str(err).split())})",
                                             file=Path(source).name)) from None
            sheet = render_sheet_data(old, rows, strings).encode("utf-8")
            edits, new_parts = strings.changes(zf, dropped=old.count('t="s"'))
            del old
            edits[part] = lambda data: sheet
        else:
            edits = {part: lambda data: render_sheet_data(data.decode("utf-8"), rows).encode("utf-8")}
    for name, edit in (extra_edits or {}).items():
        edits[name] = edit if name not in edits else (lambda data, a=edits[name], b=edit: b(a(data)))
    replace_parts(source, target, edits, new_parts)
