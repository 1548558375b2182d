"""Texts written through the workbook's shared-string table (as Excel saves them) read
back exactly by openpyxl, calamine and LibreOffice; existing entries keep their indices;
a workbook without a table gets one; everything we did not write stays byte for byte."""

from __future__ import annotations

import re
import zipfile
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook, load_workbook
from outside_tools import libreoffice_convert
from python_calamine import CalamineWorkbook

from readiness_xl.builder.responses_sheet import save_long_workbook
from readiness_xl.errors import ReadinessError
from readiness_xl.workbook.cell_xml import stored
from readiness_xl.workbook.package import sheet_parts
from readiness_xl.workbook.parts import write_sheet_rows
from readiness_xl.workbook.read import read_book
from tests.conftest import run_cli

TEXTS = ["ใช่ บางส่วน", "=1+1", "+A1", "  leading", "trailing  ", "a & b <c>", "line\r\nbreak",
         "bell\x07gone", "เก็บไว้"]
ROWS = [["หัวข้อ / Head", "Value"], *[[t, float(i)] for i, t in enumerate(TEXTS)],
        ["เก็บไว้", None], [None, True]]


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _table(path) -> tuple[dict, list[str]]:
    """The sst root's count attributes and its entries, as XML."""
    xml = _parts(path)["xl/sharedStrings.xml"].decode("utf-8")
    attrs = dict(re.findall(r'(\w+)="(\d+)"', re.search(r"<sst\b[^>]*>", xml).group(0)))
    return attrs, re.findall(r"<si>(.*?)</si>", xml, re.S)


EXCEL_TABLE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
               'uniqueCount="3"><si><t>เก็บไว้</t></si><si><t xml:space="preserve"> keep </t></si>'
               '<si><r><rPr><b/></rPr><t>=1+1</t></r></si></sst>')
OTHER_CELLS = ('<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
               '<c r="D1" t="s"><v>0</v></c>')


@pytest.fixture
def with_table(tmp_path):
    """A workbook whose other sheet already uses a shared-string table as Excel writes it
    (a relative target, a rich-text entry, an entry used twice)."""
    wb = Workbook()
    wb.active.title = "Other"
    wb["Other"]["A1"] = "placeholder"
    wb.create_sheet("Data").append(["old", "old"])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="A1".*?</c>', OTHER_CELLS.encode(), data)
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                    b'application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                    b'sharedStrings+xml"/></Types>')
            zout.writestr(name, data)
        zout.writestr("xl/sharedStrings.xml", EXCEL_TABLE)
    return path


def _expect(rows):
    return [[stored(v) for v in row] for row in rows]


def _read_openpyxl(path, sheet):
    ws = load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()], ws


def test_texts_round_trip_through_openpyxl_and_calamine(with_table, tmp_path):
    before = _parts(with_table)
    out = tmp_path / "out.xlsx"
    write_sheet_rows(with_table, out, "Data", ROWS, shared_strings=True)
    after = _parts(out)
    values, ws = _read_openpyxl(out, "Data")
    expected = _expect(ROWS)
    assert values == expected
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s"     # text, never a formula
    assert ws["A8"].value == "line\r\nbreak" and ws["A9"].value == "bellgone"
    calamine = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Data").to_python()
    assert calamine == [["" if v is None else v for v in row] for row in expected]
    assert _read_openpyxl(out, "Other")[0] == [["เก็บไว้", " keep ", "=1+1", "เก็บไว้"]]
    data = after["xl/worksheets/sheet2.xml"].decode("utf-8")
    texts = [v for row in expected for v in row if isinstance(v, str)]
    assert 't="inlineStr"' not in data and data.count('t="s"') == len(texts) == 12
    attrs, entries = _table(out)
    assert entries[:3] == _table(with_table)[1]                      # every index kept
    fresh = dict.fromkeys(t for t in texts if t != "เก็บไว้")          # reused, not appended
    assert sorted(entries[3:]) == sorted(f'<t xml:space="preserve">{escape(t, {chr(13): "&#13;"})}</t>'
                                         for t in fresh)
    assert '<t xml:space="preserve">=1+1</t>' in entries[3:]         # a rich entry is not reused
    assert attrs == {"count": str(4 + 12), "uniqueCount": str(3 + len(fresh))}
    changed = {"xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"}
    assert {n: b for n, b in after.items() if n not in changed} == \
        {n: b for n, b in before.items() if n not in changed}


def test_a_second_write_reuses_the_table(with_table):
    write_sheet_rows(with_table, with_table, "Data", ROWS, shared_strings=True)
    attrs, entries = _table(with_table)
    write_sheet_rows(with_table, with_table, "Data", ROWS, shared_strings=True)
    assert _table(with_table) == (attrs, entries)
    assert _read_openpyxl(with_table, "Data")[0] == _expect(ROWS)


def test_a_workbook_without_a_table_gets_one(sample_path, tmp_path):
    book = read_book(sample_path)
    path = tmp_path / "long.xlsx"
    save_long_workbook(book.framework, book.agencies, book.raw_answers, path)
    parts = _parts(path)
    assert "xl/sharedStrings.xml" in parts
    assert b'PartName="/xl/sharedStrings.xml"' in parts["[Content_Types].xml"]
    assert b'Target="/xl/sharedStrings.xml"' in parts["xl/_rels/workbook.xml.rels"]
    attrs, entries = _table(path)
    assert int(attrs["uniqueCount"]) == len(entries) == len(set(entries))
    assert '<t xml:space="preserve">ใช่</t>' in entries and '<t xml:space="preserve">D01</t>' in entries
    values, _ = _read_openpyxl(path, "Responses")
    assert values[1] == ["D01", "1.1", "ใช่"] and len(values) == 1 + 31 * 20
    assert read_book(path).raw_answers.equals(book.raw_answers)


def test_libreoffice_reads_the_long_workbook(sample_path, tmp_path):
    book = read_book(sample_path)
    path = tmp_path / "long.xlsx"
    save_long_workbook(book.framework, book.agencies, book.raw_answers, path)
    ours, _ = _read_openpyxl(path, "Responses")
    saved = libreoffice_convert(path, "xlsx", tmp_path / "lo", tmp_path / "profile")
    theirs, _ = _read_openpyxl(saved, "Responses")
    assert theirs == ours and theirs[1] == ["D01", "1.1", "ใช่"]


def test_collect_patches_a_long_master_written_with_shared_strings(sample_path, tmp_path):
    from tests.test_collect import patch_sheet
    book = read_book(sample_path)
    master = tmp_path / "master.xlsx"
    save_long_workbook(book.framework, book.agencies, book.raw_answers, master)
    run_cli("forms", master, "-d", tmp_path / "out")
    agency = book.agencies.index[0]
    form = tmp_path / "out" / f"{agency}.xlsx"
    cells = {ind: cell for (_, ind), (_, cell) in read_book(form).answer_cells.items()}
    patch_sheet(form, agency, {cells["1.1"]: "ไม่ใช่"})
    run_cli("collect", form, "--into", master)
    raw = read_book(master).raw_answers
    assert raw.at[agency, "1.1"] == "ไม่ใช่" and book.raw_answers.at[agency, "1.1"] == "ใช่"
    others = raw.drop(index=agency)
    assert others.fillna("-").equals(book.raw_answers.drop(index=agency).fillna("-"))
    values, _ = _read_openpyxl(master, "Responses")
    assert values[1] == [agency, "1.1", "ไม่ใช่"]                    # patched inline beside shared cells


def test_a_table_named_but_missing_is_a_damaged_package(with_table, tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(with_table) as zin, zipfile.ZipFile(broken, "w") as zout:
        for name in zin.namelist():
            if name != "xl/sharedStrings.xml":
                zout.writestr(name, zin.read(name))
    with pytest.raises(ReadinessError, match="damaged"):
        write_sheet_rows(broken, broken, "Data", ROWS, shared_strings=True)


def test_load_answers_into_a_long_workbook_appends_only_new_texts(sample_path, tmp_path):
    book = read_book(sample_path)
    path = tmp_path / "long.xlsx"
    save_long_workbook(book.framework, book.agencies, book.raw_answers, path)
    attrs, entries = _table(path)
    agency = book.agencies.index[1]
    csv = tmp_path / "answers.csv"
    csv.write_text(f"agency,indicator,value\n{agency},1.1,ไม่ใช่\n{agency},1.3,4\n", encoding="utf-8")
    run_cli("load-answers", csv, "--into", path)
    raw = read_book(path).raw_answers
    assert raw.at[agency, "1.1"] == "ไม่ใช่" and raw.at[agency, "1.3"] == 4
    assert raw.drop(index=agency).fillna("-").equals(book.raw_answers.drop(index=agency).fillna("-"))
    after, after_entries = _table(path)
    assert after_entries[:len(entries)] == entries
    known = '<t xml:space="preserve">ไม่ใช่</t>' in entries
    assert len(after_entries) == len(entries) + (not known) == int(after["uniqueCount"])
    with zipfile.ZipFile(path) as zf:
        responses = zf.read(sheet_parts(zf)["Responses"])
    assert int(after["count"]) == responses.count(b't="s"')       # the only sheet using the table
