"""The fast reader's two blind spots are covered: a value typed far away (calamine would
allocate the whole grid and abort) and Excel error values (calamine reads them as blank)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from readiness_xl.workbook.fast_read import FastWorkbook
from tests.conftest import run_cli


def test_a_value_at_the_last_cell_of_a_sheet_is_read_without_harm(sample_copy, sample_json):
    wb = load_workbook(sample_copy)
    wb["D03"]["XFD1048576"] = "a note typed far away"
    wb.save(sample_copy)
    assert json.loads(run_cli("recalc", sample_copy, "--json").stdout) == sample_json
    book = FastWorkbook(sample_copy)
    try:
        assert book["D03"]["B2"].value == "D03"                      # read through openpyxl
        assert book["D03"]["XFD1048576"].value == "a note typed far away"
    finally:
        book.close()


def test_error_values_are_errors_not_blanks(sample_copy):
    wb = load_workbook(sample_copy)
    wb["D05"]["G6"] = "#DIV/0!"                                      # openpyxl stores an error cell
    wb.save(sample_copy)
    book = FastWorkbook(sample_copy)
    try:
        assert book["D05"]["G6"].value == "#DIV/0!"
        assert book["D05"]["A5"].value == "1.1"
    finally:
        book.close()


def test_one_far_cell_per_agency_sheet_is_read_by_its_rows_not_its_grid(sample_copy, sample_json):
    """Issue 16 F14: a value at Z999999 of every agency sheet made calamine build each
    sheet's 26 million-cell grid (minutes, 1.5 GB). Such a sheet is streamed instead,
    and the readers stop at the end of their table."""
    import zipfile

    from readiness_xl.workbook.fast_read import _far_cell
    from readiness_xl.workbook.package import sheet_parts
    far = sample_copy.with_name("far.xlsx")
    with zipfile.ZipFile(sample_copy) as zin, zipfile.ZipFile(far, "w", zipfile.ZIP_DEFLATED) as zout:
        agency_parts = {p for n, p in sheet_parts(zin).items() if len(n) == 3}
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in agency_parts:
                assert not _far_cell(data)
                data = data.replace(b"</sheetData>",
                                    b'<row r="999999"><c r="Z999999"><v>1</v></c></row></sheetData>')
                assert _far_cell(data)
            zout.writestr(info, data)
    assert json.loads(run_cli("recalc", far, "--json", "-o", far.with_name("out.xlsx")).stdout) \
        == sample_json
    book = FastWorkbook(far)
    try:
        assert not isinstance(book.values("D03"), list)                 # streamed, no grid
        assert isinstance(book.values("Agencies"), list)                # calamine as before
        assert book["D03"]["B2"].value == "D03"
    finally:
        book.close()


def test_sheets_read_ahead_are_what_sheets_read_when_asked_give(sample_copy, monkeypatch):
    """Agency sheets are read ahead by a thread (FastWorkbook.prefetch). The answers and
    their cells are those of reading each sheet when it is asked for, with a sheet that
    openpyxl must stream (an error value) among them, and no reading thread outlives
    the read."""
    import threading

    import pandas as pd

    from readiness_xl.workbook.read import read_book
    wb = load_workbook(sample_copy)
    wb["D05"]["G6"] = "#DIV/0!"
    wb.save(sample_copy)
    ahead = read_book(sample_copy)
    monkeypatch.setattr(FastWorkbook, "prefetch", lambda self, names, scan_here=False: None)
    asked = read_book(sample_copy)
    pd.testing.assert_frame_equal(ahead.raw_answers, asked.raw_answers)
    pd.testing.assert_frame_equal(ahead.answer_cells.rows, asked.answer_cells.rows)
    assert ahead.raw_answers.loc["D05"].tolist().count("#DIV/0!") == 1
    indicator = ahead.raw_answers.columns[ahead.raw_answers.loc["D05"] == "#DIV/0!"][0]
    assert ahead.answer_cells[("D05", indicator)] == ("D05", "G6")
    assert not [t for t in threading.enumerate() if t.name.startswith("readiness-read")]


def test_a_damaged_sheet_among_200_read_ahead_is_named_and_no_thread_is_left(tmp_path):
    """The sheet after the one being read is parsed by a read-ahead thread: when its XML is
    damaged, the read fails with one error that names the file and that sheet (so the
    analyst knows which of 200 sheets to repair), and no reading thread survives."""
    import sys
    import threading
    import zipfile

    import pytest

    from readiness_xl.errors import ReadinessError
    from readiness_xl.workbook.fast_read import sheet_parts
    from readiness_xl.workbook.read import read_book
    from tests.conftest import ROOT
    sys.path.insert(0, str(ROOT / "bench"))
    import workbooks
    good = workbooks.build(tmp_path / "good.xlsx", 200, "sheets")
    with zipfile.ZipFile(good) as zf:
        parts = sheet_parts(zf)
        victim = list(workbooks.agencies(200).index)[100]
        with zipfile.ZipFile(tmp_path / "bad.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for item in zf.infolist():
                data = zf.read(item)
                out.writestr(item, data[:len(data) // 2] if item.filename == parts[victim] else data)
    with pytest.raises(ReadinessError) as raised:
        read_book(tmp_path / "bad.xlsx")
    (problem,) = raised.value.problems
    assert (problem.file, problem.sheet) == ("bad.xlsx", victim), str(problem)
    # how zeroed bytes break a deflate stream depends on the deflate that wrote it (zlib's
    # or ISA-L's): it no longer inflates, or it inflates past the declared size
    assert problem.message.startswith("damaged workbook") or "unpacks to more than" in problem.message, \
        str(problem)
    assert not [t for t in threading.enumerate() if t.name.startswith("readiness-read")]


def test_each_read_ahead_thread_reads_through_a_zip_file_of_its_own(sample_copy, monkeypatch):
    """A ZipFile's count of open members is not locked: two threads reading one could
    close it under each other. Every zip file is read by one thread only."""
    import threading
    import zipfile

    from readiness_xl.workbook.read import read_book

    users: dict[int, set[int]] = {}
    real_read = zipfile.ZipFile.read

    def read(self, name, pwd=None):
        users.setdefault(id(self), set()).add(threading.get_ident())
        return real_read(self, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", read)
    book = read_book(sample_copy)
    assert len(book.agencies) == 31
    assert users and all(len(threads) == 1 for threads in users.values())


def test_a_damaged_responses_sheet_checked_before_the_imports_is_named(tmp_path):
    """begin_reading checks a Responses sheet's XML in the calling thread before it returns
    (so that the imports after it overlap calamine alone): damage found there is reported
    when the answers are read, like damage found by a read-ahead thread, naming the sheet."""
    import sys
    import threading
    import zipfile

    import pytest

    from readiness_xl.errors import ReadinessError
    from readiness_xl.workbook.package import sheet_parts
    from readiness_xl.workbook.read import read_book
    from tests.conftest import ROOT
    sys.path.insert(0, str(ROOT / "bench"))
    import workbooks
    book = workbooks.build(tmp_path / "long.xlsx", 300, "long")
    with zipfile.ZipFile(book) as zf:
        info = zf.getinfo(sheet_parts(zf)["Responses"])
    data = bytearray(book.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2   # past the prolog that check_package reads
    data[middle:middle + 64] = bytes(64)
    book.write_bytes(bytes(data))
    with pytest.raises(ReadinessError) as raised:
        read_book(book)
    (problem,) = raised.value.problems
    assert (problem.file, problem.sheet) == ("long.xlsx", "Responses"), str(problem)
    # how zeroed bytes break a deflate stream depends on the deflate that wrote it (zlib's
    # or ISA-L's): it no longer inflates, or it inflates past the declared size
    assert problem.message.startswith("damaged workbook") or "unpacks to more than" in problem.message, \
        str(problem)
    assert not [t for t in threading.enumerate() if t.name.startswith("readiness-read")]


def test_damage_in_a_streamed_sheet_is_named(sample_copy):
    """A sheet holding an error value is streamed by openpyxl, not read by calamine; damage
    met while streaming it (here an answer pointing past the shared strings) is named with
    its sheet, as damage in a sheet calamine reads is."""
    import re
    import zipfile

    import pytest

    from readiness_xl.errors import ReadinessError
    from readiness_xl.workbook.package import sheet_parts
    from readiness_xl.workbook.read import read_book
    wb = load_workbook(sample_copy)
    wb["D05"]["G6"] = "#DIV/0!"                                      # streamed from now on
    wb.save(sample_copy)
    bad = sample_copy.with_name("bad.xlsx")
    with zipfile.ZipFile(sample_copy) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_parts(zin)["D05"]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:  # answer F8 becomes shared string 999999, which does not exist
                data, found = re.subn(rb'<c r="F8"([^>]*?)(?: t="\w+")?(/>|>.*?</c>)',
                                      rb'<c r="F8"\1 t="s"><v>999999</v></c>', data, count=1)
                assert found == 1
            zout.writestr(info, data)
    with pytest.raises(ReadinessError) as raised:
        read_book(bad)
    (problem,) = raised.value.problems
    assert (problem.file, problem.sheet) == ("bad.xlsx", "D05"), str(problem)
    assert problem.message.startswith("damaged workbook"), str(problem)


@given(letters=st.integers(1, 3), digits=st.integers(1, 7),
       ref=st.text(alphabet="ABCXYZ0123456789", max_size=12))
@settings(max_examples=300, deadline=None)
def test_far_reference_pattern_finds_what_the_plain_alternation_finds(letters, digits, ref):
    """The possessive expression of fast_read._far_pattern against the plain statement of
    the rule: more than `letters` column letters, or more than `digits` row digits after
    the letters (a row's r="..." has none)."""
    import re

    from readiness_xl.workbook.fast_read import _far_pattern
    plain = re.compile(rb'r="(?:[A-Z]{%d}|[A-Z]*\d{%d})' % (letters + 1, digits + 1))
    xml = f'<row r="1"><c r="{ref}" t="n"><v>1</v></c></row>'.encode()
    assert bool(_far_pattern(letters, digits).search(xml)) == bool(plain.search(xml))


@given(refs=st.lists(st.tuples(st.integers(1, 26 ** 3 - 1), st.integers(1, 10 ** 7)), min_size=1,
                     max_size=30))
@settings(max_examples=200, deadline=None)
def test_a_sheet_calamine_may_read_has_its_grid_within_the_bounds(refs):
    """Whatever the references, a sheet _far_cell lets calamine read has its farthest row
    within 10^digits of four times its rows (+1024) and its columns within the cell budget
    at those digits (the rows are counted only when the bounds of a sheet without rows are
    passed)."""
    from readiness_xl.workbook.cell_refs import get_column_letter
    from readiness_xl.workbook.fast_read import _bounds, _far_cell
    cells = "".join(f'<row r="{r}"><c r="{get_column_letter(c)}{r}"><v>1</v></c></row>' for c, r in refs)
    xml = f"<worksheet><sheetData>{cells}</sheetData></worksheet>".encode()
    if not _far_cell(xml):
        letters, digits = _bounds(4 * len(refs) + 1024, max(1_000_000, len(xml) // 4))
        widest = max(len(get_column_letter(c)) for c, _ in refs)
        assert max(r for _, r in refs) < 10 ** digits
        assert widest <= letters or 10 ** 4 * 26 ** widest <= max(1_000_000, len(xml) // 4)
