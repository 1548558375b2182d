"""The fast reader's two blind spots are covered: a value typed far away (calamine would
allocate the whole grid and abort) and Excel error values (calamine reads them as blank)."""

from __future__ import annotations

import json

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
