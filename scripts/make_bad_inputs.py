"""Write bad and hostile inputs for readiness-xl into a folder (default tests/data/bad/).

Each file is the B.E. 2560 sample broken in one way (most by patching one zip part, so
nothing else changes), or something that is not a workbook at all. The test suite
(tests/test_bad_inputs.py) makes them in a session fixture and runs the command line on
each; they are generated, never committed.

    python scripts/make_bad_inputs.py [OUT_DIR]
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

from readiness_xl.builder.template import save_workbook
from readiness_xl.sample.build import build_sample
from readiness_xl.survey.forms import build_form
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.read import read_book
from readiness_xl.workbook.sheet_xml import set_cells

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "data" / "bad"


class Maker:
    """Bad variants of one good base workbook."""

    def __init__(self, base: Path, out: Path):
        self.base, self.out = base, out
        self.book = read_book(base)
        with zipfile.ZipFile(base) as zf:
            self.parts = sheet_parts(zf)
            self.names = zf.namelist()
        self.indicators = self.book.framework.indicators

    def row_of(self, indicator: str) -> int:
        """Row of an indicator on every agency sheet (they share one order)."""
        return int(self.book.answer_cells[("D01", indicator)][1][1:])

    def first(self, answer_type: str) -> str:
        return self.indicators.index[self.indicators["type"] == answer_type][0]

    def patch(self, name: str, edits: dict | None = None, *, add: dict | None = None,
              drop: tuple = ()) -> Path:
        """A copy of the base with parts edited (str -> str), added or dropped."""
        target = self.out / name
        edits = edits or {}
        with zipfile.ZipFile(self.base) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename in drop:
                    continue
                data = zin.read(info.filename)
                if info.filename in edits:
                    data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
                zout.writestr(info.filename, data)
            for part, data in (add or {}).items():
                zout.writestr(part, data)
        return target

    def bytes_part(self, name: str, part: str, edit) -> Path:
        """A copy of the base with one part's bytes edited (bytes -> bytes)."""
        target = self.out / name
        with zipfile.ZipFile(self.base) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                zout.writestr(info.filename, edit(data) if info.filename == part else data)
        return target

    def cells(self, name: str, sheet: str, values: dict[str, object]) -> Path:
        return self.patch(name, {self.parts[sheet]: lambda xml: set_cells(xml, values)})

    def workbook_xml(self, name: str, old: str, new: str) -> Path:
        def edit(xml: str) -> str:
            assert old in xml, old
            return xml.replace(old, new)
        return self.patch(name, {"xl/workbook.xml": edit})

    def raw(self, name: str, data: bytes) -> Path:
        (self.out / name).write_bytes(data)
        return self.out / name


def error_cell(xml: str, ref: str, error: str) -> str:
    """Turn cell `ref` into an Excel error value (t="e"), as Excel stores #N/A."""
    xml = set_cells(xml, {ref: 0})
    return re.sub(rf'<c r="{ref}"([^>]*?)><v>[^<]*</v></c>',
                  lambda m: f'<c r="{ref}"{m.group(1)} t="e"><v>{error}</v></c>', xml, count=1)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal valid OLE compound file (what .xls and encrypted .xlsx are), each
    stream padded to 4096 bytes so that it lives in regular 512-byte sectors."""
    sector, end, free, fat_mark = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    chunks, fat, directory = [], [fat_mark, end], []
    next_sector = 2
    for name, data in streams.items():
        data = data.ljust(4096, b"\0")
        count = len(data) // sector
        fat += [next_sector + i + 1 for i in range(count - 1)] + [end]
        directory.append((name, 2, next_sector, len(data)))
        chunks.append(data)
        next_sector += count
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = free, right: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, end, 0, child=1)]
    for i, (name, kind, start, size) in enumerate(directory):
        entries.append(entry(name, kind, start, size,
                             right=i + 2 if i + 1 < len(directory) else free))
    dir_sector = b"".join(entries).ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    return header + struct.pack(f"<{len(fat)}I", *fat) + dir_sector + b"".join(chunks)


def entity_bomb(xml: str) -> str:
    """The billion laughs: nine levels of ten references, a gigabyte if expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    root = xml.index("<worksheet")
    body = xml[root:].replace("<sheetData>", '<sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
                              "<t>&lol9;</t></is></c></row>", 1)
    return xml[:root] + f"<!DOCTYPE worksheet [{''.join(levels)}]>" + body


def million_rows(xml: str) -> str:
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>X{r}</t></is></c></row>'
                   for r in range(2, 1_000_002))
    xml = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:F1000001"', xml, count=1)
    return re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{rows}</sheetData>", xml,
                  count=1, flags=re.S)


def zip_bomb(target: Path, base: Path, size: int) -> Path:
    """The base workbook plus one part of `size` zero bytes (compresses ~1000 times)."""
    shutil.copy(base, target)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as stream:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                stream.write(block)
    return target


def make_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.chmod(0o644)
        old.unlink()
    work = Path(tempfile.mkdtemp(prefix="readiness-bad-"))
    base = work / "sample.xlsx"
    build_sample(base)
    m = Maker(base, out)
    scale, yesno, percent = m.first("scale"), m.first("yesno"), m.first("percent")
    weights = m.book.framework.dimensions
    with zipfile.ZipFile(base) as zf:
        wb_xml = zf.read("xl/workbook.xml").decode("utf-8")
    first_weight = int(re.search(r"Weights\">'Framework'!\$D\$(\d+)", wb_xml).group(1))
    first_indicator = int(re.search(r"Indicators\">'Framework'!\$A\$(\d+)", wb_xml).group(1))
    ind_row = {i: first_indicator + k for k, i in enumerate(m.indicators.index)}
    agency_count = len(m.book.agencies)

    made = [
        m.raw("not_a_zip.xlsx", "id,answer\nD01,ใช่\n".encode("utf-8")),
        m.raw("empty.xlsx", b""),
        m.raw("truncated.xlsx", base.read_bytes()[: base.stat().st_size * 3 // 5]),
        m.raw("legacy.xls", compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})),
        m.raw("legacy_renamed.xlsx", compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})),
        m.raw("zip_not_a_workbook.xlsx", b""),
        m.patch("entity_bomb.xlsx", {m.parts["Summary"]: entity_bomb}),
        m.patch("million_rows.xlsx", {m.parts["Agencies"]: million_rows}),
        m.patch("malformed_xml.xlsx", {m.parts["D04"]: lambda xml: xml[: len(xml) // 2]}),
        m.workbook_xml("missing_framework_sheet.xlsx", 'name="Framework"', 'name="Framwork"'),
        m.workbook_xml("missing_agencies_sheet.xlsx", 'name="Agencies"', 'name="Agency list"'),
        m.workbook_xml("renamed_agency_sheet.xlsx", 'name="D03"', 'name="D03 old"'),
        m.patch("missing_agency_sheet.xlsx", {"xl/workbook.xml": lambda xml: re.sub(
            r'<sheet name="P05"[^>]*/>', "", xml)}),
        m.patch("missing_defined_name.xlsx", {"xl/workbook.xml": lambda xml: re.sub(
            r'<definedName name="Weights">[^<]*</definedName>', "", xml)}),
        m.cells("renamed_answer_header.xlsx", "D05", {"G4": "หมายเหตุ / Remarks"}),
        m.cells("weights_sum_zero.xlsx", "Framework",
                {f"D{first_weight + k}": 0 for k in range(len(weights))}),  # weights are shares: only 0 is bad
        m.cells("negative_weight.xlsx", "Framework", {f"D{first_weight + 1}": -10}),
        m.cells("weight_text.xlsx", "Framework", {f"D{first_weight + 2}": "สิบ"}),
        m.cells("duplicate_indicator_id.xlsx", "Framework",
                {f"A{ind_row[m.indicators.index[1]]}": m.indicators.index[0]}),
        m.cells("indicator_without_dimension.xlsx", "Framework", {f"B{ind_row[scale]}": "9"}),
        m.cells("unknown_indicator.xlsx", "D09", {f"A{m.row_of(scale)}": "9.9"}),
        m.cells("answer_text_in_number.xlsx", "P02", {f"G{m.row_of(scale)}": "ไม่ทราบ"}),
        m.cells("answer_out_of_range.xlsx", "D03", {f"G{m.row_of(scale)}": 7}),
        m.cells("answer_yesno_garbage.xlsx", "D06", {f"G{m.row_of(yesno)}": "บางส่วน"}),
        m.cells("answer_percent_over_100.xlsx", "P03", {f"G{m.row_of(percent)}": 120}),
        m.patch("answer_error_na.xlsx", {m.parts["P04"]: lambda xml: error_cell(
            xml, f"G{m.row_of(scale)}", "#N/A")}),
        m.patch("answer_error_div0.xlsx", {m.parts["D10"]: lambda xml: error_cell(
            xml, f"G{m.row_of(percent)}", "#DIV/0!")}),
        m.patch("merged_answer_cells.xlsx", {m.parts["D07"]: lambda xml: xml.replace(
            "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="G5:G6"/></mergeCells>', 1)
            if "<sheetProtection" not in xml else re.sub(
            r"(<sheetProtection[^>]*/>)", r'\1<mergeCells count="1"><mergeCell ref="G5:G6"/></mergeCells>',
            xml, count=1)}),
        m.cells("duplicate_agency_ids.xlsx", "Agencies", {"A3": "D01"}),
        m.cells("formula_injection_id.xlsx", "Agencies",
                {f"A{agency_count + 1}": '=HYPERLINK("http://example.invalid","x")'}),
        m.patch("no_agencies.xlsx", {m.parts["Agencies"]: lambda xml: re.sub(
            r'<row r="(?:[2-9]|\d\d+)".*?</row>', "", xml, flags=re.S)}),
    ]
    # Damage the package check does not see, and names as Excel users type them.
    made += [
        m.patch("missing_sheet_part.xlsx", drop=(m.parts["D02"],)),
        m.bytes_part("bad_utf8_summary.xlsx", m.parts["Summary"],
                     lambda data: data[:-200] + b"\x94" + data[-199:]),
        m.patch("error_and_bad_shared_string.xlsx", {m.parts["D04"]: lambda xml: re.sub(
            r'<c r="A5"[^>]*?(/>|>.*?</c>)', '<c r="A5" t="s"><v>99999</v></c>',
            error_cell(xml, f"G{m.row_of(scale)}", "#N/A"), count=1)}),
        m.patch("duplicate_part.xlsx", add={"_rels/.rels": zipfile.ZipFile(base).read("_rels/.rels")}),
        m.patch("whole_column_name.xlsx", {"xl/workbook.xml": lambda xml: re.sub(
            r'<definedName name="Weights">[^<]*</definedName>',
            "<definedName name=\"Weights\">'Framework'!$D:$D</definedName>", xml)}),
        m.patch("offset_name.xlsx", {"xl/workbook.xml": lambda xml: re.sub(
            r'<definedName name="LevelBands">[^<]*</definedName>',
            "<definedName name=\"LevelBands\">OFFSET('Framework'!$A$14,0,0,4,3)</definedName>", xml)}),
        m.raw("bad_agency_id.csv", "id,name_th,name_en,kind,ministry_th,ministry_en\n"
              "OK1,n,n,department,m,m\nsummary,n,n,department,m,m\n".encode("utf-8")),
        m.raw("control_character.csv", "id,name_th,name_en,kind,ministry_th,ministry_en\n"
              "D01,a\x0bb,b,department,m,n\n".encode("utf-8")),
    ]
    data = bytearray(base.read_bytes())  # one bit flipped near the end of the Summary part
    with zipfile.ZipFile(base) as zf:
        info = zf.getinfo(m.parts["Summary"])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size - 10] ^= 1
    made.append(m.raw("crc_in_summary.xlsx", bytes(data)))
    made[5].unlink()
    with zipfile.ZipFile(made[5], "w") as zf:
        zf.writestr("readme.txt", "a zip, but not a workbook")
    with open(base, "rb") as plain, open(out / "password_protected.xlsx", "wb") as encrypted:
        OOXMLFile(plain).encrypt("รหัสผ่าน", encrypted)
    made.append(out / "password_protected.xlsx")
    made.append(zip_bomb(out / "zip_bomb_ratio.xlsx", base, 64 << 20))
    made.append(zip_bomb(out / "zip_bomb_size.xlsx", base, 600 << 20))
    data = bytearray(base.read_bytes())
    with zipfile.ZipFile(base) as zf:
        info = zf.getinfo(m.parts["D08"])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 40, start + info.compress_size - 8, 97):
        data[offset] ^= 0x5A
    made.append(m.raw("corrupt_part.xlsx", bytes(data)))

    # Targets that cannot be written: the source is good, writing it fails.
    readonly = m.raw("readonly_target.xlsx", base.read_bytes())
    readonly.chmod(0o444)
    made.append(readonly)
    made.append(m.raw("locked_by_excel.xlsx", base.read_bytes()))
    (out / "~$locked_by_excel.xlsx").write_bytes(b"\x0bExcel user" + b"\0" * 150)
    made.append(m.raw("full_disk_source.xlsx", base.read_bytes()))
    made.append(m.raw("good_source.xlsx", base.read_bytes()))

    # Returned questionnaires that collect must refuse.
    book = m.book
    form = build_form(book, "D01")
    form["D01"][f"G{m.row_of(scale)}"].value = "=1+1"
    form["D01"][f"G{m.row_of(scale)}"].data_type = "s"      # typed as text: '=1+1
    save_workbook(form, out / "form_formula_answer.xlsx")
    other = dataclasses.replace(book.framework, version="B.E. 2561 (2018) v1")
    save_workbook(build_form(dataclasses.replace(book, framework=other), "D02"),
                  out / "form_wrong_version.xlsx")
    extra = book.agencies.loc[["D03"]].rename(index={"D03": "Z99"})
    stranger = dataclasses.replace(book, agencies=extra,
                                   raw_answers=book.raw_answers.loc[["D03"]].rename(index={"D03": "Z99"}))
    save_workbook(build_form(stranger, "Z99"), out / "form_unknown_agency.xlsx")
    made.append(m.raw("form_master_as_form.xlsx", base.read_bytes()))
    made += [out / "form_formula_answer.xlsx", out / "form_wrong_version.xlsx",
             out / "form_unknown_agency.xlsx"]
    shutil.rmtree(work)
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    files = make_all(target)
    print(f"{len(files)} bad inputs written to {target}")
