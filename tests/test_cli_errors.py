"""Bad framework or answers: one line naming sheet and cell, non-zero exit, no
traceback, and the workbook byte-for-byte untouched."""

from __future__ import annotations

import hashlib

import pytest
from openpyxl import load_workbook

from tests.conftest import run_cli


def edit(path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def find_row(path, sheet: str, column: str, value: str) -> int:
    ws = load_workbook(path, read_only=True)[sheet]
    for i, (cell,) in enumerate(ws.iter_rows(min_col=ord(column) - 64, max_col=ord(column) - 64,
                                             values_only=True), start=1):
        if str(cell) == value:
            return i
    raise LookupError(value)


@pytest.mark.parametrize("sheet,locate,column,value,where,words", [
    ("Framework", ("A", "65"), "A", 60, "cell A", "two level bands start at 60"),
    ("Framework", ("A", "4"), "D", -10, "cell D", "negative"),
    ("Framework", ("A", "2.1"), "B", "9", "cell B", "points at no dimension"),
    ("Framework", ("A", "2.2"), "A", "2.1", "cell A", "duplicate indicator id '2.1'"),
    ("D03", ("A", "1.3"), "G", 7, "cell G", "outside 0..4"),
    ("D03", ("A", "1.1"), "G", "บางส่วน", "cell G", "not a yes/no answer"),
    ("P02", ("A", "3.1"), "G", "#N/A", "cell G", "Excel error #N/A"),
    ("P02", ("A", "5.3"), "G", "ไม่ทราบ", "cell G", "not a number"),
])
def test_bad_input_is_one_clear_line_and_the_file_is_untouched(sample_copy, sheet, locate, column,
                                                               value, where, words):
    row = find_row(sample_copy, sheet, *locate)
    edit(sample_copy, sheet, f"{column}{row}", value)
    before = hashlib.sha256(sample_copy.read_bytes()).hexdigest()
    result = run_cli("recalc", sample_copy, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    if "sum to" in words:  # the sum is reported at the last weight of the `Weights` range
        row = int(load_workbook(sample_copy).defined_names["Weights"].attr_text.rsplit("$", 1)[1])
    assert f"sheet '{sheet}'" in lines[0] and f"{where}{row}" in lines[0] and words in lines[0]
    assert "book.xlsx" in lines[0]
    assert hashlib.sha256(sample_copy.read_bytes()).hexdigest() == before


def test_missing_file_and_non_workbook(tmp_path):
    result = run_cli("recalc", tmp_path / "nope.xlsx", check=False)
    assert result.returncode == 2 and "file not found" in result.stderr
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    result = run_cli("recalc", text, check=False)
    assert result.returncode == 2 and "not an .xlsx workbook" in result.stderr
    assert text.read_text() == "not a workbook"
